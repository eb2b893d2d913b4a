"""Pure predicates: who may run an appraisal and who approves its results."""

from responsibility.permissions import can_handle_in, can_lead_in

from .models import Appraisal


def can_run_appraisal(user, appraisal: Appraisal) -> bool:
    """Prepare, open, close and score it, issue its codes: who handles in the organising unit."""
    return can_handle_in(user, appraisal.organiser)


def can_approve_appraisal(user, appraisal: Appraisal) -> bool:
    """Approve its results for publication: a leader of the organising unit."""
    return can_lead_in(user, appraisal.organiser)


def can_write_questionnaire(user) -> bool:
    """Draft questionnaires: staff who handle cases. Questionnaires are templates shared by every appraisal."""
    return user.has_perm("jiufeng.handle_cases")


def can_edit_questionnaire(user, questionnaire) -> bool:
    """Change a shared template's questions: only who wrote it; anyone else copies it (questionnaire_copy),
    so an appraisal another office prepares never finds its questions changed under it."""
    return can_write_questionnaire(user) and questionnaire.created_by_id == user.pk


def can_appoint_evaluator(user, unit) -> bool:
    """Appoint conduct supervisors and deputies for a unit, or end their terms: who handles in it."""
    return can_handle_in(user, unit)
