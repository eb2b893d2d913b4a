"""What the navigation offers each role.

An entry shows when the user holds its permission (or, for public entries, always).
Each app adds its entries here as its pages land, so the menu never links to a page
the user may not open.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    permission: str | None = None
    staff_only: bool = False
    # Public entries for petitioners; staff have their own work and hide them.
    anonymous_only: bool = False
    # Entries with a group share one drop-down menu.
    group: Promise | None = None

    def visible_to(self, user) -> bool:
        if self.anonymous_only and user.is_authenticated:
            return False
        if self.staff_only and not user.is_staff:
            return False
        return self.permission is None or user.has_perm(self.permission)


_RESPONSIBILITY = _("Responsibility system")
_SEE_UNITS = "responsibility.view_unit"

NAV_ITEMS = [
    NavItem(_("File a complaint"), "complaints:complaint-file", anonymous_only=True),
    NavItem(_("Track a complaint"), "complaints:complaint-track", anonymous_only=True),
    NavItem(_("Cases"), "complaints:case-list", permission=_SEE_UNITS),
    NavItem(_("Approvals"), "complaints:case-approvals", permission="jiufeng.approve_cases"),
    NavItem(_("Record a complaint"), "complaints:case-create", permission="jiufeng.handle_cases"),
    NavItem(_("My escalations"), "responsibility:escalation-list", permission=_SEE_UNITS),
    NavItem(_("Organisation"), "responsibility:unit-tree", permission=_SEE_UNITS, group=_RESPONSIBILITY),
    NavItem(_("Pledges"), "responsibility:pledge-list", permission=_SEE_UNITS, group=_RESPONSIBILITY),
    NavItem(_("Visits and inspections"), "responsibility:visit-list", permission=_SEE_UNITS, group=_RESPONSIBILITY),
    NavItem(
        _("Rectification items"),
        "responsibility:rectification-item-list",
        permission=_SEE_UNITS,
        group=_RESPONSIBILITY,
    ),
    NavItem(_("Accountability"), "responsibility:accountability-list", permission=_SEE_UNITS, group=_RESPONSIBILITY),
    NavItem(_("Rectification campaigns"), "responsibility:campaign-list", permission=_SEE_UNITS, group=_RESPONSIBILITY),
    NavItem(_("API documentation"), "api-docs", permission="jiufeng.handle_cases"),
    NavItem(_("Administration"), "admin:index", staff_only=True),
]


def nav_items_for(user) -> list[dict]:
    """Top-level entries in order; a group becomes one entry with ``children`` where its first member stands."""
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in NAV_ITEMS:
        if not item.visible_to(user):
            continue
        link = {"label": item.label, "url": reverse(item.url_name)}
        if item.group is None:
            entries.append(link)
            continue
        if item.group not in groups:
            groups[item.group] = {"label": item.group, "children": []}
            entries.append(groups[item.group])
        groups[item.group]["children"].append(link)
    return entries
