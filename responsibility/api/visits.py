"""API for leader assignments, visits and inspections, and rectification items.

Scope first (404), then the service decides: 403 not permitted, 409 wrong state,
400 bad input.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jiufeng.filters import FilterSet

from ..models import LeaderAssignment, RectificationItem, RectificationStatus, Visit, VisitKind, VisitMethod
from ..models.visits import EVIDENCE_MAX, REASON_MAX
from ..services.visits_selectors import (
    leader_assignment_list_for_user,
    rectification_item_list_for_user,
    visit_list_for_user,
)
from ..workflow import RECTIFICATION_ITEM_TRANSITIONS
from .units import UnitRefSerializer


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Not allowed in the current state.")
    default_code = "conflict"


class LeaderAssignmentSerializer(serializers.ModelSerializer):
    leader = serializers.StringRelatedField()
    leader_id = serializers.IntegerField(read_only=True)
    units = UnitRefSerializer(many=True, read_only=True)
    visit_frequency_display = serializers.CharField(source="get_visit_frequency_display", read_only=True)

    class Meta:
        model = LeaderAssignment
        fields = [
            "id",
            "leader",
            "leader_id",
            "units",
            "starts_on",
            "ends_on",
            "visit_frequency",
            "visit_frequency_display",
            "note",
        ]


class VisitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    leader = serializers.StringRelatedField()
    organizing_unit = UnitRefSerializer(read_only=True)
    units = UnitRefSerializer(many=True, read_only=True)
    methods = serializers.ListField(child=serializers.ChoiceField(choices=VisitMethod.choices), read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "kind",
            "kind_display",
            "subject",
            "leader",
            "organizing_unit",
            "units",
            "leader_assignment",
            "scheduled_for",
            "made_on",
            "overdue",
            "methods",
            "people_met",
            "findings",
        ]


class RectificationItemSerializer(serializers.ModelSerializer):
    responsible_unit = UnitRefSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    # Null until the item is submitted, confirmed.
    submitted_by = serializers.StringRelatedField(allow_null=True)
    confirmed_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = RectificationItem
        fields = [
            "id",
            "description",
            "responsible_unit",
            "due_on",
            "status",
            "status_display",
            "overdue",
            "evidence",
            "submitted_by",
            "submitted_at",
            "confirmed_by",
            "confirmed_at",
            "send_back_reason",
            "visit",
            "campaign",
        ]


class VisitDetailSerializer(VisitSerializer):
    rectification_items = RectificationItemSerializer(many=True, read_only=True)

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "rectification_items"]


class LeaderAssignmentListView(generics.ListAPIView):
    """The user's own leader assignments (all of them for administrators), newest first."""

    serializer_class = LeaderAssignmentSerializer

    def get_queryset(self):
        return leader_assignment_list_for_user(user=self.request.user)


class VisitFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=VisitKind.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="overdue")

    class Meta:
        model = Visit
        fields = ["kind"]

    def filter_overdue(self, queryset, name, value):
        late = queryset.overdue(timezone.localdate())
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class VisitListView(generics.ListAPIView):
    """Visits and inspections to units in scope, newest first."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter

    def get_queryset(self):
        return visit_list_for_user(user=self.request.user)


class VisitDetailView(generics.RetrieveAPIView):
    """A visit in scope with its rectification items; out of scope 404."""

    serializer_class = VisitDetailSerializer

    def get_queryset(self):
        return visit_list_for_user(user=self.request.user).prefetch_related(
            "rectification_items__responsible_unit",
            "rectification_items__submitted_by",
            "rectification_items__confirmed_by",
        )


class RectificationItemFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=RectificationStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="overdue")

    class Meta:
        model = RectificationItem
        fields = ["status", "responsible_unit", "visit"]

    def filter_overdue(self, queryset, name, value):
        late = queryset.overdue(timezone.localdate())
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class RectificationItemListView(generics.ListAPIView):
    """Rectification items whose responsible unit is in scope, soonest due first."""

    serializer_class = RectificationItemSerializer
    filterset_class = RectificationItemFilter

    def get_queryset(self):
        return rectification_item_list_for_user(user=self.request.user).select_related("submitted_by", "confirmed_by")


class EvidenceSerializer(serializers.Serializer):
    evidence = serializers.CharField(max_length=EVIDENCE_MAX)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)


class EmptySerializer(serializers.Serializer):
    pass


class _ItemActionView(APIView):
    """POST one transition on an item in scope; answers the item as it now stands.

    The transition's declaration (responsibility.workflow) gives who may make it (403
    before the input is read), its input serializer and its service.
    """

    # Set by _declared.
    transition = None
    schema_error_statuses = (409,)

    def post(self, request, pk: int):
        item = generics.get_object_or_404(RectificationItem.objects.visible_to(request.user), pk=pk)
        transition = self.transition
        if not transition.permits(request.user, item):
            raise exceptions.PermissionDenied
        data = (transition.input if transition.input_path else EmptySerializer)(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = transition.service(actor=request.user, item_id=item.pk, **data.validated_data)
        except TransitionNotAllowed as error:
            raise Conflict(str(error)) from error
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
            raise serializers.ValidationError(detail) from error
        item = RectificationItem.objects.select_related("responsible_unit", "submitted_by", "confirmed_by").get(
            pk=item.pk
        )
        return Response(RectificationItemSerializer(item).data)


def _declared(name: str):
    """The view of the item transition ``name``, with the input its declaration names in the schema."""
    transition = RECTIFICATION_ITEM_TRANSITIONS[name]

    def declare(view: type[_ItemActionView]) -> type[_ItemActionView]:
        view.transition = transition
        # The input serializers above are defined by now: the declaration finds them in this module.
        request = transition.input if transition.input_path else None
        return extend_schema(request=request, responses=RectificationItemSerializer)(view)

    return declare


@_declared("submit")
class RectificationItemSubmitView(_ItemActionView):
    """The responsible unit reports the item done, with evidence."""


@_declared("confirm")
class RectificationItemConfirmView(_ItemActionView):
    """The unit above confirms the item rectified."""


@_declared("send_back")
class RectificationItemSendBackView(_ItemActionView):
    """The unit above sends the item back to the responsible unit, with a reason."""
