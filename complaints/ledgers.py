"""台帐: the case list as a file, the columns officers keep in their spreadsheets.

What the list shows and nothing more: no petitioner's identity. Written by
audit.exports.export_response (streamed, bounded, logged).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.exports import Column, choice_label

from .models import Channel, Complaint, ComplaintStatus, Finding, RatingValue


def _latest_rating(complaint: Complaint) -> str:
    # rating_list: the case list's prefetch, oldest round first.
    ratings = getattr(complaint, "rating_list", None) or []
    return choice_label(RatingValue, ratings[-1].rating) if ratings else ""


CASE_COLUMNS = [
    Column(gettext_lazy("Case number"), lambda c: c.case_number, width=16),
    Column(gettext_lazy("Title"), lambda c: c.title, width=36),
    Column(gettext_lazy("Category"), lambda c: c.category.name, width=16),
    Column(gettext_lazy("Unit complained about"), lambda c: c.subject_unit.name if c.subject_unit else "", width=22),
    Column(gettext_lazy("Handling unit"), lambda c: c.handling_unit.name if c.handling_unit else "", width=22),
    Column(gettext_lazy("Channel"), lambda c: choice_label(Channel, c.channel), width=12),
    Column(gettext_lazy("Status"), lambda c: choice_label(ComplaintStatus, c.status), width=12),
    Column(gettext_lazy("Received at"), lambda c: c.received_at, width=18),
    Column(gettext_lazy("Due"), lambda c: c.due_at, width=18),
    Column(gettext_lazy("Overdue"), lambda c: _("Yes") if getattr(c, "is_overdue", False) else "", width=8),
    Column(gettext_lazy("Finding"), lambda c: choice_label(Finding, c.finding) if c.finding else "", width=12),
    Column(gettext_lazy("Replied at"), lambda c: c.replied_at, width=18),
    Column(gettext_lazy("Rating"), _latest_rating, width=12),
    Column(gettext_lazy("Anonymous"), lambda c: _("Yes") if c.anonymous else "", width=8),
]
