# SQL here is assembled from code-defined fragments; every value travels as a parameter.
# ruff: noqa: S608
"""The escalation sweep (层层抓落实) and the acknowledgement of an escalation.

The sweep is set-based: a fixed number of SQL statements whatever the number of due
deadlines, so its cost follows what is due (the partial indexes on open deadlines),
not the size of history.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from jiufeng.bulk import (
    db_datetime,
    history_insert,
    in_ids,
    sql_choice_display,
    sql_format,
    sql_local_datetime,
    sql_url,
)
from jiufeng.models import User
from jiufeng.notifications import notify_from_sql

from ..models import Deadline, DeadlineKind, Escalation, PositionKind, Unit, position_current_sql
from ..permissions import can_acknowledge_escalation
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


def _claim(where: str, params: list, among: list[int] | None) -> list[int]:
    """Ids of open deadlines matching ``where``, locked; rows another sweep holds are skipped."""
    if among is not None:
        among_where, among_params = in_ids("d.id", among)
        where, params = f"{where} AND {among_where}", [*params, *among_params]
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d.id FROM responsibility_deadline d WHERE d.met_at IS NULL AND {where}{lock}", params)
        return [row[0] for row in cursor.fetchall()]


def _item_line(*, at: datetime.datetime) -> tuple[str, list]:
    """One line of a digest about deadline ``d`` of unit ``ru``."""
    return sql_format(
        _("%(what)s, %(unit)s, due %(due)s"),
        {
            "what": sql_choice_display("d.kind", DeadlineKind.choices),
            "unit": ("ru.name", []),
            "due": sql_local_datetime("d.due_at", at=at),
        },
    )


def _digest(rows_sql: str, rows_params: list, *, subject, why, link) -> tuple[str, list]:
    """SELECT (recipient_id, subject, body, link, why): one digest per recipient and group.

    ``rows_sql`` yields (user_id, grp, unit_id, unit_name, line, due_at) with one row per
    person and item; ``subject``, ``why`` and ``link`` are (SQL, params) over the
    aggregated row ``r`` (``COUNT(*)`` is the number of items).
    """
    separator = "\n"
    if connection.vendor == "postgresql":
        body = "string_agg(r.line, %s ORDER BY r.due_at, r.line)"
    else:
        body = "group_concat(r.line, %s)"
    sql = f"""
        SELECT r.user_id AS recipient_id, {subject[0]} AS subject, {body} AS body, {link[0]} AS link,
               {why[0]} AS why
        FROM ({rows_sql}) r
        GROUP BY r.user_id, r.grp, r.unit_id, r.unit_name
    """
    return sql, [*subject[1], separator, *link[1], *why[1], *rows_params]


def _escalation_notices(escalation_ids: list[int], *, at: datetime.datetime) -> tuple[str, list]:
    """One digest per person reached and notified unit: level 0 reaches the unit's liaison
    officers (催办), level 1 its principals, higher levels the principals above (督办), as
    held on the sweep's day in an active unit."""
    line, line_params = _item_line(at=at)
    where, where_params = in_ids("e.id", escalation_ids)
    held, held_params = position_current_sql("p", "nu", "usr", timezone.localdate(at))
    rows = f"""
        SELECT DISTINCT p.user_id, CASE WHEN e.level >= 2 THEN 2 ELSE e.level END AS grp, e.unit_id,
               nu.name AS unit_name, e.id AS escalation_id, {line} AS line, d.due_at
        FROM responsibility_escalation e
        JOIN responsibility_deadline d ON d.id = e.deadline_id
        JOIN responsibility_unit ru ON ru.id = d.unit_id
        JOIN responsibility_unit nu ON nu.id = e.unit_id
        JOIN responsibility_position p ON p.unit_id = e.unit_id
        JOIN jiufeng_user usr ON usr.id = p.user_id
        WHERE {where}
          AND p.kind = CASE WHEN e.level = 0 THEN %s ELSE %s END
          AND {held}
    """
    rows_params = [*line_params, *where_params, PositionKind.LIAISON, PositionKind.PRINCIPAL, *held_params]
    count = {"count": ("COUNT(*)", []), "notified": ("r.unit_name", [])}
    low = sql_format(_("Reminder: overdue deadlines (%(count)s) need your action"), count)
    high = sql_format(_("Supervision order: overdue deadlines (%(count)s) below your unit"), count)
    why = [
        sql_format(_("You are the liaison officer of %(notified)s, the unit responsible."), count),
        sql_format(_("You are the principal of %(notified)s, the unit responsible."), count),
        sql_format(_("You are the principal of %(notified)s, above the units responsible."), count),
    ]
    subject = (f"CASE WHEN r.grp = 2 THEN {high[0]} ELSE {low[0]} END", [*high[1], *low[1]])
    why_sql = (
        f"CASE r.grp WHEN 0 THEN {why[0][0]} WHEN 1 THEN {why[1][0]} ELSE {why[2][0]} END",
        [*why[0][1], *why[1][1], *why[2][1]],
    )
    link = ("%s", [reverse("responsibility:escalation-list")])
    return _digest(rows, rows_params, subject=subject, why=why_sql, link=link)


def _warning_notices(deadline_ids: list[int], *, at: datetime.datetime) -> tuple[str, list]:
    """One digest per liaison officer of each responsible unit with deadlines due soon."""
    line, line_params = _item_line(at=at)
    where, where_params = in_ids("d.id", deadline_ids)
    held, held_params = position_current_sql("p", "ru", "usr", timezone.localdate(at))
    rows = f"""
        SELECT DISTINCT p.user_id, 0 AS grp, d.unit_id, ru.name AS unit_name, d.id AS deadline_id,
               {line} AS line, d.due_at
        FROM responsibility_deadline d
        JOIN responsibility_unit ru ON ru.id = d.unit_id
        JOIN responsibility_position p ON p.unit_id = d.unit_id
        JOIN jiufeng_user usr ON usr.id = p.user_id
        WHERE {where} AND p.kind = %s AND {held}
    """
    rows_params = [*line_params, *where_params, PositionKind.LIAISON, *held_params]
    count = {"count": ("COUNT(*)", []), "notified": ("r.unit_name", [])}
    subject = sql_format(_("Early warning: deadlines due soon (%(count)s)"), count)
    why = sql_format(_("You are the liaison officer of %(notified)s, the unit responsible."), count)
    link = sql_url("responsibility:unit-detail", "r.unit_id")
    return _digest(rows, rows_params, subject=subject, why=why, link=link)


def _escalate(result: SweepResult, at: datetime.datetime, among: list[int] | None) -> None:
    """Steps 1-4 of deadlines_sweep."""
    due_ids = _claim("d.next_escalation_at <= %s", [db_datetime(at)], among)
    if not due_ids:
        return
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
            RETURNING id
            """,
            [step, db_datetime(at), *where_params],
        )
        result.escalation_ids = sorted(row[0] for row in cursor.fetchall())
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
    history_insert(Escalation, result.escalation_ids, at=at, history_type="+", reason=HISTORY_REASON)
    history_insert(Deadline, due_ids, at=at, history_type="~", reason=HISTORY_REASON)
    if result.escalation_ids:
        sql, params = _escalation_notices(result.escalation_ids, at=at)
        result.notifications += notify_from_sql(sql, params, at=at)


def _warn(result: SweepResult, at: datetime.datetime, among: list[int] | None) -> None:
    """Step 5 of deadlines_sweep."""
    default, overrides = settings.JIUFENG_WARNING_LEAD, settings.JIUFENG_WARNING_LEADS_BY_KIND
    horizon, horizon_params = _per_kind_instant("d.kind", at, default, overrides)
    # The longest lead bounds the range scan on deadline_unwarned_due.
    longest = max([default, *overrides.values()])
    ids = _claim(
        f"d.warned_at IS NULL AND d.due_at > %s AND d.due_at <= %s AND d.due_at <= {horizon}",
        [db_datetime(at), db_datetime(at + longest), *horizon_params],
        among,
    )
    if not ids:
        return
    where, where_params = in_ids("id", ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE responsibility_deadline SET warned_at = %s WHERE {where}", [db_datetime(at), *where_params]
        )
    result.warned_ids = sorted(ids)
    history_insert(Deadline, ids, at=at, history_type="~", reason=HISTORY_REASON)
    sql, params = _warning_notices(ids, at=at)
    result.notifications += notify_from_sql(sql, params, at=at)


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
    6. draft the accountability proposals the escalations call for (services.accountability_proposals).
    A deadline met before the sweep is not open, so it is never escalated or warned.
    ``among`` limits the sweep to some deadlines (the demo replays its own history).
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
        result.proposal_ids = accountability_sweep_propose(at=at)
    return result


@transaction.atomic
def escalation_acknowledge(*, escalation_id: int, actor: User) -> Escalation:
    """The notified person says they have seen the escalation; the clock keeps running."""
    escalation = Escalation.objects.select_for_update(of=("self",)).select_related("unit").get(pk=escalation_id)
    if not can_acknowledge_escalation(actor, escalation):
        raise PermissionDenied
    if escalation.acknowledged_at is not None:
        raise ValidationError(_("This escalation has already been acknowledged."))
    escalation.acknowledged_by = actor
    escalation.acknowledged_at = timezone.now()
    escalation.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return escalation
