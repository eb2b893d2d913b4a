"""Pure predicates: who may run an appraisal and who approves its results."""

from responsibility.permissions import can_handle_in, can_lead_in

from .models import Appraisal


def can_run_appraisal(user, appraisal: Appraisal) -> bool:
    """Prepare, open, close and score it, issue its codes: who handles in the organising unit."""
    return can_handle_in(user, appraisal.organiser)


def can_approve_appraisal(user, appraisal: Appraisal) -> bool:
    """Approve its results for publication: a leader of the organising unit."""
    return can_lead_in(user, appraisal.organiser)
