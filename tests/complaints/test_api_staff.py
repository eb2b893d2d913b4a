"""The staff API's reads and intake: /api/v1/complaints/ list, detail, intake, identity, history, files."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from PIL import Image
from rest_framework.test import APIClient

from complaints import transitions as t
from complaints.models import Category, Channel, Complaint, Finding, IdentityAccess
from complaints.services import activity_record, extension_request, internal_note_add, message_add
from complaints.workflow import STAFF_TRANSITIONS
from jiufeng.roles import Role
from responsibility.models import DeadlineKind, PositionKind
from tests.factories import PositionFactory, UserFactory

pytestmark = pytest.mark.django_db

DECISION = {"finding": Finding.SUBSTANTIATED, "disposition": "责令退还费用", "reply": "经查属实，已责令退还。"}
# Identity fields the filing fixture gives a real-name petitioner: never in a case's JSON.
PETITIONER = {"name": "张三", "phone": "13800138000"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def api(user=None) -> APIClient:
    client = APIClient()
    # English messages, as tests/complaints' autouse fixture gives the services.
    client.cookies["django_language"] = "en"
    if user is not None:
        # A token, as API clients use: each request loads its user afresh, so query counts
        # include what a real request pays (the user's scope is cached per user object).
        _instance, token = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def url(complaint, *parts) -> str:
    return "/".join(["/api/v1/complaints", str(complaint.pk), *parts, ""])


def count_queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params or {}).status_code == 200
    return len(captured)


def accept_case(cast, complaint):
    return t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)


def investigate_case(cast, complaint):
    accept_case(cast, complaint)
    return t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)


@pytest.fixture
def school_case(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False)
    return complaint


@pytest.fixture
def sibling_case(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.sibling, title="医院乱收费")
    return complaint


# --- The list -------------------------------------------------------------------------


def test_the_list_is_scoped_and_paginated(cast, school_case, sibling_case):
    body = api(cast.bureau_officer).get("/api/v1/complaints/").json()
    assert set(body) == {"count", "count_capped", "next", "previous", "results"}
    assert body["count"] == 1
    assert body["count_capped"] is False
    [row] = body["results"]
    assert row["id"] == school_case.pk
    assert row["status"] == "submitted"
    assert row["status_display"] == "Submitted"
    assert row["subject_unit"] == {"id": cast.units.school.pk, "name": "县第一中学"}
    assert row["handling_unit"] is None
    assert row["overdue"] is False
    assert "content" not in row
    for user in (cast.county_officer, cast.county_leader, cast.auditor):
        ids = {r["id"] for r in api(user).get("/api/v1/complaints/").json()["results"]}
        assert ids == {school_case.pk, sibling_case.pk}, user


def test_the_list_needs_a_login(school_case):
    assert api().get("/api/v1/complaints/").status_code == 401


def test_the_list_filters(cast, category, file_complaint, school_case, sibling_case):
    # Received 16 days ago: its 15 days to decide on acceptance have run out.
    letter, code = file_complaint(
        subject_unit=cast.units.school,
        channel=Channel.LETTER,
        title="来信反映收费",
        received_at=timezone.now() - datetime.timedelta(days=16),
    )
    accept_case(cast, school_case)
    other = Category.objects.add_child(category, {"code": "fees-edu", "name": "教育乱收费"})
    in_other, _code = file_complaint(subject_unit=cast.units.sibling, category=other)
    client = api(cast.county_officer)

    def ids(**params) -> set[int]:
        response = client.get("/api/v1/complaints/", params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(status="accepted") == {school_case.pk}
    assert ids(channel="letter") == {letter.pk}
    assert ids(subject_unit=cast.units.sibling.pk) == {sibling_case.pk, in_other.pk}
    assert ids(handling_unit=cast.units.bureau.pk) == {school_case.pk}
    assert ids(category=other.pk) == {in_other.pk}
    assert ids(overdue="true") == {letter.pk}
    assert ids(q="来信") == {letter.pk}
    assert ids(q="医院") == {sibling_case.pk}
    # A tracking code as a petitioner reads it over the phone: lower case, spaces, no dashes.
    assert ids(q=code.lower().replace("-", " ")) == {letter.pk}
    assert ids(q="  ") == {school_case.pk, sibling_case.pk, letter.pk, in_other.pk}


@pytest.mark.parametrize(
    "params", [{"status": "lost"}, {"channel": "pigeon"}, {"handling_unit": "x"}, {"q": "字" * 201}]
)
def test_bad_filters_are_refused(cast, params):
    response = api(cast.county_officer).get("/api/v1/complaints/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_list_takes_the_same_queries_however_many_cases(cast, file_complaint, school_case, sibling_case):
    client = api(cast.county_officer)
    accept_case(cast, school_case)
    before = count_queries(client, "/api/v1/complaints/", {"q": "收费"})
    for n in range(6):
        complaint, _code = file_complaint(subject_unit=cast.units.school, title=f"收费{n}")
        if n % 2:
            accept_case(cast, complaint)
    assert count_queries(client, "/api/v1/complaints/", {"q": "收费"}) == before
    assert client.get("/api/v1/complaints/").json()["count"] == 8


# --- The detail -----------------------------------------------------------------------


def test_the_detail_shows_the_case_and_what_the_user_may_do(cast, school_case):
    body = api(cast.county_officer).get(url(school_case)).json()
    assert body["id"] == school_case.pk
    assert body["content"] == school_case.content
    assert body["status"] == "submitted"
    assert body["version"] == 0
    assert body["finding"] is None
    assert set(body["available_transitions"]) >= {"accept", "reject", "transfer", "merge"}
    [deadline] = body["deadlines"]
    assert deadline["kind"] == DeadlineKind.COMPLAINT_ACCEPT
    assert deadline["unit"] == {"id": cast.units.county.pk, "name": "测试县"}
    assert deadline["met_at"] is None
    for key in ("activities", "messages", "notes", "measures", "extension_requests", "attachments"):
        assert body[key] == [], key
    # The subject unit's bureau sees the case but may not decide on intake.
    bureau = api(cast.bureau_officer).get(url(school_case)).json()
    assert bureau["available_transitions"] == []


def test_the_detail_never_shows_who_filed(cast, school_case):
    text = api(cast.county_officer).get(url(school_case)).content.decode()
    for value in PETITIONER.values():
        assert value not in text
    assert "tracking_code" not in text


def test_a_case_out_of_scope_is_not_found(cast, sibling_case):
    response = api(cast.bureau_officer).get(url(sibling_case))
    assert response.status_code == 404
    assert api(cast.bureau_officer).get("/api/v1/complaints/999999/").status_code == 404


def records_add(cast, case, note_by) -> None:
    """An activity and a note by staff, a message each way."""
    activity_record(
        complaint_id=case.pk,
        actor=cast.bureau_officer,
        kind="talk",
        occurred_at=timezone.now(),
        participants="班主任",
        summary="约谈班主任",
    )
    message_add(complaint_id=case.pk, actor=cast.bureau_officer, body="请补充收费凭据")
    message_add(complaint_id=case.pk, body="凭据已上传")
    internal_note_add(complaint_id=case.pk, actor=note_by, body="需核对财务账目")


def test_the_detail_takes_the_same_queries_however_many_records(cast, school_case):
    investigate_case(cast, school_case)
    client = api(cast.bureau_officer)
    records_add(cast, school_case, cast.bureau_officer)
    # The token with its user, the user's other tokens (knox purges expired ones on each
    # request), scope, own and group permissions, the case, its six kinds of records, the
    # people who made them, deadlines.
    before = count_queries(client, url(school_case))
    assert before == 14
    for _n in range(4):
        records_add(cast, school_case, cast.bureau_officer)
    assert count_queries(client, url(school_case)) == before
    body = client.get(url(school_case)).json()
    assert (len(body["activities"]), len(body["messages"]), len(body["notes"])) == (5, 10, 5)
    assert [m["from_petitioner"] for m in body["messages"][:2]] == [False, True]


def test_the_detail_names_who_made_each_record(cast, school_case):
    investigate_case(cast, school_case)
    cast.bureau_officer.display_name = ""
    cast.bureau_officer.save(update_fields=["display_name"])
    records_add(cast, school_case, cast.bureau_leader)
    extension_request(complaint_id=school_case.pk, actor=cast.bureau_officer, days=5, reason="需要补充调查")
    t.complaint_refuse_extension(complaint_id=school_case.pk, actor=cast.bureau_leader, note="理由不足")
    body = api(cast.bureau_leader).get(url(school_case)).json()
    assert [a["recorded_by"] for a in body["activities"]] == ["bureau-officer"]
    assert [m["author"] for m in body["messages"]] == ["bureau-officer", None]
    assert [n["author"] for n in body["notes"]] == [cast.bureau_leader.display_name]
    [request] = body["extension_requests"]
    assert (request["requested_by"], request["decided_by"], request["state"]) == (
        "bureau-officer",
        cast.bureau_leader.display_name,
        "refused",
    )


# --- Intake by other channels ------------------------------------------------------------


def intake(category, cast, /, **overrides) -> dict:
    data = {
        "channel": "hotline",
        "category": category.pk,
        "subject_unit": cast.units.school.pk,
        "title": "电话反映学校收费",
        "content": "来电称学校收取补课费。",
        "anonymous": False,
        "name": "李四",
        "phone": "13900139000",
    }
    data.update(overrides)
    return data


def test_an_officer_records_a_hotline_complaint(cast, category):
    received = timezone.now() - datetime.timedelta(days=3)
    response = api(cast.county_officer).post(
        "/api/v1/complaints/intake/", intake(category, cast, received_at=received.isoformat()), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "case_number", "tracking_code", "status", "submitted_at", "accept_due_at"}
    assert body["status"] == "submitted"
    complaint = Complaint.objects.get(pk=body["id"])
    assert complaint.channel == Channel.HOTLINE
    assert complaint.received_at == received
    assert complaint.identity.name == "李四"
    assert complaint.history.first().history_user == cast.county_officer
    # The 15 days count from receipt, not from entry.
    due = datetime.datetime.fromisoformat(body["accept_due_at"])
    assert due == received + datetime.timedelta(days=15)
    assert Complaint.objects.filter(tracking_code_hash__isnull=False, pk=body["id"]).exists()


@pytest.mark.parametrize("user", ["bureau_officer", "bureau_leader", "auditor"])
def test_only_the_triaging_unit_records_intake(cast, category, user):
    response = api(getattr(cast, user)).post("/api/v1/complaints/intake/", intake(category, cast), format="json")
    assert response.status_code == 403
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "web"}, "channel"),
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"title": ""}, "title"),
        ({"content": "字" * 100_000}, "content"),
        ({"phone": "12345"}, "phone"),
        ({"name": ""}, "name"),
        ({"category": 999999}, "category"),
        ({"received_at": "2999-01-01T00:00:00+08:00"}, "received_at"),
        ({"occurred_on": "yesterday"}, "occurred_on"),
    ],
)
def test_intake_refuses_bad_input(cast, category, overrides, field):
    response = api(cast.county_officer).post(
        "/api/v1/complaints/intake/", intake(category, cast, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Complaint.objects.exists()


def test_html_is_stored_as_text_and_returned_as_json(cast, category):
    client = api(cast.county_officer)
    response = client.post(
        "/api/v1/complaints/intake/", intake(category, cast, title=HOSTILE, content=HOSTILE), format="json"
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert complaint.title == HOSTILE
    detail = client.get(url(complaint))
    assert detail["Content-Type"] == "application/json"
    assert detail.json()["title"] == HOSTILE
    assert detail.json()["content"] == HOSTILE


# --- Identity, history and files ------------------------------------------------------------


def test_permitted_staff_read_the_identity_and_each_read_is_logged(cast, school_case):
    response = api(cast.county_officer).get(url(school_case, "identity"))
    assert response.status_code == 200
    assert response.json() == {
        "anonymous": False,
        "name": "张三",
        "phone": "13800138000",
        "id_number": "",
        "email": "",
    }
    assert response["Cache-Control"] == "no-store"
    [access] = IdentityAccess.objects.filter(complaint=school_case)
    assert (access.user, access.via) == (cast.county_officer, IdentityAccess.Via.API)


def test_an_anonymous_filing_has_no_identity(cast, sibling_case):
    response = api(cast.county_officer).get(url(sibling_case, "identity"))
    assert response.json() == {"anonymous": True}


def test_the_identity_is_refused_without_the_permission_and_hidden_out_of_scope(cast, school_case, sibling_case):
    assert api(cast.auditor).get(url(school_case, "identity")).status_code == 403
    assert api(cast.bureau_officer).get(url(sibling_case, "identity")).status_code == 404
    assert not IdentityAccess.objects.exists()


def _case_rows(history: list[dict]) -> list[dict]:
    return [entry for entry in history if entry["record"]["type"] == "complaints.complaint"]


def test_the_history_lists_each_change_with_who_made_it(cast, school_case):
    accept_case(cast, school_case)
    response = api(cast.auditor).get(url(school_case, "history"))
    assert response.status_code == 200
    filed, accept = _case_rows(response.json())
    assert filed["action"] == "file"
    assert filed["user"] is None
    assert filed["actor"] == "Petitioner"
    assert filed["changes"]["status"] == [None, "submitted"]
    assert filed["changes"]["title"] == [None, school_case.title]
    # The stand-in for the tracking code is named as changed, never given.
    assert filed["changes"]["tracking_code_hash"] == [None, None]
    assert school_case.tracking_code_hash not in response.content.decode()
    assert accept["action"] == "accept"
    assert accept["user"] == str(cast.county_officer)
    assert accept["changes"] == {
        "status": ["submitted", "accepted"],
        "handling_unit": [None, cast.units.bureau.pk],
        "version": [0, 1],
    }
    # Readable too: the unit's name, the status's label, the transition in words.
    assert {"field": "handling_unit", "label": "handling unit", "old": "", "new": "县教育局", "masked": False} in (
        accept["fields"]
    )
    assert {"field": "status", "label": "status", "old": "Submitted", "new": "Accepted", "masked": False} in (
        accept["fields"]
    )
    assert accept["reason"] == "Accepted"
    # The petitioner's identity: changed, never its values.
    identity = next(e for e in response.json() if e["record"]["type"] == "complaints.petitioneridentity")
    assert identity["changes"]["name"] == [None, None]
    assert all(field["masked"] for field in identity["fields"] if field["field"] in ("name", "phone"))
    assert PETITIONER["name"] not in response.content.decode()
    assert PETITIONER["phone"] not in response.content.decode()


def test_the_history_is_scoped_and_takes_the_same_queries_however_long(cast, school_case, sibling_case):
    assert api(cast.bureau_officer).get(url(sibling_case, "history")).status_code == 404
    client = api(cast.bureau_officer)
    investigate_case(cast, school_case)

    def round_trip():
        t.complaint_submit_for_approval(complaint_id=school_case.pk, actor=cast.bureau_officer, **DECISION)
        t.complaint_send_back(complaint_id=school_case.pk, actor=cast.bureau_leader, reason="补充")

    round_trip()
    before = count_queries(client, url(school_case, "history"))
    length = len(client.get(url(school_case, "history")).json())
    # More rows of the same kinds: the same queries.
    round_trip()
    assert count_queries(client, url(school_case, "history")) == before
    assert len(client.get(url(school_case, "history")).json()) > length


@pytest.fixture
def school_officer(cast):
    # Staff of the unit complained about: the case is kept from them (被投诉单位不得自查).
    user = UserFactory(username="school-officer", roles=[Role.OFFICER])
    PositionFactory(user=user, unit=cast.units.school, kind=PositionKind.LIAISON)
    return user


def test_the_unit_complained_about_never_finds_the_case_nor_who_filed_it(cast, school_case, school_officer):
    investigate_case(cast, school_case)
    internal_note_add(complaint_id=school_case.pk, actor=cast.bureau_officer, body="注意保护投诉人")
    client = api(school_officer)
    for parts in ((), ("identity",), ("history",)):
        assert client.get(url(school_case, *parts)).status_code == 404, parts
    assert [n["body"] for n in api(cast.bureau_officer).get(url(school_case)).json()["notes"]] == ["注意保护投诉人"]
    assert api(cast.auditor).get(url(school_case)).json()["notes"] == []
    assert not IdentityAccess.objects.exists()


def test_the_schema_describes_the_staff_endpoints(cast):
    schema = api(cast.county_officer).get("/api/schema/", {"format": "json"}).json()
    for path, method in [
        ("/api/v1/complaints/", "get"),
        ("/api/v1/complaints/intake/", "post"),
        ("/api/v1/complaints/{id}/", "get"),
        ("/api/v1/complaints/{id}/transitions/{name}/", "post"),
        ("/api/v1/complaints/{id}/activities/", "post"),
        ("/api/v1/complaints/{id}/messages/", "post"),
        ("/api/v1/complaints/{id}/notes/", "post"),
        ("/api/v1/complaints/{id}/extension/", "post"),
        ("/api/v1/complaints/{id}/identity/", "get"),
        ("/api/v1/complaints/{id}/history/", "get"),
    ]:
        assert method in schema["paths"][path], path
    [name] = [
        p
        for p in schema["paths"]["/api/v1/complaints/{id}/transitions/{name}/"]["post"]["parameters"]
        if p["name"] == "name"
    ]
    assert set(name["schema"]["enum"]) == {transition.name for transition in STAFF_TRANSITIONS}


def test_the_list_path_lists_for_staff_and_files_for_anyone(cast, category):
    # GET is the staff list: no account, no list.
    assert api().get("/api/v1/complaints/").status_code == 401
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast.county_officer)
    assert client.get("/api/v1/complaints/").status_code == 200
    # POST is the petitioner's filing: a staff session neither signs it nor is asked for a CSRF token.
    filing = {"category": category.pk, "title": "乱收费", "content": "收取停车费", "anonymous": True}
    response = client.post("/api/v1/complaints/", filing, format="json")
    assert response.status_code == 201
    assert set(response.json()) == {"tracking_code", "case_number", "status", "submitted_at", "accept_due_at"}
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.WEB
    assert complaint.history.get().history_user is None


# --- Files ------------------------------------------------------------------------------


def png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_intake_takes_the_letter_as_a_file(cast, category):
    data = {**intake(category, cast, channel="letter", anonymous="true"), "attachments": [png("来信.png")]}
    response = api(cast.county_officer).post("/api/v1/complaints/intake/", data, format="multipart")
    assert response.status_code == 201, response.json()
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert [(a.original_name, a.uploaded_by) for a in complaint.attachments.all()] == [
        ("来信.png", cast.county_officer)
    ]


def test_a_file_that_is_not_what_it_claims_is_refused(cast, category):
    fake = SimpleUploadedFile("photo.png", HOSTILE.encode(), content_type="image/png")
    data = {**intake(category, cast, anonymous="true"), "attachments": [fake]}
    response = api(cast.county_officer).post("/api/v1/complaints/intake/", data, format="multipart")
    assert response.status_code == 400
    assert "attachments" in response.json()
    assert not Complaint.objects.exists()


def test_an_activity_file_is_listed_and_streamed_only_in_scope(cast, school_case, sibling_case):
    investigate_case(cast, school_case)
    client = api(cast.bureau_officer)
    data = {"kind": "look", "occurred_at": timezone.now().isoformat(), "summary": "查看收费公示栏"}
    response = client.post(
        url(school_case, "activities"), {**data, "attachments": [png("公示栏.png")]}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    [attachment] = client.get(url(school_case)).json()["attachments"]
    assert (attachment["original_name"], attachment["activity"]) == ("公示栏.png", response.json()["id"])
    download = client.get(attachment["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    # Through another case, even one the user may see: not found.
    other = f"/api/v1/complaints/{sibling_case.pk}/attachments/{attachment['id']}/"
    assert api(cast.county_officer).get(other).status_code == 404
    # Staff outside the school's tree: not found either.
    outsider = UserFactory(username="health-officer", roles=[Role.OFFICER])
    PositionFactory(user=outsider, unit=cast.units.sibling, kind=PositionKind.LIAISON)
    assert api(outsider).get(attachment["url"]).status_code == 404
