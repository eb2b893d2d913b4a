"""Accountability proposals (问责建议) the escalation sweep drafts for people to decide.

Two rules, both idempotent so that every sweep may run them:
- at the top: an obligation still open ``JIUFENG_ACCOUNTABILITY_AFTER_TOP`` after the
  ladder returned it at the top gets one proposal per current principal of the
  responsible unit who already held the post when it reached the top;
- quarterly: a unit whose obligations were escalated more than
  ``JIUFENG_ACCOUNTABILITY_ESCALATIONS_PER_QUARTER`` times in the calendar quarter gets
  one proposal per principal and quarter, linking the quarter's overdue obligations.
Called by deadlines_sweep inside its transaction and its site-language override.
"""

import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, DateTimeField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from jiufeng.history import bulk_create_recorded, history_links_record

from ..models import (
    AccountabilityRecord,
    AccountabilitySweepRule,
    Deadline,
    DeadlineKind,
    Escalation,
    Position,
    PositionKind,
)
from .accountability import SWEEP_CHANGE_REASON


class _Draft(NamedTuple):
    position: Position
    reason: str
    rule: str
    obligation_ids: list[int]


def _propose_all(drafts: list[_Draft], *, at: datetime.datetime) -> list[int]:
    """Write the drafted proposals with their history and linked obligations in a few statements.

    The rules above chose each position and obligation from the unit's own overdue
    deadlines, which is what accountability_propose checks one record at a time; a
    quarter's first sweep can draft a proposal for most units at once.
    Steps: bulk-create the records with one history row each, then the links, then the
    links' history (jiufeng.history.history_links_record).
    """
    if not drafts:
        return []
    records = bulk_create_recorded(
        [
            AccountabilityRecord(
                position=draft.position,
                user_id=draft.position.user_id,
                unit_id=draft.position.unit_id,
                reason=draft.reason,
                proposed_by=None,
                proposed_at=at,
                sweep_rule=draft.rule,
            )
            for draft in drafts
        ],
        reason=SWEEP_CHANGE_REASON,
        at=at,
    )
    ids = [record.pk for record in records]
    Link = AccountabilityRecord.obligations.through
    links = [
        Link(accountabilityrecord_id=record.pk, deadline_id=deadline_id)
        for record, draft in zip(records, drafts, strict=True)
        for deadline_id in draft.obligation_ids
    ]
    Link.objects.bulk_create(links)
    history_links_record(records, "obligations")
    return ids


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _top_reached_by(at: datetime.datetime):
    """The latest instant at which reaching the top makes a deadline due for a proposal:
    the ladder returns it at the top one interval (of its kind) after the top escalation,
    and the rule waits the configured extra time after that."""
    wait = at - settings.JIUFENG_ACCOUNTABILITY_AFTER_TOP
    whens = [
        When(kind=kind, then=Value(wait - span)) for kind, span in settings.JIUFENG_ESCALATION_INTERVALS_BY_KIND.items()
    ]
    default = Value(wait - settings.JIUFENG_ESCALATION_INTERVAL)
    return Case(*whens, default=default, output_field=DateTimeField()) if whens else default


def _propose_at_top(at: datetime.datetime, principals) -> list[int]:
    top_at = Escalation.objects.filter(deadline=OuterRef("pk"), level=OuterRef("level")).values("created_at")[:1]
    linked = AccountabilityRecord.obligations.through.objects.filter(
        deadline_id=OuterRef(OuterRef("pk")), accountabilityrecord__position=OuterRef("pk")
    )
    # A principal who took the post after the obligation reached the top is not answerable for it.
    pending = principals.filter(unit=OuterRef("unit_id"), starts_on__lte=OuterRef("top_day")).exclude(Exists(linked))
    # Out of the sweep (next_escalation_at NULL) while open: the ladder returned it at the top.
    deadlines = list(
        Deadline.objects.filter(met_at__isnull=True, next_escalation_at__isnull=True, level__gte=0, due_at__lt=at)
        .annotate(top_at=Subquery(top_at))
        .filter(top_at__lte=_top_reached_by(at))
        .annotate(top_day=TruncDate("top_at"))
        .filter(Exists(pending))
        .select_related("unit")
        .order_by("pk")
    )
    if not deadlines:
        return []
    positions = list(principals.filter(unit__in={d.unit_id for d in deadlines}).order_by("pk"))
    existing = set(
        AccountabilityRecord.obligations.through.objects.filter(
            deadline_id__in=[d.pk for d in deadlines], accountabilityrecord__position__in=positions
        ).values_list("deadline_id", "accountabilityrecord__position_id")
    )
    drafts: list[_Draft] = []
    for deadline in deadlines:
        reason = _(
            "%(what)s of %(unit)s has been overdue since %(due)s and was still not met after escalation "
            "to the top level on %(top)s."
        ) % {
            "what": DeadlineKind(deadline.kind).label,
            "unit": deadline.unit.name,
            "due": _local(deadline.due_at),
            "top": _local(deadline.top_at),
        }
        for position in positions:
            if (
                position.unit_id == deadline.unit_id
                and position.starts_on <= deadline.top_day
                and (deadline.pk, position.pk) not in existing
            ):
                drafts.append(_Draft(position, reason, AccountabilitySweepRule.AT_TOP, [deadline.pk]))
    return _propose_all(drafts, at=at)


def _quarter(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime, int]:
    """Start and end (exclusive) of the calendar quarter of ``day``, local time, and its number."""
    number = (day.month - 1) // 3 + 1
    start = datetime.date(day.year, 3 * number - 2, 1)
    end = datetime.date(day.year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
    aware = [timezone.make_aware(datetime.datetime.combine(d, datetime.time.min)) for d in (start, end)]
    return aware[0], aware[1], number


def _propose_quarterly(at: datetime.datetime, principals) -> list[int]:
    start, end, number = _quarter(timezone.localdate(at))
    limit = settings.JIUFENG_ACCOUNTABILITY_ESCALATIONS_PER_QUARTER
    in_quarter = Q(created_at__gte=start, created_at__lte=at)
    counts = dict(
        Escalation.objects.filter(in_quarter)
        .values_list("deadline__unit")
        .annotate(n=Count("pk"))
        .filter(n__gt=limit)
        .values_list("deadline__unit", "n")
    )
    if not counts:
        return []
    already = AccountabilityRecord.objects.filter(
        position=OuterRef("pk"),
        sweep_rule=AccountabilitySweepRule.QUARTERLY,
        proposed_at__gte=start,
        proposed_at__lt=end,
    )
    positions = list(principals.filter(unit__in=counts).exclude(Exists(already)).select_related("unit").order_by("pk"))
    if not positions:
        return []
    overdue = Q(met_at__isnull=True, due_at__lt=at) | Q(met_at__gt=F("due_at"))
    obligations: dict[int, list[int]] = {}
    for unit_id, deadline_id in (
        Deadline.objects.filter(overdue, unit__in={p.unit_id for p in positions})
        .filter(Exists(Escalation.objects.filter(in_quarter, deadline=OuterRef("pk"))))
        .values_list("unit_id", "pk")
    ):
        obligations.setdefault(unit_id, []).append(deadline_id)
    drafts: list[_Draft] = []
    for position in positions:
        reason = _(
            "The obligations of %(unit)s were escalated %(count)s times in quarter %(quarter)s of %(year)s, "
            "more than the %(limit)s a quarter that call for accountability."
        ) % {
            "unit": position.unit.name,
            "count": counts[position.unit_id],
            "quarter": number,
            "year": start.year,
            "limit": limit,
        }
        drafts.append(
            _Draft(position, reason, AccountabilitySweepRule.QUARTERLY, obligations.get(position.unit_id, []))
        )
    return _propose_all(drafts, at=at)


@transaction.atomic
def accountability_sweep_propose(*, at: datetime.datetime) -> list[int]:
    """Draft the proposals both rules call for as of ``at``; ids of the records made.

    Two sweeps at once draft one set: the second waits here for the principals the first
    holds, then finds their links made and drafts nothing twice.
    """
    principals = Position.objects.current(timezone.localdate(at)).filter(kind=PositionKind.PRINCIPAL)
    list(principals.select_for_update().order_by("pk").values_list("pk", flat=True))
    return _propose_at_top(at, principals) + _propose_quarterly(at, principals)
