"""The leader's dashboard (看): the figures of a unit's subtree for a period, and of each child unit.

Which cases count: those about a unit in the subtree (the subject unit, 谁主管谁负责 puts
the responsibility there), and of these only the cases the user may see
(Complaint.objects.visible_to). A complaint about a unit the user is in is therefore not
counted for them (被投诉单位不得自查): a figure never reveals a case a list would hide, and
two users may see different totals for one unit. A case naming no unit belongs to no
subtree and is in no unit's figures.

Figures of the period count the cases received in it; ``open``, ``overdue`` and
``due_soon`` are the cases open now, whenever received. A period of whole months is read
from the tallies (complaints.tallies), counted every ten minutes; any other is counted
live. Either way each block is one aggregate query whatever the number of cases and
children.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from responsibility.models import Deadline, DeadlineKind, PledgeItem, RectificationItem, Unit, Visit
from responsibility.services.oversight_selectors import OversightFigures, oversight_figures
from responsibility.services.pledges_selectors import coverage_root_for_user

from .models import WAITING_STATUSES, Category, Channel, Complaint, ComplaintStatus, Finding, Rating, RatingValue
from .selectors import overdue_cases

DUE_SOON_DAYS = 3
LIST_LIMIT = 10
DECIDED_STATUSES = [ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED]
_COMPLAINT_STAGES = [
    DeadlineKind.COMPLAINT_ACCEPT,
    DeadlineKind.COMPLAINT_RESOLVE,
    DeadlineKind.COMPLAINT_EXTENSION,
    DeadlineKind.COMPLAINT_REVIEW,
]


@dataclass(frozen=True)
class Period:
    """Days from ``first`` to ``last``, both included, in the local time zone."""

    first: datetime.date
    last: datetime.date
    # The query parameters that ask for it again (drill-down links keep the period).
    params: dict

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), {"period": f"{year}"})

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = datetime.date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        last = datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])
        return cls(first, last, {"period": f"{year}-Q{quarter}"})

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = datetime.date(year, month, calendar.monthrange(year, month)[1])
        return cls(datetime.date(year, month, 1), last, {"period": f"{year}-{month:02d}"})

    @classmethod
    def range(cls, first: datetime.date, last: datetime.date) -> "Period":
        return cls(first, last, {"from": first.isoformat(), "to": last.isoformat()})

    @classmethod
    def shortcuts(cls, today: datetime.date) -> list[tuple[str, "Period"]]:
        """The periods a leader asks for most, for one-tap links: this month, quarter and year, last year."""
        return [
            (_("This month"), cls.month(today.year, today.month)),
            (_("This quarter"), cls.quarter(today.year, (today.month - 1) // 3 + 1)),
            (_("This year"), cls.year(today.year)),
            (_("Last year"), cls.year(today.year - 1)),
        ]

    @property
    def start(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.first, datetime.time.min))

    @property
    def end(self) -> datetime.datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time.min))

    @property
    def query(self) -> str:
        return urlencode(self.params)

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m-%d} – {self.last:%Y-%m-%d}"

    def months(self) -> list[datetime.date]:
        """The first day of each month the period touches."""
        months, day = [], self.first.replace(day=1)
        while day <= self.last:
            months.append(day)
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        return months


def _rate(part: int, whole: int) -> float | None:
    """A share in percent, one decimal; None when nothing was counted (no 0 % for "no cases")."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """The headline figures of one subtree (a unit's own, or a child's in the table)."""

    received: int = 0
    accepted: int = 0
    decided: int = 0
    late: int = 0
    with_finding: int = 0
    substantiated: int = 0
    partly_substantiated: int = 0
    reviews: int = 0
    re_reviews: int = 0
    reviews_pending: int = 0
    reviews_decided: int = 0
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    # The latest rating of each case (a rating after a review replaces the one before).
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0

    def add(self, other: "Figures") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time(self) -> int:
        return self.decided - self.late

    @property
    def rated(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    @property
    def on_time_rate(self) -> float | None:
        """Decided cases none of whose stages (acceptance, resolution, review) ran past its deadline."""
        return _rate(self.on_time, self.decided)

    @property
    def substantiation_rate(self) -> float | None:
        """属实 and 部分属实 among decided cases with a finding."""
        return _rate(self.substantiated + self.partly_substantiated, self.with_finding)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意 and 基本满意 among rated cases."""
        return _rate(self.satisfied + self.basically_satisfied, self.rated)


@dataclass
class ChildRow:
    unit: Unit
    figures: Figures
    # The lists behind the row's figures (FigureLinks, defined below with the other links).
    links: "FigureLinks"


def _worst_rate_first(rate: float | None) -> float:
    # A unit with nothing to rate is no worry: after every unit with a rate.
    return 101.0 if rate is None else rate


# How the child table may be ordered, worst first ("" keeps the tree's order).
CHILD_ORDERS = {
    "overdue": lambda row: -row.figures.overdue,
    "open": lambda row: -row.figures.open,
    "received": lambda row: -row.figures.received,
    "on_time": lambda row: _worst_rate_first(row.figures.on_time_rate),
    "satisfaction": lambda row: _worst_rate_first(row.figures.satisfaction_rate),
}


def children_ordered(rows: list[ChildRow], order: str) -> list[ChildRow]:
    """The child rows worst first by ``order`` (a key of CHILD_ORDERS), ties in tree order."""
    return sorted(rows, key=CHILD_ORDERS[order]) if order else rows


@dataclass
class CaseFigures:
    total: Figures
    children: list[ChildRow]
    by_status: list[tuple[str, str, int]]
    by_channel: list[tuple[str, str, int]]
    by_category: list[tuple[int, str, int]]
    # (first day of the month, received, decided)
    trend: list[tuple[datetime.date, int, int]]
    overdue_cases: list[Complaint]
    due_soon_cases: list[Complaint]
    # When the tallies the figures of the period come from were counted (None: counted live).
    counted_at: datetime.datetime | None = None
    # When open, overdue and due soon were counted (None: counted live).
    open_counted_at: datetime.datetime | None = None


def due_soon(now: datetime.datetime) -> Q:
    """Open cases whose running stage falls due within DUE_SOON_DAYS (the case list's filter reads the same)."""
    return Q(status__in=WAITING_STATUSES, due_at__gte=now, due_at__lt=now + datetime.timedelta(days=DUE_SOON_DAYS))


def subtree_cases(*, user, unit: Unit) -> QuerySet:
    """The cases about ``unit`` or a unit below it that the user may see; caller has checked scope of ``unit``."""
    return Complaint.objects.about_subtree_visible_to(user, unit).order_by()


def late_stage(now: datetime.datetime) -> Exists:
    """The case has a stage that ran past its deadline: met late, or still open and overdue."""
    stages = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint),
        object_id=OuterRef("pk"),
        kind__in=_COMPLAINT_STAGES,
    )
    return Exists(stages.filter(Q(met_at__gt=F("due_at")) | Q(met_at__isnull=True, due_at__lt=now)))


# Figures' counters kept per month by the tallies (complaints.tallies); the others are the ratings,
# kept apart, and the figures of cases open now, always counted live.
PERIOD_COUNTERS = [
    "received",
    "accepted",
    "decided",
    "late",
    "with_finding",
    "substantiated",
    "partly_substantiated",
    "reviews",
    "re_reviews",
    "reviews_pending",
    "reviews_decided",
]


def period_counts(received: Q) -> dict:
    """PERIOD_COUNTERS as aggregate arguments, over the cases ``received`` selects (Q(): all).

    ``late`` must be aliased on the cases (late_stage). One definition for the live figures
    and the tallies.
    """
    decided = received & Q(replied_at__isnull=False)
    reviewed = received & Q(review_round__gte=1)
    in_review = Q(status__in=[ComplaintStatus.UNDER_REVIEW, ComplaintStatus.PENDING_APPROVAL])
    return {
        "received": Count("pk", filter=received),
        "accepted": Count("pk", filter=received & Q(handling_unit__isnull=False)),
        "decided": Count("pk", filter=decided),
        "late": Count("pk", filter=decided & Q(late=True)),
        "with_finding": Count("pk", filter=decided & ~Q(finding="")),
        "substantiated": Count("pk", filter=decided & Q(finding=Finding.SUBSTANTIATED)),
        "partly_substantiated": Count("pk", filter=decided & Q(finding=Finding.PARTLY_SUBSTANTIATED)),
        "reviews": Count("pk", filter=reviewed),
        "re_reviews": Count("pk", filter=received & Q(review_round=2)),
        "reviews_pending": Count("pk", filter=reviewed & in_review),
        "reviews_decided": Count("pk", filter=reviewed & Q(status__in=DECIDED_STATUSES)),
    }


# The figures of cases open now; the minute's count keeps them too (complaints.tallies).
NOW_COUNTERS = ["open", "overdue", "due_soon"]


def now_counts(now: datetime.datetime) -> dict:
    """NOW_COUNTERS as aggregate arguments, as of ``now``."""
    waiting = Q(status__in=WAITING_STATUSES, due_at__isnull=False)
    return {
        "open": Count("pk", filter=Q(status__in=WAITING_STATUSES)),
        "overdue": Count("pk", filter=waiting & Q(due_at__lt=now)),
        "due_soon": Count("pk", filter=due_soon(now)),
    }


def latest_ratings(cases: QuerySet) -> QuerySet:
    """The latest rating of each of ``cases`` (a rating after a review replaces the one before)."""
    later = Rating.objects.filter(complaint=OuterRef("complaint"), review_round__gt=OuterRef("review_round"))
    return Rating.objects.filter(~Exists(later), complaint__in=cases.values("pk")).order_by()


def month_of(field: str) -> TruncMonth:
    """The first day of the local month of a moment (the trend's and the tallies' month)."""
    return TruncMonth(field, output_field=DateField(), tzinfo=timezone.get_current_timezone())


@dataclass
class Counted:
    """What the figures are made of, however counted (live, or from the tallies)."""

    # Per subject unit: its Figures (ratings and the figures of cases open now included).
    per_unit: dict[int, Figures]
    statuses: dict[str, int]
    channels: dict[str, int]
    categories: dict[int, int]
    # Per month: (received, decided).
    months: dict[datetime.date, tuple[int, int]]
    # When the tallies counted (None: counted live now).
    counted_at: datetime.datetime | None = None
    # When the figures of cases open now were counted (None: counted live now).
    open_counted_at: datetime.datetime | None = None


def _counted_live(cases: QuerySet, period: Period, now: datetime.datetime) -> Counted:
    """The figures counted from the cases: four queries, each over the subtree's cases of the period."""
    received = Q(received_at__gte=period.start, received_at__lt=period.end)
    per_unit: dict[int, Figures] = defaultdict(Figures)
    grouped = (
        cases.filter(received | Q(status__in=WAITING_STATUSES))
        .alias(late=late_stage(now))
        .values("subject_unit")
        .annotate(**period_counts(received), **now_counts(now))
    )
    for row in grouped:
        unit_id = row.pop("subject_unit")
        per_unit[unit_id] = Figures(**row)
    ratings = latest_ratings(cases.filter(received)).values("complaint__subject_unit", "rating")
    for row in ratings.annotate(n=Count("pk")):
        figures = per_unit[row["complaint__subject_unit"]]
        setattr(figures, row["rating"], row["n"])
    statuses, channels, categories = defaultdict(int), defaultdict(int), defaultdict(int)
    for row in cases.filter(received).values("status", "channel", "category_id").annotate(n=Count("pk")):
        statuses[row["status"]] += row["n"]
        channels[row["channel"]] += row["n"]
        categories[row["category_id"]] += row["n"]
    trend = (
        cases.filter(received)
        .annotate(month=month_of("received_at"))
        .values("month")
        .annotate(received=Count("pk"), decided=Count("pk", filter=Q(replied_at__isnull=False)))
    )
    months = {row["month"]: (row["received"], row["decided"]) for row in trend}
    return Counted(per_unit, statuses, channels, categories, months)


def case_figures(*, user, unit: Unit, period: Period, children: list[Unit]) -> CaseFigures:
    """The case figures of ``unit``'s subtree for ``period``, of each of ``children``, and the charts' breakdowns.

    Steps, a fixed number of queries whatever the number of cases and children:
    1. the subtree's units, to know which child each is under (the unit's own cases form
       a group of their own);
    2. the figures per subject unit, by status, channel and category, and per month: from
       the tallies when they cover the period (whole months: complaints.tallies), else
       counted live from the cases (_counted_live); the figures of cases open now from the
       minute's count with the tallies, else live;
    3. the per-unit figures added up per child; the unit's total is their sum;
    4. the categories' names (the chart rolls sub-categories into their top category);
    5. and 6. the first overdue and due-soon cases, to name and link.
    Caller has checked that ``unit`` is in the user's scope; ``children`` are its child units.
    """
    from .tallies import counted_from_tallies

    now = timezone.now()
    cases = subtree_cases(user=user, unit=unit)
    # Per subject unit (an integer from the index: no join, no text to cut), then added up
    # per child: the child of a unit below ``unit`` is its path cut one step below ``unit``'s.
    cut = len(unit.path) + Unit.steplen
    child_of = {pk: path[:cut] for pk, path in Unit.objects.subtree_of(unit).order_by().values_list("pk", "path")}
    counted = counted_from_tallies(user=user, unit=unit, cases=cases, period=period, now=now)
    if counted is None:
        counted = _counted_live(cases, period, now)
    by_child: dict[str, Figures] = defaultdict(Figures)
    for unit_id, figures in counted.per_unit.items():
        # The tallies read before a unit left the subtree (kept until the next rebuild) still name it.
        if unit_id in child_of:
            by_child[child_of[unit_id]].add(figures)
    total = Figures()
    for figures in by_child.values():
        total.add(figures)
    rows = [ChildRow(child, by_child.get(child.path, Figures()), FigureLinks(child, period)) for child in children]
    by_status = [
        (s.value, str(s.label), counted.statuses[s.value]) for s in ComplaintStatus if counted.statuses[s.value]
    ]
    by_channel = [(c.value, str(c.label), counted.channels[c.value]) for c in Channel if counted.channels[c.value]]
    return CaseFigures(
        total=total,
        children=rows,
        by_status=by_status,
        by_channel=by_channel,
        by_category=_top_categories(counted.categories),
        trend=[(month, *counted.months.get(month, (0, 0))) for month in period.months()],
        overdue_cases=_listed(overdue_cases(cases, now)),
        due_soon_cases=_listed(cases.filter(due_soon(now))),
        counted_at=counted.counted_at,
        open_counted_at=counted.open_counted_at,
    )


def _top_categories(categories: dict[int, int]) -> list[tuple[int, str, int]]:
    """(top category id, name, n) rows, most cases first, sub-categories rolled into their top; no zero rows."""
    if not any(categories.values()):
        return []
    tops: dict[int, list] = {}
    top_of: dict[int, int] = {}
    every = list(Category.objects.order_by("path").values_list("pk", "path", "name"))
    by_path = {path: (pk, name) for pk, path, name in every}
    for pk, path, _name in every:
        top_pk, top_name = by_path[path[: Category.steplen]]
        top_of[pk] = top_pk
        tops.setdefault(top_pk, [top_pk, top_name, 0])
    for category_id, n in categories.items():
        tops[top_of[category_id]][2] += n
    return sorted((tuple(row) for row in tops.values() if row[2]), key=lambda row: (-row[2], row[1]))


def _listed(cases: QuerySet) -> list[Complaint]:
    """The first cases by due time, with what a row names (the unit complained about, the category)."""
    return list(
        cases.select_related("subject_unit", "category")
        .only("pk", "case_number", "title", "status", "due_at", "subject_unit__name", "category__name")
        .order_by("due_at", "pk")[:LIST_LIMIT]
    )


# --- Links to the lists behind the figures ----------------------------------------------------


@dataclass
class FigureLinks:
    """The case list's URLs behind each figure of one subtree (complaints.forms.staff.ComplaintFilter)."""

    unit: Unit
    period: Period

    @cached_property
    def _subtree(self) -> str:
        return f"{reverse('complaints:case-list')}?{urlencode({'tab': 'all', 'about': self.unit.pk})}"

    @cached_property
    def _in_period(self) -> str:
        received = {"received_from": self.period.first.isoformat(), "received_to": self.period.last.isoformat()}
        return f"{self._subtree}&{urlencode(received)}"

    def _url(self, in_period: bool = True, **params) -> str:
        # A page has about sixty of these per unit: the parts every link shares are encoded
        # once (one reverse() and one urlencode() per link were 11 % of a leaf dashboard's
        # function calls, and encoding the shared parts again half of what was left).
        base = self._in_period if in_period else self._subtree
        return f"{base}&{urlencode(params)}" if params else base

    def received(self) -> str:
        return self._url()

    def accepted(self) -> str:
        return self._url(progress="accepted")

    def decided(self) -> str:
        return self._url(progress="decided")

    def late(self) -> str:
        return self._url(progress="late")

    def open(self) -> str:
        return self._url(in_period=False, progress="open")

    def overdue(self) -> str:
        return self._url(in_period=False, overdue="on")

    def due_soon(self) -> str:
        return self._url(in_period=False, progress="due_soon")

    def reviews(self) -> str:
        return self._url(progress="reviewed")

    def rating(self, value: str) -> str:
        return self._url(rating=value)

    def status(self, value: str) -> str:
        return self._url(status=value)

    def channel(self, value: str) -> str:
        return self._url(channel=value)

    def category(self, value: int) -> str:
        return self._url(category=value)

    def pledges(self) -> str:
        query = urlencode({"unit": self.unit.pk, "year": self.period.first.year})
        return f"{reverse('responsibility:pledge-coverage')}?{query}"

    def pledge_items(self) -> str:
        return f"{reverse('responsibility:pledge-list')}?{urlencode({'year': self.period.first.year})}"

    def escalated(self) -> str:
        return reverse("responsibility:unit-overdue", args=[self.unit.pk])

    def accountability(self) -> str:
        return f"{reverse('responsibility:accountability-list')}?state=proposed"

    def month(self, first: datetime.date) -> str:
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        query = {"received_from": max(first, self.period.first), "received_to": min(last, self.period.last)}
        return self._url(in_period=False, **{k: v.isoformat() for k, v in query.items()})


# --- What an escalated deadline is for ------------------------------------------------------

# content type (app_label, model) -> (model, field naming it, URL name, id field the URL takes)
_TARGETS = {
    ("complaints", "complaint"): (Complaint, "title", "complaints:case-detail", "pk"),
    ("responsibility", "rectificationitem"): (
        RectificationItem,
        "description",
        "responsibility:rectification-item-detail",
        "pk",
    ),
    ("responsibility", "pledgeitem"): (PledgeItem, "title", "responsibility:pledge-detail", "pledge_id"),
    ("responsibility", "visit"): (Visit, "subject", "responsibility:visit-detail", "pk"),
}


def deadline_targets_attach(*, user, deadlines: list[Deadline]) -> None:
    """Give each deadline ``target_label`` and ``target_url``: the case or item it is for.

    One query per kind of target present (at most four). A complaint is named only when the
    user may see it (else the row names its kind alone); the other targets are in the
    deadline's unit, which the caller has checked is in scope.
    """
    wanted: dict[tuple, set[int]] = {}
    for deadline in deadlines:
        key = (deadline.content_type.app_label, deadline.content_type.model)
        wanted.setdefault(key, set()).add(deadline.object_id)
    found: dict[tuple, dict[int, tuple[str, int]]] = {}
    for key, ids in wanted.items():
        if key not in _TARGETS:
            continue
        model, label, _url, link_id = _TARGETS[key]
        rows = model.objects.visible_to(user) if model is Complaint else model.objects.all()
        found[key] = {
            pk: (text, target) for pk, text, target in rows.filter(pk__in=ids).values_list("pk", label, link_id)
        }
    for deadline in deadlines:
        key = (deadline.content_type.app_label, deadline.content_type.model)
        target = found.get(key, {}).get(deadline.object_id)
        deadline.target_label = target[0] if target else ""
        deadline.target_url = reverse(_TARGETS[key][2], args=[target[1]]) if target else ""


# --- The whole dashboard of a unit ----------------------------------------------------------------


@dataclass
class Dashboard:
    unit: Unit
    period: Period
    # The unit's ancestors the user may open, root first (the breadcrumb back up).
    ancestors: list[Unit]
    cases: CaseFigures
    oversight: OversightFigures

    @property
    def links(self) -> FigureLinks:
        return FigureLinks(self.unit, self.period)

    def ratings(self) -> list[tuple[str, int, str]]:
        """(label, count, the cases so rated) per rating, 满意 first."""
        links = self.links
        return [
            (str(label), getattr(self.cases.total, value), links.rating(value)) for value, label in RatingValue.choices
        ]


def dashboard_for_unit(*, user, unit: Unit, period: Period) -> Dashboard:
    """Everything the dashboard page and its API show of ``unit``: a fixed number of queries, whatever the
    number of cases, children and units below. Caller has checked that ``unit`` is in the user's scope."""
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).only("pk", "path", "name"))
    cases = case_figures(user=user, unit=unit, period=period, children=children)
    oversight = oversight_figures(user=user, unit=unit, year=period.first.year)
    deadline_targets_attach(user=user, deadlines=oversight.escalated_first)
    return Dashboard(
        unit=unit,
        period=period,
        ancestors=list(Unit.objects.visible_to(user).ancestors_of(unit).only("pk", "name", "path")),
        cases=cases,
        oversight=oversight,
    )


def dashboard_unit_for_user(*, user) -> Unit | None:
    """Where a user's dashboard opens: the top of their own area (the county for the county's
    leader, the bureau for its principal); None without a scope."""
    return coverage_root_for_user(user=user)


def dashboard_charts(dashboard: Dashboard) -> dict:
    """What static/js/dashboard.js draws: per chart its labels, values and the list behind each value."""
    cases, links = dashboard.cases, dashboard.links

    def chart(rows, link) -> dict:
        # (label, count, the list behind it) per bar or slice.
        return {"rows": [(label, n, link(key)) for key, label, n in rows]}

    return {
        "status": chart(cases.by_status, links.status),
        "channel": chart(cases.by_channel, links.channel),
        "category": chart(cases.by_category, links.category),
        "trend": {
            "names": [pgettext("count of cases", "Received"), pgettext("count of cases", "Decided")],
            "labels": [f"{month:%Y-%m}" for month, _received, _decided in cases.trend],
            "received": [received for _month, received, _decided in cases.trend],
            "decided": [decided for _month, _received, decided in cases.trend],
            "urls": [links.month(month) for month, _received, _decided in cases.trend],
        },
    }


def dashboard_trend_rows(dashboard: Dashboard) -> list[tuple[datetime.date, int, int, str]]:
    """The trend's table: (month, received, decided, the cases received that month)."""
    links = dashboard.links
    return [(month, received, decided, links.month(month)) for month, received, decided in dashboard.cases.trend]
