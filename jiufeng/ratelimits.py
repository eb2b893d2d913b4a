"""django-ratelimit's counters read several at once, and given back, on the hot paths.

``get_usage`` asks one counter per call, in one or two Redis round trips (an ADD, then a
GET once the counter exists). A tracking lookup checks two counters before every lookup,
and a filing that fails gives its count back: both go to the library's own counters,
under its own keys, by its key functions (django-ratelimit 4.1.0, pinned; their use here
is tested against get_usage, so a change in them fails the tests).
"""

import time
from contextlib import suppress

from django.conf import settings
from django.core.cache import caches


def _cache():
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def counter_key(request, *, group: str, key, rate: str) -> str:
    """The cache key of the counter get_usage(request, group=, key=, rate=) counts in now."""
    from django_ratelimit import core

    value = key(group, request) if callable(key) else core._SIMPLE_KEYS[key](request)
    _limit, period = core._split_rate(rate)
    return core._make_cache_key(group, core._get_window(value, period), rate, value, core.ALL)


def first_reached(request, limits):
    """The first of ``limits`` ((group, key, rate) each) that has reached its limit, or None: one round trip."""
    from django_ratelimit import core

    keys = [
        (counter_key(request, group=group, key=key, rate=rate), core._split_rate(rate)[0], (group, key, rate))
        for group, key, rate in limits
    ]
    counts = _cache().get_many([cache_key for cache_key, _limit, _given in keys])
    return next((given for cache_key, limit, given in keys if counts.get(cache_key, 0) >= limit), None)


def give_back(request, *, group: str, key, rate: str) -> None:
    """Uncount one use counted by get_usage(increment=True).

    A window that has just turned over has no count to give back.
    """
    with suppress(ValueError):
        _cache().decr(counter_key(request, group=group, key=key, rate=rate))


def retry_after(request, *, group: str, key, rate: str) -> int:
    """Seconds until the counter get_usage(request, group=, key=, rate=) counts in starts afresh:
    its window (staggered per key by the library) ends then."""
    from django_ratelimit import core

    value = key(group, request) if callable(key) else core._SIMPLE_KEYS[key](request)
    _limit, period = core._split_rate(rate)
    return max(core._get_window(value, period) - int(time.time()), 1)


class WrongGuessesThrottled(Exception):
    """Too many wrong codes from this address, or from everyone together: answer 429.

    ``everyone``: the global limit (a guesser spread over many addresses) tripped, not this
    address's; ``retry_after``: seconds until the limit that tripped lifts.
    """

    def __init__(self, *, everyone: bool, retry_after: int):
        super().__init__()
        self.everyone = everyone
        self.retry_after = retry_after


def _everyone(group, request) -> str:
    return "all"


def wrong_guess_count(request, *, name: str, per_address: str, everyone: str, refused=WrongGuessesThrottled) -> None:
    """Count one wrong code of the kind ``name`` per address and from everyone, or raise
    ``refused`` (a WrongGuessesThrottled) when either limit is already reached.

    For codes whose holder needs no account (tracking, invitation codes): the caller looks a
    code up first and counts only wrong ones, so a right code always opens and a guesser never
    locks a real holder out. Both counters are read in one round trip; a refused guess is not
    counted again.
    """
    from django_ratelimit.core import get_usage

    limits = ((f"{name}-ip", "ip", per_address), (f"{name}-all", _everyone, everyone))
    reached = first_reached(request, limits)
    if reached is not None:
        group, key, rate = reached
        raise refused(everyone=key is _everyone, retry_after=retry_after(request, group=group, key=key, rate=rate))
    for group, key, rate in limits:
        get_usage(request, group=group, key=key, rate=rate, increment=True)
