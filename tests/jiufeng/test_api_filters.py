"""The staff lists' filters: an id past what the database stores is a 400, never a 500."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from jiufeng.filters import FilterSet

pytestmark = pytest.mark.django_db

# Past 64 bits: SQLite cannot even bind it, PostgreSQL's bigint cannot hold it.
HUGE = "99999999999999999999"

FILTERS = [
    ("/api/v1/complaints/", "handling_unit"),
    ("/api/v1/complaints/", "subject_unit"),
    ("/api/v1/complaints/", "category"),
    ("/api/v1/deadlines/", "unit"),
    ("/api/v1/rectification-items/", "responsible_unit"),
    ("/api/v1/rectification-items/", "visit"),
    ("/api/v1/accountability/", "unit"),
    ("/api/v1/rectification-campaigns/", "lead_unit"),
    ("/api/v1/pledges/", "year"),
]


@pytest.fixture
def api(cast):
    client = APIClient()
    client.cookies["django_language"] = "en"
    client.force_authenticate(cast.county_officer)
    return client


@pytest.mark.parametrize("value", [HUGE, f"-{HUGE}"])
@pytest.mark.parametrize(("path", "name"), FILTERS)
def test_an_id_past_64_bits_is_a_400_naming_the_filter(api, path, name, value):
    response = api.get(path, {name: value})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    messages = response.json()[name]
    assert messages and all(isinstance(message, str) and message for message in messages)


@pytest.mark.parametrize("name", ["handling_unit", "subject_unit", "category"])
def test_the_largest_64_bit_id_is_compared_and_finds_no_case(api, name):
    response = api.get("/api/v1/complaints/", {name: str(2**63 - 1)})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_an_id_past_64_bits_is_as_unknown_as_an_id_no_row_has(api):
    # Filters choosing a row by id answer both the same way.
    unknown = api.get("/api/v1/deadlines/", {"unit": str(2**63 - 1)})
    huge = api.get("/api/v1/deadlines/", {"unit": HUGE})
    assert unknown.status_code == huge.status_code == 400
    assert (
        huge.json()
        == unknown.json()
        == {"unit": ["Select a valid choice. That choice is not one of the available choices."]}
    )


def test_a_zh_hans_request_reads_the_message_in_chinese(api):
    api.cookies["django_language"] = "zh-hans"
    response = api.get("/api/v1/complaints/", {"handling_unit": HUGE})
    assert response.status_code == 400
    assert response.json() == {"handling_unit": ["确保该值小于或等于9223372036854775807。"]}


def test_an_id_filter_takes_whole_numbers_only(api):
    response = api.get("/api/v1/complaints/", {"handling_unit": "1.5"})
    assert response.status_code == 400
    assert response.json() == {"handling_unit": ["Enter a whole number."]}


def _views(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_filterset_bounds_its_ids():
    filtersets = {
        route: view.cls.filterset_class
        for route, view in _views(get_resolver())
        if route.startswith("api/") and getattr(getattr(view, "cls", None), "filterset_class", None)
    }
    assert len(filtersets) >= 6
    assert {route: fs for route, fs in filtersets.items() if not issubclass(fs, FilterSet)} == {}
