"""Who must pass a second factor, and what they must do next."""

from django.conf import settings
from django_otp import user_has_device

from jiufeng.roles import is_staff_member

# Whether the signed-in user has a confirmed device, kept in their session as [user id, yes/no]
# so that pages do not ask django-otp (a query per device kind) on every request. Set up or
# removed in the session's own steps, it is forgotten there (``device_known_forget``).
_HAS_DEVICE = "jiufeng_otp_has_device"


def second_factor_required(user) -> bool:
    """Whether this account must have a second factor: staff, when the setting says so."""
    return settings.JIUFENG_TWO_FACTOR_REQUIRED and is_staff_member(user)


def device_known_set(request, user) -> bool:
    """Ask django-otp once whether ``user`` has a device, and keep the answer in the session."""
    has_device = user_has_device(user)
    request.session[_HAS_DEVICE] = [user.pk, has_device]
    return has_device


def _has_device(request) -> bool:
    # Known from the sign-in (jiufeng.signals); a session from before that asks once.
    known = request.session.get(_HAS_DEVICE)
    if not known or known[0] != request.user.pk:
        return device_known_set(request, request.user)
    return known[1]


def device_known_forget(request) -> None:
    request.session.pop(_HAS_DEVICE, None)


def second_factor_step(request) -> str | None:
    """What stands between the signed-in user and their pages: "verify" (they have a device and
    have not used it in this session), "setup" (they must have one and have none), or None.

    Anyone who set up a device uses it, required or not.
    """
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    if _has_device(request):
        return "verify"
    if second_factor_required(user):
        return "setup"
    return None
