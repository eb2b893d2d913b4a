"""Who must pass a second factor, and what they must do next."""

from django.conf import settings
from django_otp import user_has_device

from jiufeng.roles import Role, user_roles

# Roles that see cases, identities or history: a stolen password alone must not open them.
STAFF_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.AUDITOR, Role.ADMINISTRATOR})


def is_staff_member(user) -> bool:
    return user.is_authenticated and (user.is_staff or user.is_superuser or bool(STAFF_ROLES & set(user_roles(user))))


def second_factor_required(user) -> bool:
    """Whether this account must have a second factor: staff, when the setting says so."""
    return settings.JIUFENG_TWO_FACTOR_REQUIRED and is_staff_member(user)


def second_factor_step(user) -> str | None:
    """What stands between a signed-in user and their pages: "verify" (they have a device and
    have not used it in this session), "setup" (they must have one and have none), or None.

    Anyone who set up a device uses it, required or not.
    """
    if not user.is_authenticated or user.is_verified():
        return None
    if user_has_device(user):
        return "verify"
    if second_factor_required(user):
        return "setup"
    return None
