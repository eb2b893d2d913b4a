"""What auditors read: history rows as readable timeline rows, an object's timeline, a page of
the history search, and the same rows for an export.

One row shape (TimelineRow) for every page and export: when, who, which record, what kind of
change, why, and the fields' old and new values (audit.diffs). An object's timeline reads its
history table directly (by the copied id, indexed); a complaint's adds every record attached to
it, its transition log and the reads of its petitioner's identity, merged by time. Every read
takes a bounded number of queries, whatever the number of rows: one or two per source it holds
rows of and one per related model named.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, Value
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_history_model_for_model

from .actors import SYSTEM_USERNAME, reason_split
from .diffs import Change, local_minute, row_changes, rows_with_previous, tracked_model
from .models import HistoryEntry
from .search import Cursor, history_search

PAGE_SIZE = 50
TIMELINE_PAGE_SIZE = 100
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)

# Who made a row without a user: the petitioner (no account) where its change reason is one
# of theirs, or it is a record only they write without one (staff always name themselves on
# messages and files); else the system, whose every job (task, command, sweep) names itself
# in the reason. A row with neither is shown as not recorded.
PETITIONER_REASONS = frozenset({"file", "review", "rate", "message"})
PETITIONER_RECORDS = frozenset(
    {"complaints.message", "complaints.rating", "complaints.attachment", "complaints.petitioneridentity"}
)

ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
TRANSITION = "transition"
IDENTITY_READ = "identity_read"
LOGS = {TRANSITION: _("Transition log"), IDENTITY_READ: _("Identity access")}


@dataclass
class TimelineRow:
    """One thing that happened to a record. ``record`` is the model label ("complaints.activity")
    or a log (TRANSITION, IDENTITY_READ); ``action`` "+", "~", "-" or the log's."""

    at: datetime.datetime
    record: str
    record_name: str
    object_id: int
    actor: str
    action: str
    action_label: str
    reason: str
    changes: list[Change] = field(default_factory=list)
    note: str = ""
    # As recorded, for the API: the account's name (None: no account), the change reason or
    # transition name.
    user: str | None = None
    reason_code: str = ""
    # Orders rows of several sources that share a time: (at, source, id).
    key: tuple = ()

    @property
    def shown_at(self) -> str:
        return local_minute(self.at)

    def as_export(self) -> dict:
        """The row as one line of a spreadsheet: every value text, changes as "field: old → new"."""
        return {
            "at": self.at,
            "user": self.actor,
            "record": f"{self.record_name} #{self.object_id}",
            "action": self.action_label,
            "reason": self.reason,
            "changes": "；".join(change_text(change) for change in self.changes),
            "note": self.note,
        }

    def as_api(self) -> dict:
        """The row as the API gives it (audit.serializers.HistoryEntrySerializer): API.md's ``at``,
        ``user`` (the account, None without one), ``action`` (change reason or transition name,
        else + ~ -) and ``changes`` (``{"field": [old, new]}`` as stored, personal data null),
        and the additions: ``record``, ``actor`` and ``reason`` in words, readable ``fields``, ``note``."""
        return {
            "at": self.at,
            "user": self.user,
            "action": self.reason_code or self.action,
            "changes": {change.field: [change.old_value, change.new_value] for change in self.changes},
            "record": {"type": self.record, "name": self.record_name, "id": self.object_id},
            "actor": self.actor,
            "reason": self.reason,
            "fields": self.changes,
            "note": self.note,
        }


def change_text(change: Change) -> str:
    if change.masked:
        return str(_("%(field)s: changed (not shown)") % {"field": change.label})
    return f"{change.label}: {change.old or '—'} → {change.new or '—'}"


def cursor_encode(key: tuple) -> str:
    """A row's place as text for a link: its time in microseconds, then the rest of its key."""
    at, *rest = key
    return ".".join(str(part) for part in ((at - _EPOCH) // _MICROSECOND, *rest))


def cursor_decode(text: str, parts: int) -> tuple | None:
    """The key cursor_encode wrote, or None when ``text`` is not one of ``parts`` whole numbers."""
    pieces = text.split(".")
    if len(pieces) != parts or not all(piece.isascii() and piece.isdigit() and len(piece) <= 19 for piece in pieces):
        return None
    micros, *rest = (int(piece) for piece in pieces)
    try:
        at = _EPOCH + micros * _MICROSECOND
    except OverflowError:
        return None
    return (at, *rest)


def actor_label(user, reason: str, label: str = "") -> str:
    """Who made a change: the user's name, the system with the task or command that acted
    (audit.actors records it in the reason), or without a user the petitioner."""
    if user is not None:
        _action, origin = reason_split(reason)
        if origin and user.get_username() == SYSTEM_USERNAME:
            return str(_("System (%(job)s)") % {"job": origin})
        return str(user)
    if reason in PETITIONER_REASONS or (not reason and label in PETITIONER_RECORDS):
        return str(_("Petitioner"))
    if reason:
        return str(_("System (%(job)s)") % {"job": reason})
    return str(_("Not recorded"))


def reason_label(label: str, reason: str) -> str:
    """A change reason in words: a case's transitions by their timeline names, others as recorded;
    the task or command that acted is named with the actor, not here."""
    reason = reason_split(reason)[0]
    if label == "complaints.complaint" and reason:
        from complaints.workflow import EVENTS

        if reason in EVENTS:
            return str(EVENTS[reason].label)
    return reason


def _name(user) -> str | None:
    return None if user is None else str(user)


def _people(ids) -> dict:
    ids = set(ids) - {None}
    return get_user_model().objects.only("id", "username", "display_name").in_bulk(ids) if ids else {}


def history_timeline_rows(rows: list) -> list[TimelineRow]:
    """Timeline rows of history rows (any models, each with ``previous``, and ``rank`` where
    several sources merge): their changes named in one query per related model, their users
    in one more."""
    changes = row_changes(rows)
    people = _people(row.history_user_id for row in rows)
    built = []
    for row in rows:
        model = row.instance_type
        label = model._meta.label_lower
        reason = row.history_change_reason or ""
        built.append(
            TimelineRow(
                at=row.history_date,
                record=label,
                record_name=str(model._meta.verbose_name),
                object_id=getattr(row, model._meta.pk.attname),
                actor=actor_label(people.get(row.history_user_id), reason, label),
                action=row.history_type,
                action_label=str(ACTIONS.get(row.history_type, row.history_type)),
                reason=reason_label(label, reason),
                changes=changes[(label, row.history_id)],
                user=_name(people.get(row.history_user_id)),
                reason_code=reason,
                key=(row.history_date, getattr(row, "rank", 0), row.history_id),
            )
        )
    return built


# --- An object's timeline ----------------------------------------------------------------------


def _before(cursor: tuple | None, rank: int, at: str, pk: str) -> Q:
    """Rows of source ``rank`` older than ``cursor`` in the timeline's order (at, rank, id), newest first."""
    if cursor is None:
        return Q()
    cursor_at, cursor_rank, cursor_id = cursor
    if rank < cursor_rank:
        return Q(**{f"{at}__lte": cursor_at})
    if rank == cursor_rank:
        return Q(**{f"{at}__lt": cursor_at}) | Q(**{at: cursor_at, f"{pk}__lt": cursor_id})
    return Q(**{f"{at}__lt": cursor_at})


def _history_rows(model, objects: Q, rank: int, cursor, limit: int | None) -> list:
    """The history rows of ``model`` matching ``objects`` (the ``limit`` newest past the cursor),
    each with its previous row and its source's ``rank``."""
    history = get_history_model_for_model(model)
    matching = history.objects.filter(objects, _before(cursor, rank, "history_date", "history_id"))
    rows = rows_with_previous(model, matching.order_by("-history_date", "-history_id"), limit)
    for row in rows:
        row.rank = rank
    return rows


def _transition_rows(complaint_id: int, rank: int, cursor, limit: int | None) -> list[TimelineRow]:
    """The case's transition log: each step's statuses, the unit it gave the case, its note."""
    from complaints.models import ComplaintStatus, TransitionLog

    logs = (
        TransitionLog.objects.filter(Q(complaint_id=complaint_id), _before(cursor, rank, "at", "id"))
        .select_related("actor", "unit")
        .order_by("-at", "-id")
    )
    statuses = dict(ComplaintStatus.choices)
    rows = []
    for log in logs if limit is None else logs[:limit]:
        changes = [
            Change(
                "status",
                str(_("status")),
                str(statuses.get(log.from_status, log.from_status)),
                str(statuses.get(log.to_status, log.to_status)),
                log.from_status,
                log.to_status,
            )
        ]
        if log.unit_id:
            changes.append(Change("unit", str(_("unit")), "", log.unit.name, None, log.unit_id))
        rows.append(
            TimelineRow(
                at=log.at,
                record=TRANSITION,
                record_name=str(LOGS[TRANSITION]),
                object_id=log.pk,
                actor=actor_label(log.actor, log.name),
                action=TRANSITION,
                action_label=str(_("Transition")),
                reason=reason_label("complaints.complaint", log.name),
                changes=changes,
                note=log.note,
                user=_name(log.actor),
                reason_code=log.name,
                key=(log.at, rank, log.pk),
            )
        )
    return rows


def _identity_read_rows(complaint_id: int, rank: int, cursor, limit: int | None) -> list[TimelineRow]:
    """Who was shown the petitioner's identity, when, how and from which address (never the identity)."""
    from complaints.models import IdentityAccess

    reads = (
        IdentityAccess.objects.filter(Q(complaint_id=complaint_id), _before(cursor, rank, "at", "id"))
        .select_related("user")
        .order_by("-at", "-id")
    )
    return [
        TimelineRow(
            at=read.at,
            record=IDENTITY_READ,
            record_name=str(LOGS[IDENTITY_READ]),
            object_id=read.pk,
            actor=str(read.user),
            action=IDENTITY_READ,
            action_label=str(_("Identity shown")),
            reason=read.get_via_display(),
            note=read.address or "",
            user=str(read.user),
            reason_code=read.via,
            key=(read.at, rank, read.pk),
        )
        for read in (reads if limit is None else reads[:limit])
    ]


def _complaint_sources(complaint_id: int, *, internal_notes: bool, identity_reads: bool) -> list:
    """What a case's timeline reads besides the case's own history: each record attached to it
    (by the live table's complaint index: these records are never deleted), its deadlines in the
    ledger and their escalations, its transition log and the reads of its petitioner's identity.

    A kind the case holds nothing of is None (its place kept: a source's rank orders the rows
    and the page cursor): the ids of everything attached are read first, in one query, so a
    history table is read only for the kinds the case has (most cases have four or five of ten;
    each history query costs a millisecond or two of compiling and a round trip).
    """
    from complaints import models as c
    from responsibility.models import Deadline, Escalation

    records = [
        c.PetitionerIdentity,
        c.Activity,
        c.Message,
        *([c.InternalNote] if internal_notes else []),
        c.Attachment,
        c.Measure,
        c.ExtensionRequest,
        c.Rating,
    ]
    case_type = ContentType.objects.get_for_model(c.Complaint)
    kinds = [
        *(model.objects.filter(complaint_id=complaint_id) for model in records),
        Deadline.objects.filter(content_type=case_type, object_id=complaint_id),
        Escalation.objects.filter(deadline__content_type=case_type, deadline__object_id=complaint_id),
    ]
    first, *others = (
        kind.annotate(attached_kind=Value(number)).values_list("attached_kind", "id")
        for number, kind in enumerate(kinds)
    )
    attached = defaultdict(list)
    for number, pk in first.union(*others, all=True):
        attached[number].append(pk)
    return [
        *[
            (model, Q(id__in=attached[number])) if attached[number] else None
            for number, model in enumerate([*records, Deadline, Escalation])
        ],
        _transition_rows,
        *([_identity_read_rows] if identity_reads else []),
    ]


def object_timeline(
    *,
    label: str,
    object_id: int,
    before: tuple | None = None,
    limit: int | None = TIMELINE_PAGE_SIZE,
    internal_notes: bool = True,
    identity_reads: bool = True,
) -> tuple[list[TimelineRow], tuple | None]:
    """An object's history, newest first: ``limit`` rows older than the cursor ``before``, and the
    cursor of the next page (None at the end). ``limit`` None: every row.

    A complaint's also holds everything attached to it (_complaint_sources); ``internal_notes``
    and ``identity_reads`` False leave its internal notes and the reads of its identity out.
    Caller has checked who may read it. A bounded number of queries: a complaint's attached
    records' ids in one, then one per source (history or log; two where a row's previous row is
    on no page yet; none for a kind of record the case has none of), one per related model
    named, one for users.
    """
    model = tracked_model(label)
    if model is None:
        raise LookupError(label)
    sources = [(model, Q(**{model._meta.pk.attname: object_id}))]
    if label == "complaints.complaint":
        sources += _complaint_sources(object_id, internal_notes=internal_notes, identity_reads=identity_reads)
    take = None if limit is None else limit + 1
    rows = []
    history_rows = []
    for rank, source in enumerate(sources):
        if source is None:
            continue
        if callable(source):
            rows += source(object_id, rank, before, take)
        else:
            history_rows += _history_rows(*source, rank, before, take)
    rows += history_timeline_rows(history_rows)
    rows.sort(key=lambda row: row.key, reverse=True)
    if limit is not None and len(rows) > limit:
        return rows[:limit], rows[limit - 1].key
    return rows, None


# --- The search over all history ---------------------------------------------------------------


def search_page(*, filters: dict, after: Cursor | None = None, limit: int = PAGE_SIZE):
    """A page of the history search (audit.search.history_search's ``filters``), newest first, as
    timeline rows, and the cursor of the next page (None at the end; no count over all history).

    The index entries in one query, then per model on the page its history rows with their
    previous ones in one, and the names they need. An entry whose history row is gone (a
    deletion in the database, which verify_history reports) is shown without its changes.
    """
    entries = list(history_search(**filters, after=after).select_related("user")[: limit + 1])
    more = len(entries) > limit
    entries = entries[:limit]
    wanted = defaultdict(list)
    for entry in entries:
        wanted[entry.model].append(entry.history_id)
    rows = []
    for label, history_ids in wanted.items():
        model = tracked_model(label)
        if model is not None:
            history = get_history_model_for_model(model)
            rows += rows_with_previous(model, history.objects.filter(history_id__in=history_ids))
    built = {(row.record, row.key[2]): row for row in history_timeline_rows(rows)}
    page = [built.get((entry.model, entry.history_id)) or _entry_row(entry) for entry in entries]
    return page, (Cursor(entries[-1].at, entries[-1].id) if more else None)


def _entry_row(entry: HistoryEntry) -> TimelineRow:
    model = tracked_model(entry.model)
    return TimelineRow(
        at=entry.at,
        record=entry.model,
        record_name=str(model._meta.verbose_name) if model else entry.model,
        object_id=entry.object_id,
        actor=actor_label(entry.user if entry.user_id else None, entry.reason, entry.model),
        action=entry.action,
        action_label=str(ACTIONS.get(entry.action, entry.action)),
        reason=reason_label(entry.model, entry.reason),
        note=str(_("The history row is missing.")),
        key=(entry.at, 0, entry.history_id),
    )


# --- Rows for exports --------------------------------------------------------------------------

EXPORT_BATCH = 500


def search_export_rows(*, filters: dict) -> Iterator[dict]:
    """Every row the search ``filters`` match, as TimelineRow.as_export dicts, read a page at a time."""
    after = None
    while True:
        rows, after = search_page(filters=filters, after=after, limit=EXPORT_BATCH)
        yield from (row.as_export() for row in rows)
        if after is None:
            return


def timeline_export_rows(*, label: str, object_id: int) -> Iterator[dict]:
    """Every row of an object's timeline, as TimelineRow.as_export dicts, read a page at a time."""
    before = None
    while True:
        rows, before = object_timeline(label=label, object_id=object_id, before=before, limit=EXPORT_BATCH)
        yield from (row.as_export() for row in rows)
        if before is None:
            return
