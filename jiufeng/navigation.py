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

    def visible_to(self, user) -> bool:
        if self.staff_only and not user.is_staff:
            return False
        return self.permission is None or user.has_perm(self.permission)


NAV_ITEMS = [
    NavItem(_("File a complaint"), "complaints:complaint-file"),
    NavItem(_("Track a complaint"), "complaints:complaint-track"),
    NavItem(_("Organisation"), "responsibility:unit-tree", permission="responsibility.view_unit"),
    NavItem(_("Visits and inspections"), "responsibility:visit-list", permission="responsibility.view_unit"),
    NavItem(_("Rectification items"), "responsibility:rectification-item-list", permission="responsibility.view_unit"),
    NavItem(_("Pledges"), "responsibility:pledge-list", permission="responsibility.view_unit"),
    NavItem(_("My escalations"), "responsibility:escalation-list", permission="responsibility.view_unit"),
    NavItem(_("API documentation"), "api-docs", permission="jiufeng.handle_cases"),
    NavItem(_("Administration"), "admin:index", staff_only=True),
]

NAV_ITEMS += [
    NavItem(_("Accountability"), "responsibility:accountability-list", permission="responsibility.view_unit"),
    NavItem(_("Rectification campaigns"), "responsibility:campaign-list", permission="responsibility.view_unit"),
]


def nav_items_for(user) -> list[dict]:
    return [{"label": item.label, "url": reverse(item.url_name)} for item in NAV_ITEMS if item.visible_to(user)]
