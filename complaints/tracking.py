"""Tracking codes (查询码): what a petitioner keeps to follow a case without an account.

A code is 16 symbols of Crockford's base32 (no I, L, O, U: nothing to misread aloud),
80 random bits from ``secrets``, shown as ``JF-7K3M-Q9XD-2WPA-HT6C``. Only a keyed hash
is stored, like a password: a leaked database reveals no working code. The key is
derived from settings.SECRET_KEY, so rotating SECRET_KEY invalidates every code.
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from jiufeng.ratelimits import WrongGuessesThrottled, wrong_guess_count

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SYMBOLS = 16  # 16 symbols x 5 bits = 80 bits
PREFIX = "JF"
# Read-aloud and handwriting confusions, and the separators people type.
_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None, "\t": None})
_KEY_SALT = "jiufeng.complaints.tracking_code"


def tracking_code_new() -> str:
    """A fresh code, formatted for reading aloud."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(SYMBOLS))
    return "-".join([PREFIX, *(symbols[i : i + 4] for i in range(0, SYMBOLS, 4))])


def tracking_code_normalise(code: str) -> str | None:
    """The 16 symbols of what a person typed, or None if it cannot be a code.

    Case, spaces, dashes, the ``JF`` prefix and O/0, I/L/1 confusions do not matter.
    """
    symbols = code.strip().upper().translate(_CONFUSIONS)
    if len(symbols) == SYMBOLS + len(PREFIX) and symbols.startswith(PREFIX):
        symbols = symbols[len(PREFIX) :]
    if len(symbols) != SYMBOLS or any(symbol not in ALPHABET for symbol in symbols):
        return None
    return symbols


def tracking_code_hash(code: str) -> str | None:
    """The stored form of a code: HMAC-SHA256 of its normalised symbols; None for no code."""
    symbols = tracking_code_normalise(code)
    if symbols is None:
        return None
    return salted_hmac(_KEY_SALT, symbols, algorithm="sha256").hexdigest()


def complaint_by_tracking_code(code: str):
    """The complaint this code tracks, or None. Caller slows and limits guessing (429)."""
    from .models import Complaint

    digest = tracking_code_hash(code)
    if digest is None:
        return None
    # Unscoped by design: whoever holds the code may follow the case. The hash is unique.
    return Complaint.objects.filter(tracking_code_hash=digest).first()


class TrackingThrottled(WrongGuessesThrottled):
    """Too many wrong tracking codes from this address, or from everyone together: answer 429."""


def tracking_throttled_message(error: TrackingThrottled) -> str:
    """What a refused lookup tells the person: whose wrong codes, and that a right code still works."""
    if error.everyone:
        return _(
            "So many wrong tracking codes are being tried on this service right now that wrong codes "
            "are refused for a while. A right code still opens its complaint: check yours and try again."
        )
    return _(
        "Too many wrong tracking codes were tried from your connection, so wrong codes are refused "
        "for a while. A right code still opens its complaint: check yours and try again."
    )


def track_lookup(*, request, code: str):
    """The complaint a petitioner's code tracks, or None; raises TrackingThrottled when guessing.

    A right code always opens its case: 80 random bits are not found by guessing, so the
    limits only stop wrong codes, per address and globally (a distributed guesser), and a
    guesser can never lock petitioners out of their own cases. They keep wrong guesses cheap
    for us and visible in the logs.
    """
    complaint = complaint_by_tracking_code(code)
    if complaint is not None:
        return complaint
    wrong_guess_count(
        request,
        name="track",
        per_address=settings.JIUFENG_TRACK_FAILURES_PER_IP,
        everyone=settings.JIUFENG_TRACK_FAILURES_GLOBAL,
        refused=TrackingThrottled,
    )
    return None
