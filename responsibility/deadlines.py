"""The small API through which apps open and meet deadlines in the ledger.

Callers run inside their own transaction (a transition service); these functions
do not check permissions: the caller has checked scope.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from .models import Deadline, DeadlineKind, Unit
from .services.calendar import working_days_after


def _registered(target: models.Model) -> dict:
    # The ledger's rows of one target: its content type and id.
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def _open_of(target: models.Model, kind: DeadlineKind) -> QuerySet:
    """The open deadline of ``kind`` for ``target``, locked (at most one: a stage runs once at a time)."""
    return Deadline.objects.filter(**_registered(target), kind=kind, met_at=None).select_for_update()


def deadline_open(
    *,
    target: models.Model,
    kind: DeadlineKind,
    unit: Unit,
    due_at: datetime.datetime,
    provisional: bool = False,
    none_open: bool = False,
    actor=None,
    withheld_from: Unit | None = None,
) -> Deadline:
    """Open the deadline of ``kind`` for ``target``; if one is already open, return it unchanged.

    ``provisional``: the due time was counted past the holiday calendar's last known year
    (see deadline_due_at). ``none_open``: the caller knows that no deadline of ``kind`` is
    open for the target (it was created in the caller's transaction, or its locked state
    rules one out): insert without looking. ``actor``: who opens it, for the history (None:
    the request's user, else the system). ``withheld_from``: a unit whose people must neither
    see the deadline nor be told of it (a complaint's subject unit).
    """
    values = {
        "unit": unit,
        "due_at": due_at,
        "next_escalation_at": due_at,
        "provisional": provisional,
        "withheld_from": withheld_from,
    }
    registered = {**_registered(target), "kind": kind}
    if none_open:
        # Every stage change opens one.
        deadline = Deadline(**registered, **values)
        deadline._history_user = actor
        deadline.save()
        return deadline
    deadline, _created = Deadline.objects.get_or_create(**registered, met_at=None, defaults=values)
    return deadline


def deadlines_of(*, target: models.Model) -> QuerySet:
    """Every deadline, open or met, registered for ``target``, oldest first, with its unit."""
    return Deadline.objects.filter(**_registered(target)).select_related("unit").order_by("opened_at", "id")


def deadline_meet(*, target: models.Model, kind: DeadlineKind, at: datetime.datetime | None = None) -> int:
    """Mark the open deadline of ``kind`` for ``target`` met; returns how many were open (0 or 1)."""
    met = 0
    for deadline in _open_of(target, kind):
        deadline.met_at = at or timezone.now()
        deadline.next_escalation_at = None
        deadline.save(update_fields=["met_at", "next_escalation_at"])
        met += 1
    return met


def deadline_move(*, target: models.Model, kind: DeadlineKind, due_at: datetime.datetime) -> int:
    """Give the open deadline of ``kind`` for ``target`` a new due time (an amended due date).

    The escalation restarts from the new due time; returns how many were open (0 or 1).
    """
    moved = 0
    for deadline in _open_of(target, kind):
        deadline.due_at = due_at
        deadline.next_escalation_at = due_at
        deadline.level = -1
        deadline.save(update_fields=["due_at", "next_escalation_at", "level"])
        moved += 1
    return moved


def deadline_due_at(*, kind: DeadlineKind, start: datetime.datetime, days: int) -> tuple[datetime.datetime, bool]:
    """When a deadline of ``kind`` given ``days`` from ``start`` falls due, and whether provisionally.

    Calendar days unless the kind is in settings.JIUFENG_WORKING_DAY_KINDS; working days
    follow the holiday calendar, at the same time of day as ``start``.
    """
    if kind not in settings.JIUFENG_WORKING_DAY_KINDS:
        return start + datetime.timedelta(days=days), False
    local = timezone.localtime(start)
    day, provisional = working_days_after(start=local.date(), days=days)
    return local.replace(year=day.year, month=day.month, day=day.day), provisional
