"""What the case page shows one user: the case, its timeline, and only the forms they may use now.

A fixed number of queries whatever the length of the case's history: the timeline comes
from one selector (one query per kind of record, one for every file of the case), the
deadlines and the measures are one query each; the permission predicates read the
user's scope once per request (responsibility.scoping.scope_roots).
"""

import html

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from ..forms.staff import ActivityForm, ExtensionRequestForm, InternalNoteForm, MessageForm
from ..guards import STAGE_DEADLINE, extension_pending
from ..models import ENDED_STATUSES, ActivityKind, Complaint, ComplaintStatus, ExtensionRequest, ExtensionState
from ..permissions import can_handle, can_view_identity, can_work_on
from ..selectors import (
    TimelineEntry,
    available_transitions,
    complaint_deadlines,
    complaint_duplicate_visible,
    complaint_filed_attachments,
    complaint_timeline,
)
from ..workflow import EVENTS, TRANSITIONS

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
    headings = {("transition", name): str(event.label) for name, event in EVENTS.items()}
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


# One entry of the staff timeline; {files} is complaints/staff/_attachments.html's markup.
_ENTRY = (
    '<li class="border-start border-4 ps-3 py-2 mb-2 {css}" data-kind="{kind}">'
    '<div class="small text-body-secondary">{when} · {actor}</div>'
    '<div class="fw-semibold">{heading}</div>{participants}{text}{decision}{files}</li>'
)


def _with_breaks(text: str) -> str:
    # What the linebreaksbr filter writes (escaped, each line break a <br>): the filter's lazy
    # string checks cost a third of the timeline.
    return html.escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _timeline_html(timeline: list[TimelineEntry], complaint: Complaint) -> str:
    """The staff timeline's entries, as markup: border, time, who, heading, text, files.

    Written here, each word translated once, not by a template loop: the loop was the page's
    hot spot (a case of sixty entries spent ~2 ms in the template engine's lookups, where
    this takes a tenth of it). Every value is escaped; headings are escaped unless safe.
    """
    headings = _headings()
    participants_label, decision_label = html.escape(gettext("Participants")), html.escape(gettext("Decision"))
    zone = timezone.get_current_timezone()
    entries = []
    for entry in timeline:
        record = entry.obj
        if entry.kind == "extension":
            heading = _extension_heading(record)
        elif entry.kind == "message":
            heading = headings["message", "to" if record.author_id else "from"]
        else:
            # A name no label knows shows as it is.
            heading = headings.get((entry.kind, entry.name), entry.name)
        participants = record.participants if entry.kind == "activity" else ""
        decision = record.decision_note if entry.kind == "extension" else ""
        files = ""
        if entry.attachments:
            context = {"complaint": complaint, "files": entry.attachments}
            files = render_to_string("complaints/staff/_attachments.html", context)
        entries.append(
            _ENTRY.format(
                css=TIMELINE_CSS[entry.kind],
                kind=html.escape(entry.kind),
                # As the date filter writes "Y-m-d H:i", in the active time zone.
                when=entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                actor=html.escape(str(entry.actor)),
                heading=conditional_escape(heading),
                participants=f'<div class="small">{participants_label}: {html.escape(participants)}</div>'
                if participants
                else "",
                text=f"<div>{_with_breaks(entry.text)}</div>" if entry.text else "",
                decision=f'<div class="small">{decision_label}: {html.escape(decision)}</div>' if decision else "",
                files=files,
            )
        )
    return mark_safe("".join(entries))  # noqa: S308 every value escaped above


def case_context(*, user, complaint: Complaint, forms: dict) -> dict:
    timeline = complaint_timeline(complaint=complaint, public=False, viewer=user)
    extension_requests = [entry.obj for entry in timeline if entry.kind == "extension"]
    extensions = _stage_extensions(extension_requests, complaint)
    return {
        "complaint": complaint,
        "timeline": timeline,
        "timeline_html": _timeline_html(timeline, complaint),
        "actions": [
            _form(forms, TRANSITIONS[name].form, complaint=complaint, user=user)
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
        # Linked only when the user may open it.
        "duplicate_visible": complaint_duplicate_visible(user=user, complaint=complaint),
        "may_see_identity": not complaint.anonymous and can_view_identity(user, complaint),
    }
