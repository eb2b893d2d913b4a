"""Every transition of a case, declared once.

Each declaration says who may fire the transition (``permission``), what it needs beyond
its source status (``guard``, complaints.guards), the service that fires it, the form the
case page shows for it and the serializer the API reads its input with, and how the staff
and the petitioner's timelines name it. Everything else reads them:

- the services check the declared permission and guard under the row lock
  (``transition_check``) before they fire the FSM method (complaints.transitions, the only
  code that fires one);
- the case page and the API find a transition by its name (``staff_transition``), refuse
  who may not fire it, validate its input with the declared form or serializer, and call
  the declared service with the typed values these give (a Unit, an int, clean strings);
- what a user may do now (complaints.selectors.available_transitions) is the staff
  transitions whose status, permission and guard allow it, in the order declared here;
- the timelines name each log entry by its declaration (``EVENTS``).

Declared with jiufeng.workflow.Transition, which names the service, the form and the
serializer by dotted path (the services read this module; the forms and serializers read
the services); tests/complaints/test_workflow.py resolves every one.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import jiufeng.workflow

from . import guards, permissions
from .models import Complaint


class Situation:
    """A case as the permissions and guards read it; what the caller has read is not read again.

    ``extension_requests``: all of the case's requests, when the caller has read them (the
    case page's timeline, the API's detail): the pending one is then found without a query.
    """

    def __init__(self, complaint: Complaint, *, extension_requests=None):
        self.complaint = complaint
        self._extension_requests = extension_requests

    @functools.cached_property
    def pending_extension(self):
        return guards.extension_pending(self.complaint, self._extension_requests)


def _state_refusal(complaint: Complaint) -> str:
    return _("This case is “%(status)s”: that cannot be done now.") % {"status": complaint.get_status_display()}


# --- Permissions (complaints.permissions) and guards (complaints.guards), as declarations read them ---


def _may_triage(user, case: Situation) -> bool:
    return permissions.can_triage(user, case.complaint)


def _may_handle(user, case: Situation) -> bool:
    return permissions.can_handle(user, case.complaint)


def _may_decide_review(user, case: Situation) -> bool:
    return permissions.can_decide_review(user, case.complaint)


def _review_denied(complaint: Complaint) -> str:
    return _("Only the reviewing unit (%(unit)s) decides this review, never the unit whose decision is reviewed.") % {
        "unit": complaint.reviewing_unit or "—"
    }


def _may_approve(user, case: Situation) -> bool:
    return permissions.can_approve(user, case.complaint)


def _may_decide_extension(user, case: Situation) -> bool:
    return permissions.can_decide_extension(user, case.complaint, case.pending_extension)


def _extension_awaits(case: Situation) -> str | None:
    # Nothing to decide: the case is not in a state for it.
    return None if case.pending_extension is not None else _state_refusal(case.complaint)


def _review_possible(case: Situation) -> str | None:
    return guards.review_refusal(case.complaint)


def _closable(case: Situation) -> str | None:
    return guards.close_refusal(case.complaint)


# --- The declarations -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Event:
    """One kind of entry in a case's transition log, as the timelines name it."""

    name: str
    # The staff timeline's heading.
    label: Promise
    # The petitioner's timeline: plain words, or None for an internal step they never see.
    public: Promise | None
    # The log's note is a reason owed to the petitioner (a refusal, a transfer, an extension).
    public_note: bool = False
    # The petitioner's words in review rounds 1 (复查) and 2 (复核), where they differ from ``public``.
    public_rounds: tuple[Promise, Promise] | None = None

    def public_in(self, review_round: int) -> Promise | None:
        """The petitioner's words for this entry made in ``review_round``."""
        if self.public_rounds is None or not review_round:
            return self.public
        return self.public_rounds[review_round - 1]


def _denied(complaint: Complaint) -> str:
    return _("You may not do this on this case.")


def _complaint_of(case: Situation) -> Complaint:
    return case.complaint


@dataclass(frozen=True, kw_only=True)
class Transition(jiufeng.workflow.Transition, Event):
    """A transition of a case (the Complaint FSM method of this name), also named in the timelines.

    Its permission and guard read the case as a Situation. Staff transitions have a form
    (the case page) and an input serializer (the API); the petitioner's review has neither.
    """

    state_refusal: Callable[[Complaint], str] = _state_refusal
    denied: Callable[[Complaint], str] = _denied
    target: Callable[[Situation], Complaint] = _complaint_of

    @property
    def staff(self) -> bool:
        return self.form_path is not None


def _staff(name: str, form: str, serializer: str, **declared) -> Transition:
    return Transition(
        name=name,
        service_path=f"complaints.transitions.complaint_{name}",
        form_path=f"complaints.forms.staff.{form}",
        input_path=f"complaints.api.serializers.{serializer}",
        **declared,
    )


# The staff transitions, in the order the case page and available_transitions list them.
STAFF_TRANSITIONS: tuple[Transition, ...] = (
    _staff(
        "accept",
        "AcceptForm",
        "ComplaintTransitionAcceptSerializer",
        permission=_may_triage,
        label=gettext_lazy("Accepted"),
        public=gettext_lazy("Accepted; a unit is investigating"),
    ),
    _staff(
        "reject",
        "RejectForm",
        "ComplaintTransitionReasonSerializer",
        permission=_may_triage,
        label=gettext_lazy("Not accepted"),
        public=gettext_lazy("Not accepted"),
        public_note=True,
    ),
    _staff(
        "transfer",
        "TransferForm",
        "ComplaintTransitionTransferSerializer",
        permission=_may_triage,
        label=gettext_lazy("Transferred"),
        public=gettext_lazy("Transferred to the authority responsible"),
        public_note=True,
    ),
    _staff(
        "merge",
        "MergeForm",
        "ComplaintTransitionMergeSerializer",
        permission=_may_triage,
        label=gettext_lazy("Merged as a duplicate"),
        public=gettext_lazy("Merged with a case about the same matter"),
    ),
    _staff(
        "start_investigation",
        "StartInvestigationForm",
        "ComplaintTransitionSerializer",
        permission=_may_handle,
        label=gettext_lazy("Investigation started"),
        public=gettext_lazy("Investigation started"),
    ),
    _staff(
        "submit_for_approval",
        "SubmitForApprovalForm",
        "ComplaintTransitionDecisionSerializer",
        permission=_may_handle,
        label=gettext_lazy("Finding submitted for approval"),
        public=None,
    ),
    _staff(
        "approve",
        "ApproveForm",
        "ComplaintTransitionNoteSerializer",
        permission=_may_approve,
        label=gettext_lazy("Approved; the reply went to the petitioner"),
        public=gettext_lazy("Reply issued"),
        public_rounds=(
            gettext_lazy("Review decision issued"),
            gettext_lazy("Re-review decision issued; the matter is closed"),
        ),
    ),
    _staff(
        "send_back",
        "SendBackForm",
        "ComplaintTransitionReasonSerializer",
        permission=_may_approve,
        label=gettext_lazy("Sent back for more investigation"),
        public=None,
    ),
    _staff(
        "approve_extension",
        "ApproveExtensionForm",
        "ComplaintTransitionNoteSerializer",
        permission=_may_decide_extension,
        guard=_extension_awaits,
        label=gettext_lazy("Extension approved"),
        public=gettext_lazy("Time limit extended"),
        public_note=True,
    ),
    _staff(
        "refuse_extension",
        "RefuseExtensionForm",
        "ComplaintTransitionRefusalSerializer",
        permission=_may_decide_extension,
        guard=_extension_awaits,
        label=gettext_lazy("Extension refused"),
        public=None,
    ),
    _staff(
        "decide_review",
        "DecideReviewForm",
        "ComplaintTransitionDecisionSerializer",
        permission=_may_decide_review,
        denied=_review_denied,
        label=gettext_lazy("Review decision submitted for approval"),
        public=None,
    ),
    _staff(
        "close",
        "CloseForm",
        "ComplaintTransitionSerializer",
        permission=_may_handle,
        guard=_closable,
        by_system=True,
        label=gettext_lazy("Closed"),
        public=gettext_lazy("Case closed"),
    ),
)

# The petitioner's own transition: asked by tracking code, never fired by staff.
REVIEW = Transition(
    name="review",
    service_path="complaints.transitions.complaint_review",
    permission=None,
    guard=_review_possible,
    label=gettext_lazy("The petitioner asked for a review"),
    public=gettext_lazy("Review requested"),
    public_rounds=(gettext_lazy("Review requested"), gettext_lazy("Re-review requested")),
)

TRANSITIONS: dict[str, Transition] = {t.name: t for t in (*STAFF_TRANSITIONS, REVIEW)}

# Every name a case's log holds: the filing, then its transitions.
EVENTS: dict[str, Event] = {
    "file": Event(name="file", label=gettext_lazy("Complaint filed"), public=gettext_lazy("Complaint received")),
    **TRANSITIONS,
}


class UnknownTransition(LookupError):
    """No staff transition has this name: the page and the API answer 404."""


def staff_transition(name: str) -> Transition:
    transition = TRANSITIONS.get(name)
    if transition is None or not transition.staff:
        raise UnknownTransition(name)
    return transition


def transition_check(name: str, complaint: Complaint, actor, *, guarded: bool = True) -> Situation:
    """Refuse ``actor`` (None: the system) firing transition ``name`` on the locked case now, or pass.

    Raises PermissionDenied or TransitionNotAllowed (Transition.refusal); answers the
    situation read for the check (its pending extension, for the extension services).
    ``guarded``: False skips the guard (a satisfied petitioner closes within the window).
    """
    case = Situation(complaint)
    TRANSITIONS[name].check(case, actor, guarded=guarded)
    return case
