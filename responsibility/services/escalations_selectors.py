"""Reads for the escalation pages and API: scoped, in a fixed number of queries."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import Deadline, Escalation, Position, PositionKind, Unit
from ..models.deadlines import withheld_from_user


def escalation_list_for_user(*, user) -> QuerySet:
    """Escalations in the user's scope, newest first."""
    return (
        Escalation.objects.visible_to(user)
        .select_related("deadline__unit", "deadline__content_type", "unit", "acknowledged_by")
        .order_by("-created_at", "-pk")
    )


def escalation_list_notified(*, user) -> QuerySet:
    """Escalations that reach the user: level 0 in units where they are liaison, higher
    levels where they are principal (positions held today)."""
    held = Position.objects.current().filter(user=user)
    liaison_units = held.filter(kind=PositionKind.LIAISON).values("unit")
    principal_units = held.filter(kind=PositionKind.PRINCIPAL).values("unit")
    return (
        Escalation.objects.filter(Q(level=0, unit__in=liaison_units) | Q(level__gte=1, unit__in=principal_units))
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
