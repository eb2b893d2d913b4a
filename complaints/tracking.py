"""Tracking codes (查询码): what a petitioner keeps to follow a case without an account.

A code is 16 symbols of Crockford's base32 (no I, L, O, U: nothing to misread aloud),
80 random bits from ``secrets``, shown as ``JF-7K3M-Q9XD-2WPA-HT6C``. Only a keyed hash
is stored, like a password: a leaked database reveals no working code. The key is
derived from settings.SECRET_KEY, so rotating SECRET_KEY invalidates every code.
"""

import ipaddress
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

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
    return Complaint.objects.filter(tracking_code_hash=digest).first()


class TrackingThrottled(Exception):
    """Too many failed lookups from this address, or from everyone together: answer 429."""


# Failed lookups are counted in fixed windows: "20/h" is 20 in each clock hour.
_PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def _rate(rate: str) -> tuple[int, int]:
    """How many failures a window allows and its length in seconds: "20/h" is (20, 3600)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[-1]] * int(period[:-1] or 1)


def _address(request) -> str:
    """Who is guessing: the client address, an IPv6 client by its /64 (one host or household holds it)."""
    address = request.META["REMOTE_ADDR"]
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def _failure_counters(request) -> list[tuple[str, int, int]]:
    """(cache key, limit, timeout) of each counter a failed lookup adds to: this address's, everyone's.

    The key names the window; it is kept a little past the window's end, so it cannot
    expire while its window is read.
    """
    now = int(time.time())
    counters = []
    for name, who, rate in (
        ("ip", _address(request), settings.JIUFENG_TRACK_FAILURES_PER_IP),
        ("all", "all", settings.JIUFENG_TRACK_FAILURES_GLOBAL),
    ):
        limit, seconds = _rate(rate)
        counters.append((f"track-failures:{name}:{who}:{now // seconds}", limit, seconds + 5))
    return counters


def track_lookup(*, request, code: str):
    """The complaint a petitioner's code tracks, or None; raises TrackingThrottled when guessing.

    Only failed lookups count, per address and globally (a distributed guesser), so a
    petitioner who types the right code is never slowed by others' mistakes until the
    global limit trips. With 80-bit codes the limits are not what keeps codes safe; they
    keep the attempt cheap for us and visible in the logs. One cache round trip reads both
    counters; a failure then adds to each (a new counter in one, an existing one in two).
    """
    counters = _failure_counters(request)
    counts = cache.get_many([key for key, _limit, _timeout in counters])
    if any(counts.get(key, 0) >= limit for key, limit, _timeout in counters):
        raise TrackingThrottled
    complaint = complaint_by_tracking_code(code)
    if complaint is None:
        for key, _limit, timeout in counters:
            if key in counts or not cache.add(key, 1, timeout):
                try:
                    cache.incr(key)
                except ValueError:
                    # Evicted meanwhile (a cache restart): the failure opens a new count.
                    cache.add(key, 1, timeout)
    return complaint
