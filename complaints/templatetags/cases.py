"""A case's badges and due date, as every list row and case header shows them.

Template tags rather than included templates: the case list and the approvals show fifty
rows, and an include with its chain of status comparisons cost about 40 microseconds a
badge, a fifth of the inbox's rows.
"""

from django import template
from django.template.defaultfilters import date
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from ..models import ComplaintStatus, RatingValue

register = template.Library()

_STATUS_CLASSES = {
    ComplaintStatus.SUBMITTED: "text-bg-primary",
    ComplaintStatus.ACCEPTED: "text-bg-info",
    ComplaintStatus.INVESTIGATING: "text-bg-info",
    ComplaintStatus.PENDING_APPROVAL: "text-bg-warning",
    ComplaintStatus.UNDER_REVIEW: "text-bg-warning",
    ComplaintStatus.RESOLVED: "text-bg-success",
    ComplaintStatus.CLOSED: "text-bg-dark",
}

# The timeline's rating headings take the same colours (complaints.views.case_page).
RATING_CLASSES = {
    RatingValue.SATISFIED: "text-bg-success",
    RatingValue.BASICALLY_SATISFIED: "text-bg-info",
    RatingValue.DISSATISFIED: "text-bg-danger",
}


@register.simple_tag
def status_badge(complaint) -> str:
    """The status, in the petitioner's words (Complaint.status_label), coloured by stage."""
    css = _STATUS_CLASSES.get(complaint.status, "text-bg-light border")
    return format_html('<span class="badge {}" data-testid="status">{}</span>', css, complaint.status_label())


@register.simple_tag
def rating_badge(rating) -> str:
    """满意 green, 基本满意 blue, 不满意 red."""
    css = RATING_CLASSES[rating.rating]
    return format_html('<span class="badge {}" data-testid="rating">{}</span>', css, rating.get_rating_display())


@register.simple_tag
def due(complaint) -> str:
    """The local day the running stage is due, and whether it is overdue (the list's annotation); a dash when
    nothing runs."""
    if not complaint.due_at:
        return mark_safe('<span class="text-body-secondary">—</span>')
    day = format_html('<span class="text-nowrap">{}</span>', date(localtime(complaint.due_at), "Y-m-d"))
    if not complaint.is_overdue:
        return day
    return format_html('{} <span class="badge text-bg-danger" data-testid="overdue-badge">{}</span>', day, _("Overdue"))
