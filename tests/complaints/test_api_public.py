"""The petitioner's API: categories and filing (API.md), with wrong, missing, oversized and hostile input."""

import datetime
import io
import ipaddress
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from PIL import Image
from rest_framework.test import APIClient

from complaints.models import Attachment, Category, Complaint, PetitionerIdentity
from complaints.tracking import complaint_by_tracking_code
from responsibility.models import Deadline, DeadlineKind

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def categories(category):
    school_fees = Category.objects.add_child(
        category, {"code": "school-fees", "name": "教育乱收费", "name_en": "School fees"}
    )
    attitude = Category.objects.add_root({"code": "attitude", "name": "服务态度", "name_en": "Attitude"})
    retired = Category.objects.add_root({"code": "retired", "name": "已停用", "is_active": False})
    return {"fees": category, "school_fees": school_fees, "attitude": attitude, "retired": retired}


# --- GET /api/v1/categories/ -------------------------------------------------------------


def test_categories_lists_the_active_ones_in_tree_order_with_their_parent(api, categories):
    response = api.get(reverse("api:category-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.json() == [
        {"id": categories["fees"].pk, "code": "fees", "name": "乱收费", "parent": None},
        {
            "id": categories["school_fees"].pk,
            "code": "school-fees",
            "name": "教育乱收费",
            "parent": categories["fees"].pk,
        },
        {"id": categories["attitude"].pk, "code": "attitude", "name": "服务态度", "parent": None},
    ]


def test_categories_are_named_in_english_when_asked_and_there_is_an_english_name(api, categories):
    names = [c["name"] for c in api.get(reverse("api:category-list")).json()]
    # 乱收费 has no English name: the Chinese one stands.
    assert names == ["乱收费", "School fees", "Attitude"]


def test_the_category_list_costs_one_query_however_many_there_are(api, categories, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(api.get(reverse("api:category-list")).json()) == 3
    for n in range(10):
        Category.objects.add_root({"code": f"extra-{n}", "name": f"类别{n}"})
    with django_assert_num_queries(1):
        assert len(api.get(reverse("api:category-list")).json()) == 13


# --- POST /api/v1/complaints/ ------------------------------------------------------------


@pytest.fixture
def filing(categories, cast):
    return {
        "category": categories["school_fees"].pk,
        "subject_unit": cast.units.school.pk,
        "title": "学校强制订购教辅资料",
        "content": "班主任要求每人交200元购买指定资料。",
        "occurred_on": "2026-11-02",
        "location": "县第一中学",
        "anonymous": True,
    }


def test_an_anonymous_filing_answers_201_with_the_tracking_code_and_the_acceptance_deadline(api, filing):
    response = api.post(reverse("api:complaint-list"), filing, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"tracking_code", "case_number", "status", "submitted_at", "accept_due_at"}
    assert body["status"] == "submitted"
    complaint = complaint_by_tracking_code(body["tracking_code"])
    assert complaint.title == filing["title"]
    assert complaint.occurred_on == datetime.date(2026, 11, 2)
    assert not PetitionerIdentity.objects.filter(complaint=complaint).exists()
    deadline = Deadline.objects.get(object_id=complaint.pk, kind=DeadlineKind.COMPLAINT_ACCEPT)
    assert parse_datetime(body["accept_due_at"]) == deadline.due_at
    assert parse_datetime(body["submitted_at"]) == complaint.submitted_at


def test_a_real_name_filing_by_form_keeps_the_identity_apart(api, filing):
    form = {
        **filing,
        "anonymous": "false",
        "name": "张三",
        "phone": "138 0013 8000",
        "id_number": "11010519491231002X",
        "email": "z@example.cn",
    }
    response = api.post(reverse("api:complaint-list"), form, format="multipart")
    assert response.status_code == 201
    identity = complaint_by_tracking_code(response.json()["tracking_code"]).identity
    assert (identity.name, identity.phone, identity.email) == ("张三", "13800138000", "z@example.cn")


def test_optional_fields_may_be_left_out(api, categories, units):
    response = api.post(
        reverse("api:complaint-list"),
        {"category": categories["fees"].pk, "title": "乱收费", "content": "收取停车费", "anonymous": True},
        format="json",
    )
    assert response.status_code == 201
    complaint = complaint_by_tracking_code(response.json()["tracking_code"])
    assert (complaint.subject_unit, complaint.occurred_on, complaint.location) == (None, None, "")


def _future() -> str:
    return (timezone.localdate() + datetime.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": " \n\t "}, "content"),
        ({"content": "x" * 100_000}, "content"),
        ({"title": None}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"location": "l" * 201}, "location"),
        ({"category": None}, "category"),
        ({"category": 987654}, "category"),
        ({"category": "fees"}, "category"),
        ({"category": "retired"}, "category"),
        ({"subject_unit": 987654}, "subject_unit"),
        ({"subject_unit": "inactive"}, "subject_unit"),
        ({"category": 2**70}, "category"),
        ({"category": -1}, "category"),
        ({"category": True}, "category"),
        ({"category": 1.5}, "category"),
        ({"subject_unit": [1]}, "subject_unit"),
        ({"subject_unit": "1 OR 1=1"}, "subject_unit"),
        ({"anonymous": False, "name": "张三"}, "phone"),
        ({"anonymous": False, "phone": "13800138000"}, "name"),
        ({"anonymous": False, "name": "张三", "phone": "12345"}, "phone"),
        ({"anonymous": False, "name": "张三", "phone": HOSTILE}, "phone"),
        ({"anonymous": False, "name": "张三", "phone": "13800138000", "email": HOSTILE}, "email"),
        ({"anonymous": False, "name": "张三", "phone": "13800138000", "id_number": "110105194912310021"}, "id_number"),
        ({"anonymous": False, "name": "n" * 65, "phone": "13800138000"}, "name"),
        ({"occurred_on": "future"}, "occurred_on"),
        ({"occurred_on": "2026-02-30"}, "occurred_on"),
        ({"anonymous": "perhaps"}, "anonymous"),
        ({"content": "null\x00byte"}, "content"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(api, filing, categories, cast, change, field):
    change = dict(change)
    if change.get("category") == "retired":
        change["category"] = categories["retired"].pk
    if change.get("subject_unit") == "inactive":
        cast.units.sibling.is_active = False
        cast.units.sibling.save()
        change["subject_unit"] = cast.units.sibling.pk
    if change.get("occurred_on") == "future":
        change["occurred_on"] = _future()
    data = {key: value for key, value in {**filing, **change}.items() if value is not None}
    response = api.post(reverse("api:complaint-list"), data, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors
    assert all(isinstance(message, str) and message for message in errors[field])
    assert not Complaint.objects.exists()


def test_errors_come_in_the_language_the_request_asks_for(api, filing):
    url = reverse("api:complaint-list")
    english = api.post(url, {**filing, "content": ""}, format="json").json()
    chinese = api.post(url, {**filing, "content": ""}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").json()
    assert english["content"] == ["This field is required."]
    assert chinese["content"] == ["这个字段是必填项。"]


def test_html_and_script_in_every_field_are_kept_as_plain_text(api, filing):
    hostile = {
        **filing,
        "title": HOSTILE[:200],
        "content": HOSTILE,
        "location": HOSTILE[:200],
        "anonymous": False,
        "name": HOSTILE[:64],
        "phone": "13800138000",
    }
    response = api.post(reverse("api:complaint-list"), hostile, format="json")
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    complaint = complaint_by_tracking_code(response.json()["tracking_code"])
    assert (complaint.content, complaint.identity.name) == (HOSTILE, HOSTILE[:64])


def test_an_oversized_body_is_refused_before_it_is_read(api, settings, filing):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = api.post(reverse("api:complaint-list"), {**filing, "content": "x" * 20_000}, format="json")
    assert response.status_code == 413
    assert set(response.json()) == {"detail"}
    assert not Complaint.objects.exists()


def test_too_many_form_fields_are_refused_in_json(api, settings, filing):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = api.post(
        reverse("api:complaint-list"), {**filing, **{f"x{n}": "1" for n in range(10)}}, format="multipart"
    )
    assert response.status_code == 413
    assert set(response.json()) == {"detail"}


def test_filing_needs_no_account_and_no_csrf_token(filing):
    client = APIClient(enforce_csrf_checks=True)
    assert client.post(reverse("api:complaint-list"), filing, format="json").status_code == 201


def test_the_public_endpoints_are_in_the_openapi_schema(api):
    paths = api.get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    assert {"/api/v1/categories/", "/api/v1/track/{code}/", "/api/v1/track/{code}/rating/"} <= set(paths)
    listing = paths["/api/v1/complaints/"]
    # One path, two audiences: the list asks for a token or a session, the filing for nothing.
    assert {} not in listing["get"]["security"]
    assert listing["post"]["security"] == [{}]
    assert listing["post"]["requestBody"]["content"]["multipart/form-data"]["schema"] == {
        "$ref": "#/components/schemas/ComplaintFile"
    }
    # No account: nothing to be refused for (401, 403); the errors a filing may meet instead.
    assert set(listing["post"]["responses"]) == {"201", "400", "413", "415", "429"}
    assert "post" in paths["/api/v1/track/{code}/review/"]
    assert {"/open311/v2/requests.{response_format}", "/open311/v2/tokens/{token}.{response_format}"} <= set(paths)


# --- attachments ----------------------------------------------------------------------------


def _photo(name: str = "receipt.png", *, side: int = 2, noise: bool = False) -> SimpleUploadedFile:
    image = (
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)) if noise else Image.new("RGB", (side, side))
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_photo_is_filed_with_the_complaint(api, filing):
    response = api.post(reverse("api:complaint-list"), {**filing, "attachments": [_photo()]}, format="multipart")
    assert response.status_code == 201
    assert Attachment.objects.get().complaint == complaint_by_tracking_code(response.json()["tracking_code"])


@pytest.mark.parametrize("case", ["thirty files", "eleven files", "too large", "a program named .jpg"])
def test_bad_attachments_are_refused_and_nothing_is_stored(api, settings, filing, case):
    # Lowered so that no test allocates a big file.
    settings.JIUFENG_ATTACHMENT_MAX_BYTES = 4 * 1024
    files = {
        "thirty files": [_photo(f"p{n}.png") for n in range(30)],
        "eleven files": [_photo(f"p{n}.png") for n in range(11)],
        "too large": [_photo(side=64, noise=True)],
        "a program named .jpg": [
            SimpleUploadedFile("photo.jpg", b"MZ\x90\x00\x03" + os.urandom(512), content_type="image/jpeg")
        ],
    }[case]
    response = api.post(reverse("api:complaint-list"), {**filing, "attachments": files}, format="multipart")
    assert response.status_code == 400
    assert "attachments" in response.json()
    assert not Complaint.objects.exists()
    assert not Attachment.objects.exists()


def test_more_files_than_django_parses_are_a_400_on_attachments(api, settings, filing):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    files = [_photo(f"p{n}.png") for n in range(4)]
    response = api.post(reverse("api:complaint-list"), {**filing, "attachments": files}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"attachments": ["Too many files: attach at most 10."]}
    assert not Complaint.objects.exists()


def test_an_address_that_filed_its_share_gets_429_and_nothing_is_stored(api, filing, settings):
    settings.JIUFENG_FILINGS_PER_IP = "2/h"
    url = reverse("api:complaint-list")
    # Refused filings do not count: a petitioner correcting the form is never slowed.
    assert api.post(url, {**filing, "content": ""}, format="json").status_code == 400
    assert [api.post(url, filing, format="json").status_code for _ in range(2)] == [201, 201]

    refused = api.post(url, filing, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert refused.status_code == 429
    assert "稍后" in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert Complaint.objects.count() == 2
    assert api.post(url, filing, format="json", REMOTE_ADDR="10.1.2.3").status_code == 201


def test_behind_the_proxy_the_address_it_appended_is_limited_not_what_the_client_claims(api, filing, settings):
    settings.JIUFENG_FILINGS_PER_IP = "1/h"
    # The test client's requests come from 127.0.0.1: the proxy.
    settings.JIUFENG_TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.0/8")]
    url = reverse("api:complaint-list")

    def file(forwarded_for: str) -> int:
        return api.post(url, filing, format="json", HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    assert file("203.0.113.7") == 201
    # A guesser writing other addresses in front still comes from the same one.
    assert file("198.51.100.1, 203.0.113.7") == 429
    # Everyone else is not held back by one address (all arrive from the proxy's own).
    assert file("203.0.113.8") == 201


def test_a_client_reaching_the_app_past_the_proxy_cannot_pose_as_other_addresses(api, filing, settings):
    settings.JIUFENG_FILINGS_PER_IP = "1/h"
    settings.JIUFENG_TRUSTED_PROXIES = [ipaddress.ip_network("172.28.0.0/24")]
    url = reverse("api:complaint-list")
    direct = {"REMOTE_ADDR": "203.0.113.50"}
    assert api.post(url, filing, format="json", HTTP_X_FORWARDED_FOR="198.51.100.1", **direct).status_code == 201
    # A made-up X-Forwarded-For from an address that is not our proxy changes nothing.
    assert api.post(url, filing, format="json", HTTP_X_FORWARDED_FOR="198.51.100.2", **direct).status_code == 429


def test_one_filing_parsed_leaves_nothing_behind_for_the_next(api, filing):
    """The filing's input serializer is one shared instance (complaints.api.output.built): a
    body that failed to parse, or one that parsed, must not colour the next one's answer."""
    url = reverse("api:complaint-list")

    bad_category = api.post(url, {**filing, "category": 10**9}, format="json")
    assert bad_category.status_code == 400
    assert set(bad_category.json()) == {"category"}

    assert api.post(url, filing, format="json").status_code == 201

    bad_unit = api.post(url, {**filing, "subject_unit": "x", "anonymous": "maybe"}, format="json")
    assert bad_unit.status_code == 400
    assert set(bad_unit.json()) == {"subject_unit", "anonymous"}

    second = api.post(url, {**filing, "title": "另一件事"}, format="json")
    assert second.status_code == 201
    assert Complaint.objects.filter(title="另一件事").count() == 1
    assert Complaint.objects.count() == 2


def test_a_filing_costs_a_fixed_number_of_statements(api, filing, django_assert_num_queries):
    # The year's first filing makes its case-number counter.
    assert api.post(reverse("api:complaint-list"), filing, format="json").status_code == 201
    # The category and the unit named; the category's inherited time limits (read once, for the
    # deadline and for the promise in the SMS); the duplicate screen; the case number (its
    # counter read, then claimed by one conditional UPDATE: no transaction of its own); then in
    # one savepoint here (a transaction in production): the case and its history row, the
    # triaging unit, the deadline and its history row, the log, the triaging staff, their
    # notice and its history row. Was 19 before the counter's own transaction and the
    # second read of the limits went.
    with django_assert_num_queries(17):
        assert api.post(reverse("api:complaint-list"), filing, format="json").status_code == 201
    # A real name: the identity, the SMS and their history rows.
    real_name = {**filing, "anonymous": False, "name": "张三", "phone": "13800138000"}
    with django_assert_num_queries(21):
        assert api.post(reverse("api:complaint-list"), real_name, format="json").status_code == 201
