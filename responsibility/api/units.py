from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, generics, permissions, serializers

from ..models import Deadline, Position, Unit
from ..selectors import unit_page


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "parent", "depth"]


class PublicUnitSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "parent"]


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]


class PositionSerializer(serializers.ModelSerializer):
    user = serializers.StringRelatedField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Position
        fields = ["id", "user", "kind", "kind_display", "starts_on", "ends_on"]


class ObligationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Deadline
        fields = ["id", "kind", "kind_display", "due_at", "level", "overdue", "provisional"]


class UnitDetailSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    supervising_unit = UnitRefSerializer(read_only=True)
    remit_unit = UnitRefSerializer(read_only=True)
    positions = PositionSerializer(source="current_positions", many=True, read_only=True)
    children = UnitSerializer(many=True, read_only=True)
    open_obligations = ObligationSerializer(many=True, read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "parent",
            "depth",
            "is_active",
            "supervising_unit",
            "remit_unit",
            "positions",
            "children",
            "open_obligations",
        ]


class UnitListView(generics.ListAPIView):
    """The units in the user's scope, in tree order."""

    serializer_class = UnitSerializer
    pagination_class = None

    def get_queryset(self):
        return Unit.objects.visible_to(self.request.user).with_parent_id()


class PublicUnitListView(generics.ListAPIView):
    """Active units a petitioner may name as the subject of a complaint."""

    serializer_class = PublicUnitSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    pagination_class = None
    # Unscoped by design: every petitioner names units from the whole tree (the filing form's list too).
    queryset = Unit.objects.filter(is_active=True).with_parent_id()


class UnitDetailView(generics.RetrieveAPIView):
    """A unit in scope with its current positions, children and open obligations; else 404."""

    serializer_class = UnitDetailSerializer

    def get_queryset(self):
        return (
            Unit.objects.visible_to(self.request.user).with_parent_id().select_related("supervising_unit", "remit_unit")
        )

    def get_object(self):
        try:
            unit = super().get_object()
        except Http404:
            # The same words for a unit out of scope as for one that does not exist.
            raise exceptions.NotFound(_("No unit in your scope has this id.")) from None
        return unit_page(unit=unit, user=self.request.user)
