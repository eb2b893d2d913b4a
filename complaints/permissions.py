"""Pure predicates: may this user do this to this complaint? Scope comes from responsibility."""

from responsibility.permissions import can_handle_in, can_lead_in

from .models import Complaint, triage_unit


def can_triage(user, complaint: Complaint) -> bool:
    """Accept, reject, transfer or merge: staff handling in the triaging unit (the county 纠风办)."""
    return can_handle_in(user, triage_unit(complaint.subject_unit))


def can_handle(user, complaint: Complaint) -> bool:
    """Investigate, submit, close, decide a review: staff of the handling unit (or above), or triage."""
    if complaint.handling_unit is not None and can_handle_in(user, complaint.handling_unit):
        return True
    return can_triage(user, complaint)


def can_approve(user, complaint: Complaint) -> bool:
    """Approve or send back: a leader of the handling unit or above, never who submitted it."""
    if complaint.handling_unit is None or complaint.approval_requested_by_id == user.pk:
        return False
    return can_lead_in(user, complaint.handling_unit)
