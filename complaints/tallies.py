"""The dashboard's tallies: its figures pre-counted per subject unit and month, rebuilt by beat.

Counting a county's year live reads every case of the year (a root's dashboard at a million
cases would read two hundred thousand); the tallies hold the same counters per subject unit
and month of receipt, so a root's year is a few thousand short rows. They are rebuilt from
the cases every ten minutes (refresh_case_tallies_task), each table by one INSERT ... SELECT
compiled from the very aggregates the live figures use (complaints.dashboard.period_counts),
so the two cannot drift apart in what they count, only in when: the page says when the
tallies were counted. The figures of cases open now (open, overdue, due soon) move with the
clock, not with the month: they are counted every minute into OpenCaseTally
(refresh_open_tallies_task), and live when that count is older than OPEN_FRESH (beat stopped).
The lists are always read live. A period that is not made of whole months (a range of dates)
is counted live too. What a page reads from the period's tallies is kept in the cache under
the time of the rebuild it was read from: it changes only with the next rebuild, whose time
is the next key.

The subject-unit rule holds as for the live figures: the rows are per subject unit, and the
units the user is in are left out (ComplaintQuerySet.about_subtree_visible_to's rule).
"""

import datetime
from collections import defaultdict

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import CharField, Count, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from responsibility.models import Unit
from responsibility.scoping import own_unit_paths_within

from .dashboard import (
    NOW_COUNTERS,
    PERIOD_COUNTERS,
    Counted,
    Figures,
    Period,
    late_stage,
    latest_ratings,
    month_of,
    now_counts,
    period_counts,
)
from .models import (
    WAITING_STATUSES,
    CaseTally,
    CaseTallyCount,
    CaseTallyRollup,
    CaseTallyRun,
    Complaint,
    OpenCaseTally,
    TallyDimension,
)

# CaseTallyRun's rows: the period tallies' rebuild, the count of cases open now.
PERIOD_RUN = 1
OPEN_RUN = 2
# Older than this, the count of cases open now is not shown: they are counted live instead.
OPEN_FRESH = datetime.timedelta(minutes=5)
# The period's figures read from the tallies are kept under the rebuild's time: as long as a
# rebuild's interval (beat's, jiufeng.celery), after which the next rebuild's key replaces them.
PERIOD_KEPT_SECONDS = 600


def _insert(model, columns: list[str], rows: QuerySet) -> None:
    """INSERT INTO ``model``'s table (``columns``) the rows the queryset selects, in its order.

    Raw SQL on purpose: Django has no INSERT ... SELECT, and this is the set-based statement
    that replaces reading every aggregated row into Python to bulk_create it back; the SELECT
    is the very queryset the live figures use, compiled by Django (``Query.sql_with_params``,
    Django's internal API: a Django upgrade must keep tests/complaints/test_dashboard_tallies.py
    green, which compares the tallies with a live recount). Measured: the whole rebuild, nine
    such statements, takes about 4 s at 100,000 cases on a 1,021-unit tree (bench/dashboard_bench.py).
    """
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)


@transaction.atomic
def case_tallies_rebuild(*, at: datetime.datetime | None = None) -> datetime.datetime:
    """Count every case with a subject unit again into the tallies, as of ``at`` (now); returns when.

    Steps, in one transaction (readers see the old tallies until it commits):
    1. lock the run row (made the first time; two rebuilds at once take turns), empty the tables;
    2. one INSERT ... SELECT of PERIOD_COUNTERS per subject unit and month;
    3. one per dimension: status, channel, category, latest rating;
    4. one per depth of the tree: the counts but the ratings added up over each unit's subtree;
    5. record when.
    """
    at = at or timezone.now()
    run = _run_locked(PERIOD_RUN, at)
    CaseTally.objects.all().delete()
    CaseTallyCount.objects.all().delete()
    CaseTallyRollup.objects.all().delete()
    cases = Complaint.objects.filter(subject_unit__isnull=False).order_by()
    counters = period_counts(Q())
    per_month = cases.alias(late=late_stage(at)).annotate(month=month_of("received_at")).values("subject_unit", "month")
    _insert(CaseTally, ["subject_unit", "month", *counters], per_month.annotate(**counters))
    keys = {
        TallyDimension.STATUS: F("status"),
        TallyDimension.CHANNEL: F("channel"),
        TallyDimension.CATEGORY: Cast("category_id", CharField()),
    }
    for dimension, key in keys.items():
        per_key = (
            cases.annotate(month=month_of("received_at"), dimension=Value(dimension), key=key)
            .values("subject_unit", "month", "dimension", "key")
            .annotate(n=Count("pk"))
        )
        _insert(CaseTallyCount, ["subject_unit", "month", "dimension", "key", "n"], per_key)
    ratings = (
        latest_ratings(cases)
        .annotate(month=month_of("complaint__received_at"), dimension=Value(TallyDimension.RATING), key=F("rating"))
        .values("complaint__subject_unit", "month", "dimension", "key")
        .annotate(n=Count("pk"))
    )
    _insert(CaseTallyCount, ["subject_unit", "month", "dimension", "key", "n"], ratings)
    # Each depth's units get the counts of their whole subtree: the subject units at that depth
    # or below, added up by their path cut to that depth.
    deepest = Unit.objects.aggregate(deepest=Max("depth"))["deepest"] or 0
    unit_counts = CaseTallyCount.objects.exclude(dimension=TallyDimension.RATING).order_by()
    for depth in range(1, deepest + 1):
        rollup = (
            unit_counts.filter(subject_unit__depth__gte=depth)
            .annotate(
                path=Substr("subject_unit__path", 1, depth * Unit.steplen),
                m=F("month"),
                dim=F("dimension"),
                k=F("key"),
            )
            .values("path", "m", "dim", "k")
            .annotate(total=Sum("n"))
        )
        _insert(CaseTallyRollup, ["unit_path", "month", "dimension", "key", "n"], rollup)
    run.finished_at = at
    run.save(update_fields=["finished_at"])
    return at


def _run_locked(pk: int, at: datetime.datetime) -> CaseTallyRun:
    """The run row ``pk``, locked (made the first time): two counts of one kind take turns."""
    CaseTallyRun.objects.get_or_create(pk=pk, defaults={"finished_at": at})
    return CaseTallyRun.objects.select_for_update().get(pk=pk)


@transaction.atomic
def open_tallies_rebuild(*, at: datetime.datetime | None = None) -> datetime.datetime:
    """Count the cases open now again per subject unit, as of ``at`` (now); returns when.

    One INSERT ... SELECT of the live figures' own aggregates (complaints.dashboard.now_counts)
    over the waiting cases, in one transaction: readers see the last count until it commits.
    """
    at = at or timezone.now()
    run = _run_locked(OPEN_RUN, at)
    OpenCaseTally.objects.all().delete()
    waiting = Complaint.objects.filter(subject_unit__isnull=False, status__in=WAITING_STATUSES).order_by()
    _insert(OpenCaseTally, ["subject_unit", *NOW_COUNTERS], waiting.values("subject_unit").annotate(**now_counts(at)))
    run.finished_at = at
    run.save(update_fields=["finished_at"])
    return at


def _whole_months(period: Period) -> bool:
    return period.first.day == 1 and (period.last + datetime.timedelta(days=1)).day == 1


def _counted_units(unit: Unit, own: list[str]) -> QuerySet:
    """The ids of ``unit``'s subtree less the units ``own`` (the subject-unit rule, as for the cases)."""
    units = Unit.objects.subtree_of(unit)
    return (units.exclude(path__in=own) if own else units).values("pk")


def _period_counted(*, unit: Unit, own: list[str], period: Period) -> Counted:
    """The period's figures of ``unit``'s subtree from the tallies, less the units ``own`` (five queries at
    most): the counters and the ratings per subject unit, the other dimensions from the subtree's roll-up
    and those of the units withheld (no query when there are none), and the months."""
    window = Q(subject_unit__in=_counted_units(unit, own), month__gte=period.first, month__lte=period.last)
    per_unit: dict[int, Figures] = defaultdict(Figures)
    counters = CaseTally.objects.filter(window).values("subject_unit").annotate(**{n: Sum(n) for n in PERIOD_COUNTERS})
    for row in counters.order_by():
        unit_id = row.pop("subject_unit")
        per_unit[unit_id] = Figures(**row)
    counts = CaseTallyCount.objects.filter(window).order_by()
    ratings = counts.filter(dimension=TallyDimension.RATING).values("subject_unit", "key").annotate(n=Sum("n"))
    for row in ratings:
        setattr(per_unit[row["subject_unit"]], row["key"], row["n"])
    # By status, channel and category: the subtree's roll-up, less the units the user is in.
    by_dimension = {dimension: defaultdict(int) for dimension in TallyDimension}
    months = Q(month__gte=period.first, month__lte=period.last)
    rolled = CaseTallyRollup.objects.filter(months, unit_path=unit.path).order_by()
    for row in rolled.values("dimension", "key").annotate(n=Sum("n")):
        by_dimension[row["dimension"]][row["key"]] += row["n"]
    if own:
        withheld = CaseTallyCount.objects.filter(months, subject_unit__path__in=own).exclude(
            dimension=TallyDimension.RATING
        )
        for row in withheld.order_by().values("dimension", "key").annotate(n=Sum("n")):
            by_dimension[row["dimension"]][row["key"]] -= row["n"]
    categories = defaultdict(int, {int(key): n for key, n in by_dimension[TallyDimension.CATEGORY].items()})
    per_month = (
        CaseTally.objects.filter(window)
        .values("month")
        .annotate(received=Sum("received"), decided=Sum("decided"))
        .order_by()
    )
    return Counted(
        per_unit,
        by_dimension[TallyDimension.STATUS],
        by_dimension[TallyDimension.CHANNEL],
        categories,
        {row["month"]: (row["received"], row["decided"]) for row in per_month},
    )


def counted_from_tallies(*, user, unit: Unit, cases: QuerySet, period: Period, now) -> Counted | None:
    """The figures of ``unit``'s subtree for ``period`` from the tallies; None when they do not cover it
    (never rebuilt, or a period not made of whole months).

    The runs (one query); the period's figures (_period_counted), kept in the cache under the
    time of the rebuild they were read from, so they are never older than the tallies and the
    next rebuild replaces them; the figures of cases open now (one query: from the minute's
    count when it is fresh, else live from ``cases``, the subtree's cases the user may see).
    The units the user is in are left out, as for the cases (the subject-unit rule): they are
    part of the key. Caller has checked that ``unit`` is in the user's scope.
    """
    if not _whole_months(period):
        return None
    runs = dict(CaseTallyRun.objects.filter(pk__in=[PERIOD_RUN, OPEN_RUN]).values_list("pk", "finished_at"))
    if PERIOD_RUN not in runs:
        return None
    open_counted_at = runs.get(OPEN_RUN)
    if open_counted_at is not None and open_counted_at < now - OPEN_FRESH:
        open_counted_at = None
    own = own_unit_paths_within(user, unit)
    # The unit's path too: moved, the unit heads another subtree. Units moved into the subtree
    # count from the next rebuild, as in the tallies' roll-up; one moved out is left out at once
    # (complaints.dashboard.case_figures reads the tree live).
    key = "tallied:{}:{}:{}:{}:{}:{}".format(
        runs[PERIOD_RUN].isoformat(), unit.pk, unit.path, period.first, period.last, "|".join(own)
    )
    counted = cache.get(key)
    if counted is None:
        counted = _period_counted(unit=unit, own=own, period=period)
        cache.set(key, counted, PERIOD_KEPT_SECONDS)
    # A copy from the cache: the figures of cases open now are added to it.
    counted.counted_at, counted.open_counted_at = runs[PERIOD_RUN], open_counted_at
    if open_counted_at is None:
        waiting = cases.filter(status__in=WAITING_STATUSES).values("subject_unit").annotate(**now_counts(now))
    else:
        waiting = OpenCaseTally.objects.filter(subject_unit__in=_counted_units(unit, own)).values(
            "subject_unit", *NOW_COUNTERS
        )
    for row in waiting:
        figures = counted.per_unit[row.pop("subject_unit")]
        for name, n in row.items():
            setattr(figures, name, n)
    return counted
