"""台帐 of the responsibility system: rectification items, the year's pledge items, visits and
inspections, accountability records, escalations.

Each a list of columns written by audit.exports.export_response (streamed, bounded, logged),
from the rows the list page shows.
"""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from audit.exports import Column, Ledger, choice_label, register_ledger

from .models import (
    AccountabilityMeasure,
    AccountabilityState,
    DeadlineKind,
    PledgeState,
    RectificationItem,
    RectificationStatus,
    VisitKind,
    VisitMethod,
)
from .services.escalations_selectors import escalation_list_for_user, escalation_list_notified


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
    Column(gettext_lazy("Status"), lambda i: choice_label(RectificationStatus, i.status), width=14),
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
    Column(gettext_lazy("Pledge state"), lambda i: choice_label(PledgeState, i.pledge.state), width=12),
    Column(gettext_lazy("Signed at"), lambda i: i.pledge.signed_at, width=18),
    Column(gettext_lazy("Target"), lambda i: i.title, width=36),
    Column(gettext_lazy("Weight"), lambda i: float(i.weight), width=8),
    Column(gettext_lazy("Due date"), lambda i: i.due_on, width=12),
    Column(gettext_lazy("Responsible person"), lambda i: i.responsible_person, width=14),
    Column(gettext_lazy("Completed"), _pledge_item_done, width=10),
    Column(gettext_lazy("Completed at"), lambda i: i.completed_at, width=18),
    Column(gettext_lazy("Score"), lambda i: None if i.score is None else float(i.score), width=8),
]


VISIT_COLUMNS = [
    Column(gettext_lazy("Kind"), lambda v: choice_label(VisitKind, v.kind), width=10),
    Column(gettext_lazy("Subject"), lambda v: v.subject, width=30),
    Column(gettext_lazy("Leader or inspector"), lambda v: str(v.leader), width=12),
    Column(gettext_lazy("Organising unit"), lambda v: v.organizing_unit.name, width=20),
    # units: the list's prefetch, per chunk of rows.
    Column(gettext_lazy("Units visited"), lambda v: "、".join(unit.name for unit in v.units.all()), width=30),
    Column(gettext_lazy("Scheduled for"), lambda v: v.scheduled_for, width=12),
    Column(gettext_lazy("Made on"), lambda v: v.made_on, width=12),
    Column(gettext_lazy("Methods"), lambda v: "、".join(choice_label(VisitMethod, m) for m in v.methods), width=16),
    Column(gettext_lazy("People met"), lambda v: v.people_met, width=20),
    Column(gettext_lazy("Findings"), lambda v: v.findings, width=48),
]

ACCOUNTABILITY_COLUMNS = [
    Column(gettext_lazy("Person held to account"), lambda r: str(r.user), width=12),
    Column(gettext_lazy("Unit"), lambda r: r.unit.name, width=22),
    Column(gettext_lazy("Position"), lambda r: str(r.position), width=22),
    Column(gettext_lazy("Reason"), lambda r: r.reason, width=40),
    Column(
        gettext_lazy("Measure"), lambda r: choice_label(AccountabilityMeasure, r.measure) if r.measure else "", width=14
    ),
    Column(gettext_lazy("State"), lambda r: choice_label(AccountabilityState, r.state), width=10),
    Column(gettext_lazy("Proposed by"), lambda r: str(r.proposed_by), width=12),
    Column(gettext_lazy("Proposed at"), lambda r: r.proposed_at, width=18),
    Column(gettext_lazy("Decided by"), lambda r: str(r.decided_by) if r.decided_by else "", width=12),
    Column(gettext_lazy("Decided on"), lambda r: r.decided_on, width=12),
]


ESCALATION_COLUMNS = [
    Column(gettext_lazy("Obligation"), lambda e: choice_label(DeadlineKind, e.deadline.kind), width=16),
    # target: the list's prefetch, one query per kind of obligation and chunk of rows.
    Column(gettext_lazy("Case or item"), lambda e: str(e.deadline.target or ""), width=40),
    Column(gettext_lazy("Responsible unit"), lambda e: e.deadline.unit.name, width=22),
    Column(gettext_lazy("Due at"), lambda e: e.deadline.due_at, width=18),
    Column(gettext_lazy("Level"), lambda e: e.level, width=6),
    Column(gettext_lazy("Notified unit"), lambda e: e.unit.name, width=22),
    Column(gettext_lazy("Escalated at"), lambda e: e.created_at, width=18),
    Column(gettext_lazy("Acknowledged by"), lambda e: str(e.acknowledged_by or ""), width=12),
    Column(gettext_lazy("Acknowledged at"), lambda e: e.acknowledged_at, width=18),
    Column(gettext_lazy("Met at"), lambda e: e.deadline.met_at, width=18),
]


# The escalation list's tabs: the steps that reached the user, or every escalation in their scope.
ESCALATION_TABS = (("mine", gettext_lazy("Escalated to me")), ("all", gettext_lazy("All escalations in my scope")))


def escalation_list_tab(request) -> tuple[str, QuerySet]:
    """The tab the escalation list's ``request`` asks for and its escalations: the page and its ledger alike."""
    tab = request.GET.get("tab")
    if tab not in dict(ESCALATION_TABS):
        tab = ESCALATION_TABS[0][0]
    select = escalation_list_notified if tab == "mine" else escalation_list_for_user
    return tab, select(user=request.user)


@register_ledger("escalations")
def escalation_ledger(request) -> Ledger:
    """The escalation list's tab as a file."""
    tab, escalations = escalation_list_tab(request)
    return Ledger(
        name="escalations",
        title=_("Escalation ledger"),
        columns=ESCALATION_COLUMNS,
        # A rectification item names its unit (RectificationItem.__str__): joined, not read per row.
        rows=escalations.prefetch_related(
            GenericPrefetch("deadline__target", [RectificationItem.objects.select_related("responsible_unit")])
        ),
        filters=[(_("List"), str(dict(ESCALATION_TABS)[tab]))],
    )
