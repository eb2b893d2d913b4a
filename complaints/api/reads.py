"""Reads the API adds to complaints.selectors: a case's full detail, its history, its acceptance deadline.

Each takes a fixed number of queries, whatever the number of activities, messages or
history rows. Scope is checked by complaints.selectors (Http404 out of scope).
"""

from ..models import Activity, Attachment, Complaint, ExtensionRequest, InternalNote, Measure, Message, Rating
from ..permissions import can_work_on
from ..selectors import (
    available_transitions,
    complaint_deadlines,
    complaint_get_for_user,
    complaint_records,
    people_attach,
)


def complaint_detail(*, user, pk: int) -> Complaint:
    """A case in the user's scope with all its detail shows attached (Http404 out of scope).

    Internal notes only for who works on the case (complaints.permissions.can_work_on),
    as on the staff case page; others in scope (the subject unit's staff, auditors) get none.
    The records are read as the case page reads its timeline (complaint_records), into
    ``<kind>_list`` attributes, and the users who name them in one query (people_attach).
    """
    complaint = complaint_get_for_user(user=user, pk=pk)

    def records(model, order):
        return complaint_records(complaint=complaint, model=model, order=order)

    complaint.activity_list = records(Activity, ("occurred_at",))
    complaint.message_list = records(Message, ("at",))
    complaint.note_list = records(InternalNote, ("at",)) if can_work_on(user, complaint) else []
    complaint.measure_list = records(Measure, ("review_round",))
    complaint.extension_list = records(ExtensionRequest, ("requested_at",))
    complaint.attachment_list = records(Attachment, ("uploaded_at",))
    # Only a reply is rated.
    complaint.rating_list = records(Rating, ("review_round",)) if complaint.replied_at else []
    people_attach(
        (complaint.activity_list, "recorded_by"),
        (complaint.activity_list, "voided_by"),
        (complaint.message_list, "author"),
        (complaint.note_list, "author"),
        (complaint.extension_list, "requested_by"),
        (complaint.extension_list, "decided_by"),
        (complaint.attachment_list, "uploaded_by"),
    )
    complaint.deadline_list = complaint_deadlines(complaint=complaint)
    complaint.transitions_available = available_transitions(
        user=user, complaint=complaint, extension_requests=complaint.extension_list
    )
    return complaint


# Never shown: the tracking code's hash stands in for a secret. The identity has its own
# table and history, never read here.
_HISTORY_HIDDEN = {"id", "tracking_code_hash"}
# Only what the history keeps: not due_at, a copy of the deadline ledger's (which has its own history).
_HISTORY_KEPT = {field.name for field in Complaint.history.model._meta.concrete_fields}
_HISTORY_FIELDS = [
    field
    for field in Complaint._meta.concrete_fields
    if field.name in _HISTORY_KEPT and field.name not in _HISTORY_HIDDEN
]


def complaint_history(*, complaint: Complaint) -> list[dict]:
    """The case's change history, oldest first: who changed which fields from what to what.

    Built from its django-simple-history rows: each row is compared with the one before
    (the first with nothing: the values it was filed with). The action is the change
    reason the services record (the transition's name, "file"), else + or ~.
    Caller has checked scope.
    """
    entries = []
    previous = None
    for record in complaint.history.select_related("history_user").order_by("history_date", "history_id"):
        changes = {}
        for field in _HISTORY_FIELDS:
            new = getattr(record, field.attname)
            old = None if previous is None else getattr(previous, field.attname)
            if (previous is None and new not in (None, "")) or (previous is not None and old != new):
                changes[field.name] = [old, new]
        entries.append(
            {
                "at": record.history_date,
                "user": str(record.history_user) if record.history_user else None,
                "action": record.history_change_reason or record.history_type,
                "changes": changes,
            }
        )
        previous = record
    return entries
