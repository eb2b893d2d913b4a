"""The tracking API with the code out of the address: in the X-Tracking-Code header, or a POST's
body; the older addresses with the code in the path still answer, marked deprecated."""

import pytest
from rest_framework.test import APIClient

from complaints import transitions as t
from complaints.models import Finding, Message, Rating

pytestmark = pytest.mark.django_db

DECISION = {"finding": Finding.SUBSTANTIATED, "disposition": "责令退还费用", "reply": "经查属实，已责令退还。"}


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def filed(cast, file_complaint):
    return file_complaint(subject_unit=cast.units.school)


@pytest.fixture
def resolved(cast, filed):
    complaint, code = filed
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
    return t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader, note="同意"), code


def test_the_code_in_a_header_opens_the_case_and_no_address_holds_it(api, filed):
    complaint, code = filed
    response = api.get("/api/v1/track/", HTTP_X_TRACKING_CODE=code)
    assert response.status_code == 200
    assert response.json()["case_number"] == complaint.case_number
    assert code not in response.request["PATH_INFO"]
    assert "Deprecation" not in response


def test_a_message_with_the_code_in_the_body_or_the_header(api, filed):
    complaint, code = filed
    assert api.post("/api/v1/track/messages/", {"tracking_code": code, "body": "补充材料"}).status_code == 201
    response = api.post("/api/v1/track/messages/", {"body": "再补充"}, HTTP_X_TRACKING_CODE=code)
    assert response.status_code == 201
    assert list(Message.objects.filter(complaint=complaint).values_list("body", flat=True)) == ["补充材料", "再补充"]


def test_rating_with_the_code_in_the_body(api, resolved):
    complaint, code = resolved
    response = api.post("/api/v1/track/rating/", {"tracking_code": code, "rating": "satisfied"}, format="json")
    assert response.status_code == 201
    assert Rating.objects.get(complaint=complaint).rating == "satisfied"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [("get", "/api/v1/track/", None), ("post", "/api/v1/track/messages/", {"body": "x"})],
)
def test_without_a_code_the_answer_says_where_to_put_it(api, filed, method, path, data):
    response = getattr(api, method)(path, data)
    assert response.status_code == 400
    assert "X-Tracking-Code" in response.json()["tracking_code"][0]
    assert not Message.objects.exists()


@pytest.mark.parametrize("code", ["JF-0000-0000-0000-0000", "<script>", "x" * 5000, " "])
def test_a_wrong_or_hostile_code_in_the_header_is_not_found_or_refused(api, filed, code):
    assert api.get("/api/v1/track/", HTTP_X_TRACKING_CODE=code).status_code in (400, 404)


def test_a_json_body_whose_code_is_not_text_is_refused(api, filed):
    response = api.post("/api/v1/track/messages/", {"tracking_code": ["a"], "body": "x"}, format="json")
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_the_older_address_with_the_code_in_the_path_still_answers_and_says_it_is_deprecated(api, filed):
    complaint, code = filed
    response = api.get(f"/api/v1/track/{code}/")
    assert response.status_code == 200 and response.json()["case_number"] == complaint.case_number
    assert response["Deprecation"] == "true"
    assert response["Link"] == '</api/v1/track/>; rel="successor-version"'
    posted = api.post(f"/api/v1/track/{code}/messages/", {"body": "旧地址"})
    assert posted.status_code == 201 and posted["Link"] == '</api/v1/track/messages/>; rel="successor-version"'


def test_the_schema_documents_the_header_and_marks_the_path_forms_deprecated(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    get = schema["paths"]["/api/v1/track/"]["get"]
    assert any(p["name"] == "X-Tracking-Code" and p["in"] == "header" for p in get["parameters"])
    assert not get.get("deprecated")
    assert schema["paths"]["/api/v1/track/{code}/"]["get"]["deprecated"] is True
    assert schema["paths"]["/api/v1/track/{code}/review/"]["post"]["deprecated"] is True
