"""What the navigation offers each role.

An entry shows when the user holds its permission (or, for public entries, always).
Each app adds its entries here as its pages land, so the menu never links to a page
the user may not open.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .roles import Role, user_roles


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
_APPRAISAL = _("Democratic appraisal")

NAV_ITEMS = [
    NavItem(_("File a complaint"), "complaints:complaint-file", anonymous_only=True),
    NavItem(_("Track a complaint"), "complaints:complaint-track", anonymous_only=True),
    NavItem(_("Dashboard"), "complaints:dashboard", permission="jiufeng.view_dashboard"),
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
    NavItem(_("Appraisals"), "evaluations:appraisal-list", permission=_SEE_UNITS, group=_APPRAISAL),
    NavItem(_("Questionnaires"), "evaluations:questionnaire-list", permission="jiufeng.handle_cases", group=_APPRAISAL),
    NavItem(_("Appointed evaluators"), "evaluations:evaluator-list", permission=_SEE_UNITS, group=_APPRAISAL),
    NavItem(_("My appraisal work"), "evaluations:evaluator-home", permission="jiufeng.evaluate_conduct"),
    NavItem(_("Audit"), "audit:home", permission="jiufeng.audit_history"),
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


@dataclass(frozen=True)
class Landing:
    role: Role
    url_name: str


# Where each role starts after logging in: where its work is. A user holding several roles
# starts at the first of theirs in this order: administration before everything (an
# administrator is there to run the system), then a leader's dashboard (their units at a
# glance, the approvals one click away in the menu), an officer's cases waiting for them, an
# auditor's home (the history, the logs).
LANDINGS = [
    Landing(Role.ADMINISTRATOR, "admin:index"),
    Landing(Role.LEADER, "complaints:dashboard"),
    Landing(Role.OFFICER, "complaints:case-list"),
    Landing(Role.AUDITOR, "audit:home"),
    Landing(Role.EVALUATOR, "evaluations:evaluator-home"),
]
_NAV_BY_URL_NAME = {item.url_name: item for item in NAV_ITEMS}


def landing_url(user) -> str:
    """Where the user starts: the first landing in LANDINGS of a role they hold and a page
    the navigation offers them (a role's group without the page's permission, say an
    administrator without staff status, falls through); the home page for anyone else.
    Superusers count as administrators.
    """
    held = set(user_roles(user))
    if user.is_superuser:
        held.add(Role.ADMINISTRATOR)
    for landing in LANDINGS:
        if landing.role in held and _NAV_BY_URL_NAME[landing.url_name].visible_to(user):
            return reverse(landing.url_name)
    return reverse("home")
