"""Reads for the escalation pages and API: scoped, in a fixed number of queries."""

import datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import Deadline, Escalation, Position, PositionKind, Unit
from ..models.deadlines import withheld_from_user
from ..models.escalations import TOP_ALSO_KINDS, TOP_DEPTH
from ..scoping import Capacity, scope_roots


def escalation_list_for_user(*, user) -> QuerySet:
    """Escalations in the user's scope, newest first."""
    return (
        Escalation.objects.visible_to(user)
        .select_related("deadline__unit", "deadline__content_type", "unit", "acknowledged_by")
        .order_by("-created_at", "-pk")
    )


def escalation_list_notified(*, user) -> QuerySet:
    """Escalations that reach the user: level 0 in units where they are liaison, higher
    levels where they are principal, and the steps that reach the root where they are a
    leader in charge there or assigned (领导包片) to a unit at or above the responsible one
    (positions and assignments held today; models.escalations)."""
    held = Position.objects.current().filter(user=user)
    liaison_units = held.filter(kind=PositionKind.LIAISON).values("unit")
    principal_units = held.filter(kind=PositionKind.PRINCIPAL).values("unit")
    also_units = held.filter(kind__in=TOP_ALSO_KINDS).values("unit")
    areas = [r.path for r in scope_roots(user) if r.capacity == Capacity.ASSIGNED_LEADER]
    in_areas = reduce(or_, (Q(deadline__unit__path__startswith=path) for path in areas), Q(unit__in=also_units))
    at_top = Q(level__gte=1, unit__depth=TOP_DEPTH) & in_areas
    return (
        Escalation.objects.filter(
            Q(level=0, unit__in=liaison_units) | Q(level__gte=1, unit__in=principal_units) | at_top
        )
        .exclude(withheld_from_user(user, "deadline__"))
        .select_related("deadline__unit", "deadline__content_type", "unit", "acknowledged_by")
        .order_by("acknowledged_at", "-created_at", "-pk")
    )


def overdue_board(*, unit: Unit, user, at: datetime.datetime | None = None) -> QuerySet:
    """Open overdue deadlines in the unit's subtree the user may see, highest level first; caller has checked scope."""
    at = at or timezone.now()
    return (
        Deadline.objects.overdue(at)
        .exclude(withheld_from_user(user))
        .filter(unit__in=Unit.objects.subtree_of(unit).values("pk"))
        .select_related("unit", "content_type")
        .order_by("-level", "due_at", "pk")
    )
