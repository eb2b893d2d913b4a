# SQL here is assembled from code-defined fragments; every value travels as a parameter.
# ruff: noqa: S608
"""The escalation sweep (层层抓落实) and the acknowledgement of an escalation.

The sweep's writes are set-based: a fixed number of SQL statements whatever the number
of due deadlines, so its cost follows what is due (the partial indexes on open
deadlines), not the size of history. Its digests are rendered in Python.
"""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from jiufeng.bulk import db_datetime, in_ids
from jiufeng.history import history_record
from jiufeng.models import Notification, User
from jiufeng.notifications import notifications_add
from jiufeng.texts import message

from ..models import Deadline, DeadlineKind, Escalation, LeaderAssignment, Position, PositionKind, Unit
from ..models.escalations import TOP_ALSO_KINDS, reaches_the_top
from ..permissions import can_acknowledge_escalation
from ..scoping import units_containing
from .accountability_proposals import accountability_sweep_propose

HISTORY_REASON = "sweep_deadlines"


@dataclass
class SweepResult:
    at: datetime.datetime
    # Escalation rows written by this sweep.
    escalation_ids: list[int] = field(default_factory=list)
    # Overdue deadlines that had already reached the top of the ladder: candidates for
    # an accountability proposal; they leave the sweep's index until met.
    at_top_ids: list[int] = field(default_factory=list)
    # Deadlines that got their early warning in this sweep.
    warned_ids: list[int] = field(default_factory=list)
    notifications: int = 0
    # Accountability proposals (问责建议) drafted by this sweep.
    proposal_ids: list[int] = field(default_factory=list)


def _per_kind_instant(
    column: str, at: datetime.datetime, default: datetime.timedelta, overrides: dict[str, datetime.timedelta]
) -> tuple[str, list]:
    """SQL for ``at`` plus the span of each row's kind (the overrides, else the default)."""
    whens, params = [], []
    for kind, span in overrides.items():
        whens.append("WHEN %s THEN %s")
        params += [kind, db_datetime(at + span)]
    return f"CASE {column} {' '.join(whens)} ELSE %s END" if whens else "%s", [*params, db_datetime(at + default)]


@functools.cache
def _kind_text(kind: str) -> dict:
    # A few kinds for thousands of lines: each kind's text built once.
    return message(DeadlineKind(kind).label)


# What the notices read of each claimed deadline: named rows read by the claim itself, not
# model instances read again by their ids (a big sweep claims 10,000; reading them again took
# a fifth of its time).
DEADLINE_FACTS = ("pk", "kind", "unit_id", "withheld_from_id", "due_at")


class _Escalated(NamedTuple):
    """An escalation row the sweep has just written, as its INSERT returns it."""

    pk: int
    deadline_id: int
    level: int
    unit_id: int


def _claim(condition: Q, among: list[int] | None) -> dict[int, tuple]:
    """The open deadlines matching ``condition``, locked, as rows of DEADLINE_FACTS by id; rows
    another sweep holds are skipped."""
    open_deadlines = Deadline.objects.filter(condition, met_at__isnull=True)
    if among is not None:
        open_deadlines = open_deadlines.filter(pk__in=among)
    claimed = open_deadlines.select_for_update(skip_locked=True).values_list(*DEADLINE_FACTS, named=True)
    return {row.pk: row for row in claimed}


def _line(deadline: tuple, unit_names: dict[int, str], zone: datetime.tzinfo) -> dict:
    """One line of a digest (a text, jiufeng.texts): the deadline's kind, its responsible unit and
    due time in ``zone``."""
    return message(
        gettext_noop("%(what)s, %(unit)s, due %(due)s"),
        what=_kind_text(deadline.kind),
        unit=unit_names[deadline.unit_id],
        due=deadline.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
    )


def _holders(unit_ids: set[int], kinds: list[str], at: datetime.datetime) -> dict[tuple[int, str], list[int]]:
    """The users holding a post of ``kinds`` on the sweep's day in each unit, by (unit, kind)."""
    held = defaultdict(list)
    positions = (
        Position.objects.current(timezone.localdate(at))
        .filter(unit_id__in=unit_ids, kind__in=kinds, user__is_active=True)
        .order_by("user_id")
        .values_list("unit_id", "kind", "user_id")
        .distinct()
    )
    for unit_id, kind, user_id in positions:
        held[unit_id, kind].append(user_id)
    return held


def _digests(items: dict[tuple[int, int, int], list[tuple]], render) -> list[Notification]:
    """One notification per (recipient, group, notified unit) with one line per deadline,
    soonest due first; ``items`` holds each digest's (due time, id, line) triples and
    ``render(group, unit_id, count)`` gives its (subject, why, link), texts to render in the
    reader's language (jiufeng.texts)."""
    rows = []
    for (user_id, group, unit_id), lines in sorted(items.items()):
        lines.sort()
        subject, why, link = render(group, unit_id, len(lines))
        body = [line for _due, _id, line in lines]
        rows.append(Notification(recipient_id=user_id, link=link, texts={"subject": subject, "body": body, "why": why}))
    return rows


def _lines(deadlines: list[tuple], unit_names: dict[int, str]) -> dict[int, tuple]:
    """Each deadline's (due time, id, digest line), by id: a deadline may reach several people.
    The id orders deadlines due at the same time."""
    zone = timezone.get_current_timezone()
    return {deadline.pk: (deadline.due_at, deadline.pk, _line(deadline, unit_names, zone)) for deadline in deadlines}


def _unit_names(unit_ids) -> dict[int, str]:
    # A few hundred units for thousands of deadlines: read once each.
    return dict(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "name"))


# Digest groups beyond the levels (0, 1, 2 and above): the root's leaders in charge and the
# leaders assigned to an area, reached when a step reaches the root.
IN_CHARGE, ASSIGNED = 3, 4


def _top_recipients(
    escalations: list[tuple], deadlines: dict[int, tuple], holders, at: datetime.datetime
) -> tuple[dict[int, list[tuple[int, int, int]]], dict[int, str]]:
    """For each escalation that reaches the root, the others it reaches there as
    (user, digest group, unit named in the digest): the root's leaders in charge, then the
    leaders assigned (领导包片, on the sweep's day) to a unit at or above the responsible
    one, that unit named; and the names of those assigned units. At most two queries
    whatever the numbers: the units' paths, and the assignments in force."""
    if not any(e.level >= 1 for e in escalations):
        # Only liaisons reached (催办): nothing can have reached the top.
        return {}, {}
    paths = dict(
        Unit.objects.filter(
            pk__in={e.unit_id for e in escalations} | {d.unit_id for d in deadlines.values()}
        ).values_list("pk", "path")
    )
    step = Unit.steplen
    top = [e for e in escalations if reaches_the_top(level=e.level, unit_depth=len(paths[e.unit_id]) // step)]
    if not top:
        return {}, {}
    assigned, area_names = defaultdict(list), {}
    assignments = (
        LeaderAssignment.objects.current(timezone.localdate(at))
        .filter(leader__is_active=True)
        .values_list("units__path", "units__pk", "units__name", "leader_id")
        .order_by("leader_id")
        .distinct()
    )
    for path, unit_id, name, leader_id in assignments:
        assigned[path].append((leader_id, unit_id))
        area_names[unit_id] = name
    reached = defaultdict(list)
    for escalation in top:
        for kind in TOP_ALSO_KINDS:
            reached[escalation.pk] += [(u, IN_CHARGE, escalation.unit_id) for u in holders[escalation.unit_id, kind]]
        responsible = paths[deadlines[escalation.deadline_id].unit_id]
        for end in range(step, len(responsible) + 1, step):
            reached[escalation.pk] += [(u, ASSIGNED, area) for u, area in assigned.get(responsible[:end], ())]
    return reached, area_names


def _withheld(pairs: set[tuple[int, int | None]]) -> set[tuple[int, int]]:
    """The (notified unit, withheld-from unit) pairs whose first is in the second
    (scoping.units_containing): the posts notified there are not told. One query, when any
    deadline is withheld from a unit."""
    pairs = {(unit_id, withheld_id) for unit_id, withheld_id in pairs if withheld_id is not None}
    if not pairs:
        return set()
    units = Unit.objects.filter(pk__in={pk for pair in pairs for pk in pair})
    places = {pk: (path, remit) for pk, path, remit in units.values_list("pk", "path", "remit_unit__path")}
    return {pair for pair in pairs if places[pair[1]][0] in units_containing(*places[pair[0]])}


def _escalation_notices(
    escalations: list[tuple], deadlines: dict[int, tuple], *, at: datetime.datetime
) -> list[Notification]:
    """One digest per person reached and notified unit: level 0 reaches the unit's liaison
    officers (催办), level 1 its principals, higher levels the principals above (督办), and
    the step that reaches the root also the root's leaders in charge and the leaders assigned
    to the area (_top_recipients), as held on the sweep's day in an active unit; a person
    reached twice by one escalation hears of it once, for the first reason.
    ``escalations``: as written (_Escalated); ``deadlines``: the escalated ones, rows of
    DEADLINE_FACTS by id."""
    notified = {e.unit_id for e in escalations}
    holders = _holders(notified, [PositionKind.LIAISON, PositionKind.PRINCIPAL, *TOP_ALSO_KINDS], at)
    names = _unit_names([*notified, *(d.unit_id for d in deadlines.values())])
    lines = _lines(list(deadlines.values()), names)
    at_top, area_names = _top_recipients(escalations, deadlines, holders, at)
    names.update(area_names)
    # Never anyone in the unit the deadline is withheld from (a complaint's subject unit).
    withheld = _withheld({(e.unit_id, deadlines[e.deadline_id].withheld_from_id) for e in escalations})
    items = defaultdict(list)
    for escalation in escalations:
        if (escalation.unit_id, deadlines[escalation.deadline_id].withheld_from_id) in withheld:
            continue
        kind = PositionKind.LIAISON if escalation.level == 0 else PositionKind.PRINCIPAL
        level_group = min(escalation.level, 2)
        reached = [(user_id, level_group, escalation.unit_id) for user_id in holders[escalation.unit_id, kind]]
        told = set()
        for user_id, group, unit_id in [*reached, *at_top.get(escalation.pk, ())]:
            if user_id not in told:
                told.add(user_id)
                items[user_id, group, unit_id].append(lines[escalation.deadline_id])
    link = reverse("responsibility:escalation-list")
    why = {
        0: gettext_noop("You are the liaison officer of %(notified)s, the unit responsible."),
        1: gettext_noop("You are the principal of %(notified)s, the unit responsible."),
        2: gettext_noop("You are the principal of %(notified)s, above the units responsible."),
        IN_CHARGE: gettext_noop(
            "You are a leader in charge at %(notified)s, where these overdue deadlines have now arrived."
        ),
        ASSIGNED: gettext_noop("You are the leader assigned to %(notified)s, where these deadlines are overdue."),
    }

    def render(group, unit_id, count):
        if group == ASSIGNED:
            subject = gettext_noop("Supervision: overdue deadlines (%(count)s) in your assigned area")
        elif group >= 2:
            subject = gettext_noop("Supervision order: overdue deadlines (%(count)s) below your unit")
        else:
            subject = gettext_noop("Reminder: overdue deadlines (%(count)s) need your action")
        return message(subject, count=count), message(why[group], notified=names[unit_id]), link

    return _digests(items, render)


def _warning_notices(deadlines: list[tuple], *, at: datetime.datetime) -> list[Notification]:
    """One digest per liaison officer of each responsible unit with deadlines due soon."""
    holders = _holders({d.unit_id for d in deadlines}, [PositionKind.LIAISON], at)
    names = _unit_names(d.unit_id for d in deadlines)
    lines = _lines(deadlines, names)
    withheld = _withheld({(d.unit_id, d.withheld_from_id) for d in deadlines})
    items = defaultdict(list)
    for deadline in deadlines:
        if (deadline.unit_id, deadline.withheld_from_id) in withheld:
            continue
        for user_id in holders[deadline.unit_id, PositionKind.LIAISON]:
            items[user_id, 0, deadline.unit_id].append(lines[deadline.pk])

    def render(group, unit_id, count):
        return (
            message(gettext_noop("Early warning: deadlines due soon (%(count)s)"), count=count),
            message(
                gettext_noop("You are the liaison officer of %(notified)s, the unit responsible."),
                notified=names[unit_id],
            ),
            reverse("responsibility:unit-detail", args=[unit_id]),
        )

    return _digests(items, render)


def _escalate(result: SweepResult, at: datetime.datetime, among: list[int] | None) -> None:
    """Steps 1-4 of deadlines_sweep."""
    deadlines = _claim(Q(next_escalation_at__lte=at), among)
    if not deadlines:
        return
    due_ids = list(deadlines)
    step = Unit.steplen
    where, where_params = in_ids("d.id", due_ids)
    # Level k notifies the responsible unit for k ≤ 1 and the ancestor k - 1 steps up
    # for k ≥ 2: the path prefix one step shorter per level. A unit at depth D has
    # levels 0..D; a deadline already at D gets no new row.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO responsibility_escalation (deadline_id, level, unit_id, created_at, acknowledged_by_id,
                                                   acknowledged_at)
            SELECT d.id, d.level + 1,
                   (SELECT a.id FROM responsibility_unit a
                     WHERE a.path = substr(u.path, 1, length(u.path) - %s * (CASE WHEN d.level >= 1 THEN d.level
                                                                                   ELSE 0 END))),
                   %s, NULL, NULL
            FROM responsibility_deadline d JOIN responsibility_unit u ON u.id = d.unit_id
            WHERE {where} AND d.level + 1 <= u.depth
            ON CONFLICT (deadline_id, level) DO NOTHING
            RETURNING id, deadline_id, level, unit_id
            """,
            [step, db_datetime(at), *where_params],
        )
        escalations = sorted(_Escalated(*row) for row in cursor.fetchall())
        result.escalation_ids = [escalation.pk for escalation in escalations]
        next_at, next_params = _per_kind_instant(
            "kind", at, settings.JIUFENG_ESCALATION_INTERVAL, settings.JIUFENG_ESCALATION_INTERVALS_BY_KIND
        )
        depth = "(SELECT u.depth FROM responsibility_unit u WHERE u.id = responsibility_deadline.unit_id)"
        update_where, update_params = in_ids("id", due_ids)
        # A deadline that reached the top in an earlier sweep and is still open leaves
        # the sweep (next_escalation_at NULL): it is now a case for accountability.
        cursor.execute(
            f"""
            UPDATE responsibility_deadline
               SET level = CASE WHEN level < {depth} THEN level + 1 ELSE level END,
                   next_escalation_at = CASE WHEN level < {depth} THEN {next_at} ELSE NULL END
             WHERE {update_where}
            RETURNING id, next_escalation_at IS NULL
            """,
            [*next_params, *update_params],
        )
        result.at_top_ids = sorted(deadline_id for deadline_id, at_top in cursor.fetchall() if at_top)
    history_record(Escalation, result.escalation_ids, update=False, reason=HISTORY_REASON, at=at)
    history_record(Deadline, due_ids, update=True, reason=HISTORY_REASON, at=at)
    result.notifications += len(notifications_add(_escalation_notices(escalations, deadlines, at=at)))


def _warn(result: SweepResult, at: datetime.datetime, among: list[int] | None) -> None:
    """Step 5 of deadlines_sweep."""
    default, overrides = settings.JIUFENG_WARNING_LEAD, settings.JIUFENG_WARNING_LEADS_BY_KIND
    horizon = Case(
        *(When(kind=kind, then=Value(at + lead)) for kind, lead in overrides.items()), default=Value(at + default)
    )
    # The longest lead bounds the range scan on deadline_unwarned_due.
    longest = max([default, *overrides.values()])
    deadlines = _claim(
        Q(warned_at__isnull=True, due_at__gt=at, due_at__lte=at + longest) & Q(due_at__lte=horizon), among
    )
    if not deadlines:
        return
    ids = list(deadlines)
    where, where_params = in_ids("id", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE responsibility_deadline SET warned_at = %s WHERE {where}", [db_datetime(at), *where_params]
        )
    result.warned_ids = sorted(ids)
    history_record(Deadline, ids, update=True, reason=HISTORY_REASON, at=at)
    result.notifications += len(notifications_add(_warning_notices(list(deadlines.values()), at=at)))


def deadlines_sweep(*, at: datetime.datetime, among: list[int] | None = None) -> SweepResult:
    """One escalation sweep as of ``at``: what beat runs every few minutes.

    Steps, in one transaction (a sweep that dies leaves nothing half-done):
    1. claim the open deadlines whose next escalation is due (FOR UPDATE SKIP LOCKED on
       PostgreSQL: a concurrent sweep skips them; SQLite serialises writers);
    2. insert the next level's Escalation row for each not yet at the top, in one
       statement, ON CONFLICT (deadline, level) DO NOTHING;
    3. in one statement, move those deadlines up a level with their next escalation
       one interval later, or take those already at the top out of the sweep;
    4. record history and notify the people each new escalation reaches (inbox +
       outbox, delivered after commit);
    5. early warnings: claim open deadlines due within their kind's lead and not yet
       warned, stamp warned_at, and notify the responsible liaisons;
    6. then, in a transaction of its own, draft the accountability proposals the escalations
       call for (services.accountability_proposals).
    A deadline met before the sweep is not open, so it is never escalated or warned.
    ``among`` limits the sweep to some deadlines (the demo replays its own history).

    The proposals link deadlines this sweep did not claim: drafted while its claimed rows were
    still locked, two sweeps at once each waited for the other's rows (a deadlock). A sweep
    that dies between the two leaves its proposals to the next one, which drafts what is missing.
    """
    result = SweepResult(at=at)
    # Notification texts are stored, so they are written in the site's language.
    with transaction.atomic(), override(settings.LANGUAGE_CODE):
        if connection.vendor == "postgresql":
            # Compiling these short statements costs more than running them.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        _escalate(result, at, among)
        _warn(result, at, among)
    with override(settings.LANGUAGE_CODE):
        result.proposal_ids = accountability_sweep_propose(at=at)
    return result


@transaction.atomic
def escalation_acknowledge(*, escalation_id: int, actor: User) -> Escalation:
    """The notified person says they have seen the escalation; the clock keeps running."""
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("unit", "deadline__unit")
        .get(pk=escalation_id)
    )
    if not can_acknowledge_escalation(actor, escalation):
        raise PermissionDenied
    if escalation.acknowledged_at is not None:
        raise ValidationError(_("This escalation has already been acknowledged."))
    escalation.acknowledged_by = actor
    escalation.acknowledged_at = timezone.now()
    escalation.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return escalation
