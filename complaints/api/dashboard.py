"""GET /api/v1/units/{id}/dashboard/: the leader's dashboard as JSON (API.md's keys and more)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from responsibility.models import Unit

from ..dashboard import Dashboard, Figures, dashboard_for_unit
from ..forms.dashboard import PeriodForm

_RATE = "Percent, one decimal; null when there was nothing to count."


class _Counts(serializers.Serializer):
    """Figures shared by a unit and each child row."""

    received = serializers.IntegerField(help_text="Cases received in the period.")
    accepted = serializers.IntegerField()
    decided = serializers.IntegerField(help_text="Cases of the period whose petitioner has been answered.")
    open = serializers.IntegerField(help_text="Cases open now, whenever received.")
    overdue = serializers.IntegerField(help_text="Open cases past their running deadline now.")
    due_soon = serializers.IntegerField(help_text="Open cases due within 3 days.")
    on_time_rate = serializers.FloatField(allow_null=True, help_text=_RATE)
    substantiation_rate = serializers.FloatField(allow_null=True, help_text=_RATE)
    satisfaction_rate = serializers.FloatField(allow_null=True, help_text=_RATE)


class DashboardChildSerializer(_Counts):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _Ratings(serializers.Serializer):
    satisfied = serializers.IntegerField()
    basically_satisfied = serializers.IntegerField()
    dissatisfied = serializers.IntegerField()


class _Reviews(serializers.Serializer):
    asked = serializers.IntegerField()
    re_reviews = serializers.IntegerField()
    pending = serializers.IntegerField()
    decided = serializers.IntegerField()


class _Category(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class _Month(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    received = serializers.IntegerField()
    decided = serializers.IntegerField()


class _UnitRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _Period(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()


class _Pledges(serializers.Serializer):
    year = serializers.IntegerField()
    expected = serializers.IntegerField()
    signed = serializers.IntegerField()
    coverage_rate = serializers.FloatField(allow_null=True, help_text=_RATE)
    items = serializers.IntegerField()
    items_completed = serializers.IntegerField()
    item_completion_rate = serializers.FloatField(allow_null=True, help_text=_RATE)


class _Accountability(serializers.Serializer):
    proposed = serializers.IntegerField()
    decided = serializers.IntegerField()


class DashboardSerializer(_Counts):
    unit = _UnitRef()
    period = _Period()
    counted_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the period's figures were counted (pre-counted every ten minutes for whole months); "
        "null: counted now. Open, overdue and due_soon are always counted now.",
    )
    late = serializers.IntegerField(help_text="Decided cases with a stage past its deadline.")
    ratings = _Ratings(help_text="The latest rating of each case received in the period.")
    reviews = _Reviews()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_channel = serializers.DictField(child=serializers.IntegerField())
    by_category = _Category(many=True, help_text="Top-level categories, most cases first.")
    trend = _Month(many=True)
    children = DashboardChildSerializer(many=True)
    pledges = _Pledges()
    escalated = serializers.IntegerField(help_text="Open obligations of the subtree past due and escalated.")
    accountability = _Accountability()


def _counts(figures: Figures) -> dict:
    return {name: getattr(figures, name) for name in _Counts().fields}


def dashboard_data(dashboard: Dashboard) -> dict:
    cases, total, oversight = dashboard.cases, dashboard.cases.total, dashboard.oversight
    return {
        **_counts(total),
        "unit": {"id": dashboard.unit.pk, "name": dashboard.unit.name},
        "period": {"first": dashboard.period.first, "last": dashboard.period.last},
        "counted_at": cases.counted_at,
        "late": total.late,
        "ratings": {name: getattr(total, name) for name in _Ratings().fields},
        "reviews": {
            "asked": total.reviews,
            "re_reviews": total.re_reviews,
            "pending": total.reviews_pending,
            "decided": total.reviews_decided,
        },
        "by_status": {key: n for key, _label, n in cases.by_status},
        "by_channel": {key: n for key, _label, n in cases.by_channel},
        "by_category": [{"id": key, "name": name, "count": n} for key, name, n in cases.by_category],
        "trend": [
            {"month": f"{month:%Y-%m}", "received": received, "decided": decided}
            for month, received, decided in cases.trend
        ],
        "children": [{"id": row.unit.pk, "name": row.unit.name, **_counts(row.figures)} for row in cases.children],
        "pledges": {
            "year": oversight.year,
            "expected": oversight.pledges_expected,
            "signed": oversight.pledges_signed,
            "coverage_rate": oversight.pledge_coverage_rate,
            "items": oversight.items,
            "items_completed": oversight.items_completed,
            "item_completion_rate": oversight.item_completion_rate,
        },
        "escalated": oversight.escalated,
        "accountability": {
            "proposed": oversight.accountability_proposed,
            "decided": oversight.accountability_decided,
        },
    }


class UnitDashboardView(APIView):
    """The figures of a unit and the units below it for a period (this year by default). Leaders and officers.

    Counts the cases about the unit's subtree that the user may see: never a case about a
    unit the user is in. A unit out of scope is not found.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="2026, 2026-Q2 or 2026-05; wins over from/to."),
            OpenApiParameter("from", str, description="First day of a range (YYYY-MM-DD), with to."),
            OpenApiParameter("to", str, description="Last day of a range (YYYY-MM-DD), with from."),
        ],
        responses={
            200: DashboardSerializer,
            400: OpenApiResponse(description="A period not understood."),
            403: OpenApiResponse(description="Not a leader or officer."),
            404: OpenApiResponse(description="No unit in your scope has this id."),
        },
    )
    def get(self, request, pk: int):
        if not request.user.has_perm("jiufeng.view_dashboard"):
            raise exceptions.PermissionDenied
        unit = Unit.objects.visible_to(request.user).filter(pk=pk).first()
        if unit is None:
            raise exceptions.NotFound(_("No unit in your scope has this id."))
        form = PeriodForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise exceptions.ValidationError({name: list(messages) for name, messages in form.errors.items()})
        dashboard = dashboard_for_unit(user=request.user, unit=unit, period=form.period_or_default())
        return Response(DashboardSerializer(dashboard_data(dashboard)).data)
