"""台帐: the case list as a file, the columns officers keep in their spreadsheets.

What the list shows and nothing more: no petitioner's identity. Written by
audit.exports.export_response (streamed, bounded, logged).
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.exports import Column, ExportRefused, Ledger, choice_label, filters_used, register_ledger

from .forms.staff import ComplaintFilter, InboxFilter
from .models import Channel, Complaint, ComplaintStatus, Finding, Rating, RatingValue
from .selectors import complaint_inbox_for_user, complaint_list_for_user

# The case list's tabs: the cases waiting for the user, or all in their scope.
TAB_LABELS = (("waiting", gettext_lazy("Waiting for me")), ("all", gettext_lazy("All in my scope")))
TABS = tuple(name for name, _label in TAB_LABELS)


def case_list_filter(request) -> tuple[str, ComplaintFilter]:
    """The tab and the filters the case list's ``request`` asks for: the page and its ledger read the same cases."""
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else TABS[0]
    if tab == "waiting":
        filters, select = InboxFilter, complaint_inbox_for_user
    else:
        filters, select = ComplaintFilter, complaint_list_for_user
    return tab, filters(request.GET or None, queryset=select(user=request.user), request=request)


def latest_ratings() -> Prefetch:
    """The petitioner's ratings, oldest round first, for the listed cases: one query."""
    return Prefetch("ratings", queryset=Rating.objects.order_by("review_round"), to_attr="rating_list")


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


@register_ledger("cases")
def case_ledger(request) -> Ledger:
    """The case list as its filters select it."""
    tab, filterset = case_list_filter(request)
    # Every match of a search, not the page's ranked window of the newest 1,001.
    filterset.filters["q"].window = False
    if filterset.form.is_bound and not filterset.is_valid():
        raise ExportRefused(_("Correct the filters first: the file holds what they select."))
    return Ledger(
        name="cases",
        title=_("Case ledger"),
        columns=CASE_COLUMNS,
        rows=filterset.qs.prefetch_related(latest_ratings()),
        filters=[(_("List"), str(dict(TAB_LABELS)[tab])), *filters_used(filterset.form)],
    )
