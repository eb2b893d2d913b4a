"""台帐 of the responsibility system: rectification items, and this year's pledge items.

Each a list of columns written by audit.exports.export_response (streamed, bounded, logged),
from the rows the list page shows.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from audit.exports import Column

from .models import PledgeState, RectificationStatus


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _item_source(item) -> str:
    if item.visit_id:
        return str(item.visit)
    if item.campaign_id:
        return str(item.campaign)
    return ""


RECTIFICATION_ITEM_COLUMNS = [
    Column(gettext_lazy("Responsible unit"), lambda i: i.responsible_unit.name, width=22),
    Column(gettext_lazy("Rectification item"), lambda i: i.description, width=48),
    Column(gettext_lazy("Arising from"), _item_source, width=28),
    Column(gettext_lazy("Due on"), lambda i: i.due_on, width=12),
    Column(gettext_lazy("Status"), lambda i: _label(RectificationStatus, i.status), width=14),
    Column(gettext_lazy("Overdue"), lambda i: _("Yes") if i.is_overdue else "", width=8),
    Column(gettext_lazy("Submitted at"), lambda i: i.submitted_at, width=18),
    Column(gettext_lazy("Confirmed at"), lambda i: i.confirmed_at, width=18),
]


def _pledge_item_done(item) -> str:
    if item.completed_at:
        return pgettext("pledge item", "done")
    return _("Overdue") if item.due_on < timezone.localdate() else ""


PLEDGE_ITEM_COLUMNS = [
    Column(gettext_lazy("Year"), lambda i: i.pledge.year, width=8),
    Column(gettext_lazy("Issuing unit"), lambda i: i.pledge.issuer.name, width=20),
    Column(gettext_lazy("Pledging unit"), lambda i: i.pledge.unit.name, width=22),
    Column(gettext_lazy("Pledge state"), lambda i: _label(PledgeState, i.pledge.state), width=12),
    Column(gettext_lazy("Signed at"), lambda i: i.pledge.signed_at, width=18),
    Column(gettext_lazy("Target"), lambda i: i.title, width=36),
    Column(gettext_lazy("Weight"), lambda i: float(i.weight), width=8),
    Column(gettext_lazy("Due date"), lambda i: i.due_on, width=12),
    Column(gettext_lazy("Responsible person"), lambda i: i.responsible_person, width=14),
    Column(gettext_lazy("Completed"), _pledge_item_done, width=10),
    Column(gettext_lazy("Completed at"), lambda i: i.completed_at, width=18),
    Column(gettext_lazy("Score"), lambda i: None if i.score is None else float(i.score), width=8),
]
