"""GET /api/v1/pledges/?year=, GET /api/v1/pledges/{id}/, POST /api/v1/pledges/{id}/sign/."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from django_fsm import TransitionNotAllowed
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from ..models import Pledge, PledgeItem
from ..services.pledges import pledge_sign
from ..services.pledges_selectors import pledge_detail_queryset
from .units import UnitRefSerializer


class PledgeItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PledgeItem
        fields = ["id", "title", "weight", "due_on", "evidence_required", "score", "completed_at"]


class PledgeSerializer(serializers.ModelSerializer):
    issuer = UnitRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    signed_by = serializers.SerializerMethodField()
    items = PledgeItemSerializer(many=True, read_only=True)

    class Meta:
        model = Pledge
        fields = [
            "id",
            "year",
            "issuer",
            "unit",
            "state",
            "state_display",
            "version",
            "signed_by",
            "signed_at",
            "items",
            "total_score",
        ]

    def get_signed_by(self, pledge) -> str | None:
        return str(pledge.signed_by) if pledge.signed_by else None


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


@extend_schema(
    parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="the pledges' year (this year if left out)")]
)
class PledgeListView(generics.ListAPIView):
    """Pledges in scope for a year, with their items and signing state."""

    serializer_class = PledgeSerializer

    def get_queryset(self):
        query = YearQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year", timezone.localdate().year)
        return pledge_detail_queryset(user=self.request.user).filter(year=year).order_by("issuer__path", "unit__path")


class PledgeDetailView(generics.RetrieveAPIView):
    """A pledge in scope; out of scope 404."""

    serializer_class = PledgeSerializer

    def get_queryset(self):
        return pledge_detail_queryset(user=self.request.user)


class PledgeSignView(generics.GenericAPIView):
    """The pledging unit's principal signs: 403 for anyone else, 409 if not awaiting a signature."""

    serializer_class = PledgeSerializer
    schema_error_statuses = (409,)

    def get_queryset(self):
        return pledge_detail_queryset(user=self.request.user)

    @extend_schema(request=None, responses={200: PledgeSerializer})
    def post(self, request, *args, **kwargs):
        pledge = self.get_object()
        try:
            pledge_sign(pledge_id=pledge.pk, actor=request.user)
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error) or None) from error
        except TransitionNotAllowed as error:
            raise Conflict(str(error)) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=pledge.pk)).data)
