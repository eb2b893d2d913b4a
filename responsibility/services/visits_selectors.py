"""Reads for the pages and API of leader assignments, visits and rectification items.

Every list starts from a ``visible_to(user)`` queryset and takes a fixed number of
queries however many rows it shows.
"""

import datetime
from collections import defaultdict

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import LeaderAssignment, RectificationItem, RectificationStatus, Unit, Visit, VisitFrequency
from ..scoping import unit_ids_in_scope

_UNITS_IN_TREE_ORDER = Prefetch("units", queryset=Unit.objects.order_by("path"))
_PERIOD_MONTHS = {
    VisitFrequency.MONTHLY: 1,
    VisitFrequency.QUARTERLY: 3,
    VisitFrequency.HALF_YEARLY: 6,
    VisitFrequency.YEARLY: 12,
}


def visit_period(*, frequency: str, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The calendar period of a visit frequency that contains ``on`` (first and last day)."""
    months = _PERIOD_MONTHS[frequency]
    first_month = (on.month - 1) // months * months + 1
    after = first_month + months  # the first month of the next period, maybe 13
    next_start = datetime.date(on.year + (after > 12), (after - 1) % 12 + 1, 1)
    return datetime.date(on.year, first_month, 1), next_start - datetime.timedelta(days=1)


# --- Leader assignments ----------------------------------------------------------------


def leader_assignment_list_for_user(*, user) -> QuerySet:
    """The API list: the user's own assignments, or every one for who may manage them all."""
    assignments = LeaderAssignment.objects.select_related("leader").prefetch_related(_UNITS_IN_TREE_ORDER)
    if not user.has_perm("responsibility.view_leaderassignment"):
        assignments = assignments.filter(leader_id=user.pk)
    return assignments.order_by("-starts_on", "pk")


def leader_assignments_visible_to(*, user) -> QuerySet:
    """Assignments the user may see: their own, those over units in scope, or all for administrators."""
    if user.has_perm("responsibility.view_leaderassignment"):
        return LeaderAssignment.objects.all()
    in_scope = LeaderAssignment.units.through.objects.filter(unit__in=unit_ids_in_scope(user))
    return LeaderAssignment.objects.filter(Q(leader_id=user.pk) | Q(pk__in=in_scope.values("leaderassignment_id")))


def leader_assignments_managed(*, user) -> QuerySet:
    """Other leaders' current assignments the user may see, with their units."""
    return (
        leader_assignments_visible_to(user=user)
        .current()
        .exclude(leader_id=user.pk)
        .select_related("leader")
        .prefetch_related(_UNITS_IN_TREE_ORDER)
        .order_by("starts_on", "pk")
    )


def visits_due_for_leader(*, leader, on: datetime.date | None = None) -> list[LeaderAssignment]:
    """The leader's current assignments, each with this period's visits per unit.

    Attaches to each assignment ``period_start``, ``period_end``, ``unit_visits`` (a list
    of (unit, last made visit in the period or None)) and ``units_not_visited``. A
    visit counts for every unit it covered. Three queries: assignments, their units,
    the leader's made visits since the earliest period start.
    """
    on = on or timezone.localdate()
    assignments = list(
        LeaderAssignment.objects.current(on)
        .filter(leader=leader)
        .prefetch_related(_UNITS_IN_TREE_ORDER)
        .order_by("starts_on", "pk")
    )
    if not assignments:
        return []
    for assignment in assignments:
        assignment.period_start, assignment.period_end = visit_period(frequency=assignment.visit_frequency, on=on)
    made = Visit.units.through.objects.filter(
        visit__leader=leader,
        visit__made_on__gte=min(a.period_start for a in assignments),
        visit__made_on__lte=on,
    ).values_list("unit_id", "visit__made_on")
    made_on_by_unit = defaultdict(list)
    for unit_id, made_on in made:
        made_on_by_unit[unit_id].append(made_on)
    for assignment in assignments:
        assignment.unit_visits = [
            (
                unit,
                max(
                    (d for d in made_on_by_unit[unit.pk] if assignment.period_start <= d <= assignment.period_end),
                    default=None,
                ),
            )
            for unit in assignment.units.all()
        ]
        assignment.units_not_visited = [unit for unit, last in assignment.unit_visits if last is None]
    return assignments


# --- Visits ----------------------------------------------------------------------------


def visit_list_for_user(*, user, kind: str = "", state: str = "") -> QuerySet:
    """Visits in scope, latest date (made, else scheduled) first; ``state`` is "scheduled", "made" or "overdue"."""
    visits = Visit.objects.visible_to(user)
    if kind:
        visits = visits.filter(kind=kind)
    today = timezone.localdate()
    if state == "scheduled":
        visits = visits.filter(made_on__isnull=True)
    elif state == "made":
        visits = visits.filter(made_on__isnull=False)
    elif state == "overdue":
        visits = visits.overdue(today)
    return (
        visits.select_related("leader", "organizing_unit")
        .prefetch_related(_UNITS_IN_TREE_ORDER)
        .order_by(Coalesce("made_on", "scheduled_for").desc(), "-pk")
    )


def visit_detail(*, visit: Visit) -> Visit:
    """Attach what a visit's page shows; caller has checked scope."""
    visit.unit_list = list(visit.units.order_by("path"))
    visit.items = list(visit.rectification_items.select_related("responsible_unit").order_by("due_on", "pk"))
    return visit


# --- Rectification items ---------------------------------------------------------------


def rectification_item_list_for_user(*, user, status: str = "", overdue: bool | None = None) -> QuerySet:
    """Items whose responsible unit is in scope, soonest due first."""
    items = RectificationItem.objects.visible_to(user)
    if status:
        items = items.filter(status=status)
    if overdue is not None:
        today = timezone.localdate()
        items = (
            items.overdue(today)
            if overdue
            else items.filter(Q(status=RectificationStatus.CONFIRMED) | Q(due_on__gte=today))
        )
    return items.select_related("responsible_unit", "visit").order_by("due_on", "pk")


def unit_visits_and_items(*, unit: Unit, recent: int = 5) -> tuple[list[Visit], list[RectificationItem]]:
    """A unit page's recent visits and open rectification items (two queries); caller has checked scope."""
    visits = list(
        Visit.objects.filter(units=unit)
        .select_related("leader")
        .order_by(F("made_on").desc(nulls_first=True), "-scheduled_for", "-pk")[:recent]
    )
    items = list(
        RectificationItem.objects.filter(responsible_unit=unit)
        .exclude(status=RectificationStatus.CONFIRMED)
        .order_by("due_on", "pk")
    )
    return visits, items
