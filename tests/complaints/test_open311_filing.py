"""Open311 GeoReport v2, filing: POST requests.(json|xml), form-encoded; wrong, missing, oversized, hostile input."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.models import Category, Channel, Complaint, PetitionerIdentity
from complaints.tracking import complaint_by_tracking_code

from .test_open311 import as_json, as_xml, assert_errors, url

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><![CDATA[]]>&amp;'


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def form(cast, category):
    return {
        "service_code": "fees",
        "description": "学校强制订购教辅资料\n班主任要求每人交200元购买指定资料。",
        "address_string": "县第一中学",
    }


def _post(api, form, fmt="json", **extra):
    # The spec's content type for POST Service Request.
    return api.post(url("requests", fmt), form, format=None, **extra)


def test_filing_answers_with_a_token_and_a_notice_not_an_id(api, form):
    response = _post(api, form)
    assert response.status_code == 200
    [created] = as_json(response)
    assert list(created) == ["token", "service_notice", "account_id"]
    assert created["account_id"] is None
    complaint = complaint_by_tracking_code(created["token"])
    assert (complaint.title, complaint.content, complaint.location) == (
        "学校强制订购教辅资料",
        form["description"],
        "县第一中学",
    )
    assert (complaint.channel, complaint.anonymous, complaint.subject_unit) == (Channel.WEB, True, None)
    assert created["token"] in created["service_notice"]
    assert reverse("complaints:complaint-track") in created["service_notice"]
    # The token leads to the public id.
    assert api.get(url("token", "json", token=created["token"])).json()[0]["service_request_id"] == complaint.pk


def test_filing_in_xml(api, form):
    root = as_xml(_post(api, form, "xml"))
    assert root.tag == "service_requests"
    assert [[child.tag for child in request] for request in root] == [["token", "service_notice", "account_id"]]
    assert complaint_by_tracking_code(root[0].findtext("token")) is not None


def test_a_name_and_a_phone_make_a_real_name_complaint(api, form):
    response = _post(api, {**form, "first_name": "三", "last_name": "张", "phone": "13800138000", "email": "z@a.cn"})
    complaint = complaint_by_tracking_code(response.json()[0]["token"])
    assert complaint.anonymous is False
    identity = complaint.identity
    assert (identity.name, identity.phone, identity.email) == ("张三", "13800138000", "z@a.cn")
    western = _post(api, {**form, "first_name": "Ann", "last_name": "Lee", "phone": "0571-87654321"})
    assert complaint_by_tracking_code(western.json()[0]["token"]).identity.name == "Ann Lee"


def test_a_name_without_a_phone_files_anonymously_and_says_so(api, form):
    [created] = _post(api, {**form, "first_name": "三", "last_name": "张", "email": "z@a.cn"}).json()
    assert complaint_by_tracking_code(created["token"]).anonymous is True
    assert not PetitionerIdentity.objects.exists()
    assert "anonymously" in created["service_notice"]


def test_lat_and_long_stand_for_the_address_when_there_is_none(api, form):
    response = _post(api, {**form, "address_string": "", "lat": "30.2741", "long": "120.1551"})
    assert complaint_by_tracking_code(response.json()[0]["token"]).location == "30.2741, 120.1551"


def test_media_url_is_ignored_and_never_fetched(api, form):
    response = _post(api, {**form, "media_url": "http://169.254.169.254/latest/meta-data/"})
    assert response.status_code == 200
    assert "169.254" not in str(Complaint.objects.values_list("content", "location").get())


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_api_key_is_required_when_keys_are_set(api, settings, form, fmt):
    settings.JIUFENG_OPEN311_API_KEYS = ["k-one", "k-two"]
    assert_errors(_post(api, form, fmt), 403)
    assert_errors(_post(api, {**form, "api_key": "k-three"}, fmt), 403)
    assert_errors(_post(api, {**form, "api_key": "<script>"}, fmt), 403)
    assert not Complaint.objects.exists()
    assert _post(api, {**form, "api_key": "k-two"}, fmt).status_code == 200


def test_another_jurisdiction_is_404(api, settings, form):
    settings.JIUFENG_OPEN311_JURISDICTION_ID = "jiufeng.example.gov.cn"
    assert_errors(_post(api, {**form, "jurisdiction_id": "sfgov.org"}), 404)
    assert _post(api, {**form, "jurisdiction_id": "jiufeng.example.gov.cn"}).status_code == 200


def test_an_unknown_service_code_is_404(api, form):
    assert_errors(_post(api, {**form, "service_code": "potholes"}), 404)
    assert_errors(_post(api, {**form, "service_code": HOSTILE}, "xml"), 404)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_code": ""}, "service_code"),
        ({"service_code": "retired"}, "service_code"),
        ({"description": ""}, "description"),
        ({"description": " \n\t "}, "description"),
        ({"description": "x" * 100_000}, "description"),
        ({"address_string": "a" * 201}, "address_string"),
        ({"lat": "30.2"}, "lat"),
        ({"lat": "91", "long": "120"}, "lat"),
        ({"lat": "nan", "long": "120"}, "lat"),
        ({"lat": "30", "long": "inf"}, "long"),
        ({"first_name": "三", "last_name": "张", "phone": "12345"}, "phone"),
        ({"first_name": "三", "last_name": "张", "phone": HOSTILE}, "phone"),
        ({"first_name": "三", "last_name": "张", "phone": "13800138000", "email": HOSTILE}, "email"),
        ({"first_name": "n" * 65, "phone": "13800138000"}, "first_name"),
        ({"description": "null\x00byte"}, "description"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_input_is_400_naming_the_field_and_nothing_is_stored(api, form, change, field, fmt):
    Category.objects.add_root({"code": "retired", "name": "已停用", "is_active": False})
    descriptions = assert_errors(_post(api, {**form, **change}, fmt), 400)
    assert any(d.startswith(f"{field}: ") for d in descriptions), descriptions
    assert not Complaint.objects.exists()


def test_an_empty_description_is_one_error_not_two(api, form):
    assert assert_errors(_post(api, {**form, "description": ""}), 400) == ["description: This field is required."]


def test_errors_come_in_the_language_the_request_asks_for(api, form):
    chinese = _post(api, {**form, "service_code": ""}, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert assert_errors(chinese, 400) == ["service_code: 这个字段是必填项。"]


def test_only_the_specs_form_encoding_is_accepted(api, form):
    response = api.post(url("requests", "json"), form, format="json")
    assert_errors(response, 400, code=415)
    assert not Complaint.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(api, settings, form):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    assert_errors(_post(api, {**form, "description": "x" * 20_000}, "xml"), 400, code=413)
    assert not Complaint.objects.exists()


def test_html_and_script_in_every_field_are_kept_as_plain_text(api, form):
    hostile = {
        **form,
        "description": HOSTILE,
        "address_string": HOSTILE,
        "first_name": HOSTILE[:30],
        "last_name": HOSTILE[:30],
        "phone": "13800138000",
        "email": "",
        "media_url": HOSTILE,
        "device_id": HOSTILE,
        "account_id": HOSTILE,
        "attribute[x]": HOSTILE,
    }
    root = as_xml(_post(api, hostile, "xml"))
    complaint = complaint_by_tracking_code(root[0].findtext("token"))
    assert (complaint.content, complaint.location) == (HOSTILE, HOSTILE)
    assert complaint.identity.name == f"{HOSTILE[:30]} {HOSTILE[:30]}"


def test_an_address_that_filed_its_share_gets_the_specs_429(api, form, settings):
    settings.JIUFENG_FILINGS_PER_IP = "1/h"
    assert _post(api, form).status_code == 200
    [error] = assert_errors(_post(api, form), 429)
    assert "try again later" in error
    assert Complaint.objects.count() == 1
