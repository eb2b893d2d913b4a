"""What the case page shows one user: the case, its timeline, and only the forms they may use now.

A fixed number of queries whatever the length of the case's history: the timeline comes
from one selector (one query per kind of record, one for every file of the case), the
deadlines and the measures are one query each; the permission predicates read the
user's scope once per request (responsibility.selectors.scope_roots).
"""

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..forms.staff import TRANSITION_FORMS, ActivityForm, ExtensionRequestForm, InternalNoteForm, MessageForm
from ..models import ENDED_STATUSES, ActivityKind, Complaint, ComplaintStatus, ExtensionRequest, ExtensionState
from ..permissions import can_handle, can_view_identity, can_work_on
from ..selectors import (
    TimelineEntry,
    available_transitions,
    complaint_deadlines,
    complaint_filed_attachments,
    complaint_timeline,
)
from ..transitions import STAGE_DEADLINE, extension_pending

# Activities are recorded while the facts are being established.
INVESTIGATING = {ComplaintStatus.INVESTIGATING, ComplaintStatus.UNDER_REVIEW}


def _form(forms: dict, form_class, *, complaint: Complaint, user):
    # A form the user just sent comes back with its input and errors; the others are fresh.
    return forms.get(form_class.prefix_name) or form_class(complaint=complaint, user=user)


def _stage_extensions(requests: list[ExtensionRequest], complaint: Complaint) -> list[ExtensionRequest]:
    """The extension requests made for the stage the case is in now."""
    stage = STAGE_DEADLINE.get(complaint.status)
    return [r for r in requests if r.stage == stage and r.review_round == complaint.review_round]


def _may_request_extension(complaint: Complaint, extensions: list[ExtensionRequest]) -> bool:
    # Once per stage: a pending or approved request blocks another; a refused one does not.
    return complaint.status in STAGE_DEADLINE and all(r.state == ExtensionState.REFUSED for r in extensions)


def _record_forms(*, user, complaint: Complaint, forms: dict, extensions) -> list:
    wanted = []
    if complaint.status in INVESTIGATING and can_handle(user, complaint):
        wanted.append(ActivityForm)
    if can_work_on(user, complaint):
        if complaint.status not in ENDED_STATUSES:
            wanted.append(MessageForm)
        wanted.append(InternalNoteForm)
    if can_handle(user, complaint) and _may_request_extension(complaint, extensions):
        wanted.append(ExtensionRequestForm)
    return [_form(forms, form_class, complaint=complaint, user=user) for form_class in wanted]


# How a transition reads in the staff timeline.
TRANSITION_LABELS = {
    "file": _("Complaint filed"),
    "accept": _("Accepted"),
    "reject": _("Not accepted"),
    "transfer": _("Transferred"),
    "merge": _("Merged as a duplicate"),
    "start_investigation": _("Investigation started"),
    "submit_for_approval": _("Finding submitted for approval"),
    "approve": _("Approved; the reply went to the petitioner"),
    "send_back": _("Sent back for more investigation"),
    "review": _("The petitioner asked for a review"),
    "decide_review": _("Review decided; a new reply went to the petitioner"),
    "close": _("Closed"),
    "approve_extension": _("Extension approved"),
    "refuse_extension": _("Extension refused"),
}


# The border of each kind of entry in the staff timeline.
TIMELINE_CSS = {
    "transition": "border-secondary-subtle",
    "activity": "border-success",
    "message": "border-primary",
    "note": "border-warning bg-warning-subtle",
    "extension": "border-info",
}


def _extension_heading(request: ExtensionRequest) -> str:
    requested = ngettext(
        "Extension of %(days)s day requested", "Extension of %(days)s days requested", request.days
    ) % {"days": request.days}
    return f"{requested} · {request.get_state_display()}"


def _headings() -> dict:
    """The heading of every entry but an extension request's, by (kind, name), translated once."""
    headings = {("transition", name): str(label) for name, label in TRANSITION_LABELS.items()}
    activity = gettext("Investigation activity")
    for kind, label in ActivityKind.choices:
        headings["activity", kind] = format_html('<span class="badge text-bg-success">{}</span> {}', label, activity)
    headings["message", "to"] = gettext("Message to the petitioner")
    headings["message", "from"] = gettext("Message from the petitioner")
    headings["note", "note"] = format_html(
        '{} <span class="badge text-bg-warning">{}</span>',
        gettext("Internal note"),
        gettext("internal, never shown to the petitioner"),
    )
    return headings


def _timeline_shown(timeline: list[TimelineEntry]) -> None:
    """Give each entry what the staff timeline shows of it: its border, heading and time.

    Worked out here, with each word translated once, because the template's loop is the
    page's hot spot: a chain of kind tests, filters and translations per entry there cost
    more than the rest of the page.
    """
    headings = _headings()
    zone = timezone.get_current_timezone()
    for entry in timeline:
        record = entry.obj
        entry.css = TIMELINE_CSS[entry.kind]
        if entry.kind == "extension":
            entry.heading = _extension_heading(record)
        elif entry.kind == "message":
            entry.heading = headings["message", "to" if record.author_id else "from"]
        else:
            # A name no label knows shows as it is.
            entry.heading = headings.get((entry.kind, entry.name), entry.name)
        # As the date filter writes "Y-m-d H:i", in the active time zone.
        entry.when = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        entry.participants = record.participants if entry.kind == "activity" else ""
        entry.decision_note = record.decision_note if entry.kind == "extension" else ""


def case_context(*, user, complaint: Complaint, forms: dict) -> dict:
    timeline = complaint_timeline(complaint=complaint, public=False, viewer=user)
    _timeline_shown(timeline)
    extension_requests = [entry.obj for entry in timeline if entry.kind == "extension"]
    extensions = _stage_extensions(extension_requests, complaint)
    duplicate = complaint.possible_duplicate_of_id
    return {
        "complaint": complaint,
        "timeline": timeline,
        "actions": [
            _form(forms, TRANSITION_FORMS[name], complaint=complaint, user=user)
            for name in available_transitions(user=user, complaint=complaint, extension_requests=extension_requests)
        ],
        "records": _record_forms(user=user, complaint=complaint, forms=forms, extensions=extensions),
        "pending_extension": extension_pending(complaint, extensions),
        "deadlines": complaint_deadlines(complaint=complaint),
        # Read with the timeline's files.
        "attachments": complaint_filed_attachments(complaint=complaint),
        "measures": list(
            complaint.measures.filter(review_round=complaint.review_round).select_related("responsible_unit")
        ),
        # Linked only when the user may open it: the hint alone says nothing of another unit's case.
        "duplicate_visible": bool(duplicate) and Complaint.objects.visible_to(user).filter(pk=duplicate).exists(),
        "may_see_identity": not complaint.anonymous and can_view_identity(user, complaint),
    }
