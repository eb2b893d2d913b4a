"""The auditors' history pages: /audit/history/ (search) and /audit/<type>/<id>/ (an object's
timeline), and the complaint history API's additions. Auditors only; read-only."""

import datetime
import html
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.defaultfilters import truncatechars
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit import timeline
from audit.actors import system_run
from audit.models import HistoryEntry
from complaints import transitions as t
from complaints.models import Category, Complaint, Rating
from jiufeng.roles import Role
from responsibility.models import Escalation, PositionKind
from responsibility.services.visits import leader_assignment_create
from tests.factories import PositionFactory, UserFactory, complaint_filed

from .history_cases import case_worked

pytestmark = pytest.mark.django_db

SEARCH = "/audit/history/"
FINDING = {"type": "complaints.complaint", "field": "finding"}


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def complaint(cast):
    return case_worked(cast)


def page(client, user, path, params=None):
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client.get(path, params or {})


def timeline_url(complaint) -> str:
    return f"/audit/complaints.complaint/{complaint.pk}/"


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- Who may read ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SEARCH, "/audit/history/fields/", "timeline"])
def test_only_auditors_read_the_history(client, cast, complaint, path):
    path = timeline_url(complaint) if path == "timeline" else path
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for staff in (cast.county_officer, cast.county_leader, cast.bureau_officer):
        assert page(client, staff, path).status_code == 403
    assert page(client, cast.auditor, path).status_code == 200


def test_the_pages_only_read(client, cast, complaint):
    client.force_login(cast.auditor)
    # Refused before any view (audit.middleware); the pages themselves take GET only.
    assert client.post(SEARCH, FINDING).status_code == 403
    assert client.post(timeline_url(complaint)).status_code == 403
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(administrator)
    assert client.post(SEARCH, FINDING).status_code == 405


# --- The search -----------------------------------------------------------------------------


def test_the_search_by_field_names_who_changed_the_finding_from_what_to_what(client, cast, complaint):
    response = page(client, cast.auditor, SEARCH, FINDING)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row.actor, [(c.old, c.new) for c in row.changes if c.field == "finding"]) for row in rows] == [
        (str(cast.bureau_officer), [("属实", "部分属实")]),
        (str(cast.bureau_officer), [("", "属实")]),
    ]
    body = text(response)
    assert "核查结论" in body and "部分属实" in body
    assert f'href="/audit/complaints.complaint/{complaint.pk}/"' in body
    # The field select offers the chosen type's fields by name.
    assert '<option value="finding" selected>核查结论</option>' in body


def test_the_search_filters_by_user_object_and_days(client, cast, complaint):
    other = case_worked(cast, title="医院检查收费过高", rated=False)
    by_leader = page(client, cast.auditor, SEARCH, {"user": cast.bureau_leader.username}).context["rows"]
    assert by_leader and {row.actor for row in by_leader} == {str(cast.bureau_leader)}
    one = page(client, cast.auditor, SEARCH, {"type": "complaints.complaint", "object": other.pk}).context["rows"]
    assert one and {(row.record, row.object_id) for row in one} == {("complaints.complaint", other.pk)}
    today = complaint.received_at.astimezone().date().isoformat()
    assert page(client, cast.auditor, SEARCH, {"since": today, "until": today}).context["rows"]
    assert not page(client, cast.auditor, SEARCH, {"since": "2001-01-01", "until": "2001-01-31"}).context["rows"]


def test_the_search_goes_back_a_page_at_a_time_without_counting(client, cast, complaint, monkeypatch):
    monkeypatch.setattr(timeline, "PAGE_SIZE", 3)
    seen = []
    response = page(client, cast.auditor, SEARCH, {"type": "complaints.complaint", "object": complaint.pk})
    while True:
        seen += [row.key[2] for row in response.context["rows"]]
        older = response.context["older"]
        if older is None:
            break
        assert "history-older" in response.content.decode()
        response = client.get(SEARCH, {"type": "complaints.complaint", "object": complaint.pk, "before": older})
    expected = list(
        HistoryEntry.objects.filter(model="complaints.complaint", object_id=complaint.pk)
        .order_by("-at", "-id")
        .values_list("history_id", flat=True)
    )
    assert len(expected) > 3
    assert seen == expected


def test_the_search_takes_the_same_queries_however_many_rows(client, cast, complaint, django_assert_num_queries):
    client.force_login(cast.auditor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(SEARCH, {"type": "complaints.complaint"}).status_code == 200
        return len(captured)

    before, shown = queries(), len(client.get(SEARCH, {"type": "complaints.complaint"}).context["rows"])
    case_worked(cast, title="医院检查收费过高", rated=True)
    case_worked(cast, title="办证窗口午休无人", rated=True)
    assert len(client.get(SEARCH, {"type": "complaints.complaint"}).context["rows"]) > shown
    assert queries() == before


BAD_FILTERS = [
    ({"type": "complaints.nothing"}, "type", "没有名为"),
    ({"type": "<script>alert(1)</script>"}, "type", "没有名为"),
    ({"field": "finding"}, "field", "请先选择对象类型"),
    ({"type": "complaints.complaint", "field": "password"}, "field", "没有字段"),
    ({"since": "2026-13-45"}, "since", "YYYY-MM-DD"),
    ({"until": "yesterday"}, "until", "YYYY-MM-DD"),
    ({"object": str(2**63)}, "object", "没有这么大的编号"),
    ({"object": "-1"}, "object", "从 1 开始"),
    ({"object": "12abc"}, "object", "整数"),
    ({"since": "2026-12-02", "until": "2026-12-01"}, "until", "早于开始日期"),
    ({"user": "nobody-here"}, "user", "没有用户名为"),
    ({"user": "x" * 151}, "user", "150"),
    ({"before": "not-a-page"}, "before", "页面链接无效"),
    ({"before": f"{10**19}.1"}, "before", "页面链接无效"),
    ({"before": "²³.1"}, "before", "页面链接无效"),
]


@pytest.mark.parametrize(("params", "field", "message"), BAD_FILTERS)
def test_bad_filters_are_named_and_search_nothing(client, cast, complaint, params, field, message):
    response = page(client, cast.auditor, SEARCH, params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["rows"] == []
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert 'data-testid="history-row"' not in body


def test_the_field_options_follow_the_type(client, cast):
    body = page(client, cast.auditor, "/audit/history/fields/", {"type": "complaints.rating"}).content.decode()
    assert '<option value="rating">评价</option>' in body
    unknown = page(client, cast.auditor, "/audit/history/fields/", {"type": "<b>x</b>"}).content.decode()
    assert "<b>" not in unknown and 'value=""' in unknown


# --- An object's timeline -------------------------------------------------------------------


def test_a_cases_timeline_holds_everything_attached_to_it_in_time_order(client, cast, complaint):
    response = page(client, cast.auditor, timeline_url(complaint))
    rows = response.context["rows"]
    records = {row.record for row in rows}
    assert records >= {
        "complaints.complaint",
        "complaints.activity",
        "complaints.message",
        "complaints.internalnote",
        "complaints.rating",
        "complaints.petitioneridentity",
        "responsibility.deadline",
        timeline.TRANSITION,
        timeline.IDENTITY_READ,
    }
    assert [row.key for row in rows] == sorted((row.key for row in rows), reverse=True)
    rating = next(row for row in rows if row.record == "complaints.rating")
    assert ("rating", "", "不满意") in [(c.field, c.old, c.new) for c in rating.changes]
    assert rating.actor == "投诉人"
    read = next(row for row in rows if row.record == timeline.IDENTITY_READ)
    assert read.actor == str(cast.county_officer)
    body = text(response)
    # Who was shown the identity is there; the identity is not.
    assert "张三" not in body and "13800138000" not in body
    assert "已更改（不显示）" in body
    assert "部分属实" in body and str(cast.bureau_officer) in body


def test_a_timeline_goes_back_a_page_at_a_time(client, cast, complaint, monkeypatch):
    everything = page(client, cast.auditor, timeline_url(complaint)).context["rows"]
    monkeypatch.setattr(timeline, "TIMELINE_PAGE_SIZE", 4)
    seen, params = [], {}
    while True:
        response = client.get(timeline_url(complaint), params)
        seen += [row.key for row in response.context["rows"]]
        if response.context["older"] is None:
            break
        params = {"before": response.context["older"]}
    assert len(everything) > 8
    assert seen == [row.key for row in everything]


def test_a_timeline_takes_the_same_queries_however_many_rows(client, cast):
    complaint = case_worked(cast, rated=False)
    client.force_login(cast.auditor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(timeline_url(complaint)).status_code == 200
        return len(captured)

    before = queries()
    from complaints import services

    for number in range(5):
        services.message_add(complaint_id=complaint.pk, body=f"第{number}次追问")
        services.internal_note_add(complaint_id=complaint.pk, actor=cast.bureau_officer, body=f"备注{number}")
    assert queries() == before


def test_a_long_value_is_cut_at_300_characters_and_a_short_one_shown_whole(client, cast, complaint):
    from complaints import services

    services.internal_note_add(complaint_id=complaint.pk, actor=cast.bureau_officer, body="长" * 400)
    body = text(page(client, cast.auditor, timeline_url(complaint)))
    assert truncatechars("长" * 400, 300) in body and "长" * 300 not in body
    assert "票据不全" in body


def test_a_timeline_reads_the_history_of_the_kinds_of_records_a_case_holds(client, cast):
    """A case's page reads a record kind's history table only once the case holds such a record
    (most cases hold four or five kinds of ten): a first message is read, and shows. Its
    deadlines' target type is named without a query."""
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    complaint, _code = complaint_filed(category=category, subject_unit=cast.units.school)
    client.force_login(cast.auditor)

    def read() -> tuple[str, set]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(timeline_url(complaint))
        assert response.status_code == 200
        return " ".join(query["sql"] for query in captured), {row.record for row in response.context["rows"]}

    statements, records = read()
    assert "complaints.message" not in records
    # Its deadlines' target type is named from Django's cache of content types.
    assert "responsibility.deadline" in records and 'FROM "django_content_type"' not in statements
    for table in ["complaints_historicalmessage", "complaints_historicalrating", "responsibility_historicalescalation"]:
        assert f'FROM "{table}"' not in statements
    from complaints import services

    services.message_add(complaint_id=complaint.pk, body="补充一张收费票据")
    statements, records = read()
    assert "complaints.message" in records
    assert 'FROM "complaints_historicalmessage"' in statements


@pytest.mark.parametrize(
    "path",
    [
        "/audit/complaints.nothing/1/",
        "/audit/complaints.transitionlog/1/",
        "/audit/complaints.complaint/999999/",
        f"/audit/complaints.complaint/{2**63}/",
        "/audit/complaints.complaint/-1/",
        "/audit/complaints.complaint/1e3/",
    ],
)
def test_a_timeline_of_nothing_is_not_found(client, cast, path):
    assert page(client, cast.auditor, path).status_code == 404


def test_a_bad_page_link_is_named(client, cast, complaint):
    response = page(client, cast.auditor, timeline_url(complaint), {"before": "1.2"})
    assert response.status_code == 400
    assert "页面链接无效" in text(response)


def test_any_tracked_object_has_its_timeline(client, cast):
    unit = cast.units.school
    unit.name = "县第一中学（新址）"
    unit.save()
    rows = page(client, cast.auditor, f"/audit/responsibility.unit/{unit.pk}/").context["rows"]
    changes = [(c.field, c.old, c.new) for row in rows for c in row.changes]
    assert ("name", "县第一中学", "县第一中学（新址）") in changes


def test_a_change_made_by_a_task_names_the_system_and_the_task(client, cast):
    unit = cast.units.school
    with system_run("task", "responsibility.tasks.sweep_deadlines_task"):
        unit.name = "县第一中学（新址）"
        unit._change_reason = "rename"
        unit.save()
    # Newest first: the rename.
    row = page(client, cast.auditor, f"/audit/responsibility.unit/{unit.pk}/").context["rows"][0]
    assert row.actor == "系统（task:responsibility.tasks.sweep_deadlines_task）"
    assert row.reason == "rename"


# --- The API --------------------------------------------------------------------------------


def api_history(user, complaint) -> list[dict]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    response = client.get(f"/api/v1/complaints/{complaint.pk}/history/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.json()


def test_the_api_history_includes_ratings_and_readable_values(cast, complaint):
    history = api_history(cast.auditor, complaint)
    assert [entry["at"] for entry in history] == sorted(entry["at"] for entry in history)
    rating = next(entry for entry in history if entry["record"]["type"] == "complaints.rating")
    assert rating["record"] == {"type": "complaints.rating", "name": "满意度评价", "id": Rating.objects.get().pk}
    assert rating["changes"]["rating"] == [None, "dissatisfied"]
    assert {"field": "rating", "label": "评价", "old": "", "new": "不满意", "masked": False} in rating["fields"]
    case = [entry for entry in history if entry["record"]["type"] == "complaints.complaint"]
    accept = next(entry for entry in case if entry["action"] == "accept")
    handling = {"field": "handling_unit", "label": "承办单位", "old": "", "new": "县教育局", "masked": False}
    assert handling in accept["fields"]
    assert any(entry["record"]["type"] == timeline.IDENTITY_READ for entry in history)


def test_the_api_history_keeps_notes_and_identity_reads_to_whom_they_belong(cast, complaint):
    # A leader assigned over the bureau (领导包片) oversees the case without working on it: no
    # notes, no identity reads.
    principal = UserFactory(username="county-principal", roles=[Role.LEADER])
    PositionFactory(user=principal, unit=cast.units.county, kind=PositionKind.PRINCIPAL)
    overseer = UserFactory(username="area-leader", roles=[Role.LEADER])
    leader_assignment_create(
        actor=principal, leader=overseer, units=[cast.units.bureau], starts_on=datetime.date(2026, 1, 1)
    )
    kinds = {entry["record"]["type"] for entry in api_history(overseer, complaint)}
    assert "complaints.internalnote" not in kinds and timeline.IDENTITY_READ not in kinds
    assert "complaints.rating" in kinds
    kinds = {entry["record"]["type"] for entry in api_history(cast.bureau_officer, complaint)}
    assert "complaints.internalnote" in kinds
    # Someone else's case: not found, as for every staff endpoint.
    stranger = UserFactory(username="stranger", roles=[Role.OFFICER])
    client = APIClient()
    client.force_authenticate(stranger)
    assert client.get(f"/api/v1/complaints/{complaint.pk}/history/").status_code == 404
    assert Complaint.objects.filter(pk=complaint.pk).exists()


# --- The API's search -----------------------------------------------------------------------


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client


def test_the_api_search_pages_back_by_its_next_link(cast, complaint, monkeypatch):
    monkeypatch.setattr(timeline, "PAGE_SIZE", 2)
    client = api_client(cast.auditor)
    body = client.get("/api/v1/history/", FINDING).json()
    assert [entry["actor"] for entry in body["results"]] == [str(cast.bureau_officer)] * 2
    assert body["results"][0]["changes"]["finding"] == ["substantiated", "partly_substantiated"]
    assert body["next"] is None
    page_one = client.get("/api/v1/history/", {"type": "complaints.complaint", "object": complaint.pk}).json()
    assert len(page_one["results"]) == 2 and page_one["next"]
    page_two = client.get(page_one["next"]).json()
    assert page_two["results"] and page_two["results"][0]["at"] <= page_one["results"][-1]["at"]
    assert "count" not in page_one


def test_the_api_search_is_for_auditors_and_names_bad_filters(cast, complaint):
    assert api_client().get("/api/v1/history/").status_code in (401, 403)
    assert api_client(cast.county_officer).get("/api/v1/history/").status_code == 403
    response = api_client(cast.auditor).get("/api/v1/history/", {"field": "finding", "object": str(2**64)})
    assert response.status_code == 400
    assert set(response.json()) == {"field", "object"}


def test_the_schema_describes_the_history_search(cast):
    schema = api_client(cast.auditor).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/history/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"type", "field", "user", "before"}


def test_a_cases_timeline_holds_the_escalations_of_its_deadlines(client, cast):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    complaint, _code = complaint_filed(category=category, subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    call_command("sweep_deadlines", at=(timezone.now() + datetime.timedelta(days=90)).isoformat(), stdout=io.StringIO())
    assert Escalation.objects.filter(deadline__object_id=complaint.pk).exists()
    rows = page(client, cast.auditor, timeline_url(complaint)).context["rows"]
    escalations = [row for row in rows if row.record == "responsibility.escalation"]
    assert escalations and all(row.actor.startswith("系统") for row in escalations)
