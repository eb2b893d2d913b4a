"""Long case lists count up to a cap (jiufeng.pagination): the pages and the API say "more than" beyond it."""

import pytest

from complaints.views import staff
from jiufeng.pagination import CappedPageNumberPagination, CappedPaginator

from .test_api_staff import api
from .test_pages_staff_helpers import as_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_cases(cast, file_complaint):
    return [file_complaint(subject_unit=cast.units.school, title=f"第{n}件")[0] for n in range(7)]


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of two and a cap of three: seven cases are more than one page past the cap."""
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    monkeypatch.setattr(CappedPageNumberPagination, "page_size", 2)
    monkeypatch.setattr(staff, "PAGE_SIZE", 2)


def test_the_api_counts_up_to_the_cap_and_still_pages_on(cast, seven_cases, small_pages):
    client = api(cast.county_officer)
    first = client.get("/api/v1/complaints/").json()
    # Counted to the end of the next page (4 rows); there are more.
    assert (first["count"], first["count_capped"]) == (4, True)
    assert first["next"] is not None
    seen, url = [], "/api/v1/complaints/"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(case.pk for case in seven_cases)
    # Near the end the window reaches past the last case: the count is exact again.
    last = client.get("/api/v1/complaints/", {"page": 3}).json()
    assert (last["count"], last["count_capped"]) == (7, False)


def test_the_api_counts_exactly_for_the_last_page(cast, seven_cases, small_pages):
    body = api(cast.county_officer).get("/api/v1/complaints/", {"page": "last"}).json()
    assert (body["count"], body["count_capped"], body["next"]) == (7, False, None)
    assert len(body["results"]) == 1


def test_a_short_list_is_counted_exactly(cast, seven_cases):
    body = api(cast.county_officer).get("/api/v1/complaints/").json()
    assert (body["count"], body["count_capped"]) == (7, False)


def test_the_case_list_says_more_than_the_cap(client, cast, seven_cases, small_pages):
    page = as_user(client, cast.county_officer).get("/cases/", {"tab": "all"}).content.decode()
    assert "More than 4 cases" in page and "1 / 2+" in page
    deep = as_user(client, cast.county_officer).get("/cases/", {"tab": "all", "page": 4}).content.decode()
    assert "7 cases" in deep and "4 / 4" in deep
