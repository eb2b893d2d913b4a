"""What the case page shows one user: the case, its timeline, and only the forms they may use now.

A fixed number of queries whatever the length of the case's history: the timeline comes
from one selector (one query per kind of record, one for every file of the case), the
deadlines and the measures are one query each; the permission predicates read the
user's scope once per request (responsibility.scoping.scope_roots).
"""

import html

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from ..forms.staff import ActivityForm, ExtensionRequestForm, InternalNoteForm, MessageForm
from ..guards import extension_pending, stage_deadline
from ..models import (
    ENDED_STATUSES,
    ActivityKind,
    Complaint,
    ExtensionRequest,
    ExtensionState,
    RatingValue,
)
from ..permissions import can_investigate, can_view_identity, can_work_on, can_write_typical_case
from ..selectors import (
    TimelineEntry,
    available_transitions,
    complaint_deadlines,
    complaint_duplicate_visible,
    complaint_filed_attachments,
    complaint_timeline,
)
from ..services import activity_changeable
from ..templatetags.cases import RATING_CLASSES
from ..typical_cases import typical_case_refusal
from ..workflow import EVENTS, TRANSITIONS


def _form(forms: dict, form_class, *, complaint: Complaint, user):
    # A form the user just sent comes back with its input and errors; the others are fresh.
    return forms.get(form_class.prefix_name) or form_class(complaint=complaint, user=user)


def _stage_extensions(requests: list[ExtensionRequest], complaint: Complaint) -> list[ExtensionRequest]:
    """The extension requests made for the stage the case is in now."""
    stage = stage_deadline(complaint)
    return [r for r in requests if r.stage == stage and r.review_round == complaint.review_round]


def _may_request_extension(complaint: Complaint, extensions: list[ExtensionRequest]) -> bool:
    # Once per stage: a pending or approved request blocks another; a refused one does not.
    return stage_deadline(complaint) is not None and all(r.state == ExtensionState.REFUSED for r in extensions)


def _record_forms(*, user, complaint: Complaint, forms: dict, extensions) -> list:
    wanted = []
    if activity_changeable(user, complaint):
        wanted.append(ActivityForm)
    if can_work_on(user, complaint):
        if complaint.status not in ENDED_STATUSES:
            wanted.append(MessageForm)
        wanted.append(InternalNoteForm)
    if can_investigate(user, complaint) and _may_request_extension(complaint, extensions):
        wanted.append(ExtensionRequestForm)
    return [_form(forms, form_class, complaint=complaint, user=user) for form_class in wanted]


# The border of each kind of entry in the staff timeline.
TIMELINE_CSS = {
    "transition": "border-secondary-subtle",
    "activity": "border-success",
    "message": "border-primary",
    "note": "border-warning bg-warning-subtle",
    "extension": "border-info",
    "rating": "border-danger",
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
    rated = gettext("Petitioner's rating")
    for value, label in RatingValue.choices:
        css = RATING_CLASSES[value]
        headings["rating", value] = format_html('{} <span class="badge {}">{}</span>', rated, css, label)
    headings["message", "to"] = gettext("Message to the petitioner")
    headings["message", "from"] = gettext("Message from the petitioner")
    headings["note", "note"] = format_html(
        '{} <span class="badge text-bg-warning">{}</span>',
        gettext("Internal note"),
        gettext("internal, never shown to the petitioner"),
    )
    return headings


# One entry of the staff timeline; {files} is complaints/staff/_attachments.html's markup,
# {details} the entry's small lines (what was checked, the unit, a correction, a void).
_ENTRY = (
    '<li class="border-start border-4 ps-3 py-2 mb-2 {css}" data-kind="{kind}">'
    '<div class="small text-body-secondary">{when} · {actor}</div>'
    '<div class="fw-semibold">{heading}</div>{participants}{text}{decision}{details}{files}</li>'
)


def _with_breaks(text: str) -> str:
    # What the linebreaksbr filter writes (escaped, each line break a <br>): the filter's lazy
    # string checks cost a third of the timeline.
    return html.escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _small(label: str, value: str, css: str = "small") -> str:
    return f'<div class="{css}">{html.escape(label)}: {html.escape(value)}</div>'


def _activity_details(activity, words: dict, edit_url: str) -> str:
    """What was checked, a correction's reason, a void's reason, and the link to change it.

    ``edit_url``: the change page's URL with ``{id}`` for the activity, or "" when the
    viewer may not change activities now.
    """
    parts = []
    if activity.checked:
        parts.append(_small(words["checked"], "、".join(activity.checked_labels())))
    if activity.corrected_at is not None:
        corrected = timezone.localtime(activity.corrected_at).strftime("%Y-%m-%d %H:%M")
        parts.append(_small(f"{words['corrected']} {corrected}", activity.correction_reason))
    if activity.voided:
        parts.append(_small(words["void"], activity.void_reason, "small text-danger"))
    elif edit_url:
        url = html.escape(edit_url.replace("{id}", str(activity.pk)))
        parts.append(f'<div class="small"><a href="{url}">{html.escape(words["edit"])}</a></div>')
    return "".join(parts)


def _timeline_html(timeline: list[TimelineEntry], complaint: Complaint, *, may_change: bool = False) -> str:
    """The staff timeline's entries, as markup: border, time, who, heading, text, details, files.

    Written here, each word translated once, not by a template loop: the loop was the page's
    hot spot (a case of sixty entries spent ~2 ms in the template engine's lookups, where
    this takes a tenth of it). Every value is escaped; headings are escaped unless safe.
    A void activity's words are struck through, its reason not.
    ``may_change``: the viewer may correct or void the activities now (each gets the link).
    """
    headings = _headings()
    participants_label, decision_label = html.escape(gettext("Participants")), html.escape(gettext("Decision"))
    words = {
        "checked": gettext("Checked"),
        "corrected": gettext("Corrected"),
        "void": gettext("Void"),
        "edit": gettext("Correct or void"),
        "unit": gettext("Handling unit"),
    }
    edit_url = reverse("complaints:case-activity-edit", args=[complaint.pk, 0]).replace("/0/", "/{id}/")
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
        # A void activity's words struck through; the badge and its reason say why to every reader.
        struck = " text-decoration-line-through" if entry.kind == "activity" and record.voided else ""
        text = f'<div class="{struck.strip()}">' if struck else "<div>"
        text = f"{text}{_with_breaks(entry.text)}</div>" if entry.text else ""
        if participants:
            participants = f'<div class="small{struck}">{participants_label}: {html.escape(participants)}</div>'
        details = ""
        if entry.kind == "activity":
            details = _activity_details(record, words, edit_url if may_change else "")
            if struck:
                heading = format_html('{} <span class="badge text-bg-secondary">{}</span>', heading, words["void"])
        elif entry.kind == "transition" and record.unit_id is not None:
            details = _small(words["unit"], record.unit.name)
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
                participants=participants,
                text=text,
                decision=f'<div class="small">{decision_label}: {html.escape(decision)}</div>' if decision else "",
                details=details,
                files=files,
            )
        )
    return mark_safe("".join(entries))  # noqa: S308 every value escaped above


def case_context(*, user, complaint: Complaint, forms: dict) -> dict:
    timeline = complaint_timeline(complaint=complaint, public=False, viewer=user)
    extension_requests = [entry.obj for entry in timeline if entry.kind == "extension"]
    activities = [entry.obj for entry in timeline if entry.kind == "activity"]
    extensions = _stage_extensions(extension_requests, complaint)
    return {
        "complaint": complaint,
        "timeline": timeline,
        "timeline_html": _timeline_html(
            timeline, complaint, may_change=bool(activities) and activity_changeable(user, complaint)
        ),
        # Void activities count for nothing.
        "activity_count": sum(not activity.voided for activity in activities),
        "ratings": [entry.obj for entry in timeline if entry.kind == "rating"],
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
        "review": _review(complaint, timeline),
        # 典型案例: offered on a closed, substantiated case to who handles it (no query: the scope is read).
        "may_propose_typical_case": typical_case_refusal(complaint) is None and can_write_typical_case(user, complaint),
    }


def _review(complaint: Complaint, timeline: list[TimelineEntry]) -> dict | None:
    """What the reviewing unit decides on: the petitioner's last reasons and their rating of the decision reviewed."""
    if not complaint.review_round:
        return None
    asked = [entry for entry in timeline if entry.kind == "transition" and entry.name == "review"]
    # The timeline holds every rating of the case (one per decision), a reviewed case having been answered.
    reviewed = complaint.review_round - 1
    rated = [entry.obj for entry in timeline if entry.kind == "rating" and entry.obj.review_round == reviewed]
    return {"reason": asked[-1].text if asked else "", "rating": rated[0] if rated else None}
