"""工作动态: a unit's monthly report to the level above, printable (static/css/report.css).

The dashboard's figures of the month for the unit and each child (complaints.dashboard), the
early warnings (举一反三: complaints.recurring) of the month's last week, the typical cases published
about the subtree that month, the rules adopted in cases decided that month, and what is overdue
now. Everything is counted as the user may see it (the subject-unit rule).
"""

from dataclasses import dataclass

from .dashboard import Dashboard, Period, dashboard_for_unit, subtree_cases
from .models import ComplaintStatus, TypicalCase
from .public import rules_adopted
from .recurring import EarlyWarning, early_warnings


@dataclass
class MonthlyReport:
    dashboard: Dashboard
    warnings: list[EarlyWarning]
    typical_cases: list[TypicalCase]
    rules: list[dict]

    @property
    def period(self) -> Period:
        return self.dashboard.period


def monthly_report(*, user, unit, period: Period) -> MonthlyReport:
    """The report of ``unit``'s subtree for ``period`` (a month). Caller has checked that ``unit`` is in scope."""
    dashboard = dashboard_for_unit(user=user, unit=unit, period=period)
    cases = subtree_cases(user=user, unit=unit)
    typical_cases = list(
        TypicalCase.objects.published()
        .filter(complaint__in=cases.values("pk"), published_at__gte=period.start, published_at__lt=period.end)
        .select_related("subject_unit", "category")
        .order_by("published_at", "pk")
    )
    rules = list(
        rules_adopted().filter(
            complaint__in=cases.filter(status=ComplaintStatus.CLOSED).values("pk"),
            complaint__replied_at__gte=period.start,
            complaint__replied_at__lt=period.end,
        )
    )
    return MonthlyReport(
        dashboard=dashboard,
        warnings=early_warnings(user=user, unit=unit, period=period),
        typical_cases=typical_cases,
        rules=rules,
    )
