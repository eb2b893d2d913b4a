"""Following a case by its tracking code: /api/v1/track/ (the code in X-Tracking-Code or the body; the
{code} paths deprecated) and what its holder may post there."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from complaints import transitions as t
from complaints.models import Attachment, Complaint, ComplaintStatus, Finding, Message, Rating
from complaints.services import message_add
from complaints.tracking import tracking_code_new

pytestmark = pytest.mark.django_db

DECISION = {"finding": Finding.SUBSTANTIATED, "disposition": "责令退还费用", "reply": "经查属实，已责令退还。"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def filed(cast, file_complaint):
    return file_complaint(subject_unit=cast.units.school)


def _to_pending(cast, complaint: Complaint) -> Complaint:
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    return t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)


@pytest.fixture
def resolved(cast, filed):
    complaint, code = filed
    _to_pending(cast, complaint)
    return t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader, note="同意"), code


def _track(api, code, suffix="", **kwargs):
    name = {
        "": "api:track",
        "messages": "api:track-messages",
        "rating": "api:track-rating",
        "review": "api:track-review",
    }
    return reverse(name[suffix], kwargs={"code": code})


# --- GET ----------------------------------------------------------------------------------


def test_a_new_case_shows_its_status_and_timeline_and_nothing_to_do_yet(api, filed):
    complaint, code = filed
    response = api.get(_track(api, code.lower()))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "tracking_code",
        "case_number",
        "status",
        "status_display",
        "timeline",
        "reply",
        "can_rate",
        "can_request_review",
        "messages",
    }
    assert (body["tracking_code"], body["status"], body["status_display"]) == (code, "submitted", "Submitted")
    assert body["timeline"] == [
        {"at": body["timeline"][0]["at"], "event": "file", "event_display": "Complaint received", "note": ""}
    ]
    assert (body["reply"], body["can_rate"], body["can_request_review"], body["messages"]) == (None, False, False, [])


def test_the_reply_stays_hidden_while_it_awaits_approval(api, cast, filed):
    complaint, code = filed
    _to_pending(cast, complaint)
    body = api.get(_track(api, code)).json()
    assert body["status"] == "pending_approval"
    assert body["reply"] is None
    assert DECISION["reply"] not in str(body)
    # The handling unit's internal step (submitted for approval) is not the petitioner's to see.
    assert [entry["event"] for entry in body["timeline"]] == ["file", "accept", "start_investigation"]


def test_a_refusal_to_accept_tells_its_reason(api, cast, filed):
    complaint, code = filed
    t.complaint_reject(complaint_id=complaint.pk, actor=cast.county_officer, reason="属于诉讼程序，请向法院起诉")
    body = api.get(_track(api, code)).json()
    assert (body["status"], body["status_display"]) == ("rejected", "Not accepted")
    assert body["timeline"][-1] | {"at": None} == {
        "at": None,
        "event": "reject",
        "event_display": "Not accepted",
        "note": "属于诉讼程序，请向法院起诉",
    }


def test_an_approved_reply_is_shown_and_may_be_rated_or_reviewed(api, resolved):
    _complaint, code = resolved
    body = api.get(_track(api, code)).json()
    assert (body["status"], body["reply"]) == ("resolved", DECISION["reply"])
    assert (body["can_rate"], body["can_request_review"]) == (True, True)
    assert [entry["event"] for entry in body["timeline"]][-1]


def test_tracking_costs_the_same_queries_however_long_the_case(api, cast, resolved):
    complaint, code = resolved
    message_add(complaint_id=complaint.pk, body="补充一份收据", actor=None)
    with CaptureQueriesContext(connection) as short:
        assert len(api.get(_track(api, code)).json()["messages"]) == 1
    for n in range(5):
        message_add(complaint_id=complaint.pk, body=f"第{n}条", actor=None)
        message_add(complaint_id=complaint.pk, body=f"回复{n}", actor=cast.bureau_officer)
    with CaptureQueriesContext(connection) as long:
        body = api.get(_track(api, code)).json()
    assert len(body["messages"]) == 11
    assert [m["from_petitioner"] for m in body["messages"][-2:]] == [True, False]
    # The case, its transitions, its messages, whether this decision is rated.
    assert len(long.captured_queries) == len(short.captured_queries) == 4


@pytest.mark.parametrize("code", ["JF-0000-0000-0000-0000", "not-a-code", "JF-7K3M-Q9XD-2WPA", "%3Cscript%3E"])
def test_an_unknown_or_malformed_code_is_404(api, filed, code):
    response = api.get(f"/api/v1/track/{code}/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_a_thousand_guesses_from_one_address_are_stopped_with_429(api, settings, filed):
    settings.JIUFENG_TRACK_FAILURES_PER_IP = "10/h"
    _complaint, code = filed
    guesser = {"REMOTE_ADDR": "203.0.113.7"}
    statuses = [api.get(_track(api, tracking_code_new()), **guesser).status_code for _ in range(1000)]
    assert statuses[:10] == [404] * 10
    assert set(statuses[11:]) == {429}
    refused = api.get(_track(api, tracking_code_new()), **guesser)
    assert refused.status_code == 429
    assert "from your connection" in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 3600
    # A right code still opens its case, even from the guesser's address: 80 bits are not guessed.
    assert api.get(_track(api, code), **guesser).status_code == 200
    # Another address is not punished for the guesser.
    assert api.get(_track(api, code), REMOTE_ADDR="198.51.100.2").status_code == 200


def test_the_global_limit_says_what_is_happening_and_spares_right_codes(api, settings, filed):
    settings.JIUFENG_TRACK_FAILURES_GLOBAL = "5/m"
    _complaint, code = filed
    for n in range(5):
        assert api.get(_track(api, tracking_code_new()), REMOTE_ADDR=f"203.0.113.{n}").status_code == 404
    refused = api.get(_track(api, tracking_code_new()), REMOTE_ADDR="198.51.100.9")
    assert refused.status_code == 429
    assert "on this service" in refused.json()["detail"] and "your connection" not in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert api.get(_track(api, code), REMOTE_ADDR="198.51.100.9").status_code == 200


def test_a_merged_case_follows_its_primary_and_cannot_be_rated_there(api, cast, file_complaint):
    primary, _primary_code = file_complaint(subject_unit=cast.units.school)
    duplicate, code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=primary.pk, actor=cast.county_officer)
    t.complaint_merge(complaint_id=duplicate.pk, actor=cast.county_officer, primary_id=primary.pk)
    body = api.get(_track(api, code)).json()
    assert body["status"] == "accepted"
    assert body["can_rate"] is body["can_request_review"] is False
    assert api.post(_track(api, code, "rating"), {"rating": "satisfied"}, format="json").status_code == 409
    assert api.post(_track(api, code, "review"), {"reason": "不服"}, format="json").status_code == 409
    assert api.post(_track(api, code, "messages"), {"body": "补充材料"}, format="json").status_code == 201
    assert Message.objects.get().complaint == primary


# --- messages -----------------------------------------------------------------------------


def test_a_message_is_added_and_shown_back_as_plain_text(api, filed):
    complaint, code = filed
    response = api.post(_track(api, code, "messages"), {"body": HOSTILE}, format="json")
    assert response.status_code == 201
    assert response.json()["body"] == HOSTILE
    message = Message.objects.get(complaint=complaint)
    assert (message.body, message.author) == (HOSTILE, None)
    shown = api.get(_track(api, code)).json()["messages"]
    assert [(m["body"], m["from_petitioner"]) for m in shown] == [(HOSTILE, True)]


def test_a_message_may_bring_a_photo_but_not_a_program(api, filed):
    complaint, code = filed
    program = SimpleUploadedFile("receipt.jpg", b"MZ\x90\x00\x03" + bytes(512), content_type="image/jpeg")
    refused = api.post(_track(api, code, "messages"), {"body": "收据", "attachments": [program]}, format="multipart")
    assert refused.status_code == 400
    assert "attachments" in refused.json()
    assert not Message.objects.exists()
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    photo = SimpleUploadedFile("receipt.png", buffer.getvalue(), content_type="image/png")
    response = api.post(_track(api, code, "messages"), {"body": "收据", "attachments": [photo]}, format="multipart")
    assert response.status_code == 201
    assert Attachment.objects.get().message == Message.objects.get(complaint=complaint)


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "   "}, {"body": "x" * 100_000}])
def test_an_empty_or_oversized_message_is_refused(api, filed, body):
    _complaint, code = filed
    response = api.post(_track(api, code, "messages"), body, format="json")
    assert response.status_code == 400
    assert "body" in response.json()
    assert not Message.objects.exists()


def test_a_message_needs_the_right_code(api, filed):
    assert api.post(_track(api, tracking_code_new(), "messages"), {"body": "hi"}, format="json").status_code == 404
    assert not Message.objects.exists()


# --- rating -------------------------------------------------------------------------------


def test_a_decision_is_rated_once(api, resolved):
    complaint, code = resolved
    first = api.post(_track(api, code, "rating"), {"rating": "dissatisfied", "comment": HOSTILE}, format="json")
    assert first.status_code == 201
    assert first.json()["rating"] == "dissatisfied"
    again = api.post(_track(api, code, "rating"), {"rating": "satisfied"}, format="json")
    assert again.status_code == 409
    assert "detail" in again.json()
    assert list(Rating.objects.values_list("rating", "comment")) == [("dissatisfied", HOSTILE)]
    assert api.get(_track(api, code)).json()["can_rate"] is False


def test_a_satisfied_rating_closes_the_case(api, resolved):
    complaint, code = resolved
    assert api.post(_track(api, code, "rating"), {"rating": "basically_satisfied"}, format="json").status_code == 201
    body = api.get(_track(api, code)).json()
    assert (body["status"], body["can_rate"], body["can_request_review"]) == ("closed", False, False)
    assert api.post(_track(api, code, "review"), {"reason": "不服"}, format="json").status_code == 409


@pytest.mark.parametrize("rating", [{}, {"rating": "ecstatic"}, {"rating": ""}, {"rating": HOSTILE}])
def test_a_rating_must_be_one_of_the_three(api, resolved, rating):
    _complaint, code = resolved
    response = api.post(_track(api, code, "rating"), rating, format="json")
    assert response.status_code == 400
    assert "rating" in response.json()


def test_nothing_can_be_rated_before_the_reply(api, filed):
    _complaint, code = filed
    assert api.post(_track(api, code, "rating"), {"rating": "satisfied"}, format="json").status_code == 409
    assert not Rating.objects.exists()


# --- review -------------------------------------------------------------------------------


def test_a_review_is_opened_within_the_window(api, resolved):
    complaint, code = resolved
    response = api.post(_track(api, code, "review"), {"reason": "处理结果不满意"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"status": "under_review", "review_round": 1}
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.UNDER_REVIEW


def test_a_review_after_the_window_is_409(api, settings, resolved):
    complaint, code = resolved
    later = timezone.now() - datetime.timedelta(days=settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS + 1)
    Complaint.objects.filter(pk=complaint.pk).update(replied_at=later)
    assert api.get(_track(api, code)).json()["can_request_review"] is False
    response = api.post(_track(api, code, "review"), {"reason": "迟到的复查申请"}, format="json")
    assert response.status_code == 409
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED


def test_no_review_after_the_re_review(api, cast, resolved, review_decide):
    complaint, code = resolved
    for _round in range(2):
        assert api.post(_track(api, code, "review"), {"reason": "不服"}, format="json").status_code == 201
        review_decide(complaint.pk)
    answer = api.get(_track(api, code)).json()
    assert answer["can_request_review"] is False
    assert answer["status_display"] == "Re-review decided: final"
    assert api.post(_track(api, code, "review"), {"reason": "再次不服"}, format="json").status_code == 409


@pytest.mark.parametrize("reason", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "r" * 100_000}])
def test_a_review_needs_a_reason(api, resolved, reason):
    complaint, code = resolved
    response = api.post(_track(api, code, "review"), reason, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED


# --- The code out of the address: X-Tracking-Code or the body; the path form deprecated ---------


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
