"""The public transparency page (/public/, /api/v1/public/stats/): figures, typical cases, rules adopted.

Which units: the departments, the units one level below the root (the county's bureaus and
towns), each with its whole subtree: 谁主管谁负责 makes the department answer for the units
it supervises, and a school or a clinic alone has so few cases a month that its figures
would point at the people behind them. Complaints about the root itself, or naming no unit,
count in the county's total only (no unit: in no figure, as on the dashboard).

What is counted, per month of receipt (complaints.dashboard's definitions, not a second set):
received; resolved (the petitioner was answered: the dashboard's "decided"); on-time rate
(decided with no stage past its deadline, over decided); satisfaction rate (满意 and 基本满意
over rated, each case's latest rating). A rate over fewer than MIN_CASES_FOR_RATE cases is
not shown ("—", null): one or two petitioners' ratings must not be readable from a page.

Counted from the dashboard's tallies (complaints.tallies, rebuilt every ten minutes) when
they exist, else live from the cases; either way two grouped queries for every department and
month. The result is kept in Django's cache for CACHE_SECONDS: a page view costs no query
while it lasts, and with Redis away the cache answers a miss and the page counts again.
Nothing here reads a petitioner, a tracking code, a case number or a case's text.
"""

import datetime
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from responsibility.models import Unit

from .dashboard import Figures, Period, late_stage, latest_ratings, month_of, period_counts
from .models import (
    CaseTally,
    CaseTallyCount,
    CaseTallyRun,
    Complaint,
    ComplaintStatus,
    Measure,
    MeasureKind,
    TallyDimension,
    TypicalCase,
)
from .tallies import PERIOD_RUN

MONTHS = 12
MIN_CASES_FOR_RATE = 5
CACHE_SECONDS = 600
LISTED = 20
_FIGURES_KEY = "complaints:public:figures:{month}"
_LISTS_KEY = "complaints:public:lists"
_COUNTERS = ("received", "decided", "late")


def months_ending(last: datetime.date) -> list[datetime.date]:
    """The first days of the MONTHS months that end with ``last``'s month, oldest first."""
    first = last.replace(day=1)
    for _step in range(MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return Period(first, last, {}).months()


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole >= MIN_CASES_FOR_RATE else None


def _month_figures(month: datetime.date, figures: Figures) -> dict:
    return {
        "month": f"{month:%Y-%m}",
        "received": figures.received,
        "resolved": figures.decided,
        "on_time_rate": _rate(figures.on_time, figures.decided),
        "satisfaction_rate": _rate(figures.satisfied + figures.basically_satisfied, figures.rated),
    }


def _counted(months: list[datetime.date], cut: int) -> tuple[dict, datetime.datetime]:
    """Figures per (unit path cut to ``cut`` characters, month): from the tallies if built, else live."""
    first = months[0]
    end = (months[-1] + datetime.timedelta(days=32)).replace(day=1)
    department = Substr("subject_unit__path", 1, cut)
    counted: dict[tuple[str, datetime.date], Figures] = defaultdict(Figures)
    run = CaseTallyRun.objects.filter(pk=PERIOD_RUN).first()
    if run is not None:
        window = Q(month__gte=first, month__lt=end)
        rows = (
            CaseTally.objects.filter(window)
            .values(department=department, m=F("month"))
            .annotate(**{name: Sum(name) for name in _COUNTERS})
        )
        ratings = (
            CaseTallyCount.objects.filter(window, dimension=TallyDimension.RATING)
            .values("key", department=department, m=F("month"))
            .annotate(n=Sum("n"))
        )
        at = run.finished_at
    else:
        now = timezone.now()
        period = Period(first, end - datetime.timedelta(days=1), {})
        cases = Complaint.objects.filter(
            subject_unit__isnull=False, received_at__gte=period.start, received_at__lt=period.end
        ).order_by()
        counters = {name: aggregate for name, aggregate in period_counts(Q()).items() if name in _COUNTERS}
        rows = (
            cases.alias(late=late_stage(now))
            .values(department=department, m=month_of("received_at"))
            .annotate(**counters)
        )
        ratings = (
            latest_ratings(cases)
            .values(
                key=F("rating"),
                department=Substr("complaint__subject_unit__path", 1, cut),
                m=month_of("complaint__received_at"),
            )
            .annotate(n=Count("pk"))
        )
        at = now
    for row in rows.order_by():
        figures = counted[row["department"], row["m"]]
        for name in _COUNTERS:
            setattr(figures, name, row[name])
    for row in ratings.order_by():
        setattr(counted[row["department"], row["m"]], row["key"], row["n"])
    return counted, at


def public_figures(*, last_month: datetime.date) -> dict:
    """The figures of every department and of the county for the MONTHS months ending with ``last_month``.

    Plain data (the page and the API show the same), kept in the cache for CACHE_SECONDS:
    ``months`` (YYYY-MM, oldest first), ``departments`` ([{id, name, months: [{month, received,
    resolved, on_time_rate, satisfaction_rate}]}]), ``total`` ({months: [...]}), ``counted_at``.
    """
    key = _FIGURES_KEY.format(month=f"{last_month:%Y-%m}")
    cached = cache.get(key)
    if cached is not None:
        return cached
    months = months_ending(last_month)
    cut = 2 * Unit.steplen
    departments = list(Unit.objects.filter(depth=2, is_active=True).order_by("path").values("pk", "name", "path"))
    counted, at = _counted(months, cut)
    total: dict[datetime.date, Figures] = defaultdict(Figures)
    for (_path, month), figures in counted.items():
        total[month].add(figures)
    data = {
        "months": [f"{month:%Y-%m}" for month in months],
        "departments": [
            {
                "id": unit["pk"],
                "name": unit["name"],
                "months": [_month_figures(month, counted.get((unit["path"], month), Figures())) for month in months],
            }
            for unit in departments
        ],
        "total": {"months": [_month_figures(month, total[month]) for month in months]},
        "counted_at": at,
        "min_cases_for_rate": MIN_CASES_FOR_RATE,
    }
    cache.set(key, data, CACHE_SECONDS)
    return data


def rules_adopted():
    """长效机制: the rules that closed cases' decisions made a unit adopt, newest decision first.

    Only the rule's words, the unit that adopts it and the month it was decided: nothing of the case.
    """
    return (
        Measure.objects.filter(kind=MeasureKind.RULE, complaint__status=ComplaintStatus.CLOSED)
        .values("pk", "description", unit=F("responsible_unit__name"), decided_at=F("complaint__replied_at"))
        .order_by("-complaint__replied_at", "-pk")
    )


def typical_cases_published():
    """Published typical cases, newest first: their own columns only, never the case's."""
    return (
        TypicalCase.objects.published()
        .select_related("subject_unit", "category")
        .only("pk", "title", "account", "published_at", "subject_unit__name", "category__name")
        .order_by("-published_at", "-pk")
    )


def public_lists() -> dict:
    """The page's latest typical cases and rules adopted (LISTED of each), cached like the figures."""
    cached = cache.get(_LISTS_KEY)
    if cached is not None:
        return cached
    data = {
        "typical_cases": [
            {
                "id": case.pk,
                "title": case.title,
                "unit": case.subject_unit.name,
                "category": case.category.name,
                "published_on": timezone.localdate(case.published_at),
            }
            for case in typical_cases_published()[:LISTED]
        ],
        "rules": [
            {
                "unit": rule["unit"],
                "rule": rule["description"],
                "month": f"{timezone.localdate(rule['decided_at']):%Y-%m}" if rule["decided_at"] else "",
            }
            for rule in rules_adopted()[:LISTED]
        ],
    }
    cache.set(_LISTS_KEY, data, CACHE_SECONDS)
    return data


def public_figures_forget() -> None:
    """A typical case was published: the lists are counted again at the next view."""
    cache.delete(_LISTS_KEY)


class MonthRefused(ValueError):
    """A month not understood, or outside what the page shows; the message says which."""


def month_parse(text: str, *, today: datetime.date) -> datetime.date:
    """The first day of the month ``text`` (YYYY-MM) names: not after this month, not before 2000."""
    try:
        month = datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise MonthRefused(_("Give the month as YYYY-MM, for example 2026-05.")) from None
    if month > today.replace(day=1):
        raise MonthRefused(_("That month has not come yet."))
    if month.year < 2000:
        raise MonthRefused(_("Figures start in 2000."))
    return month
