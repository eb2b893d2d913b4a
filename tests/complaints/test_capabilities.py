"""Who may do what on a case, through the pages and the staff API: the capability matrix.

On a complaint about the county hospital (handled by its bureau, the sibling), each action
is tried by each of: the hospital's own staff (the unit complained about), the bureau
leader assigned the sibling's area (领导包片: oversight only), the sibling's liaison and
principal (the handling unit), the 纠风办 officer (triage, working on the whole county) and
the auditor. Allowed: the action is done. Refused: 404 for the unit complained about (the
case is not there for them), 403 for everyone else in scope; nothing is written.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints import transitions as t
from complaints.models import Complaint, Finding, TransitionLog
from responsibility.models import RectificationItem, Visit
from responsibility.services import visits as item_services

from .attachment_files import photo, upload
from .county_tree import county_tree
from .test_api_staff import api
from .test_pages_staff_helpers import as_user, case_url, measures

pytestmark = pytest.mark.django_db

DECISION = {"finding": Finding.SUBSTANTIATED, "disposition": "责令退费", "reply": "经查属实，已责令退费。"}

SUBJECT_STAFF = "hospital_officer"
ASSIGNED_LEADER = "bureau_leader"
HANDLING_OFFICER = "health_officer"
HANDLING_LEADER = "health_leader"
COUNTY_OFFICER = "jfb_officer"
AUDITOR = "auditor"
ACTORS = [SUBJECT_STAFF, ASSIGNED_LEADER, HANDLING_OFFICER, HANDLING_LEADER, COUNTY_OFFICER, AUDITOR]
HANDLERS = {HANDLING_OFFICER, HANDLING_LEADER, COUNTY_OFFICER}


@pytest.fixture
def tree(cast):
    return county_tree(cast)


def actor(tree, name: str):
    return getattr(tree.cast, name) if name in (ASSIGNED_LEADER, AUDITOR) else getattr(tree, name)


# --- The case at the stage each action needs ---------------------------------------------


def _submitted(tree, file_complaint):
    complaint, _code = file_complaint(subject_unit=tree.hospital, anonymous=False)
    return complaint


def _accepted(tree, file_complaint):
    complaint = _submitted(tree, file_complaint)
    return t.complaint_accept(complaint_id=complaint.pk, actor=tree.jfb_officer, handling_unit=tree.sibling)


def _investigating(tree, file_complaint):
    complaint = _accepted(tree, file_complaint)
    return t.complaint_start_investigation(complaint_id=complaint.pk, actor=tree.health_officer)


def _pending(tree, file_complaint):
    complaint = _investigating(tree, file_complaint)
    return t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=tree.health_officer, **DECISION)


def _extension_asked(tree, file_complaint):
    complaint = _investigating(tree, file_complaint)
    services.extension_request(complaint_id=complaint.pk, actor=tree.health_officer, days=10, reason="需走访")
    return Complaint.objects.get(pk=complaint.pk)


def _resolved(tree, file_complaint):
    complaint = _pending(tree, file_complaint)
    return t.complaint_approve(complaint_id=complaint.pk, actor=tree.health_leader, note="同意")


def _under_review(tree, file_complaint):
    complaint = _resolved(tree, file_complaint)
    return t.complaint_review(complaint_id=complaint.pk, reason="处理不公")


def _window_passed(tree, file_complaint):
    complaint = _resolved(tree, file_complaint)
    Complaint.objects.filter(pk=complaint.pk).update(replied_at=timezone.now() - datetime.timedelta(days=400))
    return Complaint.objects.get(pk=complaint.pk)


def _merge_fields(tree, file_complaint, complaint) -> dict:
    primary, _code = file_complaint(subject_unit=tree.hospital, title="同一件事")
    return {"primary": primary.pk}


# --- The actions: (stage, who may, page request, API request) --------------------------------
# Each gives a function answering the page's (url, posted form) and one answering the API's
# (path under /api/v1/complaints/<id>/, JSON body) for a case at the stage.


def _transition(name: str, stage, allowed: set[str], fields: dict | None = None, page_extra=None):
    def page(tree, file_complaint, complaint):
        data = fields(tree, file_complaint, complaint) if callable(fields) else dict(fields or {})
        posted = {f"{name}-{key}": value for key, value in data.items()}
        posted[f"{name}-version"] = complaint.version
        posted.update(page_extra(name) if page_extra else {})
        return reverse("complaints:case-transition", args=[complaint.pk, name]), posted

    def api_call(tree, file_complaint, complaint):
        data = fields(tree, file_complaint, complaint) if callable(fields) else dict(fields or {})
        return f"transitions/{name}/", data

    return stage, allowed, page, api_call


def _record(url_name: str, prefix: str, api_path: str, stage, allowed: set[str], fields):
    def page(tree, file_complaint, complaint):
        data = fields() if callable(fields) else fields
        posted = {f"{prefix}-{key}": value for key, value in data.items()}
        posted[f"{prefix}-version"] = complaint.version
        return case_url(complaint, url_name), posted

    def api_call(tree, file_complaint, complaint):
        return api_path, fields() if callable(fields) else dict(fields)

    return stage, allowed, page, api_call


def activity() -> dict:
    # Just now: after the case was filed, not in the future.
    now = timezone.localtime().isoformat(timespec="seconds")
    return {"kind": "check", "occurred_at": now, "participants": "", "summary": "核查收费票据", "checked": ["problem"]}


ACTIONS = {
    "accept": _transition("accept", _submitted, {COUNTY_OFFICER}, lambda tr, f, c: {"handling_unit": tr.sibling.pk}),
    "reject": _transition("reject", _submitted, {COUNTY_OFFICER}, {"reason": "不属于受理范围"}),
    "transfer": _transition("transfer", _submitted, {COUNTY_OFFICER}, {"to": "县人民法院", "reason": "属诉讼事项"}),
    "merge": _transition("merge", _submitted, {COUNTY_OFFICER}, _merge_fields),
    "start_investigation": _transition("start_investigation", _accepted, HANDLERS),
    "submit_for_approval": _transition(
        "submit_for_approval", _investigating, HANDLERS, DECISION, page_extra=lambda n: measures(n, [])
    ),
    "approve": _transition("approve", _pending, {HANDLING_LEADER}, {"note": "同意"}),
    "send_back": _transition("send_back", _pending, {HANDLING_LEADER}, {"reason": "补充调查"}),
    "approve_extension": _transition("approve_extension", _extension_asked, {HANDLING_LEADER}, {"note": "同意"}),
    "refuse_extension": _transition("refuse_extension", _extension_asked, {HANDLING_LEADER}, {"note": "不必"}),
    # A 复查 is decided one level above the handling unit (the county: its 纠风办), never by the
    # handling unit itself (docs/domain-rules.md).
    "decide_review": _transition(
        "decide_review", _under_review, {COUNTY_OFFICER}, DECISION, page_extra=lambda n: measures(n, [])
    ),
    "close": _transition("close", _window_passed, HANDLERS),
    "message": _record("case-message-add", "message", "messages/", _investigating, HANDLERS, {"body": "请补充凭证"}),
    "note": _record("case-note-add", "note", "notes/", _investigating, HANDLERS, {"body": "内部备注"}),
    "activity": _record("case-activity-add", "activity", "activities/", _investigating, HANDLERS, activity),
    "extension": _record(
        "case-extension-request", "extension", "extension/", _investigating, HANDLERS, {"days": 10, "reason": "需走访"}
    ),
}


# What each action leaves behind when it is done: a way to see that a refusal wrote nothing.
def _written(complaint: Complaint) -> tuple:
    complaint = Complaint.objects.get(pk=complaint.pk)
    return (
        complaint.version,
        complaint.messages.count(),
        complaint.internal_notes.count(),
        complaint.activities.count(),
        complaint.extension_requests.count(),
        complaint.attachments.count(),
        TransitionLog.objects.filter(complaint=complaint).count(),
    )


def _expected(action_allowed: set[str], who: str) -> str:
    if who in action_allowed:
        return "allowed"
    return "not found" if who == SUBJECT_STAFF else "forbidden"


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_the_case_actions_matrix(client, tree, file_complaint, action, who):
    stage, allowed, page, api_call = ACTIONS[action]
    user = actor(tree, who)
    expected = _expected(allowed, who)

    # The page.
    complaint = stage(tree, file_complaint)
    before = _written(complaint)
    url, data = page(tree, file_complaint, complaint)
    response = as_user(client, user).post(url, data)
    codes = {"allowed": 302, "not found": 404, "forbidden": 403}
    assert response.status_code == codes[expected], response.content.decode()[:2000]
    assert (_written(complaint) != before) == (expected == "allowed")

    # The staff API.
    complaint = stage(tree, file_complaint)
    before = _written(complaint)
    path, data = api_call(tree, file_complaint, complaint)
    response = api(user).post(f"/api/v1/complaints/{complaint.pk}/{path}", data, format="json")
    codes = {"allowed": (200, 201), "not found": (404,), "forbidden": (403,)}
    assert response.status_code in codes[expected], response.content.decode()[:2000]
    assert (_written(complaint) != before) == (expected == "allowed")


@pytest.mark.parametrize("who", ACTORS)
def test_attaching_a_file_to_the_case(client, tree, file_complaint, who):
    # Files come with an activity (or a message): whoever may record one may attach.
    expected = _expected(HANDLERS, who)
    user = actor(tree, who)
    complaint = _investigating(tree, file_complaint)
    fields = {f"activity-{key}": value for key, value in activity().items()}
    fields.update({"activity-version": complaint.version, "activity-attachments": upload("receipt.jpg", photo())})
    response = as_user(client, user).post(case_url(complaint, "case-activity-add"), fields)
    assert response.status_code == {"allowed": 302, "not found": 404, "forbidden": 403}[expected]
    data = {**activity(), "attachments": [upload("receipt.jpg", photo())]}
    response = api(user).post(f"/api/v1/complaints/{complaint.pk}/activities/", data, format="multipart")
    assert response.status_code == {"allowed": 201, "not found": 404, "forbidden": 403}[expected]
    assert complaint.attachments.count() == (2 if expected == "allowed" else 0)


@pytest.mark.parametrize("who", ACTORS)
def test_reading_the_petitioners_identity(client, tree, file_complaint, who):
    expected = _expected(HANDLERS, who)
    user = actor(tree, who)
    complaint = _investigating(tree, file_complaint)
    page = as_user(client, user).post(case_url(complaint, "case-identity"))
    assert page.status_code == {"allowed": 200, "not found": 404, "forbidden": 403}[expected]
    response = api(user).get(f"/api/v1/complaints/{complaint.pk}/identity/")
    assert response.status_code == {"allowed": 200, "not found": 404, "forbidden": 403}[expected]
    shown = "13800138000" in page.content.decode() and "13800138000" in response.content.decode()
    assert shown == (expected == "allowed")
    assert complaint.identity_accesses.count() == (2 if expected == "allowed" else 0)


@pytest.mark.parametrize("who", ACTORS)
def test_seeing_the_case(client, tree, file_complaint, who):
    # Oversight sees: the assigned leader and the auditor read the case, as the handlers do.
    complaint = _investigating(tree, file_complaint)
    user = actor(tree, who)
    expected = 404 if who == SUBJECT_STAFF else 200
    assert as_user(client, user).get(case_url(complaint)).status_code == expected
    assert api(user).get(f"/api/v1/complaints/{complaint.pk}/").status_code == expected
    listed = api(user).get("/api/v1/complaints/").json()["results"]
    assert (complaint.pk in [row["id"] for row in listed]) == (expected == 200)


# --- Beyond the case: the area's rectification items and visits ---------------------------------


@pytest.mark.parametrize("who", ACTORS)
def test_submitting_the_hospitals_rectification_item(client, tree, who):
    # The item is the hospital's own (sent to it by the handling unit): its staff report it
    # done, as may who handles above it; the assigned leader oversees and submits nothing.
    allowed = {SUBJECT_STAFF, HANDLING_OFFICER, HANDLING_LEADER, COUNTY_OFFICER}
    user = actor(tree, who)

    def item():
        return item_services.rectification_item_add(
            actor=tree.health_officer,
            responsible_unit=tree.hospital,
            description="公示收费项目",
            due_on=timezone.localdate() + datetime.timedelta(days=10),
        )

    first = item()
    url = reverse("responsibility:rectification-item-submit", args=[first.pk])
    response = as_user(client, user).post(url, {"evidence": "已公示"})
    assert response.status_code == (302 if who in allowed else 403)
    second = item()
    response = api(user).post(f"/api/v1/rectification-items/{second.pk}/submit/", {"evidence": "已公示"})
    assert response.status_code == (200 if who in allowed else 403)
    submitted = RectificationItem.objects.filter(pk__in=[first.pk, second.pk], submitted_by=user).count()
    assert submitted == (2 if who in allowed else 0)


@pytest.mark.parametrize("who", ACTORS)
def test_recording_a_visit_to_the_sibling_bureau(client, tree, who):
    # Visiting and inspecting is oversight: the assigned leader may, as may who handles there.
    # The hospital's staff and the auditor are not offered the bureau (the form refuses it).
    allowed = {ASSIGNED_LEADER, HANDLING_OFFICER, HANDLING_LEADER, COUNTY_OFFICER}
    data = {
        "kind": "visit",
        "subject": "包片走访",
        "units": [tree.sibling.pk],
        "made_on": timezone.localdate().isoformat(),
        "methods": ["listen", "look"],
        "findings": "窗口服务规范",
    }
    response = as_user(client, actor(tree, who)).post(reverse("responsibility:visit-add"), data)
    # An auditor's write is refused before any form (audit.middleware).
    refused = 403 if who == AUDITOR else 400
    assert response.status_code == (302 if who in allowed else refused)
    assert Visit.objects.filter(leader=actor(tree, who)).count() == (1 if who in allowed else 0)
