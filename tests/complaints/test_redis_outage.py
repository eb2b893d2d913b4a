"""Redis away: filing, tracking, signing in and Open311 go on on PostgreSQL alone.

The cache (rate limits, sessions' cache, the delivery wake) is a private redis-server on a free
port, stopped in the middle: every request still answers as it would, never 500, and every
filing answered 201 is stored. The broker is the shared Redis, untouched: a stopped broker is
the worker's test (tests/responsibility/test_escalation_redis_restart.py).
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.models import Category, Complaint
from complaints.tracking import tracking_code_new
from tests.factories import PASSWORD
from tests.responsibility.test_escalation_redis_restart import REDIS_SERVER, PrivateRedis

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary"),
]


@pytest.fixture
def cache_redis(settings):
    redis = PrivateRedis()
    redis.start()
    # The settings' own Redis cache (make test runs with REDIS_URL), pointed at the private server.
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": redis.url}}
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def filing(category, cast):
    return {
        "category": category.pk,
        "subject_unit": cast.units.school.pk,
        "title": "学校强制订购教辅资料",
        "content": "班主任要求每人交200元购买指定资料。",
        "anonymous": True,
    }


def test_with_redis_stopped_filings_tracking_and_sign_in_go_on(cache_redis, filing, cast, caplog):
    api = APIClient()
    before = [api.post("/api/v1/complaints/", filing, format="json") for _ in range(5)]
    cache_redis.stop()

    during = [api.post("/api/v1/complaints/", filing, format="json") for _ in range(20)]
    code = during[-1].json()["tracking_code"]
    tracked = api.get(f"/api/v1/track/{code}/")
    guessed = api.get(f"/api/v1/track/{tracking_code_new()}/")
    page = Client().post(reverse("complaints:complaint-track"), {"code": code})
    open311 = APIClient().post(
        "/open311/v2/requests.json",
        {"service_code": Category.objects.get(pk=filing["category"]).code, "description": "窗口无人办理业务"},
        format=None,
    )
    staff = Client()
    signed_in = staff.post(reverse("login"), {"username": "county-officer", "password": PASSWORD})
    case_list = staff.get("/cases/")

    cache_redis.start()
    after = [api.post("/api/v1/complaints/", filing, format="json") for _ in range(5)]

    statuses = [response.status_code for response in before + during + after]
    assert statuses == [201] * 30
    assert (tracked.status_code, guessed.status_code, page.status_code, open311.status_code) == (200, 404, 302, 200)
    assert signed_in.status_code == 302 and case_list.status_code == 200
    # Every filing answered 201 is stored: 30 by the API, one by Open311.
    assert Complaint.objects.count() == 31
    # Each call that could not reach Redis was logged, not hidden.
    assert any("Exception ignored" in record.getMessage() for record in caplog.records)
