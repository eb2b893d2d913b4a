"""The transparency page and /api/v1/public/stats/: figures counted by hand, nothing identifying, cached."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import RatingValue
from complaints.tallies import case_tallies_rebuild
from complaints.typical_cases import typical_case_submit, typical_case_write
from tests.complaints.public_cases import CONTENT, NAME, PHONE, decided, published

pytestmark = pytest.mark.django_db

RULE = "收费项目和标准在校门口公示"


@pytest.fixture
def figures_set(cast, file_complaint, settings):
    """Every case received a minute ago, so in one month (MONTH); see each line for what it counts."""
    received = timezone.now() - datetime.timedelta(minutes=1)
    units = cast.units

    def filed(unit, **fields):
        return file_complaint(subject_unit=unit, received_at=received, **fields)

    # The school (under the bureau): six received, five resolved.
    real_name, code = filed(units.school, anonymous=False)
    real_name = decided(cast, real_name, rule=RULE)
    for rating in (RatingValue.SATISFIED, RatingValue.SATISFIED, RatingValue.BASICALLY_SATISFIED):
        decided(cast, filed(units.school)[0], rating=rating)
    # Due for acceptance the moment it was received: accepted late, rated dissatisfied.
    settings.JIUFENG_COMPLAINT_ACCEPT_DAYS = 0
    late = filed(units.school)[0]
    settings.JIUFENG_COMPLAINT_ACCEPT_DAYS = 15
    decided(cast, late, rating=RatingValue.DISSATISFIED)
    filed(units.school)
    # The sibling bureau: two received, both resolved on time and rated satisfied (too few for a rate).
    for _n in range(2):
        decided(cast, filed(units.sibling)[0])
    # About the county itself: in the county's total only.
    filed(units.county)
    typical_case = published(cast, real_name)
    cache.clear()
    return {"case": real_name, "code": code, "typical_case": typical_case, "month": timezone.localdate(received)}


def _stats(client, **params):
    return client.get(reverse("api:public-stats"), params)


def _last(rows: list[dict]) -> dict:
    return {key: value for key, value in rows[-1].items() if key != "month"}


def _check_hand_counted(data: dict, month: datetime.date) -> None:
    assert data["months"][-1] == f"{month:%Y-%m}"
    assert len(data["months"]) == 12
    departments = {row["name"]: row for row in data["departments"]}
    assert list(departments) == ["县教育局", "县卫生健康局"]
    # Six received, five resolved, one of them late; 3 satisfied + 1 basically of 5 rated.
    assert _last(departments["县教育局"]["months"]) == {
        "received": 6,
        "resolved": 5,
        "on_time_rate": 80.0,
        "satisfaction_rate": 80.0,
    }
    # Two cases: too few for a rate.
    assert _last(departments["县卫生健康局"]["months"]) == {
        "received": 2,
        "resolved": 2,
        "on_time_rate": None,
        "satisfaction_rate": None,
    }
    # The county's own case too: 9 received; 6 of 7 on time; 6 of 7 satisfied or basically.
    assert _last(data["total"]["months"]) == {
        "received": 9,
        "resolved": 7,
        "on_time_rate": 85.7,
        "satisfaction_rate": 85.7,
    }
    # The month before: nothing, and no rate.
    assert {key: value for key, value in data["total"]["months"][-2].items() if key != "month"} == {
        "received": 0,
        "resolved": 0,
        "on_time_rate": None,
        "satisfaction_rate": None,
    }


def test_the_figures_are_those_counted_by_hand(client, figures_set):
    month = figures_set["month"]
    response = _stats(client, month=f"{month:%Y-%m}")
    assert response.status_code == 200
    _check_hand_counted(response.json(), month)


def test_the_tallies_give_the_same_figures(client, figures_set):
    counted_at = case_tallies_rebuild()
    cache.clear()
    data = _stats(client, month=f"{figures_set['month']:%Y-%m}").json()
    _check_hand_counted(data, figures_set["month"])
    assert data["counted_at"] == timezone.localtime(counted_at).isoformat()


def test_the_page_shows_the_figures_cases_and_rules(client, figures_set):
    page = client.get(reverse("complaints:public"), {"month": f"{figures_set['month']:%Y-%m}"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "县教育局" in html and "80%" in html and "85.7%" in html
    assert figures_set["typical_case"].title in html
    assert RULE in html
    assert reverse("evaluations:appraisal-public-list") in html
    assert 'data-testid="freshness"' in html
    detail = client.get(reverse("complaints:public-typical-case", args=[figures_set["typical_case"].pk]))
    assert figures_set["typical_case"].account in detail.content.decode()


def test_nothing_identifying_appears_anywhere_public(client, figures_set):
    case = figures_set["case"]
    pages = [
        client.get(reverse("complaints:public")),
        client.get(reverse("complaints:public"), {"month": f"{figures_set['month']:%Y-%m}"}),
        client.get(reverse("complaints:public-typical-case-list")),
        client.get(reverse("complaints:public-typical-case", args=[figures_set["typical_case"].pk])),
        _stats(client),
    ]
    texts = [response.content.decode() for response in pages]
    assert all(response.status_code == 200 for response in pages)
    # The typical case is there (so the pages were not empty)...
    assert figures_set["typical_case"].title in texts[0]
    # ...and nothing of who complained, nor a way back to the case.
    for secret in (NAME, PHONE, figures_set["code"], case.case_number, CONTENT, case.title):
        assert not [text for text in texts if secret in text], secret
    assert f"/cases/{case.pk}/" not in "".join(texts)


def test_a_publication_shows_at_once_and_the_rest_is_cached(client, cast, figures_set, file_complaint):
    url = reverse("complaints:public")
    client.get(url)
    # The figures and the lists come from the cache: no query at all.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
        assert _stats(client).status_code == 200
    assert len(queries) == 0
    # A case filed meanwhile counts at the next refresh, not before.
    file_complaint(subject_unit=cast.units.school)
    assert _stats(client).json()["total"]["months"][-1]["received"] == 9
    cache.clear()
    assert _stats(client).json()["total"]["months"][-1]["received"] == 10


def test_with_the_cache_away_the_page_still_answers(client, settings, figures_set):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            # Nothing listens there.
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    page = client.get(reverse("complaints:public"))
    assert page.status_code == 200
    assert figures_set["typical_case"].title in page.content.decode()
    assert _stats(client).json()["total"]["months"][-1]["received"] == 9


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026-5-1", "1999-12", "2999-01", "9" * 5000, " "])
def test_a_month_not_understood_is_refused_clearly(client, settings, month):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("complaints:public"), {"month": month})
    assert page.status_code == 400
    assert 'data-testid="month-error"' in page.content.decode()
    api = _stats(client, month=month)
    assert api.status_code == 400
    assert api.json()["month"][0] in page.content.decode()


def test_a_page_past_the_end_or_not_a_number_still_answers(client, figures_set):
    for page in ("abc", "9999", "-1", "1" * 500):
        response = client.get(reverse("complaints:public-typical-case-list"), {"page": page})
        assert response.status_code == 200
        assert figures_set["typical_case"].title in response.content.decode()


def test_only_published_typical_cases_are_public(client, cast, file_complaint):
    complaint = decided(cast, file_complaint(subject_unit=cast.units.school)[0])
    typical_case = typical_case_write(
        actor=cast.bureau_officer, complaint_id=complaint.pk, title="等待审核的案例", account="某校收费问题属实。"
    )
    typical_case_submit(actor=cast.bureau_officer, typical_case_id=typical_case.pk)
    assert client.get(reverse("complaints:public-typical-case", args=[typical_case.pk])).status_code == 404
    assert "等待审核的案例" not in client.get(reverse("complaints:public")).content.decode()


def test_the_home_page_links_here_and_the_schema_describes_the_api(client):
    assert reverse("complaints:public") in client.get(reverse("home")).content.decode()
    schema = client.get(reverse("api-schema")).content.decode()
    assert "/api/v1/public/stats/" in schema
    assert "satisfaction_rate" in schema


def test_the_page_keeps_the_strict_content_security_policy(client, figures_set):
    response = client.get(reverse("complaints:public"))
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    html = response.content.decode()
    assert " style=" not in html
    assert "<script>" not in html


def test_the_typical_case_list_costs_the_same_queries_whatever_its_length(
    client, cast, file_complaint, django_assert_num_queries
):
    url = reverse("complaints:public-typical-case-list")
    published(cast, decided(cast, file_complaint(subject_unit=cast.units.school)[0]), title="第一例")
    # The count and the page.
    with django_assert_num_queries(2):
        assert "第一例" in client.get(url).content.decode()
    for n in range(3):
        published(cast, decided(cast, file_complaint(subject_unit=cast.units.school)[0]), title=f"又一例{n}")
    with django_assert_num_queries(2):
        assert "又一例2" in client.get(url).content.decode()
