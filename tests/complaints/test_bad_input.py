"""No 500 from input: ids and page numbers past 64 bits, JSON nested without end, bytes that are not UTF-8.

Each answers 400 or 404 in the path's own error format and stores nothing.
"""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from complaints.models import Complaint

pytestmark = pytest.mark.django_db

PAST_64_BITS = "99999999999999999999"


@pytest.fixture
def officer(cast, file_complaint):
    file_complaint(subject_unit=cast.units.school)
    client = Client(raise_request_exception=False)
    client.force_login(cast.county_officer)
    return client


@pytest.mark.parametrize(
    "path",
    [
        f"/cases/{PAST_64_BITS}/",
        f"/cases/{PAST_64_BITS}/reply-letter/",
        f"/api/v1/complaints/{PAST_64_BITS}/",
        f"/api/v1/complaints/{PAST_64_BITS}/history/",
        f"/api/v1/complaints/{PAST_64_BITS}/identity/",
        f"/org/units/{PAST_64_BITS}/",
        f"/api/v1/units/{PAST_64_BITS}/",
    ],
)
def test_an_id_past_64_bits_is_not_found(officer, path):
    assert officer.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/cases/?tab=all&page=",
        "/api/v1/complaints/?page=",
        "/inbox/?page=",
        "/org/pledges/?page=",
        "/api/v1/deadlines/?page=",
        "/api/v1/escalations/?page=",
    ],
)
def test_a_page_number_past_64_bits_is_not_a_server_error(officer, path):
    response = officer.get(path + PAST_64_BITS)
    # Pages show the last page; the API says the page is not there.
    assert response.status_code in (200, 404)
    if path.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")


def test_the_case_list_past_its_end_shows_its_last_page(officer):
    response = officer.get("/cases/", {"tab": "all", "page": PAST_64_BITS})
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_json_nested_without_end_is_refused_with_400(cast, category):
    nested = "[" * 50_000 + "]" * 50_000
    body = json.dumps({"category": category.pk, "title": "t", "content": "c", "anonymous": True})
    body = body[:-1] + ', "location": ' + nested + "}"
    response = APIClient().post("/api/v1/complaints/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON 嵌套层级过深。"}
    assert not Complaint.objects.exists()


def test_a_json_body_that_is_not_utf8_is_refused_with_400(cast, category):
    body = b'{"category": %d, "title": "\xff\xfe", "content": "c", "anonymous": true}' % category.pk
    response = APIClient().post("/api/v1/complaints/", body, content_type="application/json")
    assert response.status_code == 400
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"service_code=fees&description=\xff\xfe\xe5",  # raw bytes
        b"service_code=fees&description=%FF%FE%E5",  # percent-escaped
    ],
    ids=["raw", "escaped"],
)
def test_open311_refuses_a_form_that_is_not_utf8_and_stores_nothing(cast, category, body):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="zh-CN").post(
        "/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "请求内容不是有效的 UTF-8 文本。"}]
    assert not Complaint.objects.exists()


def test_open311_refuses_a_multipart_field_that_is_not_utf8(cast, category):
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="service_code"\r\n\r\nfees\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
        ).encode()
        + b"\xff\xfe\xe5\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    response = APIClient().post(
        "/open311/v2/requests.json", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_a_valid_chinese_form_still_files(cast, category):
    response = APIClient().post(
        "/open311/v2/requests.json",
        b"service_code=fees&description=%E5%AD%A6%E6%A0%A1%E4%B9%B1%E6%94%B6%E8%B4%B9",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Complaint.objects.get().title == "学校乱收费"
