"""The roles of API.md, each a Django group, and the permissions each holds.

Role-wide abilities are permissions on the user model (see User.Meta.permissions);
where a role may act (which units) is answered by responsibility's scoping.
"""

from django.contrib.auth.backends import ModelBackend
from django.db import connection, models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PETITIONER = "petitioner", _("Petitioner")
    OFFICER = "officer", _("Discipline officer")
    LEADER = "leader", _("Leader")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


_STAFF_READS = ["responsibility.view_unit", "responsibility.view_position", "complaints.view_category"]

# "app_label.codename" per role. Administrators hold every permission there is.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.PETITIONER: ["jiufeng.follow_own_complaints"],
    Role.OFFICER: ["jiufeng.handle_cases", "jiufeng.view_identity", "jiufeng.view_dashboard", *_STAFF_READS],
    Role.LEADER: ["jiufeng.approve_cases", "jiufeng.view_identity", "jiufeng.view_dashboard", *_STAFF_READS],
    Role.AUDITOR: ["jiufeng.audit_history", "jiufeng.view_user", *_STAFF_READS],
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


def _roles_and_permissions_read(user) -> None:
    """Read the user's groups, their permissions and the user's own in one query.

    Kept on the user object for the request, as ModelBackend keeps permissions
    (``_group_names``, and ModelBackend's ``_user_perm_cache`` and ``_group_perm_cache``
    except for superusers, who hold every permission). Every staff page asks for both: the
    scope asks a permission (responsibility.scoping), the navigation shows the roles.
    """
    if hasattr(user, "_group_names"):
        return
    # (group name or None for the user's own, app label, codename); a group without
    # permissions comes once with no permission. In SQL: every staff request asks, and the
    # ORM spent about 1.5 ms compiling the union. No ORDER BY: SQLite refuses one here.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NULL, ct.app_label, p.codename "
            "FROM jiufeng_user_user_permissions up "
            "JOIN auth_permission p ON p.id = up.permission_id "
            "JOIN django_content_type ct ON ct.id = p.content_type_id "
            "WHERE up.user_id = %s "
            "UNION ALL "
            "SELECT g.name, ct.app_label, p.codename "
            "FROM jiufeng_user_groups ug "
            "JOIN auth_group g ON g.id = ug.group_id "
            "LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id "
            "LEFT JOIN auth_permission p ON p.id = gp.permission_id "
            "LEFT JOIN django_content_type ct ON ct.id = p.content_type_id "
            "WHERE ug.user_id = %s",
            [user.pk, user.pk],
        )
        rows = cursor.fetchall()
    names, own_perms, group_perms = set(), set(), set()
    for group_name, app_label, codename in rows:
        if group_name is not None:
            names.add(group_name)
        if codename is not None:
            (own_perms if group_name is None else group_perms).add(f"{app_label}.{codename}")
    user._group_names = names
    if not user.is_superuser:
        user._user_perm_cache, user._group_perm_cache = own_perms, group_perms


class RolesBackend(ModelBackend):
    """ModelBackend whose permission reads also read the roles: one query where it took three."""

    def _get_permissions(self, user_obj, obj, from_name):
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            _roles_and_permissions_read(user_obj)
        return super()._get_permissions(user_obj, obj, from_name)


def user_roles(user) -> list[Role]:
    """The roles a user holds, in the order of Role; empty for anonymous users."""
    if not user.is_authenticated:
        return []
    _roles_and_permissions_read(user)
    return [role for role in Role if role.value in user._group_names]
