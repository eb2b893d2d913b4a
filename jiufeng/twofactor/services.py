"""Setting up, renewing and passing the second factor; each step in the event log."""

import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.events import event_record
from audit.models import AuditEventKind

RECOVERY_CODE_COUNT = 10
# The device names django-otp stores; one authenticator and one set of recovery codes per user.
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"


def totp_device_pending(*, user) -> TOTPDevice:
    """The authenticator being set up: its secret is shown until a code from it confirms it."""
    device = TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def _recovery_codes_replace(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def totp_device_confirm(*, request, token: str) -> list[str]:
    """Confirm the pending authenticator with a code it shows; the session counts as verified.

    Replaces any earlier authenticator (a new phone) and gives a fresh set of recovery
    codes, returned to be shown once.
    """
    user = request.user
    device = TOTPDevice.objects.select_for_update().filter(user=user, name=AUTHENTICATOR, confirmed=False).first()
    if device is None or verify_token(user, device.persistent_id, token.strip()) is None:
        raise ValidationError({"token": _("That code is not right. Enter the six digits your app shows now.")})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user)
    otp_login(request, device)
    event_record(kind=AuditEventKind.SECOND_FACTOR_SET_UP, request=request, user=user)
    return codes


@transaction.atomic
def recovery_codes_renew(*, request) -> list[str]:
    """New recovery codes for a verified user; the old ones stop working."""
    codes = _recovery_codes_replace(request.user)
    event_record(kind=AuditEventKind.RECOVERY_CODES_RENEWED, request=request, user=request.user)
    return codes


def _device_for(user, token: str):
    """The confirmed device a token is meant for: six digits are the authenticator's, anything else a recovery code."""
    model, name = (TOTPDevice, AUTHENTICATOR) if token.isdigit() else (StaticDevice, RECOVERY)
    return model.objects.filter(user=user, name=name, confirmed=True).first()


def second_factor_check(*, user, token: str):
    """The confirmed device of ``user`` that accepts ``token`` (a recovery code is used up by
    this), or None. django-otp throttles each device: after a failure it refuses every code,
    the right one too, for 1, 2, 4... seconds."""
    token = "".join(token.split()).lower()
    device = _device_for(user, token) if token else None
    if device is None:
        return None
    return verify_token(user, device.persistent_id, token)


def second_factor_wait(*, user, token: str) -> int:
    """Seconds before the device this token is meant for accepts another try (0: now)."""
    device = _device_for(user, "".join(token.split()).lower())
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def second_factor_verify(*, request, token: str) -> bool:
    """Pass the second factor for this session, or log the failure."""
    device = second_factor_check(user=request.user, token=token)
    if device is None:
        event_record(kind=AuditEventKind.SECOND_FACTOR_FAILED, request=request, user=request.user)
        return False
    otp_login(request, device)
    return True
