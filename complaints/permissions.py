"""Pure predicates: may this user do this to this complaint? Scope comes from responsibility.

Staff in the unit complained about may do nothing on the case (in_subject_unit): the case
is not even visible to them (Complaint.objects.visible_to), and every predicate here says
no as well, so a service called without the scoped read refuses them too. A leader
assignment (领导包片) gives no capacity these predicates accept: it is oversight only.
"""

from responsibility.models import Unit
from responsibility.permissions import can_handle_in, can_lead_in
from responsibility.scoping import own_unit_paths

from .models import Complaint, triage_unit


def _triage_at(complaint: Complaint) -> Unit | str:
    """The triaging unit, for scope checks: its path when the case names a unit.

    It is the root of the subject unit's tree (models.triage_unit), so its path is the
    subject's first step and needs no query; a case naming no unit reads the first root,
    once per case object (a page asks each predicate, and most of them end here).
    """
    if complaint.subject_unit is not None:
        return complaint.subject_unit.path[: Unit.steplen]
    if getattr(complaint, "_triage_unit", None) is None:
        complaint._triage_unit = triage_unit(None)
    return complaint._triage_unit


def in_subject_unit(user, complaint: Complaint) -> bool:
    """Is the user in the unit complained about (a post in it or below it; scoping.units_containing)?"""
    subject = complaint.subject_unit
    return subject is not None and subject.path in own_unit_paths(user)


def can_triage(user, complaint: Complaint) -> bool:
    """Accept, reject, transfer or merge: staff handling in the triaging unit (the county 纠风办)."""
    return can_handle_in(user, _triage_at(complaint)) and not in_subject_unit(user, complaint)


def can_handle(user, complaint: Complaint) -> bool:
    """Investigate, submit, close, decide a review: staff of the handling unit (or above), or triage."""
    if complaint.handling_unit is not None and can_handle_in(user, complaint.handling_unit):
        return not in_subject_unit(user, complaint)
    return can_triage(user, complaint)


def can_approve(user, complaint: Complaint) -> bool:
    """Approve or send back: a leader of the deciding unit or above, never who submitted it.

    The deciding unit is the handling unit for the first finding, the reviewing unit for a
    review decision (whose approver is also never of the unit reviewed: can_decide_review).
    """
    if complaint.approval_requested_by_id == user.pk:
        return False
    if in_subject_unit(user, complaint):
        return False
    if complaint.review_round:
        return _reviews(user, complaint, can_lead_in)
    return complaint.handling_unit is not None and can_lead_in(user, complaint.handling_unit)


def _reviews(user, complaint: Complaint, capacity) -> bool:
    """``capacity`` (can_handle_in or can_lead_in) in the reviewing unit, and not of the unit reviewed.

    Where no unit is above the unit reviewed, the root's leadership reviews: only leaders.
    Otherwise nobody in the handling unit (a post in it or under it: scoping.own_unit_paths)
    decides its review, whatever a wider scope gives them; nor anyone in the unit complained about.
    """
    unit = complaint.reviewing_unit
    if unit is None or in_subject_unit(user, complaint):
        return False
    if complaint.review_by_leaders:
        return can_lead_in(user, unit)
    if complaint.handling_unit is not None and complaint.handling_unit.path in own_unit_paths(user):
        return False
    return capacity(user, unit)


def can_decide_review(user, complaint: Complaint) -> bool:
    """Record a review decision (复查, 复核): staff handling in the reviewing unit or above it.

    Never the original handling unit's staff; where no unit is above, the root's leaders.
    With no review asked there is nothing to decide: a matter of state (409), as for the
    handling unit's other steps.
    """
    if complaint.reviewing_unit_id is None:
        return can_handle(user, complaint)
    return _reviews(user, complaint, can_handle_in)


def can_decide_extension(user, complaint: Complaint, request=None) -> bool:
    """Approve or refuse an extension: a leader of the unit the stage is owed by, never who asked.

    ``request``: the pending request, if there is one (with none, there is nothing to
    decide: complaints.workflow's guard says so, as a matter of state).
    """
    if request is not None and request.requested_by_id == user.pk:
        return False
    if in_subject_unit(user, complaint):
        return False
    if complaint.review_round:
        # A review's time is owed by the reviewing unit.
        return _reviews(user, complaint, can_lead_in)
    return can_lead_in(user, complaint.handling_unit or _triage_at(complaint))


def can_investigate(user, complaint: Complaint) -> bool:
    """Record activities and ask for more time: who handles the case, or in a review who decides it."""
    return can_handle(user, complaint) or can_decide_review(user, complaint)


def can_work_on(user, complaint: Complaint) -> bool:
    """Read internal notes, write to the petitioner: whoever handles the case or decides its review,
    or leads the handling unit."""
    if can_handle(user, complaint) or can_decide_review(user, complaint):
        return True
    return (
        complaint.handling_unit is not None
        and can_lead_in(user, complaint.handling_unit)
        and not in_subject_unit(user, complaint)
    )


def can_view_identity(user, complaint: Complaint) -> bool:
    """See who filed: the permission and working on the case (never in the unit complained about)."""
    return user.has_perm("jiufeng.view_identity") and can_work_on(user, complaint)


def can_write_typical_case(user, complaint: Complaint) -> bool:
    """Propose the case as a typical case (典型案例) and write its account: who handles the case."""
    return can_handle(user, complaint)


def can_publish_typical_case(user, typical_case) -> bool:
    """Publish or return a typical case: a leader of the handling unit or above, never its writer."""
    complaint = typical_case.complaint
    if typical_case.written_by_id == user.pk or in_subject_unit(user, complaint):
        return False
    return complaint.handling_unit is not None and can_lead_in(user, complaint.handling_unit)
