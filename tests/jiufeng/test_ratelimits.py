"""jiufeng.ratelimits reads and gives back django-ratelimit's own counters."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django_ratelimit.core import get_usage

from jiufeng.ratelimits import counter_key, first_reached, give_back, retry_after


def _everyone(group, request) -> str:
    return "all"


@pytest.fixture
def request_from():
    factory = RequestFactory()

    def make(address: str):
        return factory.get("/", REMOTE_ADDR=address)

    return make


@pytest.mark.parametrize("key", ["ip", _everyone])
def test_the_key_is_the_counter_get_usage_counts_in(request_from, key):
    cache.clear()
    request = request_from("192.0.2.10")
    limit = {"group": "probe", "key": key, "rate": "5/h"}
    for _ in range(3):
        get_usage(request, increment=True, **limit)
    assert cache.get(counter_key(request, **limit)) == 3
    give_back(request, **limit)
    assert get_usage(request, increment=False, **limit)["count"] == 2


def test_first_reached_names_the_limit_used_up(request_from):
    cache.clear()
    mine, other = request_from("192.0.2.20"), request_from("192.0.2.21")
    limits = [("probe-ip", "ip", "2/h"), ("probe-all", _everyone, "3/h")]
    assert not first_reached(mine, limits)
    for group, key, rate in limits:
        get_usage(mine, group=group, key=key, rate=rate, increment=True)
    assert not first_reached(mine, limits)
    get_usage(mine, group="probe-ip", key="ip", rate="2/h", increment=True)
    assert first_reached(mine, limits) == ("probe-ip", "ip", "2/h")
    # Another address is held back only by the shared limit.
    assert not first_reached(other, limits)
    get_usage(other, group="probe-all", key=_everyone, rate="3/h", increment=True)
    get_usage(other, group="probe-all", key=_everyone, rate="3/h", increment=True)
    assert first_reached(other, limits) == ("probe-all", _everyone, "3/h")


def test_retry_after_is_when_the_limits_window_ends(request_from):
    request = request_from("192.0.2.22")
    assert 1 <= retry_after(request, group="probe-ip", key="ip", rate="2/h") <= 3600
    assert 1 <= retry_after(request, group="probe-ip", key="ip", rate="5/m") <= 60


def test_giving_back_a_count_that_is_not_there_is_no_error(request_from):
    cache.clear()
    request = request_from("192.0.2.30")
    limit = {"group": "probe", "key": "ip", "rate": "5/h"}
    give_back(request, **limit)
    # Nothing is left below zero: the next use counts from one, as in a fresh window.
    assert cache.get(counter_key(request, **limit)) is None
    assert get_usage(request, increment=True, **limit)["count"] == 1
