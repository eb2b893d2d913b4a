"""The staff API's writes on a case: transitions, activities, messages, notes, extensions."""

import datetime

import pytest
from django.utils import timezone

from complaints import transitions as t
from complaints.models import Complaint, ComplaintStatus, ExtensionRequest, InternalNote, Message, TransitionLog
from jiufeng.roles import Role
from responsibility.models import PositionKind, RectificationItem
from tests.factories import PositionFactory, UserFactory, unit_add

from .test_api_staff import DECISION, HOSTILE, accept_case, api, investigate_case, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def sibling_case(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.sibling)
    return complaint


def fire(user, complaint, name, **data):
    return api(user).post(url(complaint, "transitions", name), data, format="json")


def status_of(complaint) -> str:
    return Complaint.objects.values_list("status", flat=True).get(pk=complaint.pk)


# --- Transitions ------------------------------------------------------------------------


def test_a_case_goes_the_whole_way_through_the_api(cast, submitted, county_principal):
    rectify = {
        "kind": "rectification",
        "description": "清退违规收取的资料费",
        "responsible_unit": cast.units.school.pk,
        "due_on": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
    }
    refund = {"kind": "refund", "description": "退还资料费", "amount": "200.00"}
    steps = [
        (cast.county_officer, "accept", {"note": "予以受理"}, "accepted"),
        (cast.bureau_officer, "start_investigation", {}, "investigating"),
        (cast.bureau_officer, "submit_for_approval", {**DECISION, "measures": [rectify, refund]}, "pending_approval"),
        (cast.bureau_leader, "approve", {"note": "同意"}, "resolved"),
        # The 复查 by the county above the bureau, the 复核 by the county's leadership; each approved.
        (None, "review", {"reason": "退款未到位"}, "under_review"),
        (cast.county_officer, "decide_review", {**DECISION, "reply": "复查：已督促退款。"}, "pending_approval"),
        (cast.county_leader, "approve", {"note": "同意"}, "resolved"),
        (None, "review", {"reason": "仍未退款"}, "under_review"),
        (cast.county_leader, "decide_review", {**DECISION, "reply": "复核：维持复查意见。"}, "pending_approval"),
        (county_principal, "approve", {"note": "同意"}, "resolved"),
        (cast.bureau_officer, "close", {}, "closed"),
    ]
    for actor, name, data, expected in steps:
        if actor is None:
            # The petitioner asks by tracking code (the public API), not through the staff API.
            t.complaint_review(complaint_id=submitted.pk, **data)
            continue
        response = fire(actor, submitted, name, **data)
        assert response.status_code == 200, (name, response.json())
        body = response.json()
        assert body["status"] == expected, name
    assert body["review_round"] == 2
    assert body["reply"] == "复核：维持复查意见。"
    assert body["available_transitions"] == []
    assert [m["kind"] for m in body["measures"][:2]] == ["rectification", "refund"]
    assert [log.name for log in TransitionLog.objects.filter(complaint=submitted).order_by("at", "pk")] == [
        "file",
        *(name for _actor, name, _data, _expected in steps),
    ]


def test_the_unit_reviewed_may_not_decide_its_review_through_the_api(cast, resolved):
    t.complaint_review(complaint_id=resolved.pk, reason="退款未到位")
    response = fire(cast.bureau_officer, resolved, "decide_review", **DECISION)
    assert response.status_code == 403
    # The message names who decides it.
    assert "测试县" in response.json()["detail"]
    assert Complaint.objects.get(pk=resolved.pk).status == ComplaintStatus.UNDER_REVIEW
    # The county above decides it; its detail offers the decision to the county alone.
    assert fire(cast.county_officer, resolved, "decide_review", **DECISION).json()["status"] == "pending_approval"


def test_the_answer_carries_the_new_version_and_next_transitions(cast, submitted):
    body = fire(cast.county_officer, submitted, "accept", version=0).json()
    assert body["version"] == 1
    assert body["handling_unit"] == {"id": cast.units.bureau.pk, "name": "县教育局"}
    assert "start_investigation" in body["available_transitions"]


def test_a_stale_version_is_a_conflict(cast, submitted):
    accept_case(cast, submitted)
    response = fire(cast.bureau_officer, submitted, "start_investigation", version=0)
    assert response.status_code == 409
    assert "changed" in response.json()["detail"]
    assert status_of(submitted) == ComplaintStatus.ACCEPTED


def test_a_transition_not_open_in_this_state_is_a_conflict(cast, submitted):
    response = fire(cast.county_officer, submitted, "start_investigation")
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    assert status_of(submitted) == ComplaintStatus.SUBMITTED


@pytest.mark.parametrize("user", ["bureau_officer", "bureau_leader", "auditor"])
def test_only_the_triaging_unit_accepts(cast, submitted, user):
    response = fire(getattr(cast, user), submitted, "accept")
    assert response.status_code == 403
    assert status_of(submitted) == ComplaintStatus.SUBMITTED


def unchanged(complaint) -> tuple:
    """What a refused transition must leave as it was: state, units, due time, version and log."""
    row = Complaint.objects.values("status", "handling_unit", "due_at", "version").get(pk=complaint.pk)
    logs = list(TransitionLog.objects.filter(complaint=complaint).order_by("at", "pk").values_list("name", flat=True))
    return row, logs, complaint.measures.count(), RectificationItem.objects.count()


def test_accepting_with_a_handling_unit_out_of_scope_is_not_found_and_without_the_right_forbidden(cast, submitted):
    before = unchanged(submitted)
    # officer-edu sees the case (it is about the school) but may not accept it: 403 before
    # its input is read, whatever unit it names (so nothing is learnt of the sibling bureau).
    assert fire(cast.bureau_officer, submitted, "accept", handling_unit=cast.units.sibling.pk).status_code == 403
    assert fire(cast.bureau_officer, submitted, "accept", handling_unit=cast.units.bureau.pk).status_code == 403
    # The county officer triages the case, but a unit of another county is not theirs to give it to.
    elsewhere = unit_add(parent=unit_add(parent=None, name="邻县"), name="邻县教育局")
    assert fire(cast.county_officer, submitted, "accept", handling_unit=elsewhere.pk).status_code == 404
    assert unchanged(submitted) == before
    assert before[0]["status"] == ComplaintStatus.SUBMITTED


def test_a_measure_for_a_unit_out_of_scope_is_not_found(cast, submitted):
    investigate_case(cast, submitted)
    before = unchanged(submitted)
    rectify = {
        "kind": "rectification",
        "description": "整改",
        "responsible_unit": cast.units.sibling.pk,
        "due_on": timezone.localdate().isoformat(),
    }
    response = fire(cast.bureau_officer, submitted, "submit_for_approval", **DECISION, measures=[rectify])
    assert response.status_code == 404
    assert unchanged(submitted) == before
    assert before[0]["status"] == ComplaintStatus.INVESTIGATING


def test_an_approver_without_the_measures_unit_in_scope_sends_the_case_back(cast, submitted):
    # Handled by the sibling bureau, the case's measure is for the school it is about: the
    # sibling bureau's principal approves the finding but cannot give the school an item.
    sibling_leader = UserFactory(roles=[Role.LEADER])
    PositionFactory(user=sibling_leader, unit=cast.units.sibling, kind=PositionKind.PRINCIPAL)
    t.complaint_accept(complaint_id=submitted.pk, actor=cast.county_officer, handling_unit=cast.units.sibling)
    t.complaint_start_investigation(complaint_id=submitted.pk, actor=cast.county_officer)
    rectify = {
        "kind": "rectification",
        "description": "整改",
        "responsible_unit": cast.units.school,
        "due_on": timezone.localdate(),
    }
    t.complaint_submit_for_approval(
        complaint_id=submitted.pk, actor=cast.county_officer, measures=[rectify], **DECISION
    )
    before = unchanged(submitted)
    response = fire(sibling_leader, submitted, "approve")
    assert response.status_code == 400
    assert "send the case back" in response.json()["measures"][0]
    assert unchanged(submitted) == before
    assert before[0]["status"] == ComplaintStatus.PENDING_APPROVAL


def test_the_officer_who_submitted_may_not_approve(cast, submitted):
    investigate_case(cast, submitted)
    t.complaint_submit_for_approval(complaint_id=submitted.pk, actor=cast.county_leader, **DECISION)
    assert fire(cast.bureau_officer, submitted, "approve").status_code == 403
    assert fire(cast.county_leader, submitted, "approve").status_code == 403
    assert fire(cast.bureau_leader, submitted, "approve").status_code == 200


def test_out_of_scope_and_unknown_transitions_are_not_found(cast, submitted, sibling_case):
    assert fire(cast.bureau_officer, sibling_case, "reject", reason="x").status_code == 404
    assert fire(cast.county_officer, submitted, "explode").status_code == 404
    # The petitioner's own request is not a staff transition.
    assert fire(cast.county_officer, submitted, "review", reason="x").status_code == 404
    assert status_of(sibling_case) == status_of(submitted) == ComplaintStatus.SUBMITTED


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("reject", {}, "reason"),
        ("reject", {"reason": "   "}, "reason"),
        ("reject", {"reason": "理" * 100_000}, "reason"),
        ("transfer", {"reason": "属司法事项"}, "to"),
        ("merge", {"primary": "abc"}, "primary"),
        ("accept", {"handling_unit": 999999}, "handling_unit"),
        ("accept", {"version": -1}, "version"),
    ],
)
def test_bad_transition_input_is_refused(cast, submitted, name, data, field):
    response = fire(cast.county_officer, submitted, name, **data)
    assert response.status_code == 400
    assert field in response.json()
    assert isinstance(response.json()[field], list)
    assert status_of(submitted) == ComplaintStatus.SUBMITTED


def test_the_service_refusals_come_back_per_field(cast, submitted):
    response = fire(cast.county_officer, submitted, "accept", handling_unit=cast.units.school.pk)
    assert response.status_code == 400
    assert "cannot handle the case itself" in response.json()["handling_unit"][0]


def test_a_decision_with_bad_measures_is_refused(cast, submitted):
    investigate_case(cast, submitted)
    bad = {**DECISION, "measures": [{"kind": "banishment"}]}
    response = fire(cast.bureau_officer, submitted, "submit_for_approval", **bad)
    assert response.status_code == 400
    assert "measures" in response.json()
    assert (
        fire(cast.bureau_officer, submitted, "submit_for_approval", **{**DECISION, "finding": "maybe"}).status_code
        == 400
    )
    assert status_of(submitted) == ComplaintStatus.INVESTIGATING


def test_merge_names_the_primary_case(cast, submitted, file_complaint):
    primary, _code = file_complaint(subject_unit=cast.units.school, title="同一事项")
    response = fire(cast.county_officer, submitted, "merge", primary=primary.pk)
    assert response.status_code == 200
    assert response.json()["merged_into"] == primary.pk


def test_transfer_and_reject_end_the_intake(cast, submitted, sibling_case):
    body = fire(cast.county_officer, submitted, "transfer", to="县人民法院", reason="属诉讼事项").json()
    assert (body["status"], body["transferred_to"]) == ("transferred", "县人民法院")
    assert fire(cast.county_officer, sibling_case, "reject", reason="不属于纠风范围").json()["status"] == "rejected"


# --- Records on a case ------------------------------------------------------------------


def test_an_officer_records_an_activity(cast, submitted):
    investigate_case(cast, submitted)
    at = timezone.now()
    response = api(cast.bureau_officer).post(
        url(submitted, "activities"),
        {"kind": "talk", "occurred_at": at.isoformat(), "participants": "校长、班主任", "summary": HOSTILE},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["summary"], body["recorded_by"]) == ("talk", HOSTILE, str(cast.bureau_officer))
    assert response["Content-Type"] == "application/json"
    assert submitted.activities.get().summary == HOSTILE


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "spy", "summary": "x"}, "kind"),
        ({"kind": "look", "summary": ""}, "summary"),
        ({"kind": "look", "summary": "字" * 100_000}, "summary"),
        ({"kind": "look", "summary": "x", "occurred_at": "soon"}, "occurred_at"),
    ],
)
def test_a_bad_activity_is_refused(cast, submitted, data, field):
    investigate_case(cast, submitted)
    data = {"occurred_at": timezone.now().isoformat(), **data}
    response = api(cast.bureau_officer).post(url(submitted, "activities"), data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not submitted.activities.exists()


def test_records_are_refused_to_readers_and_hidden_out_of_scope(cast, submitted, sibling_case):
    investigate_case(cast, submitted)
    activity = {"kind": "look", "occurred_at": timezone.now().isoformat(), "summary": "查看"}
    assert api(cast.auditor).post(url(submitted, "activities"), activity, format="json").status_code == 403
    assert api(cast.auditor).post(url(submitted, "messages"), {"body": "你好"}, format="json").status_code == 403
    assert api(cast.bureau_officer).post(url(sibling_case, "messages"), {"body": "你好"}).status_code == 404
    assert api(cast.bureau_officer).post(url(sibling_case, "notes"), {"body": "内部"}).status_code == 404
    assert api(cast.bureau_officer).post(url(sibling_case, "extension"), {"days": 5, "reason": "r"}).status_code == 404
    assert not Message.objects.exists()
    assert not InternalNote.objects.exists()


def test_a_message_goes_to_the_petitioner_and_a_note_stays_inside(cast, submitted):
    investigate_case(cast, submitted)
    client = api(cast.bureau_officer)
    message = client.post(url(submitted, "messages"), {"body": "请提供收费收据照片。"}, format="json")
    note = client.post(url(submitted, "notes"), {"body": "班主任系校长亲属，注意回避。"}, format="json")
    assert (message.status_code, note.status_code) == (201, 201)
    assert message.json()["from_petitioner"] is False
    detail = client.get(url(submitted)).json()
    assert [m["body"] for m in detail["messages"]] == ["请提供收费收据照片。"]
    assert [n["body"] for n in detail["notes"]] == ["班主任系校长亲属，注意回避。"]


@pytest.mark.parametrize("path", ["messages", "notes"])
@pytest.mark.parametrize("body", ["", "   ", "字" * 100_000])
def test_an_empty_or_oversized_body_is_refused(cast, submitted, path, body):
    response = api(cast.county_officer).post(url(submitted, path), {"body": body}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()


def test_an_extension_is_asked_then_approved_by_a_leader(cast, submitted):
    investigate_case(cast, submitted)
    response = api(cast.bureau_officer).post(
        url(submitted, "extension"), {"days": 20, "reason": "需外调取证"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["state"], response.json()["days"]) == ("pending", 20)
    assert "approve_extension" not in api(cast.bureau_officer).get(url(submitted)).json()["available_transitions"]
    body = fire(cast.bureau_leader, submitted, "approve_extension", note="同意延期").json()
    assert body["extension_requests"][0]["state"] == "approved"
    assert body["status"] == "investigating"


@pytest.mark.parametrize(("days", "reason"), [(0, "r"), (31, "r"), ("many", "r"), (5, ""), (5, "理" * 100_000)])
def test_a_bad_extension_is_refused(cast, submitted, days, reason):
    investigate_case(cast, submitted)
    response = api(cast.bureau_officer).post(
        url(submitted, "extension"), {"days": days, "reason": reason}, format="json"
    )
    assert response.status_code == 400
    assert not ExtensionRequest.objects.exists()


def test_a_closed_file_takes_no_more_messages(cast, submitted):
    fire(cast.county_officer, submitted, "reject", reason="不属于纠风范围")
    response = api(cast.county_officer).post(url(submitted, "messages"), {"body": "补充材料"}, format="json")
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    assert not Message.objects.exists()


def test_an_activity_outside_the_investigation_is_a_conflict(cast, submitted):
    data = {"kind": "look", "occurred_at": timezone.now().isoformat(), "summary": "查看"}
    assert api(cast.county_officer).post(url(submitted, "activities"), data, format="json").status_code == 409


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("{not json", "application/json"), ("[1, 2]", "application/json"), ('{"version": "abc"}', "application/json")],
)
def test_malformed_bodies_are_refused(cast, submitted, body, content_type):
    client = api(cast.county_officer)
    response = client.post(url(submitted, "transitions", "accept"), body, content_type=content_type)
    assert response.status_code == 400
    assert status_of(submitted) == ComplaintStatus.SUBMITTED


def test_an_oversized_body_is_refused_before_it_is_read(cast, submitted, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = api(cast.county_officer).post(url(submitted, "notes"), {"body": "x" * 20_000}, format="json")
    assert response.status_code == 413
    assert set(response.json()) == {"detail"}
    assert not InternalNote.objects.exists()


def test_a_service_error_tied_to_no_field_is_answered_under_detail():
    # The staff, petitioner and Open311 views all answer through this one mapping.
    from django.core.exceptions import ValidationError

    from complaints.api.errors import message_dict

    assert message_dict(ValidationError({"body": "Too long."})) == {"body": ["Too long."]}
    assert message_dict(ValidationError("Not now.")) == {"detail": ["Not now."]}
