"""Recurring problems and early warnings (举一反三): where complaints cluster, what rises, which fixes held.

Selectors only, over the cases of a unit's subtree that the user may see
(complaints.dashboard.subtree_cases): the subject-unit rule holds, so a unit's own staff
never see a figure, warning or row made of complaints about their own unit. Each block is
one aggregate query whatever the number of cases and units; none loops over units.

- ``top_categories`` / ``top_units``: the categories and subject units with the most
  substantiated complaints (属实 or 部分属实) received in the period;
- ``repeat_subjects``: a subject unit and category complained about REPEAT_MIN times or
  more in the period (重复投诉);
- ``early_warnings``: the weekly spike detector (``is_spike`` states the rule), per subject
  unit and per category; the public entry point the monthly report (工作动态) calls;
- ``fixes_checked``: "did it work?", for confirmed rectification items that came out of a
  complaint's measure and for the long-term rules (长效机制) of closed cases, the complaints
  of the same subject unit and category in equal windows before and after.

Every row carries the link to the case list filtered to the cases behind it.
"""

import datetime
import hashlib
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Case, Count, DateTimeField, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from responsibility import permissions
from responsibility.models import Campaign, CampaignState, CampaignTask, RectificationStatus, Unit, VisitKind
from responsibility.scoping import own_unit_paths

from .dashboard import Period, subtree_cases
from .models import Category, ComplaintStatus, Finding, Measure, MeasureKind, TransitionLog

TOP_SHOWN = 5
# 重复投诉: three complaints about one unit on one kind of problem within a period is no longer
# chance; two can be one petitioner writing twice.
REPEAT_MIN = 3
REPEATS_SHOWN = 10
# The spike detector's trailing window: eight weeks smooth out one busy week and still follow
# a season (school fees in September, heating in winter).
SPIKE_TRAILING_WEEKS = 8
# Fewer complaints than this in a week never alarm: one unit going from 1 to 3 is chance, not
# 苗头, and a warning nobody can act on teaches leaders to ignore warnings.
SPIKE_MIN_COUNT = 5
# How far above its usual level a week must be: at least this many times the trailing mean ...
SPIKE_FACTOR = 2
# ... and this many standard deviations above it (a unit that swings widely must swing wider).
SPIKE_SIGMAS = 2
# "Did it work?": the complaints in this many days before the fix against as many after it.
FIX_WINDOW_DAYS = 90
# The page lists the highest warnings first, each with its actions: a phone screen or two.
WARNINGS_SHOWN = 10
FIXES_SHOWN = 10
CAMPAIGN_TASK_MAX = CampaignTask._meta.get_field("description").max_length
CAMPAIGN_NAME_MAX = Campaign._meta.get_field("name").max_length

SUBSTANTIATED_FINDINGS = [Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED]


def is_spike(count: int, trailing: list[int]) -> bool:
    """Whether a week of ``count`` complaints is far above the ``trailing`` weeks before it.

    The rule: at least SPIKE_MIN_COUNT complaints this week, at least SPIKE_FACTOR times
    the trailing mean, and more than SPIKE_SIGMAS population standard deviations above
    that mean. A new problem (nothing in the trailing weeks) alarms from SPIKE_MIN_COUNT.
    """
    mean = statistics.fmean(trailing) if trailing else 0.0
    spread = statistics.pstdev(trailing) if trailing else 0.0
    return count >= SPIKE_MIN_COUNT and count >= SPIKE_FACTOR * mean and count > mean + SPIKE_SIGMAS * spread


def page_url(name: str, params: dict, anchor: str = "", args=()) -> str:
    """A page's URL with ``params`` as its query (a list: the parameter repeated; dates in ISO form)."""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        query.setlist(key, [v.isoformat() if isinstance(v, datetime.date) else str(v) for v in values])
    return f"{reverse(name, args=args)}?{query.urlencode()}{anchor}"


def cases_url(**params) -> str:
    """The case list (every case in scope) filtered by ``params`` (complaints.forms.staff.ComplaintFilter)."""
    return page_url("complaints:case-list", {"tab": "all", **params})


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- Where complaints cluster -----------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    """A category or subject unit and its substantiated complaints of the period."""

    id: int
    name: str
    count: int
    cases_url: str


def _name_of(model, field: str) -> Subquery:
    """The name of the row ``field`` points to, read for the groups shown once counted: no join over every case
    (a third of the statement's time at 100,000 cases)."""
    return Subquery(model.objects.filter(pk=OuterRef(field)).values("name")[:1])


def _in_period(period: Period) -> Q:
    return Q(received_at__gte=period.start, received_at__lt=period.end)


def _top(*, user, unit: Unit, period: Period, field: str, model, link: str) -> list[Ranked]:
    """The ``field`` values (a ``model``'s rows) with the most substantiated complaints received in ``period``
    about ``unit``'s subtree, each linked to its cases by the case list's filter ``link``. One query."""
    rows = (
        subtree_cases(user=user, unit=unit)
        .filter(_in_period(period), finding__in=SUBSTANTIATED_FINDINGS)
        .values(field)
        .annotate(n=Count("pk"), name=_name_of(model, field))
        .order_by("-n", field)[:TOP_SHOWN]
    )
    # A category's cases are those about the subtree; a unit's, those about the unit itself.
    scope = {"about": unit.pk} if link == "category" else {}
    window = {"received_from": period.first, "received_to": period.last}
    return [
        Ranked(
            row[field],
            row["name"],
            row["n"],
            cases_url(**scope, **{link: row[field]}, progress="substantiated", **window),
        )
        for row in rows
    ]


def top_categories(*, user, unit: Unit, period: Period) -> list[Ranked]:
    """The categories with the most substantiated complaints received in ``period``, about ``unit``'s subtree.

    Caller has checked that ``unit`` is in the user's scope.
    """
    return _top(user=user, unit=unit, period=period, field="category", model=Category, link="category")


def top_units(*, user, unit: Unit, period: Period) -> list[Ranked]:
    """The subject units (each on its own, not its subtree) with the most substantiated complaints in ``period``.

    Caller has checked that ``unit`` is in the user's scope.
    """
    return _top(user=user, unit=unit, period=period, field="subject_unit", model=Unit, link="subject")


@dataclass(frozen=True)
class RepeatSubject:
    """One subject unit complained about REPEAT_MIN times or more on one category in the period."""

    unit_id: int
    unit_name: str
    category_id: int
    category_name: str
    count: int
    substantiated: int
    cases_url: str


def repeat_subjects(*, user, unit: Unit, period: Period) -> list[RepeatSubject]:
    """重复投诉: (subject unit, category) pairs with at least REPEAT_MIN complaints received in ``period``.

    Every complaint received counts, whatever its finding (a repeat is a signal before it is
    proven); how many were substantiated is given beside. One query. Caller has checked
    that ``unit`` is in the user's scope.
    """
    rows = (
        subtree_cases(user=user, unit=unit)
        .filter(_in_period(period))
        .values("subject_unit", "category")
        .annotate(n=Count("pk"), substantiated=Count("pk", filter=Q(finding__in=SUBSTANTIATED_FINDINGS)))
        .filter(n__gte=REPEAT_MIN)
        .annotate(unit_name=_name_of(Unit, "subject_unit"), category_name=_name_of(Category, "category"))
        .order_by("-n", "subject_unit", "category")[:REPEATS_SHOWN]
    )
    return [
        RepeatSubject(
            row["subject_unit"],
            row["unit_name"],
            row["category"],
            row["category_name"],
            row["n"],
            row["substantiated"],
            cases_url(
                subject=row["subject_unit"],
                category=row["category"],
                received_from=period.first,
                received_to=period.last,
            ),
        )
        for row in rows
    ]


# --- Early warnings (苗头): the weekly spike detector ------------------------------------------------


class WarningKind:
    UNIT = "unit"
    CATEGORY = "category"


@dataclass(frozen=True)
class EarlyWarning:
    """A subject unit or a category whose complaints this week are far above its trailing weeks.

    ``kind`` is WarningKind.UNIT (``id``/``name`` a subject unit) or WarningKind.CATEGORY
    (a category, all units of the subtree). Plain values, for the page, the API and the
    monthly report alike.
    """

    kind: str
    id: int
    name: str
    week_first: datetime.date
    week_last: datetime.date
    count: int
    # The trailing SPIKE_TRAILING_WEEKS weeks' mean and population standard deviation.
    trailing_mean: float
    trailing_spread: float
    cases_url: str
    # The subject units of the week's complaints (a unit's warning: the unit itself): where to go.
    unit_ids: tuple[int, ...]
    # Their paths, in the same order: who may act there is read from them (responsibility.permissions).
    unit_paths: tuple[str, ...]


def warning_week(period: Period, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The week the detector looks at: the seven days ending on the period's last day, or today
    if the period runs on; None for a period that has not begun."""
    last = min(period.last, today)
    if last < period.first:
        return None
    return last - datetime.timedelta(days=6), last


def _weekly_counts(*, user, unit: Unit, week_first: datetime.date, week_last: datetime.date) -> list[dict]:
    """The complaints received per (subject unit, category, week), week 0 the one looked at, 1.. the trailing.

    One query: each case is put in its week by comparing its receipt with the weeks'
    first instants (a CASE over SPIKE_TRAILING_WEEKS + 1 bounds), then counted per group.
    """
    starts = [_day_start(week_first - datetime.timedelta(weeks=k)) for k in range(SPIKE_TRAILING_WEEKS + 1)]
    end = _day_start(week_last + datetime.timedelta(days=1))
    week = Case(
        *[When(received_at__gte=start, then=Value(k)) for k, start in enumerate(starts)],
        output_field=IntegerField(),
    )
    return list(
        subtree_cases(user=user, unit=unit)
        .filter(received_at__gte=starts[-1], received_at__lt=end)
        .annotate(week=week)
        .values("subject_unit", "subject_unit__name", "subject_unit__path", "category", "category__name", "week")
        .annotate(n=Count("pk"))
    )


def early_warnings(*, user, unit: Unit, period: Period, today: datetime.date | None = None) -> list[EarlyWarning]:
    """The early warnings (预警) of ``unit``'s subtree for ``period``: spikes per subject unit and per category.

    Steps:
    1. the week looked at (warning_week): the period's last seven days, or the last seven up
       to today while the period runs; none for a period still to come;
    2. one query counts the complaints received per subject unit, category and week, over
       that week and the SPIKE_TRAILING_WEEKS before it (every complaint the user may see,
       whatever its finding: a warning comes before the investigation);
    3. the counts are added up per subject unit and per category, and each is judged by
       is_spike; the warnings come highest week first.
    Caller has checked that ``unit`` is in the user's scope. This is the entry point the
    monthly report (工作动态) calls for a unit and month.
    """
    week = warning_week(period, today or timezone.localdate())
    if week is None:
        return []
    week_first, week_last = week
    series: dict[tuple[str, int], list[int]] = {}
    names: dict[tuple[str, int], str] = {}
    units_of_week: dict[tuple[str, int], set[tuple[int, str]]] = defaultdict(set)
    for row in _weekly_counts(user=user, unit=unit, week_first=week_first, week_last=week_last):
        for key, name in (
            ((WarningKind.UNIT, row["subject_unit"]), row["subject_unit__name"]),
            ((WarningKind.CATEGORY, row["category"]), row["category__name"]),
        ):
            series.setdefault(key, [0] * (SPIKE_TRAILING_WEEKS + 1))[row["week"]] += row["n"]
            names[key] = name
            if row["week"] == 0:
                units_of_week[key].add((row["subject_unit"], row["subject_unit__path"]))
    warnings = []
    for (kind, pk), counts in series.items():
        count, trailing = counts[0], counts[1:]
        if not is_spike(count, trailing):
            continue
        behind = {"received_from": week_first, "received_to": week_last}
        concerned = sorted(units_of_week[(kind, pk)])
        if kind == WarningKind.UNIT:
            url = cases_url(subject=pk, **behind)
        else:
            url = cases_url(about=unit.pk, category=pk, **behind)
        warnings.append(
            EarlyWarning(
                kind=kind,
                id=pk,
                name=names[(kind, pk)],
                week_first=week_first,
                week_last=week_last,
                count=count,
                trailing_mean=round(statistics.fmean(trailing), 1),
                trailing_spread=round(statistics.pstdev(trailing), 1),
                cases_url=url,
                unit_ids=tuple(unit_pk for unit_pk, _path in concerned),
                unit_paths=tuple(path for _unit_pk, path in concerned),
            )
        )
    return sorted(warnings, key=lambda w: (-w.count, w.kind, w.name))


# --- What a leader may do from a warning ---------------------------------------------------------


@dataclass(frozen=True)
class WarningAction:
    # "visit", "item", "task" or "campaign": what it opens.
    name: str
    label: str
    # The existing form, prefilled by its query (responsibility.forms.initial_from_query).
    url: str


# What a prefilled form suggests: a visit in a week, an item or a task due in a month, a campaign of a quarter.
VISIT_IN_DAYS, DUE_IN_DAYS, CAMPAIGN_DAYS = 7, 30, 90
CAMPAIGNS_OFFERED = 3


def warning_text(warning: EarlyWarning) -> str:
    """The warning in a sentence, to prefill a visit's subject or an item's description."""
    return _("Early warning: %(name)s, %(count)s complaints from %(first)s to %(last)s (usually %(mean)s a week)") % {
        "name": warning.name,
        "count": warning.count,
        "first": warning.week_first.isoformat(),
        "last": warning.week_last.isoformat(),
        "mean": warning.trailing_mean,
    }


def warning_actions(
    *, user, unit: Unit, warnings: list[EarlyWarning]
) -> list[tuple[EarlyWarning, list[WarningAction]]]:
    """Each warning with what the user may do about it, each leading to the existing form, prefilled.

    - plan a visit or inspection of the units concerned (who may supervise in every one:
      responsibility.services.visits.visit_schedule's rule);
    - a unit's warning: open a rectification item for it (who handles its work), or add a
      task for it to an open campaign the user's unit leads (who handles in the lead unit);
    - a category's warning: start a campaign (专项治理) on it led by ``unit`` (who leads there).
    Only the actions the user may take are offered; the services check again. One query
    (the open campaigns), whatever the number of warnings.
    """
    today = timezone.localdate()
    # Read whether or not a unit warns, so the page's query count does not depend on the data.
    open_campaigns = (
        Campaign.objects.visible_to(user)
        .exclude(state=CampaignState.CLOSED)
        .filter(ends_on__gte=today)
        .select_related("lead_unit")
        .order_by("-starts_on", "-pk")
    )
    campaigns = [c for c in open_campaigns if permissions.can_handle_in(user, c.lead_unit)][:CAMPAIGNS_OFFERED]
    rows = []
    for warning in warnings:
        text = warning_text(warning)
        actions = []
        if permissions.can_visit_units(user, warning.unit_paths):
            params = {
                "kind": VisitKind.INSPECTION,
                "units": list(warning.unit_ids),
                "subject": text,
                "scheduled_for": today + datetime.timedelta(days=VISIT_IN_DAYS),
            }
            actions.append(
                WarningAction(
                    "visit", _("Plan a visit or inspection"), page_url("responsibility:visit-schedule", params)
                )
            )
        if warning.kind == WarningKind.UNIT and permissions.can_handle_in(user, warning.unit_paths[0]):
            params = {
                "responsible_unit": warning.id,
                "description": text,
                "due_on": today + datetime.timedelta(days=DUE_IN_DAYS),
            }
            actions.append(
                WarningAction(
                    "item",
                    _("Open a rectification item"),
                    page_url("responsibility:rectification-item-create", params),
                )
            )
        if warning.kind == WarningKind.UNIT:
            for campaign in campaigns:
                due = min(max(today + datetime.timedelta(days=DUE_IN_DAYS), campaign.starts_on), campaign.ends_on)
                params = {"unit": warning.id, "description": text[:CAMPAIGN_TASK_MAX], "due_on": due}
                url = page_url("responsibility:campaign-detail", params, "#task-add-heading", args=[campaign.pk])
                actions.append(
                    WarningAction("task", _("Add a task to %(campaign)s") % {"campaign": campaign.name}, url)
                )
        if warning.kind == WarningKind.CATEGORY and permissions.can_lead_in(user, unit):
            params = {
                "name": (_("Campaign on %(category)s") % {"category": warning.name})[:CAMPAIGN_NAME_MAX],
                "problem": text,
                "starts_on": today,
                "ends_on": today + datetime.timedelta(days=CAMPAIGN_DAYS),
                "lead_unit": unit.pk,
            }
            actions.append(
                WarningAction("campaign", _("Start a campaign"), page_url("responsibility:campaign-create", params))
            )
        rows.append((warning, actions))
    return rows


# --- Did it work? ------------------------------------------------------------------------------------


class Verdict:
    HELD = "held"
    CAME_BACK = "came_back"
    TOO_EARLY = "too_early"


VERDICT_LABELS = {
    Verdict.HELD: gettext_lazy("Held"),
    Verdict.CAME_BACK: gettext_lazy("Came back"),
    Verdict.TOO_EARLY: gettext_lazy("Too early to tell"),
}


def fix_verdict(*, before: int, after: int, after_ends: datetime.datetime, now: datetime.datetime) -> str:
    """Whether a fix held: came back when the complaints after it reach half of those before it
    (at least one), which more time cannot undo; else held once the window after it is over,
    and too early to tell until then."""
    if after > 0 and 2 * after >= before:
        return Verdict.CAME_BACK
    return Verdict.HELD if now >= after_ends else Verdict.TOO_EARLY


@dataclass(frozen=True)
class FixChecked:
    """A confirmed rectification item or a long-term rule, and the complaints before and after it."""

    kind: str  # MeasureKind.RECTIFICATION or MeasureKind.RULE
    description: str
    unit_id: int
    unit_name: str
    category_id: int
    category_name: str
    # When it took effect: the item confirmed done, or the rule's case closed.
    effective_at: datetime.datetime
    before: int
    after: int
    verdict: str
    before_url: str
    after_url: str
    # The rectification item, or the case that established the rule.
    source_url: str

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])


def _cases_between(cases, start: str, end: str) -> Coalesce:
    """How many of ``cases`` are about the measure's case's unit and category, received from ``start`` to ``end``."""
    counted = (
        cases.filter(
            subject_unit=OuterRef("complaint__subject_unit"),
            category=OuterRef("complaint__category"),
            received_at__gte=OuterRef(start),
            received_at__lt=OuterRef(end),
        )
        .values("subject_unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted[:1]), 0)


def fixes_checked(*, user, unit: Unit, period: Period) -> list[FixChecked]:
    """Did it work? The fixes of ``unit``'s subtree that took effect in ``period``, latest first.

    A fix is a rectification item that came out of a complaint's measure, once confirmed
    done (from its confirmation), or a long-term rule (MeasureKind.RULE) of a closed case
    (from the case's closing). For each, the complaints the user may see of the same
    subject unit and category received in the FIX_WINDOW_DAYS before it and as many days
    after it, judged by fix_verdict. One query (the counts are subqueries of it). Caller
    has checked that ``unit`` is in the user's scope.
    """
    cases = subtree_cases(user=user, unit=unit)
    window = datetime.timedelta(days=FIX_WINDOW_DAYS)
    closed_at = Subquery(
        TransitionLog.objects.filter(complaint=OuterRef("complaint"), to_status=ComplaintStatus.CLOSED)
        .order_by("-at")
        .values("at")[:1]
    )
    measures = (
        Measure.objects.filter(complaint__in=cases.values("pk"))
        .filter(
            Q(kind=MeasureKind.RECTIFICATION, rectification_item__status=RectificationStatus.CONFIRMED)
            | Q(kind=MeasureKind.RULE, complaint__status=ComplaintStatus.CLOSED)
        )
        .annotate(
            effective_at=Case(
                When(kind=MeasureKind.RECTIFICATION, then=F("rectification_item__confirmed_at")),
                default=closed_at,
                output_field=DateTimeField(),
            )
        )
        .filter(effective_at__gte=period.start, effective_at__lt=period.end)
        .annotate(
            before_from=F("effective_at") - Value(window),
            after_until=F("effective_at") + Value(window),
        )
        .annotate(
            before=_cases_between(cases, "before_from", "effective_at"),
            after=_cases_between(cases, "effective_at", "after_until"),
        )
        .values(
            "kind",
            "description",
            "complaint_id",
            "rectification_item_id",
            "complaint__subject_unit",
            "complaint__subject_unit__name",
            "complaint__category",
            "complaint__category__name",
            "effective_at",
            "before",
            "after",
        )
        .order_by("-effective_at", "-pk")[:FIXES_SHOWN]
    )
    now = timezone.now()
    rows = []
    for row in measures:
        effective_at = row["effective_at"]
        unit_id, category_id = row["complaint__subject_unit"], row["complaint__category"]
        local = timezone.localtime(effective_at).date()
        if row["kind"] == MeasureKind.RECTIFICATION:
            source = reverse("responsibility:rectification-item-detail", args=[row["rectification_item_id"]])
        else:
            source = reverse("complaints:case-detail", args=[row["complaint_id"]])
        rows.append(
            FixChecked(
                kind=row["kind"],
                description=row["description"],
                unit_id=unit_id,
                unit_name=row["complaint__subject_unit__name"],
                category_id=category_id,
                category_name=row["complaint__category__name"],
                effective_at=effective_at,
                before=row["before"],
                after=row["after"],
                verdict=fix_verdict(
                    before=row["before"], after=row["after"], after_ends=effective_at + window, now=now
                ),
                # The list filters by whole days: the day of the fix is in the "after" list.
                before_url=cases_url(
                    subject=unit_id,
                    category=category_id,
                    received_from=local - window,
                    received_to=local - datetime.timedelta(days=1),
                ),
                after_url=cases_url(
                    subject=unit_id, category=category_id, received_from=local, received_to=local + window
                ),
                source_url=source,
            )
        )
    return rows


# --- All of it, for the dashboard -------------------------------------------------------------------


@dataclass
class Recurring:
    warnings: list[EarlyWarning]
    top_categories: list[Ranked]
    top_units: list[Ranked]
    repeats: list[RepeatSubject]
    fixes: list[FixChecked]
    # The week the warnings looked at (None: the period has not begun).
    week: tuple[datetime.date, datetime.date] | None
    counted_at: datetime.datetime


# The blocks are counted over every case of the subtree and period (about a second at the root of
# 100,000 cases): kept this long, as the dashboard's tallies are refreshed (complaints.tallies).
CACHE_SECONDS = 600
# Blocks asked for within this long are counted again by beat (recurring_recount, every five
# minutes, jiufeng.celery: before they leave the cache): a leader who comes back finds them
# counted, and only the first look at a unit and period waits for the count.
ASKED_SECONDS = 3600
# What was asked: {blocks' key: (user id, unit id, period)}, one user per key (any user with the
# same own units sees the same blocks). Each key's own mark ({key}:asked) expires ASKED_SECONDS
# after the last look.
ASKED_KEY = "recurring:asked"


def _blocks_key(*, user, unit: Unit, period: Period) -> str:
    # Besides the cases and the day, the only input that differs between users: the units they are
    # in, whose complaints the subject-unit rule keeps from them (about_subtree_visible_to).
    own = hashlib.sha256("|".join(sorted(own_unit_paths(user))).encode()).hexdigest()[:16]
    return f"recurring:{unit.pk}:{period.first}:{period.last}:{own}"


def _counted(*, user, unit: Unit, period: Period, today: datetime.date) -> Recurring:
    return Recurring(
        warnings=early_warnings(user=user, unit=unit, period=period, today=today),
        top_categories=top_categories(user=user, unit=unit, period=period),
        top_units=top_units(user=user, unit=unit, period=period),
        repeats=repeat_subjects(user=user, unit=unit, period=period),
        fixes=fixes_checked(user=user, unit=unit, period=period),
        week=warning_week(period, today),
        counted_at=timezone.now(),
    )


def recurring_for_unit(*, user, unit: Unit, period: Period) -> Recurring:
    """The dashboard's 举一反三 blocks of ``unit``'s subtree for ``period``: five queries, whatever the
    number of cases and units, the first time; then as beat keeps them (recurring_recount), at most
    five minutes old. Caller has checked that ``unit`` is in the user's scope."""
    today = timezone.localdate()
    key = _blocks_key(user=user, unit=unit, period=period)
    cache.set(f"{key}:asked", True, ASKED_SECONDS)
    recurring = cache.get(f"{key}:{today}")
    if recurring is None:
        recurring = _counted(user=user, unit=unit, period=period, today=today)
        cache.set(f"{key}:{today}", recurring, CACHE_SECONDS)
        # Two first looks at once may each write the list, one losing the other's entry: that
        # one is counted at its next look and listed then.
        asked = cache.get(ASKED_KEY, {})
        asked[key] = (user.pk, unit.pk, period)
        cache.set(ASKED_KEY, asked, ASKED_SECONDS)
    return recurring


def recurring_recount() -> int:
    """Count again the blocks looked at within ASKED_SECONDS, as the user who asked, while they
    may still see that unit's dashboard and are in the same units; forget the others. Returns
    how many were counted."""
    asked = cache.get(ASKED_KEY, {})
    looked = cache.get_many([f"{key}:asked" for key in asked])
    today = timezone.localdate()
    kept = {}
    for key, (user_id, unit_id, period) in asked.items():
        if f"{key}:asked" not in looked:
            continue
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.has_perm("jiufeng.view_dashboard"):
            continue
        unit = Unit.objects.visible_to(user).filter(pk=unit_id).first()
        # Moved to other units, the user would count blocks that others under this key must not see.
        if unit is None or _blocks_key(user=user, unit=unit, period=period) != key:
            continue
        cache.set(f"{key}:{today}", _counted(user=user, unit=unit, period=period, today=today), CACHE_SECONDS)
        kept[key] = (user_id, unit_id, period)
    cache.set(ASKED_KEY, kept, ASKED_SECONDS)
    return len(kept)
