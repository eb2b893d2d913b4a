"""GET /api/v1/units/{id}/dashboard/: the leader's dashboard as JSON (API.md's keys and more)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from responsibility.models import Unit

from ..dashboard import Dashboard, Figures, dashboard_for_unit
from ..forms.dashboard import PeriodForm
from ..models import MeasureKind
from ..recurring import (
    FIX_WINDOW_DAYS,
    REPEAT_MIN,
    SPIKE_MIN_COUNT,
    SPIKE_SIGMAS,
    SPIKE_TRAILING_WEEKS,
    Recurring,
    Verdict,
    WarningKind,
    recurring_for_unit,
)

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


class _Warning(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[WarningKind.UNIT, WarningKind.CATEGORY], help_text="A subject unit's or a category's."
    )
    id = serializers.IntegerField(help_text="The subject unit's or the category's id.")
    name = serializers.CharField()
    week_first = serializers.DateField()
    week_last = serializers.DateField()
    count = serializers.IntegerField(help_text="Complaints received in the week.")
    trailing_mean = serializers.FloatField(help_text="Complaints a week in the weeks before, on average.")
    trailing_spread = serializers.FloatField(help_text="Their population standard deviation.")
    units = serializers.ListField(
        child=serializers.IntegerField(), help_text="The subject units of the week's complaints."
    )


class _Ranked(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField(
        help_text="Substantiated or partly substantiated complaints received in the period."
    )


class _Repeat(serializers.Serializer):
    unit = _UnitRef()
    category = _UnitRef()
    count = serializers.IntegerField(help_text="Complaints received in the period.")
    substantiated = serializers.IntegerField(help_text="Of these, substantiated or partly.")


class _Fix(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[MeasureKind.RECTIFICATION.value, MeasureKind.RULE.value],
        help_text="A confirmed rectification item, or a long-term rule of a closed case.",
    )
    description = serializers.CharField()
    unit = _UnitRef()
    category = _UnitRef()
    effective_at = serializers.DateTimeField(help_text="The item confirmed done, or the rule's case closed.")
    before = serializers.IntegerField(help_text="Complaints of the same unit and category in the window before.")
    after = serializers.IntegerField(help_text="And in as many days after.")
    verdict = serializers.ChoiceField(choices=[Verdict.HELD, Verdict.CAME_BACK, Verdict.TOO_EARLY])


class _Recurring(serializers.Serializer):
    counted_at = serializers.DateTimeField(
        help_text="When these blocks and the early warnings were counted: kept ten minutes, then counted anew."
    )
    top_categories = _Ranked(many=True)
    top_units = _Ranked(many=True, help_text="Subject units, each on its own.")
    repeats = _Repeat(many=True, help_text=f"A unit and category with at least {REPEAT_MIN} complaints in the period.")
    fix_window_days = serializers.IntegerField()
    fixes = _Fix(many=True, help_text="Fixes that took effect in the period, latest first.")


class DashboardSerializer(_Counts):
    unit = _UnitRef()
    period = _Period()
    counted_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the period's figures were counted (pre-counted every ten minutes for whole months); "
        "null: counted now.",
    )
    open_counted_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When open, overdue and due_soon were counted (every minute, with the period's pre-counted "
        "figures); null: counted now.",
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
    warnings = _Warning(
        many=True,
        help_text=f"Early warnings: a subject unit or category whose last week has at least {SPIKE_MIN_COUNT} "
        f"complaints, twice the mean of the {SPIKE_TRAILING_WEEKS} weeks before and more than "
        f"{SPIKE_SIGMAS} standard deviations above it.",
    )
    recurring = _Recurring()


def _counts(figures: Figures) -> dict:
    return {name: getattr(figures, name) for name in _Counts().fields}


def _ref(pk: int, name: str) -> dict:
    return {"id": pk, "name": name}


def recurring_data(recurring: Recurring) -> dict:
    return {
        "warnings": [
            {
                "kind": w.kind,
                "id": w.id,
                "name": w.name,
                "week_first": w.week_first,
                "week_last": w.week_last,
                "count": w.count,
                "trailing_mean": w.trailing_mean,
                "trailing_spread": w.trailing_spread,
                "units": list(w.unit_ids),
            }
            for w in recurring.warnings
        ],
        "recurring": {
            "counted_at": recurring.counted_at,
            "top_categories": [{"id": r.id, "name": r.name, "count": r.count} for r in recurring.top_categories],
            "top_units": [{"id": r.id, "name": r.name, "count": r.count} for r in recurring.top_units],
            "repeats": [
                {
                    "unit": _ref(r.unit_id, r.unit_name),
                    "category": _ref(r.category_id, r.category_name),
                    "count": r.count,
                    "substantiated": r.substantiated,
                }
                for r in recurring.repeats
            ],
            "fix_window_days": FIX_WINDOW_DAYS,
            "fixes": [
                {
                    "kind": f.kind,
                    "description": f.description,
                    "unit": _ref(f.unit_id, f.unit_name),
                    "category": _ref(f.category_id, f.category_name),
                    "effective_at": f.effective_at,
                    "before": f.before,
                    "after": f.after,
                    "verdict": f.verdict,
                }
                for f in recurring.fixes
            ],
        },
    }


def dashboard_data(dashboard: Dashboard) -> dict:
    cases, total, oversight = dashboard.cases, dashboard.cases.total, dashboard.oversight
    return {
        **_counts(total),
        "unit": {"id": dashboard.unit.pk, "name": dashboard.unit.name},
        "period": {"first": dashboard.period.first, "last": dashboard.period.last},
        "counted_at": cases.counted_at,
        "open_counted_at": cases.open_counted_at,
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
    unit the user is in. With the early warnings and the recurring problems (举一反三,
    complaints.recurring). A unit out of scope is not found.
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
        period = form.period_or_default()
        dashboard = dashboard_for_unit(user=request.user, unit=unit, period=period)
        recurring = recurring_for_unit(user=request.user, unit=unit, period=period)
        return Response(DashboardSerializer(dashboard_data(dashboard) | recurring_data(recurring)).data)
