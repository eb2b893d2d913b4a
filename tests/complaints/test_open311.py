"""Open311 GeoReport v2, reading: discovery, services, requests and tokens in XML and JSON, as the spec names them."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import transitions as t
from complaints.models import Category
from complaints.tracking import tracking_code_new

pytestmark = pytest.mark.django_db

# GET Service Requests' fields, in the spec's order.
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
W3_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def url(name: str, fmt: str, **kwargs) -> str:
    return reverse(f"open311:{name}", kwargs={"response_format": fmt, **kwargs})


def as_xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def as_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def assert_errors(response, status: int, code: int | None = None) -> list[str]:
    """The spec's error document in the response's format; returns the descriptions."""
    assert response.status_code == status
    if response["Content-Type"].startswith("text/xml"):
        root = as_xml(response)
        assert root.tag == "errors"
        errors = [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root]
    else:
        errors = as_json(response)
    assert errors
    assert all(set(error) == {"code", "description"} and error["description"] for error in errors)
    assert {error["code"] for error in errors} == {code or status}
    return [error["description"] for error in errors]


@pytest.fixture
def services(category):
    category.hint = "擅自设立收费项目、提高收费标准"
    category.save()
    school = Category.objects.add_child(
        category, {"code": "school-fees", "name": "教育乱收费", "name_en": "School fees", "hint": "学校收费"}
    )
    Category.objects.add_root({"code": "retired", "name": "已停用", "is_active": False})
    return {"fees": category, "school": school}


@pytest.fixture
def cases(cast, services, file_complaint):
    """Three complaints: new, accepted by the bureau, and one received by letter 200 days ago."""
    new, _ = file_complaint(
        subject_unit=cast.units.school, category=services["school"], content="私人信息：张三家住某路"
    )
    accepted, _ = file_complaint(subject_unit=cast.units.school, location="县第一中学三楼")
    t.complaint_accept(complaint_id=accepted.pk, actor=cast.county_officer)
    old, _ = file_complaint(
        subject_unit=None, channel="letter", received_at=timezone.now() - datetime.timedelta(days=200)
    )
    t.complaint_reject(complaint_id=old.pk, actor=cast.county_officer, reason="不属于受理范围")
    return {"new": new, "accepted": accepted, "old": old}


# --- discovery ----------------------------------------------------------------------------


def test_discovery_names_the_endpoint_and_its_formats(api, services):
    body = as_json(api.get(url("discovery", "json")))
    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    [endpoint] = body["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2",
        "changeset": body["changeset"],
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    assert W3_DATETIME.match(body["changeset"])
    root = as_xml(api.get(url("discovery", "xml")))
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"


# --- services -----------------------------------------------------------------------------


def test_services_are_the_active_categories(api, services):
    body = as_json(api.get(url("services", "json"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert [list(service) for service in body] == [SERVICE_FIELDS, SERVICE_FIELDS]
    fees, school = body
    assert fees == {
        "service_code": "fees",
        "service_name": "乱收费",
        "description": "擅自设立收费项目、提高收费标准",
        "metadata": False,
        "type": "batch",
        "keywords": "乱收费, fees",
        "group": "乱收费",
    }
    assert (school["service_code"], school["group"], school["keywords"]) == (
        "school-fees",
        "乱收费",
        "教育乱收费, School fees, school-fees",
    )


def test_services_in_xml_and_in_english(api, services):
    root = as_xml(api.get(url("services", "xml")))
    assert root.tag == "services"
    assert [[child.tag for child in service] for service in root] == [SERVICE_FIELDS, SERVICE_FIELDS]
    assert [s.findtext("service_name") for s in root] == ["乱收费", "School fees"]
    assert {s.findtext("metadata") for s in root} == {"false"}
    assert {s.findtext("type") for s in root} == {"batch"}


def test_a_service_definition_has_no_attributes(api, services):
    assert as_json(api.get(url("service", "json", service_code="fees"))) == {"service_code": "fees", "attributes": []}
    root = as_xml(api.get(url("service", "xml", service_code="school-fees")))
    assert (root.tag, root.findtext("service_code"), list(root.find("attributes"))) == (
        "service_definition",
        "school-fees",
        [],
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["nothing", "retired", "<script>"])
def test_an_unknown_or_inactive_service_is_404_in_the_spec_error_form(api, services, fmt, code):
    assert_errors(api.get(url("service", fmt, service_code=code)), 404)


def test_hostile_category_names_cannot_break_the_xml(api, services):
    services["fees"].name = '<x>&"\x01\x0b</services>'
    services["fees"].save()
    root = as_xml(api.get(url("services", "xml"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert root[0].findtext("service_name") == '<x>&"</services>'
    assert as_json(api.get(url("services", "json"), HTTP_ACCEPT_LANGUAGE="zh-hans"))[0]["service_name"] == (
        '<x>&"\x01\x0b</services>'
    )


# --- requests -----------------------------------------------------------------------------


def test_the_request_list_shows_public_fields_only(api, cases):
    body = as_json(api.get(url("requests", "json")))
    assert [row["service_request_id"] for row in body] == [cases["accepted"].pk, cases["new"].pk]
    assert all(list(row) == REQUEST_FIELDS for row in body)
    accepted, new = body
    assert accepted["status"] == new["status"] == "open"
    assert (accepted["status_notes"], new["status_notes"]) == ("Accepted", "Submitted")
    assert (accepted["agency_responsible"], new["agency_responsible"]) == ("县教育局", None)
    assert (new["service_code"], new["service_name"]) == ("school-fees", "School fees")
    for row in body:
        assert all(W3_DATETIME.match(row[f]) for f in ("requested_datetime", "updated_datetime", "expected_datetime"))
        assert all(row[f] is None for f in ("description", "address", "lat", "long", "media_url", "service_notice"))
    # The running stage's deadline: 60 days to resolve once accepted, 15 to accept before.
    assert accepted["expected_datetime"] > new["expected_datetime"]
    assert "张三" not in str(body) and "三楼" not in str(body)


def test_the_request_list_in_xml(api, cases):
    root = as_xml(api.get(url("requests", "xml")))
    assert root.tag == "service_requests"
    assert [[child.tag for child in request] for request in root] == [REQUEST_FIELDS, REQUEST_FIELDS]
    assert [int(r.findtext("service_request_id")) for r in root] == [cases["accepted"].pk, cases["new"].pk]
    assert root[0].findtext("description") == ""


def test_the_request_list_costs_one_query_however_long(api, cast, cases, file_complaint, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(api.get(url("requests", "json")).json()) == 2
    for _ in range(10):
        complaint, _code = file_complaint(subject_unit=cast.units.school)
        t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    with django_assert_num_queries(1):
        assert len(api.get(url("requests", "json")).json()) == 12


def _ids(api, **params) -> list[int]:
    response = api.get(url("requests", "json"), params)
    assert response.status_code == 200, response.content
    return sorted(row["service_request_id"] for row in response.json())


def test_the_request_list_filters(api, cases):
    new, accepted, old = cases["new"].pk, cases["accepted"].pk, cases["old"].pk
    assert _ids(api, service_request_id=f"{old}, {new}") == sorted([old, new])
    # service_request_id overrides every other argument.
    assert _ids(api, service_request_id=str(old), status="open", service_code="nothing") == [old]
    assert _ids(api, service_code="school-fees") == [new]
    assert _ids(api, service_code="fees,school-fees") == sorted([new, accepted])
    assert _ids(api, status="closed") == []
    assert _ids(api, status="open,closed") == sorted([new, accepted])
    long_ago = timezone.now() - datetime.timedelta(days=210)
    assert _ids(api, start_date=long_ago.isoformat()) == [old]
    assert _ids(api, start_date=long_ago.isoformat(), status="closed") == [old]
    assert _ids(api, end_date=(timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")) == []


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"start_date": "yesterday"},
        {"end_date": "<script>"},
        {"status": "pending"},
        {"service_request_id": "1,two"},
        {"service_request_id": "99999999999999999999999"},
        {"service_request_id": ",".join(["1"] * 1001)},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_list_arguments_are_400(api, cases, params, fmt):
    assert_errors(api.get(url("requests", fmt), params), 400)


def test_too_many_query_arguments_are_400(api, settings, cases):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    assert_errors(api.get(url("requests", "json"), {f"x{n}": n for n in range(5)}), 400)


def test_a_single_request_is_an_array_of_one(api, cases):
    pk = cases["old"].pk
    [row] = as_json(api.get(url("request", "json", service_request_id=pk)))
    assert list(row) == REQUEST_FIELDS
    assert (row["service_request_id"], row["status"], row["status_notes"]) == (pk, "closed", "Not accepted")
    root = as_xml(api.get(url("request", "xml", service_request_id=pk)))
    assert (root.tag, len(root), root[0].tag, root[0].findtext("status")) == (
        "service_requests",
        1,
        "request",
        "closed",
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("pk", ["987654", "abc", "1e3", "-1", "%3Cscript%3E"])
def test_an_unknown_request_is_404(api, cases, fmt, pk):
    assert_errors(api.get(f"/open311/v2/requests/{pk}.{fmt}"), 404)


# --- tokens -------------------------------------------------------------------------------


def test_a_token_gives_the_request_id(api, cast, file_complaint):
    complaint, code = file_complaint(subject_unit=cast.units.school)
    assert as_json(api.get(url("token", "json", token=code))) == [{"service_request_id": complaint.pk, "token": code}]
    root = as_xml(api.get(url("token", "xml", token=code)))
    assert [[(c.tag, c.text) for c in r] for r in root] == [
        [("service_request_id", str(complaint.pk)), ("token", code)]
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_token_is_404(api, units, fmt):
    assert_errors(api.get(url("token", fmt, token=tracking_code_new())), 404)


def test_guessing_tokens_is_stopped_with_429(api, settings, cast, file_complaint):
    settings.JIUFENG_TRACK_FAILURES_PER_IP = "5/h"
    _complaint, code = file_complaint(subject_unit=cast.units.school)
    statuses = [api.get(url("token", "json", token=tracking_code_new())).status_code for _ in range(50)]
    assert statuses[:5] == [404] * 5
    assert set(statuses[6:]) == {429}
    refused = api.get(url("token", "json", token=tracking_code_new()))
    assert_errors(refused, 429)
    assert 1 <= int(refused["Retry-After"]) <= 3600
    # The right token still finds its request.
    assert api.get(url("token", "xml", token=code)).status_code == 200


# --- jurisdiction, unknown resources, methods ------------------------------------------------


def test_another_jurisdiction_is_404(api, settings, services):
    settings.JIUFENG_OPEN311_JURISDICTION_ID = "jiufeng.example.gov.cn"
    assert api.get(url("services", "json"), {"jurisdiction_id": "jiufeng.example.gov.cn"}).status_code == 200
    assert api.get(url("services", "json")).status_code == 200
    assert_errors(api.get(url("services", "xml"), {"jurisdiction_id": "sfgov.org"}), 404)


@pytest.mark.parametrize("path", ["services.csv", "nothing.json", "requests/1/extra.xml", "", "requests.json/x"])
def test_an_unknown_resource_is_404_in_the_spec_error_form(api, path):
    assert_errors(api.get(f"/open311/v2/{path}"), 404)


def test_a_wrong_method_is_400_with_a_precise_code(api, services):
    assert_errors(api.delete(url("requests", "json")), 400, code=405)
    assert_errors(api.put(url("services", "xml")), 400, code=405)
    assert_errors(api.options(url("requests", "xml")), 400, code=405)
