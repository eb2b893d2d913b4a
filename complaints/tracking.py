"""Tracking codes (查询码): what a petitioner keeps to follow a case without an account.

A code is 16 symbols of Crockford's base32 (no I, L, O, U: nothing to misread aloud),
80 random bits from ``secrets``, shown as ``JF-7K3M-Q9XD-2WPA-HT6C``. Only a keyed hash
is stored, like a password: a leaked database reveals no working code. The keys are
JIUFENG_TRACKING_CODE_KEYS, newest first (SECRET_KEY when none is set, as before they
existed): the newest hashes new codes, every one still opens the codes it hashed, and a code
found by an older key is hashed again with the newest, so an old key can go once its codes
have been used. SECRET_KEY can then be rotated without orphaning a single code.
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


def tracking_code_hashes(code: str) -> list[str]:
    """The code's HMAC-SHA256 under each key, the newest first; empty when it cannot be a code."""
    symbols = tracking_code_normalise(code)
    if symbols is None:
        return []
    keys = settings.JIUFENG_TRACKING_CODE_KEYS or [settings.SECRET_KEY]
    return [salted_hmac(_KEY_SALT, symbols, secret=key, algorithm="sha256").hexdigest() for key in keys]


def tracking_code_hash(code: str) -> str | None:
    """The stored form of a code: its hash under the newest key; None for no code."""
    hashes = tracking_code_hashes(code)
    return hashes[0] if hashes else None


def complaint_by_tracking_code(code: str):
    """The complaint this code tracks, or None. Caller slows and limits guessing (429)."""
    from .models import Complaint

    hashes = tracking_code_hashes(code)
    if not hashes:
        return None
    # Unscoped by design: whoever holds the code may follow the case. Each hash is unique.
    complaint = Complaint.objects.filter(tracking_code_hash__in=hashes).first()
    if complaint is not None and complaint.tracking_code_hash != hashes[0]:
        # Found by an older key: from now on the newest opens it.
        complaint.tracking_code_hash = hashes[0]
        complaint._change_reason = "tracking code hashed with the newest key"
        complaint.save(update_fields=["tracking_code_hash"])
    return complaint


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
