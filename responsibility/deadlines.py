# SQL here is assembled from code-defined fragments; every value travels as a parameter.
# ruff: noqa: S608
"""The small API through which apps open and meet deadlines in the ledger.

Callers run inside their own transaction (a transition service); these functions
do not check permissions: the caller has checked scope.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone

from jiufeng.bulk import db_datetime, history_insert, history_user_id, save_with_history
from jiufeng.rows import rows_joined

from .models import Deadline, DeadlineKind, Unit
from .services.calendar import working_days_after


def deadline_new(
    *, target: models.Model, kind: DeadlineKind, unit: Unit, due_at: datetime.datetime, provisional: bool = False
) -> Deadline:
    """The deadline of ``kind`` for ``target``, not yet saved: for a caller that writes it with
    the target itself (jiufeng.bulk.Linked: a new complaint and its intake deadline in one
    statement, ``object_id`` filled from the target's new id). See deadline_open."""
    return Deadline(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        kind=kind,
        unit=unit,
        due_at=due_at,
        next_escalation_at=due_at,
        provisional=provisional,
    )


def deadline_open(
    *,
    target: models.Model,
    kind: DeadlineKind,
    unit: Unit,
    due_at: datetime.datetime,
    provisional: bool = False,
    none_open: bool = False,
) -> Deadline:
    """Open the deadline of ``kind`` for ``target``; if one is already open, return it unchanged.

    ``provisional``: the due time was counted past the holiday calendar's last known year
    (see deadline_due_at). ``none_open``: the caller knows that no deadline of ``kind`` is
    open for the target (it was created in the caller's transaction, or its locked state
    rules one out): insert without looking, saving the lookup and its savepoint.
    """
    if none_open:
        # Every stage change opens one.
        deadline = deadline_new(target=target, kind=kind, unit=unit, due_at=due_at, provisional=provisional)
        save_with_history(deadline)
        return deadline
    content_type = ContentType.objects.get_for_model(target)
    values = {"unit": unit, "due_at": due_at, "next_escalation_at": due_at, "provisional": provisional}
    deadline, _created = Deadline.objects.get_or_create(
        content_type=content_type, object_id=target.pk, kind=kind, met_at=None, defaults=values
    )
    return deadline


def _registered_for(target: models.Model) -> dict:
    return {"content_type": ContentType.objects.get_for_model(target).pk, "object_id": target.pk}


_OLDEST_FIRST = ("opened_at", "id")


def deadlines_of(*, target: models.Model) -> QuerySet:
    """Every deadline, open or met, registered for ``target``, oldest first."""
    return Deadline.objects.filter(**_registered_for(target)).order_by(*_OLDEST_FIRST)


def deadlines_with_units(*, target: models.Model) -> list[Deadline]:
    """deadlines_of(target) with their units, read in prepared SQL (every case page reads them)."""
    return rows_joined(Deadline, ("unit",), _registered_for(target), order=_OLDEST_FIRST)


def deadline_meet(*, target: models.Model, kind: DeadlineKind, at: datetime.datetime | None = None) -> int:
    """Mark the open deadline of ``kind`` for ``target`` met; returns how many were open (0 or 1).

    Every transition that leaves a stage meets one, so it is one UPDATE ... RETURNING and one
    history INSERT, not a locked read, a save and a history row built by simple-history (one
    statement and about 2 ms of ORM fewer). The UPDATE locks the row and re-checks that it
    is still open, as the locked read did. The history row is what a save would record.
    """
    content_type = ContentType.objects.get_for_model(target)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} SET met_at = %s, next_escalation_at = NULL "
            "WHERE content_type_id = %s AND object_id = %s AND kind = %s AND met_at IS NULL RETURNING id",
            [db_datetime(at or now), content_type.pk, target.pk, kind],
        )
        ids = [row[0] for row in cursor.fetchall()]
    history_insert(Deadline, ids, at=now, history_type="~", reason=None, user_id=history_user_id())
    return len(ids)


def deadline_move(*, target: models.Model, kind: DeadlineKind, due_at: datetime.datetime) -> int:
    """Give the open deadline of ``kind`` for ``target`` a new due time (an amended due date).

    The escalation restarts from the new due time; returns how many were open (0 or 1).
    """
    content_type = ContentType.objects.get_for_model(target)
    deadlines = Deadline.objects.filter(content_type=content_type, object_id=target.pk, kind=kind, met_at=None)
    moved = 0
    for deadline in deadlines.select_for_update():
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
