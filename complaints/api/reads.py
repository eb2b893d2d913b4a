"""Reads the API adds to complaints.selectors: a case's full detail, its history, its acceptance deadline.

Each takes a fixed number of queries, whatever the number of activities, messages or
history rows. Scope is checked by complaints.selectors (Http404 out of scope).
"""

from audit.timeline import object_timeline

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


def complaint_history(*, user, complaint: Complaint) -> list[dict]:
    """The case's change history, oldest first: every change of the case and of every record
    attached to it (activities, messages, notes, files, measures, extensions, ratings,
    deadlines, the identity), and its transition log; auditors also read who was shown the
    identity. Each entry as audit.timeline.TimelineRow.as_api gives it (API.md's shape and
    its additions); personal data named as changed, its values null. Internal notes only for
    who works on the case, as on the case page. A fixed number of queries.
    Caller has checked scope.
    """
    auditor = user.has_perm("jiufeng.audit_history")
    rows, _more = object_timeline(
        label="complaints.complaint",
        object_id=complaint.pk,
        limit=None,
        internal_notes=auditor or can_work_on(user, complaint),
        identity_reads=auditor,
    )
    return [row.as_api() for row in reversed(rows)]
