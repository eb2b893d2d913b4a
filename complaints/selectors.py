"""Reads of complaints for pages and the API: scoped first, 404 for the rest.

Every staff read, a list or one case, starts from Complaint.objects.visible_to: a case out
of scope is not found, as one that does not exist.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from responsibility.models import Deadline
from responsibility.scoping import HANDLING, LEADING, covers_every_unit, unit_in_scope, units_in_scope

from . import permissions
from .models import (
    WAITING_STATUSES,
    Activity,
    Attachment,
    Complaint,
    ComplaintStatus,
    ExtensionRequest,
    ExtensionState,
    InternalNote,
    Message,
    Rating,
    TransitionLog,
)
from .tracking import complaint_by_tracking_code
from .workflow import EVENTS, STAFF_TRANSITIONS, Situation


def overdue(now: datetime.datetime | None = None) -> Q:
    """Of waiting cases (the inbox, the approval queue), those whose running stage is past due.

    Say the waiting statuses once: PostgreSQL multiplies each condition's share of the cases,
    so the bound said twice (or with ``due_at IS NOT NULL``, which only waiting cases have)
    counts the same cases out again. The county's overdue inbox at a million cases was
    estimated at 3 of 7,372 and sorted them all (118-143 ms); with the bound said once it
    walks complaint_waiting_due in due order to the first page (22 ms).
    """
    return Q(due_at__lt=now or timezone.now())


def overdue_cases(cases: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """The overdue cases of a list of every status: the bound lets complaint_waiting_due find them."""
    return cases.filter(status__in=WAITING_STATUSES).filter(overdue(now))


def _overdue() -> ExpressionWrapper:
    # Never NULL: a case with nothing running is not overdue, and "not overdue" finds it.
    running = Q(status__in=WAITING_STATUSES, due_at__isnull=False)
    return ExpressionWrapper(running & overdue(), output_field=BooleanField())


def complaint_list_for_user(*, user) -> QuerySet:
    """The complaints this user may see, newest first, each with its running deadline.

    ``due_at``: when the running stage is due (None when nothing runs, a column kept by the
    services); ``is_overdue``: it has passed.
    """
    return (
        Complaint.objects.visible_to(user)
        .select_related("subject_unit", "handling_unit", "reviewing_unit")
        # The categories by a query of their own: joined, the 25 of them were the outer side of
        # a nested loop over every case a filter matched, whenever PostgreSQL misjudged how
        # many (the county's overdue inbox at a million cases: 7,372 cases, estimated 3, 125 ms
        # of SQL; 47 ms without the join).
        .prefetch_related("category")
        .annotate(is_overdue=_overdue())
        .order_by("-submitted_at", "-pk")
    )


def complaint_get_for_user(*, user, pk: int) -> Complaint:
    """The case as complaint_list_for_user gives each row (its units, category, ``is_overdue``).

    Http404 when the user may not see it, as when it does not exist. One query, besides the
    user's scope that the request reads once.
    """
    # One row: the list's order would only cost a sort, and its category is one join.
    return get_object_or_404(complaint_list_for_user(user=user).order_by().select_related("category"), pk=pk)


def complaint_duplicate_visible(*, user, complaint: Complaint) -> bool:
    """May the user open the case this one possibly duplicates? Read once per case object (the
    case page asks, and so does its merge form): the hint alone says nothing of a case kept
    from the user (another unit's, or one about a unit they are in)."""
    if getattr(complaint, "_duplicate_visible", None) is None:
        duplicate = complaint.possible_duplicate_of_id
        complaint._duplicate_visible = bool(duplicate) and (
            Complaint.objects.visible_to(user).filter(pk=duplicate).exists()
        )
    return complaint._duplicate_visible


def complaint_by_code(*, code: str) -> Complaint | None:
    """The case a code tracks. Caller throttles guessing (complaints.tracking.track_lookup does both)."""
    # Unscoped by design: the code is the petitioner's proof, whoever holds it.
    return complaint_by_tracking_code(code)


def complaint_followed(complaint: Complaint) -> Complaint:
    """What the petitioner follows: a merged case follows its primary's progress (a primary is never merged)."""
    return complaint.merged_into if complaint.merged_into_id else complaint


def complaint_deadlines(*, complaint: Complaint) -> list[Deadline]:
    from responsibility.deadlines import deadlines_of

    return list(deadlines_of(target=complaint))


def complaint_inbox_for_user(*, user) -> QuerySet:
    """Cases waiting for this user to act: intake at a unit they triage for, work where they handle,
    approvals where they lead (never their own submission), and extension requests to decide."""
    if covers_every_unit(user, capacities=HANDLING):
        # Every unit's intake: each one is under a root the user triages for.
        intake = Q()
    else:
        intake = Q(pk__in=[])
        for path in units_in_scope(user, capacities=HANDLING).filter(depth=1).values_list("path", flat=True):
            intake |= Q(subject_unit__path__startswith=path) | Q(subject_unit__isnull=True)
    waiting = (
        (Q(status=ComplaintStatus.SUBMITTED) & intake)
        | (
            Q(status__in=[ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING])
            & unit_in_scope(user, "handling_unit", capacities=HANDLING)
        )
        # A review waits for the reviewing unit, not the unit reviewed (permissions.can_decide_review):
        # its staff, or its leaders where no unit is above the one reviewed.
        | (
            Q(status=ComplaintStatus.UNDER_REVIEW, review_by_leaders=False)
            & unit_in_scope(user, "reviewing_unit", capacities=HANDLING)
        )
        | (
            Q(status=ComplaintStatus.UNDER_REVIEW, review_by_leaders=True)
            & unit_in_scope(user, "reviewing_unit", capacities=LEADING)
        )
        | _approvals(user)
    )
    # The status bound first lets the partial index complaint_waiting_due carry the query in its order.
    return (
        complaint_list_for_user(user=user).filter(status__in=WAITING_STATUSES).filter(waiting).order_by("due_at", "pk")
    )


def _led_deciding_unit(user, prefix: str = "") -> Q:
    """The case's deciding unit is one the user leads: the handling unit, or in a review round the reviewing unit."""
    first_round = Q(**{f"{prefix}review_round": 0}) & unit_in_scope(user, f"{prefix}handling_unit", capacities=LEADING)
    review = Q(**{f"{prefix}review_round__gt": 0}) & unit_in_scope(user, f"{prefix}reviewing_unit", capacities=LEADING)
    return first_round | review


def _findings_to_approve(user) -> Q:
    """Findings awaiting a leader of the deciding unit, never their own submission."""
    return Q(status=ComplaintStatus.PENDING_APPROVAL) & _led_deciding_unit(user) & ~Q(approval_requested_by=user)


def _extensions_to_decide(user) -> QuerySet:
    """The ids of the cases whose extension request waits for this leader (never their own request)."""
    return (
        ExtensionRequest.objects.filter(_led_deciding_unit(user, "complaint__"), state=ExtensionState.PENDING)
        .exclude(requested_by=user)
        .values("complaint_id")
    )


def _approvals(user) -> Q:
    """Decisions awaiting a leader of the deciding unit: findings, and extensions to decide."""
    return _findings_to_approve(user) | Q(pk__in=_extensions_to_decide(user))


def complaint_findings_to_approve_for_user(*, user) -> QuerySet:
    """Findings a leader approves or sends back, the most urgent first."""
    # Apart from the extensions: an OR of the two kept PostgreSQL from walking the pending
    # findings' own index (complaint_pending_approval_due) in due order; it walked every
    # waiting case instead (a county leader at a million cases: 6,655 passed over for 50).
    return complaint_list_for_user(user=user).filter(_findings_to_approve(user)).order_by("due_at", "pk")


def complaint_extensions_to_decide_for_user(*, user) -> QuerySet:
    """Cases whose extension request a leader grants or refuses, the most urgent first."""
    return (
        complaint_list_for_user(user=user)
        .filter(status__in=WAITING_STATUSES, pk__in=_extensions_to_decide(user))
        .order_by("due_at", "pk")
    )


def available_transitions(*, user, complaint: Complaint, extension_requests=None) -> list[str]:
    """The staff transitions this user may fire on this case now, in the order declared.

    Each as its declaration in complaints.workflow allows it: from this status, permitted,
    and its guard passed (the services check the same under the row lock).
    ``extension_requests``: all of the case's, when the caller has read them already (the
    pending one is then found without a query; without them, one query at most, and only
    where an extension could be decided in this status).
    """
    case = Situation(complaint, extension_requests=extension_requests)
    return [transition.name for transition in STAFF_TRANSITIONS if transition.allowed(user, case)]


# --- The timeline: one list of what happened, for staff or for the petitioner ----------------


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str  # transition, activity, message, note, extension, rating
    name: str
    actor: str
    text: str
    obj: object = field(repr=False, default=None)
    # A message's or an activity's files.
    attachments: list = field(repr=False, default_factory=list)


def _actor_label(record, name: str, public: bool) -> str:
    """Who made the record (its ``name`` field): the system, or staff by name (by role when ``public``)."""
    if getattr(record, f"{name}_id") is None:
        return _("System")
    if public:
        # The tracking page never names staff (privacy, and no pressure on one officer).
        return _("Handling staff")
    user = getattr(record, name)
    return user.display_name or user.get_username()


def complaint_records(*, complaint: Complaint, model, order: tuple[str, ...], related: tuple[str, ...] = ()) -> list:
    """One case's ``model`` rows in ``order`` (then by id), with ``related`` joined; people_attach names their users.

    Caller has checked scope.
    """
    records = model.objects.filter(complaint=complaint).order_by(*order, "id")
    # Only when asked: select_related() without names joins every non-null foreign key, here
    # the case again with its category (and built them for each record).
    return list(records.select_related(*related) if related else records)


def people_attach(*groups: tuple[list, str]) -> None:
    """Give each record the user its field ``name`` points at, for ``(records, name)`` pairs: one
    query for every kind of record, each user with what names it (id, username, display name)."""
    ids = {getattr(record, f"{name}_id") for records, name in groups for record in records} - {None}
    people = get_user_model().objects.only("id", "username", "display_name").in_bulk(ids) if ids else {}
    for records, name in groups:
        for record in records:
            if (user_id := getattr(record, f"{name}_id")) is not None:
                setattr(record, name, people[user_id])


def complaint_attachments(*, complaint: Complaint) -> list[Attachment]:
    """Every file of the case (filed with it, or with a message or an activity), read once per case object."""
    if getattr(complaint, "_attachments", None) is None:
        complaint._attachments = complaint_records(complaint=complaint, model=Attachment, order=())
    return complaint._attachments


def complaint_filed_attachments(*, complaint: Complaint) -> list[Attachment]:
    """The files sent with the complaint itself (not with a message or an activity)."""
    return [a for a in complaint_attachments(complaint=complaint) if a.message_id is None and a.activity_id is None]


def complaint_timeline(
    *, complaint: Complaint, public: bool, viewer=None, attachments: bool = True
) -> list[TimelineEntry]:
    """Transitions, messages and, for staff, activities, extension requests, ratings and internal notes, by time.

    ``public``: the petitioner's view (plain words, staff as a role, no internal steps).
    Staff views pass ``viewer``: internal notes only for who works on the case.
    ``attachments``: give each message and activity entry its files, from one read of all
    the case's files (complaint_attachments, which then serves the filed ones as well).
    A fixed number of queries whatever the number of entries.
    """
    if not public and viewer is None:
        raise ValueError("A staff timeline needs its viewer.")
    entries: list[TimelineEntry] = []
    # The unit a log names (the handling unit on acceptance) joined: staff see it.
    logs = complaint_records(
        complaint=complaint, model=TransitionLog, order=("at",), related=() if public else ("unit",)
    )
    messages = complaint_records(complaint=complaint, model=Message, order=("at",))
    activities, requests, notes, ratings = [], [], [], []
    if not public:
        activities = complaint_records(complaint=complaint, model=Activity, order=("occurred_at",))
        requests = complaint_records(complaint=complaint, model=ExtensionRequest, order=("requested_at",))
        # Only a reply is rated.
        if complaint.replied_at is not None:
            ratings = complaint_records(complaint=complaint, model=Rating, order=("at",))
        if permissions.can_work_on(viewer, complaint):
            notes = complaint_records(complaint=complaint, model=InternalNote, order=("at",))
        # The petitioner never reads a staff name: no user rows for the public view.
        people_attach(
            (logs, "actor"),
            (messages, "author"),
            (activities, "recorded_by"),
            (requests, "requested_by"),
            (notes, "author"),
        )
    review_round = 0
    for log in logs:
        review_round += log.name == "review"
        if public:
            event = EVENTS.get(log.name)
            # Internal steps of the handling unit (and names no one declared) stay inside.
            if event is None or event.public is None:
                continue
            # Reasons owed to the petitioner (a refusal to accept, a transfer, an extension): the note.
            note = log.note if event.public_note else ""
            label = _("You") if log.name == "review" else _actor_label(log, "actor", True)
            entries.append(
                TimelineEntry(log.at, "transition", log.name, label, note or str(event.public_in(review_round)), log)
            )
        else:
            entries.append(
                TimelineEntry(log.at, "transition", log.name, _actor_label(log, "actor", False), log.note, log)
            )
    # A message's files and an activity's, by their record.
    files = defaultdict(list)
    if attachments:
        for attachment in complaint_attachments(complaint=complaint):
            if attachment.message_id is not None:
                files["message", attachment.message_id].append(attachment)
            elif attachment.activity_id is not None:
                files["activity", attachment.activity_id].append(attachment)
    for message in messages:
        if message.author_id is None:
            label = _("You") if public else _("Petitioner")
        else:
            label = _actor_label(message, "author", public)
        entries.append(
            TimelineEntry(
                message.at, "message", "message", label, message.body, message, files[("message", message.pk)]
            )
        )
    if not public:
        for activity in activities:
            entries.append(
                TimelineEntry(
                    activity.occurred_at,
                    "activity",
                    activity.kind,
                    _actor_label(activity, "recorded_by", False),
                    activity.summary,
                    activity,
                    files[("activity", activity.pk)],
                )
            )
        for request in requests:
            entries.append(
                TimelineEntry(
                    request.requested_at,
                    "extension",
                    request.state,
                    _actor_label(request, "requested_by", False),
                    request.reason,
                    request,
                )
            )
        for note in notes:
            entries.append(TimelineEntry(note.at, "note", "note", _actor_label(note, "author", False), note.body, note))
        for rating in ratings:
            entries.append(TimelineEntry(rating.at, "rating", rating.rating, _("Petitioner"), rating.comment, rating))
    entries.sort(key=lambda entry: entry.at)
    return entries
