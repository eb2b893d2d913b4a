"""The roles of API.md, each a Django group, and the permissions each holds.

Role-wide abilities are permissions on the user model (see User.Meta.permissions);
where a role may act (which units) is answered by responsibility's scoping.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PETITIONER = "petitioner", _("Petitioner")
    OFFICER = "officer", _("Discipline officer")
    LEADER = "leader", _("Leader")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")
    # 行风监督员 and deputies appointed to rate units (evaluations.Evaluator): citizens, not staff.
    EVALUATOR = "evaluator", _("Appointed evaluator")


_STAFF_READS = ["responsibility.view_unit", "responsibility.view_position", "complaints.view_category"]

# "app_label.codename" per role. Administrators hold every permission there is.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.PETITIONER: ["jiufeng.follow_own_complaints"],
    Role.OFFICER: ["jiufeng.handle_cases", "jiufeng.view_identity", "jiufeng.view_dashboard", *_STAFF_READS],
    Role.LEADER: ["jiufeng.approve_cases", "jiufeng.view_identity", "jiufeng.view_dashboard", *_STAFF_READS],
    Role.AUDITOR: ["jiufeng.audit_history", "jiufeng.view_user", *_STAFF_READS],
    Role.EVALUATOR: ["jiufeng.evaluate_conduct"],
}


def roles_sync(*, using: str = "default") -> None:
    """Create every role's group and give it exactly its permissions (idempotent).

    Runs after each migrate and each test-database flush (post_migrate), so the groups
    exist on a fresh database and follow this table as it changes.
    """
    from django.contrib.auth.models import Group, Permission

    every = Permission.objects.using(using).select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in every}
    for role in Role:
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        if role == Role.ADMINISTRATOR:
            group.permissions.set(by_name.values())
        else:
            group.permissions.set([by_name[name] for name in ROLE_PERMISSIONS[role]])


def user_roles(user) -> list[Role]:
    """The roles a user holds, in the order of Role; empty for anonymous users.

    Read once per user object (the request's): the navigation and the landing page ask.
    """
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return [role for role in Role if role.value in user._role_names]


# Roles that read and never write: a user holding only these changes nothing (audit.middleware).
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def user_read_only(user) -> bool:
    """Whether every role the user holds is read-only (a superuser never is)."""
    if not user.is_authenticated or user.is_superuser:
        return False
    roles = set(user_roles(user))
    return bool(roles) and roles <= READ_ONLY_ROLES


# Roles that see cases, identities or history: their sessions time out when idle and, where
# settings say so, need a second factor (jiufeng.twofactor).
STAFF_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.AUDITOR, Role.ADMINISTRATOR})


def is_staff_member(user) -> bool:
    return user.is_authenticated and (user.is_staff or user.is_superuser or bool(STAFF_ROLES & set(user_roles(user))))
