"""/api/v1/appraisal/{code}/: the questionnaire for a code, and answering it once."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from evaluations.models import Answer, Invitation, Response
from evaluations.services.appraisals import appraisal_close
from evaluations.services.responding import response_submit

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.responding_fixtures"]

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def _url(code: str) -> str:
    return reverse("api:appraisal-answer", kwargs={"code": code})


def _post(api, code, body, **extra):
    return api.post(_url(code), json.dumps(body), content_type="application/json", **extra)


def _body(full_answers, comment=""):
    return {"answers": {str(key): value for key, value in full_answers.items()}, "comment": comment}


def _nothing_stored() -> bool:
    return not Response.objects.exists() and not Answer.objects.exists()


def test_the_questionnaire_names_the_appraisal_the_unit_and_each_question_with_its_answers(api, code, opened, items):
    response = api.get(_url(code))
    assert response.status_code == 200
    body = response.json()
    assert (body["appraisal"], body["unit"]) == (opened.name, "县教育局")
    by_text = {item["text"]: item for item in body["items"]}
    assert list(by_text) == ["工作作风", "服务态度", "办事效率"]
    conduct = by_text["工作作风"]
    assert conduct == {
        "id": items["工作作风"].pk,
        "text": "工作作风",
        "scale": "three_level",
        "values": [
            {"value": 3, "label": "Satisfied"},
            {"value": 2, "label": "Basically satisfied"},
            {"value": 1, "label": "Dissatisfied"},
        ],
        "required": True,
    }
    assert [choice["value"] for choice in by_text["办事效率"]["values"]] == [5, 4, 3, 2, 1]


def test_answering_is_201_with_thanks_once_then_409(api, code, full_answers):
    response = _post(api, code, _body(full_answers, "很好"))
    assert response.status_code == 201
    assert set(response.json()) == {"thanks"}
    assert str(Response.objects.get().score) == "80.50"
    again = _post(api, code, _body(full_answers))
    assert again.status_code == 409
    assert "already been used" in again.json()["detail"]
    assert api.get(_url(code)).status_code == 409
    assert Response.objects.count() == 1


def test_a_closed_appraisal_is_409(api, code, full_answers, opened, cast):
    appraisal_close(actor=cast.county_officer, appraisal_id=opened.pk)
    assert api.get(_url(code)).status_code == 409
    response = _post(api, code, _body(full_answers))
    assert response.status_code == 409 and "closed" in response.json()["detail"]
    assert _nothing_stored()


@pytest.mark.parametrize("unknown", ["ABCDEFGHJK", "short", "0" * 10, "%3Cscript%3E"])
def test_an_unknown_code_is_404(api, opened, unknown):
    for response in (api.get(f"/api/v1/appraisal/{unknown}/"), _post(api, unknown, {"answers": {}})):
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}


def test_a_signed_in_session_is_not_needed_nor_used(api, code, full_answers, cast):
    api.force_login(cast.county_officer)
    assert _post(api, code, _body(full_answers)).status_code == 201
    assert Invitation.objects.get(code=code).history.latest().history_user is None


def _bad_bodies(items):
    conduct, attitude, speed = (items[text].pk for text in ("工作作风", "服务态度", "办事效率"))
    full = {str(conduct): 3, str(attitude): 2, str(speed): 4}
    return {
        "answers a list": ({"answers": [3, 2, 4]}, ["answers"]),
        "answers a string": ({"answers": "3,2,4"}, ["answers"]),
        "answers missing": ({"comment": "x"}, ["answers"]),
        "an id not a number": ({"answers": {**full, "abc": 3}}, ["answers"]),
        "a negative id": ({"answers": {**full, "-1": 3}}, ["answers"]),
        "a value not a number": ({"answers": {**full, str(conduct): "good"}}, ["answers", str(conduct)]),
        "a value nested": ({"answers": {**full, str(conduct): {"a": [1]}}}, ["answers", str(conduct)]),
        "a value out of range": ({"answers": {**full, str(speed): 6}}, ["answers", str(speed)]),
        "a value of 0": ({"answers": {**full, str(conduct): 0}}, ["answers", str(conduct)]),
        "a fraction": ({"answers": {**full, str(speed): 2.5}}, ["answers", str(speed)]),
        "a required one missing": (
            {"answers": {str(conduct): 3, str(speed): 4}},
            ["answers", str(attitude)],
        ),
        "a question not asked": ({"answers": {**full, "99999999": 3}}, ["answers", "99999999"]),
        "too many answers": ({"answers": {str(n): 1 for n in range(101)}}, ["answers"]),
        "a comment too long": ({"answers": full, "comment": "长" * 1001}, ["comment"]),
        "a comment not text": ({"answers": full, "comment": {"a": 1}}, ["comment"]),
    }


@pytest.mark.parametrize(
    "case",
    [
        "answers a list",
        "answers a string",
        "answers missing",
        "an id not a number",
        "a negative id",
        "a value not a number",
        "a value nested",
        "a value out of range",
        "a value of 0",
        "a fraction",
        "a required one missing",
        "a question not asked",
        "too many answers",
        "a comment too long",
        "a comment not text",
    ],
)
def test_bad_input_is_400_with_the_field_named_and_nothing_stored(api, code, items, case):
    body, path = _bad_bodies(items)[case]
    response = _post(api, code, body)
    assert response.status_code == 400, response.json()
    errors = response.json()
    for key in path:
        errors = errors[key]
    assert errors
    assert _nothing_stored()
    assert Invitation.objects.get(code=code).used_at is None


def test_a_hostile_comment_is_stored_as_typed(api, code, full_answers):
    assert _post(api, code, _body(full_answers, HOSTILE)).status_code == 201
    assert Response.objects.get().comment == HOSTILE


def test_json_nested_too_deeply_or_too_large_or_not_json_is_refused(api, code):
    deep = '{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert api.post(_url(code), deep, content_type="application/json").status_code == 400
    huge = json.dumps({"answers": {}, "comment": "x" * 3_000_000})
    assert api.post(_url(code), huge, content_type="application/json").status_code == 413
    assert api.post(_url(code), "{not json", content_type="application/json").status_code == 400
    assert _nothing_stored()


def test_too_many_wrong_codes_are_429_yet_a_right_code_still_answers(api, code, full_answers, settings):
    settings.JIUFENG_APPRAISAL_CODE_FAILURES_PER_IP = "10/10m"
    guesser = {"REMOTE_ADDR": "203.0.113.7"}
    statuses = [
        api.get(_url(f"ZZZZZZZZ{n % 10}{n // 10}".replace("0", "A").replace("1", "B")), **guesser).status_code
        for n in range(30)
    ]
    assert statuses[:10] == [404] * 10 and set(statuses[10:]) == {429}
    refused = _post(api, "ZZZZZZZZZZ", _body(full_answers), **guesser)
    assert refused.status_code == 429
    assert "from your connection" in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 600
    assert api.get(_url(code), **guesser).status_code == 200
    assert _post(api, code, _body(full_answers), **guesser).status_code == 201


def test_a_used_code_is_not_counted_as_a_guess(api, code, full_answers, settings):
    settings.JIUFENG_APPRAISAL_CODE_FAILURES_PER_IP = "2/10m"
    response_submit(code=code, answers=full_answers, comment="")
    assert [api.get(_url(code)).status_code for _ in range(5)] == [409] * 5


def test_the_schema_documents_both_methods(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/appraisal/{code}/"]
    assert set(operations) >= {"get", "post"}
    assert {"200", "404", "409", "429"} <= set(operations["get"]["responses"])
    assert {"201", "400", "404", "409", "429"} <= set(operations["post"]["responses"])
