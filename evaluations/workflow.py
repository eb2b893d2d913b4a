"""The transitions of an appraisal, each declared once (jiufeng.workflow.Transition).

Officers of the organising unit open, close and score it; a leader of that unit approves
the results for publication. The services check a declaration under their row lock.
"""

from django.utils.translation import gettext as _

from jiufeng.workflow import Transition

from . import permissions


def _refused(appraisal) -> str:
    return _("This appraisal is “%(state)s”: that cannot be done now.") % {"state": appraisal.get_state_display()}


def _transition(name: str, service_path: str, permission) -> Transition:
    return Transition(name=name, service_path=service_path, permission=permission, state_refusal=_refused)


APPRAISAL_TRANSITIONS: dict[str, Transition] = {
    "open": _transition("open", "evaluations.services.appraisals.appraisal_open", permissions.can_run_appraisal),
    "close": _transition("close", "evaluations.services.appraisals.appraisal_close", permissions.can_run_appraisal),
    "score": _transition("score", "evaluations.services.scoring.appraisal_score", permissions.can_run_appraisal),
    "publish": _transition(
        "publish", "evaluations.services.scoring.appraisal_publish", permissions.can_approve_appraisal
    ),
}
