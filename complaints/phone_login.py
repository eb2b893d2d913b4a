"""A real-name petitioner proves their phone with a one-time SMS code and sees all their cases.

No account is made: the proof lives in the session for a few hours. A code alone is always
enough to follow one case; this only saves a petitioner with several cases keeping several
codes. Steps: ``phone_code_send`` texts a 6-digit code, but only to a number that filed a
real-name complaint (the page says the same either way, so nobody learns which numbers
complained, and nobody is sent texts they did not ask for); ``phone_code_verify`` checks it,
at most MAX_TRIES times per code; ``phone_verified`` reads the proof back.
"""

import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from jiufeng.notifications import notify_address

from .duplicates import mobile_number, phone_indexes
from .models import Complaint, PetitionerIdentity

CODE_DIGITS = 6
CODE_TTL_SECONDS = 10 * 60
MAX_TRIES = 5
SESSION_KEY = "complaints.phone"
_SALT = "jiufeng.complaints.phone_login"


class PhoneCodeThrottled(Exception):
    """Too many codes asked for this number or from this address: answer 429."""


def _digest(value: str) -> str:
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()


def _cache_key(number: str) -> str:
    # Keyed by a hash: the cache never holds a phone number in the clear.
    return f"phone-login:{_digest(number)}"


def _number(phone: str) -> str:
    number = mobile_number(phone or "")
    if number is None:
        raise ValidationError({"phone": _("Enter the mobile number (11 digits) you gave when filing.")})
    return number


def _throttle(request, number: str) -> None:
    from django_ratelimit.core import get_usage

    limits = (
        ("phone-code-number", lambda group, request: _digest(number), settings.JIUFENG_PHONE_CODES_PER_NUMBER),
        ("phone-code-ip", "ip", settings.JIUFENG_PHONE_CODES_PER_IP),
    )
    for group, key, rate in limits:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
        # None: the counter could not be reached (Redis away): not limited (RATELIMIT_FAIL_OPEN).
        if usage is not None and usage["should_limit"]:
            raise PhoneCodeThrottled


def complaints_of_phone(phone: str) -> QuerySet:
    """The real-name complaints filed with this mobile number, newest first."""
    filed = PetitionerIdentity.objects.filter(phone_index__in=phone_indexes(phone)).values("complaint_id")
    return Complaint.objects.filter(pk__in=filed).select_related("category").order_by("-submitted_at", "-pk")


@transaction.atomic
def phone_code_send(*, request, phone: str) -> None:
    """Text a one-time code to a number that filed a real-name complaint; silently nothing otherwise."""
    number = _number(phone)
    _throttle(request, number)
    if not complaints_of_phone(number).exists():
        return
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    cache.set(_cache_key(number), {"code": _digest(code), "tries": 0}, CODE_TTL_SECONDS)
    with translation.override(settings.LANGUAGE_CODE):
        body = _("Your Jiufeng verification code is %(code)s, valid for %(minutes)d minutes. Do not tell anyone.") % {
            "code": code,
            "minutes": CODE_TTL_SECONDS // 60,
        }
        notify_address(channel="sms", address=number, subject=_("Verification code"), body=body)


def phone_code_verify(*, request, phone: str, code: str) -> None:
    """Check the code; on success the session holds the proof. Raises ValidationError otherwise."""
    number = _number(phone)
    key = _cache_key(number)
    sent = cache.get(key)
    wrong = ValidationError({"code": _("The code is wrong or has expired; ask for a new one.")})
    if sent is None:
        raise wrong
    if not constant_time_compare(sent["code"], _digest((code or "").strip())):
        sent["tries"] += 1
        if sent["tries"] >= MAX_TRIES:
            cache.delete(key)
        else:
            cache.set(key, sent, CODE_TTL_SECONDS)
        raise wrong
    cache.delete(key)
    # A fresh session id: one planted by someone else (fixation) does not inherit the proof.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"phone": number, "until": time.time() + settings.JIUFENG_PHONE_SESSION_SECONDS}


def phone_verified(request) -> str | None:
    """The mobile number this session proved, while the proof lasts."""
    proof = request.session.get(SESSION_KEY)
    if not proof or proof.get("until", 0) < time.time():
        return None
    return proof["phone"]


def phone_logout(request) -> None:
    request.session.pop(SESSION_KEY, None)
