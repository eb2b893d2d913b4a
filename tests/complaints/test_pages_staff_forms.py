"""The forms of the case page: each transition and record, with wrong, missing, oversized,
hostile and stale input. A refused form changes nothing and says why."""

import datetime
import re

import pytest
from django.utils import timezone

from complaints import services
from complaints import transitions as t
from complaints.models import (
    Activity,
    ComplaintStatus,
    ExtensionRequest,
    ExtensionState,
    InternalNote,
    Measure,
    MeasureKind,
    Message,
    TransitionLog,
)
from tests.factories import unit_add

from .test_pages_staff_helpers import HOSTILE, as_user, case_url, fire, measures, post_record

pytestmark = pytest.mark.django_db

STALE = "changed by someone else meanwhile"


def refreshed(complaint):
    complaint.refresh_from_db()
    return complaint


def page(response) -> str:
    return response.content.decode()


def decision(name: str, rows: list[dict] | None = None, **fields) -> dict:
    data = {
        f"{name}-finding": "substantiated",
        f"{name}-disposition": "责令学校退还费用",
        f"{name}-reply": "经查属实，已责令退还。",
    }
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    data.update(measures(name, rows or []))
    return data


# --- Intake decisions ------------------------------------------------------------------------


def test_accepting_with_the_proposed_unit_moves_the_case_and_redirects(client, cast, submitted):
    response = fire(as_user(client, cast.county_officer), submitted, "accept", {"handling_unit": cast.units.bureau.pk})
    assert response.status_code == 302 and response["Location"] == case_url(submitted)
    complaint = refreshed(submitted)
    assert complaint.status == ComplaintStatus.ACCEPTED and complaint.handling_unit == cast.units.bureau
    assert "The case is accepted." in page(client.get(case_url(submitted)))


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({}, "This field is required."),
        ({"handling_unit": "abc"}, "Select a valid choice."),
        ({"handling_unit": "999999"}, "Select a valid choice."),
        # The school may not handle a case about itself: not even offered.
        (None, "Select a valid choice."),
    ],
)
def test_accepting_without_a_valid_unit_is_refused(client, cast, submitted, fields, error):
    fields = {"handling_unit": cast.units.school.pk} if fields is None else fields
    response = fire(as_user(client, cast.county_officer), submitted, "accept", fields)
    assert response.status_code == 400 and error in page(response)
    assert refreshed(submitted).status == ComplaintStatus.SUBMITTED


@pytest.mark.parametrize(
    ("reason", "error"),
    [("", "This field is required."), ("   ", "This field is required."), ("x" * 2001, "at most 2000 characters")],
)
def test_rejecting_needs_a_reason_of_sensible_length(client, cast, submitted, reason, error):
    response = fire(as_user(client, cast.county_officer), submitted, "reject", {"reason": reason})
    assert response.status_code == 400 and error in page(response)
    assert refreshed(submitted).status == ComplaintStatus.SUBMITTED


def test_a_hostile_reason_is_stored_as_text_and_shown_escaped(client, cast, submitted):
    as_user(client, cast.county_officer)
    assert fire(client, submitted, "reject", {"reason": HOSTILE}).status_code == 302
    assert refreshed(submitted).status == ComplaintStatus.REJECTED
    shown = page(client.get(case_url(submitted)))
    assert HOSTILE not in shown and "&lt;script&gt;alert" in shown


def test_transfer_needs_where_and_why(client, cast, submitted):
    as_user(client, cast.county_officer)
    response = fire(client, submitted, "transfer", {"to": "", "reason": "属法院管辖"})
    assert response.status_code == 400 and refreshed(submitted).status == ComplaintStatus.SUBMITTED
    response = fire(client, submitted, "transfer", {"to": "县人民法院", "reason": "属法院管辖"})
    assert response.status_code == 302 and refreshed(submitted).transferred_to == "县人民法院"


@pytest.mark.parametrize("primary", ["", "abc", "-3", "99999999999", "self", "other-county", "rejected"])
def test_merging_needs_an_open_case_in_scope_as_the_primary(client, cast, submitted, file_complaint, primary):
    elsewhere, _code = file_complaint(subject_unit=unit_add(parent=None, name="邻县"))
    rejected, _code = file_complaint(subject_unit=cast.units.school, title="已不予受理")
    t.complaint_reject(complaint_id=rejected.pk, actor=cast.county_officer, reason="不属受理范围")
    value = {"self": submitted.pk, "other-county": elsewhere.pk, "rejected": rejected.pk}.get(primary, primary)
    response = fire(as_user(client, cast.county_officer), submitted, "merge", {"primary": value})
    assert response.status_code == 400
    assert refreshed(submitted).status == ComplaintStatus.SUBMITTED


def test_merging_into_a_visible_open_case(client, cast, submitted, file_complaint):
    primary, _code = file_complaint(subject_unit=cast.units.school, title="先到的投诉")
    response = fire(as_user(client, cast.county_officer), submitted, "merge", {"primary": primary.pk})
    assert response.status_code == 302
    complaint = refreshed(submitted)
    assert complaint.status == ComplaintStatus.MERGED and complaint.merged_into == primary


def test_an_unknown_transition_is_not_found(client, cast, submitted):
    assert fire(as_user(client, cast.county_officer), submitted, "destroy").status_code == 404


def test_someone_without_the_right_is_refused_and_nothing_changes(client, cast, submitted):
    as_user(client, cast.auditor)
    response = fire(client, submitted, "accept", {"handling_unit": cast.units.bureau.pk})
    assert response.status_code == 403 and refreshed(submitted).status == ComplaintStatus.SUBMITTED
    response = post_record(client, submitted, "case-note-add", "note", {"body": "审计员的备注"})
    assert response.status_code == 403 and not InternalNote.objects.exists()


# --- The version: a form made from an older case is refused ------------------------------


def test_a_stale_transition_is_refused_with_a_clear_message_and_nothing_changes(client, cast, submitted):
    seen = submitted.version
    # Meanwhile another officer accepts the case.
    t.complaint_accept(complaint_id=submitted.pk, actor=cast.county_leader)
    logs = TransitionLog.objects.filter(complaint=submitted).count()
    response = fire(as_user(client, cast.county_officer), submitted, "reject", {"reason": "不属受理范围"}, version=seen)
    assert response.status_code == 409 and STALE in page(response)
    complaint = refreshed(submitted)
    assert complaint.status == ComplaintStatus.ACCEPTED and complaint.transition_logs.count() == logs


def test_a_stale_decision_keeps_what_was_typed(client, cast, investigating):
    seen = investigating.version
    services.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=5, reason="需要时间")
    t.complaint_approve_extension(complaint_id=investigating.pk, actor=cast.bureau_leader)
    data = decision("submit_for_approval", **{"version": seen, "reply": "这是我写了很久的答复"})
    response = as_user(client, cast.bureau_officer).post(
        f"/cases/{investigating.pk}/transitions/submit_for_approval/", data
    )
    assert response.status_code == 409 and STALE in page(response)
    assert "这是我写了很久的答复" in page(response)
    assert refreshed(investigating).status == ComplaintStatus.INVESTIGATING


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_a_missing_or_broken_version_is_refused(client, cast, submitted, version):
    response = fire(as_user(client, cast.county_officer), submitted, "reject", {"reason": "理由"}, version=version)
    assert response.status_code == 400 and "out of date" in page(response)
    assert refreshed(submitted).status == ComplaintStatus.SUBMITTED


def test_a_stale_record_is_refused_and_nothing_is_written(client, cast, investigating):
    seen = investigating.version
    services.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=5, reason="需要时间")
    t.complaint_approve_extension(complaint_id=investigating.pk, actor=cast.bureau_leader)
    as_user(client, cast.bureau_officer)
    response = post_record(client, investigating, "case-note-add", "note", {"body": "过期表单"}, version=seen)
    assert response.status_code == 409 and STALE in page(response)
    response = post_record(
        client, investigating, "case-note-add", "note", {"body": "过期表单"}, version=seen, htmx=True
    )
    assert STALE in page(response)
    assert not InternalNote.objects.exists()


# --- Investigation, decision and approval ----------------------------------------------------


def test_the_decision_with_measures_goes_for_approval_and_the_leader_approves(client, cast, investigating):
    rows = [
        {"kind": MeasureKind.REFUND, "description": "退还资料费", "amount": "200.00"},
        {
            "kind": MeasureKind.RECTIFICATION,
            "description": "清理违规收费",
            "responsible_unit": cast.units.school.pk,
            "due_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        },
    ]
    as_user(client, cast.bureau_officer)
    data = decision("submit_for_approval", rows, version=investigating.version)
    response = client.post(f"/cases/{investigating.pk}/transitions/submit_for_approval/", data)
    assert response.status_code == 302
    complaint = refreshed(investigating)
    assert complaint.status == ComplaintStatus.PENDING_APPROVAL and complaint.finding == "substantiated"
    assert set(Measure.objects.filter(complaint=complaint).values_list("kind", flat=True)) == {
        "refund",
        "rectification",
    }
    shown = page(client.get(case_url(complaint)))
    assert "Draft awaiting approval" in shown and "退还资料费" in shown

    response = fire(as_user(client, cast.bureau_leader), complaint, "approve", {"note": "同意"})
    assert response.status_code == 302 and refreshed(complaint).status == ComplaintStatus.RESOLVED
    assert Measure.objects.get(complaint=complaint, kind="rectification").rectification_item is not None


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"kind": MeasureKind.REFUND, "description": "退款"}, "A refund needs its amount."),
        ({"kind": MeasureKind.REFUND, "amount": "-5"}, "greater than or equal to 0.01"),
        ({"kind": MeasureKind.REFUND, "amount": "1e400"}, "no more than 12 digits"),
        ({"kind": MeasureKind.RECTIFICATION, "description": "整改"}, "needs the unit responsible"),
        ({"kind": "bribe", "description": "x"}, "Select a valid choice."),
        ({"kind": MeasureKind.CRITICISM, "description": "x" * 2001}, "at most 2000 characters"),
        ({"description": "忘了选类型"}, "This field is required."),
    ],
)
def test_wrong_measures_are_refused_with_the_row_marked(client, cast, investigating, row, error):
    as_user(client, cast.bureau_officer)
    data = decision("submit_for_approval", [row], version=investigating.version)
    response = client.post(f"/cases/{investigating.pk}/transitions/submit_for_approval/", data)
    assert response.status_code == 400 and error in page(response)
    assert refreshed(investigating).status == ComplaintStatus.INVESTIGATING
    assert not Measure.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"finding": ""}, "This field is required."),
        ({"finding": "guilty"}, "Select a valid choice."),
        ({"reply": ""}, "This field is required."),
        ({"disposition": "x" * 10_001}, "at most 10000 characters"),
    ],
)
def test_a_decision_needs_finding_disposition_and_reply(client, cast, investigating, fields, error):
    as_user(client, cast.bureau_officer)
    data = decision("submit_for_approval", version=investigating.version, **fields)
    response = client.post(f"/cases/{investigating.pk}/transitions/submit_for_approval/", data)
    assert response.status_code == 400 and error in page(response)
    assert refreshed(investigating).status == ComplaintStatus.INVESTIGATING


def test_the_leader_sends_back_with_reasons(client, cast, pending):
    as_user(client, cast.bureau_leader)
    assert fire(client, pending, "send_back", {"reason": ""}).status_code == 400
    assert fire(client, pending, "send_back", {"reason": "证据不足"}).status_code == 302
    assert refreshed(pending).status == ComplaintStatus.INVESTIGATING
    # Sent back: the form starts from what was proposed.
    shown = page(as_user(client, cast.bureau_officer).get(case_url(pending)))
    assert "经查属实，已责令退还。</textarea>" in shown and "证据不足" in shown


def test_the_start_of_the_investigation_and_the_close_need_only_the_decision(client, cast, accepted):
    as_user(client, cast.bureau_officer)
    assert fire(client, accepted, "start_investigation").status_code == 302
    assert refreshed(accepted).status == ComplaintStatus.INVESTIGATING
    # Not closable now: the form is not offered, and a forged post is refused.
    response = fire(client, refreshed(accepted), "close")
    assert response.status_code == 409 and refreshed(accepted).status == ComplaintStatus.INVESTIGATING


# --- Extensions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"days": "31", "reason": "需要时间"}, "less than or equal to 30"),
        ({"days": "0", "reason": "需要时间"}, "greater than or equal to 1"),
        ({"days": "ten", "reason": "需要时间"}, "Enter a whole number."),
        ({"days": "10", "reason": ""}, "This field is required."),
        ({"days": "10", "reason": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_an_extension_request_is_up_to_30_days_with_a_reason(client, cast, investigating, fields, error):
    response = post_record(
        as_user(client, cast.bureau_officer), investigating, "case-extension-request", "extension", fields
    )
    assert response.status_code == 400 and error in page(response)
    assert not ExtensionRequest.objects.exists()


def test_an_extension_is_requested_then_approved_by_the_leader(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    response = post_record(
        client, investigating, "case-extension-request", "extension", {"days": "20", "reason": "需走访"}
    )
    assert response.status_code == 302
    request = ExtensionRequest.objects.get()
    assert request.state == ExtensionState.PENDING and request.days == 20
    leader_page = page(as_user(client, cast.bureau_leader).get(case_url(investigating)))
    assert 'data-testid="action-approve_extension"' in leader_page and "20 more days asked" in leader_page
    assert fire(client, refreshed(investigating), "refuse_extension", {"note": ""}).status_code == 400
    assert fire(client, refreshed(investigating), "approve_extension", {"note": "同意延期"}).status_code == 302
    request.refresh_from_db()
    assert request.state == ExtensionState.APPROVED


# --- Records: activities, messages and notes, with and without htmx -----------------------------


def activity(**overrides) -> dict:
    fields = {
        "kind": "talk",
        # Now, as the form offers it: the case was filed moments ago.
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "participants": "班主任",
        "summary": "与班主任谈话，核实收费经过",
    }
    return {**fields, **overrides}


def test_an_activity_recorded_without_javascript_redirects_to_the_timeline(client, cast, investigating):
    response = post_record(
        as_user(client, cast.bureau_officer), investigating, "case-activity-add", "activity", activity()
    )
    assert response.status_code == 302 and response["Location"].endswith("#timeline")
    recorded = Activity.objects.get()
    assert recorded.kind == "talk" and recorded.recorded_by == cast.bureau_officer


def test_an_activity_recorded_with_htmx_answers_the_blank_form_and_the_new_timeline(client, cast, investigating):
    response = post_record(
        as_user(client, cast.bureau_officer), investigating, "case-activity-add", "activity", activity(), htmx=True
    )
    shown = page(response)
    assert response.status_code == 200 and "<html" not in shown
    assert 'id="timeline"' in shown and 'hx-swap-oob="true"' in shown and "与班主任谈话" in shown
    assert "The activity is recorded." in shown
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"kind": "bribe"}, "Select a valid choice."),
        ({"kind": ""}, "This field is required."),
        ({"occurred_at": ""}, "This field is required."),
        ({"occurred_at": "yesterday"}, "Enter a valid date/time."),
        ({"occurred_at": "2999-01-01T10:00"}, "cannot be in the future"),
        ({"summary": ""}, "This field is required."),
        ({"summary": "x" * 10_001}, "at most 10000 characters"),
        ({"participants": "x" * 501}, "at most 500 characters"),
    ],
)
def test_a_wrong_activity_is_refused_with_the_errors_in_the_form(client, cast, investigating, fields, error):
    as_user(client, cast.bureau_officer)
    response = post_record(client, investigating, "case-activity-add", "activity", activity(**fields))
    assert response.status_code == 400 and error in page(response)
    htmx = post_record(client, investigating, "case-activity-add", "activity", activity(**fields), htmx=True)
    assert htmx.status_code == 200 and error in page(htmx) and "<html" not in page(htmx)
    assert not Activity.objects.exists()


def test_no_activity_before_the_investigation(client, cast, accepted):
    as_user(client, cast.bureau_officer)
    assert 'data-testid="record-activity"' not in page(client.get(case_url(accepted)))
    assert post_record(client, accepted, "case-activity-add", "activity", activity()).status_code == 409


def test_hostile_records_are_shown_as_text(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    post_record(client, investigating, "case-activity-add", "activity", activity(summary=HOSTILE, participants=HOSTILE))
    post_record(client, investigating, "case-message-add", "message", {"body": HOSTILE})
    post_record(client, investigating, "case-note-add", "note", {"body": HOSTILE})
    assert Activity.objects.count() == Message.objects.count() == InternalNote.objects.count() == 1
    services.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=5, reason=HOSTILE)
    t.complaint_refuse_extension(complaint_id=investigating.pk, actor=cast.bureau_leader, note=HOSTILE)
    shown = page(client.get(case_url(investigating)))
    # Summary, participants, message, note, the request's reason and its decision, the refusal's log entry.
    assert HOSTILE not in shown and shown.count("&lt;script&gt;alert") >= 7


def test_the_timeline_keeps_the_line_breaks_of_what_was_written(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    post_record(client, investigating, "case-message-add", "message", {"body": "第一行\r\n第二行\n<b>第三行</b>"})
    shown = page(client.get(case_url(investigating)))
    assert "<div>第一行<br>第二行<br>&lt;b&gt;第三行&lt;/b&gt;</div>" in shown


@pytest.mark.parametrize(("name", "prefix"), [("case-message-add", "message"), ("case-note-add", "note")])
@pytest.mark.parametrize(("text", "error"), [("", "This field is required."), ("x" * 10_001, "characters")])
def test_messages_and_notes_need_a_body_of_sensible_length(client, cast, investigating, name, prefix, text, error):
    response = post_record(as_user(client, cast.bureau_officer), investigating, name, prefix, {"body": text})
    assert response.status_code == 400 and error in page(response)
    assert not Message.objects.exists() and not InternalNote.objects.exists()


def test_a_message_and_a_note_with_htmx(client, cast, investigating):
    as_user(client, cast.bureau_officer)
    message = post_record(client, investigating, "case-message-add", "message", {"body": "请补充材料"}, htmx=True)
    assert "请补充材料" in page(message) and "Message to the petitioner" in page(message)
    note = post_record(client, investigating, "case-note-add", "note", {"body": "内部讨论"}, htmx=True)
    assert "内部讨论" in page(note) and "internal, never shown to the petitioner" in page(note)
    assert Message.objects.get().author == cast.bureau_officer
    assert InternalNote.objects.get().author == cast.bureau_officer


def test_a_refused_extension_may_be_asked_again_an_approved_one_not(client, cast, investigating):
    services.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=10, reason="需走访")
    as_user(client, cast.bureau_officer)
    assert 'data-testid="record-extension"' not in page(client.get(case_url(investigating)))
    t.complaint_refuse_extension(complaint_id=investigating.pk, actor=cast.bureau_leader, note="理由不充分")
    assert 'data-testid="record-extension"' in page(client.get(case_url(investigating)))
    services.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=5, reason="补充理由")
    t.complaint_approve_extension(complaint_id=investigating.pk, actor=cast.bureau_leader)
    shown = page(client.get(case_url(investigating)))
    assert 'data-testid="record-extension"' not in shown and "理由不充分" in shown


def test_the_unit_above_decides_a_review_the_petitioner_asked_for(client, cast, resolved):
    t.complaint_review(complaint_id=resolved.pk, reason="退款未到账")
    complaint = refreshed(resolved)
    # The county, above the bureau that handled it, decides; a leader approves before it goes out.
    as_user(client, cast.county_officer)
    shown = page(client.get(case_url(complaint)))
    assert 'data-testid="action-decide_review"' in shown and "The petitioner asked for a review" in shown
    data = decision("decide_review", version=complaint.version, reply="复查后确认已退款。")
    response = client.post(f"/cases/{complaint.pk}/transitions/decide_review/", data)
    assert response.status_code == 302
    complaint = refreshed(complaint)
    assert complaint.status == ComplaintStatus.PENDING_APPROVAL and complaint.reply == "复查后确认已退款。"
    as_user(client, cast.county_leader)
    assert fire(client, complaint, "approve", {"note": "同意"}).status_code == 302
    assert refreshed(complaint).status == ComplaintStatus.RESOLVED


def test_the_case_is_closed_once_no_review_can_come(client, cast, resolved, settings):
    as_user(client, cast.bureau_officer)
    assert 'data-testid="action-close"' not in page(client.get(case_url(resolved)))
    settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS = 0
    assert 'data-testid="action-close"' in page(client.get(case_url(resolved)))
    assert fire(client, refreshed(resolved), "close").status_code == 302
    assert refreshed(resolved).status == ComplaintStatus.CLOSED


def test_optional_fields_of_a_case_form_say_so_and_required_ones_do_not(client, cast, submitted):
    html = page(as_user(client, cast.county_officer).get(case_url(submitted)))
    labels = dict(re.findall(r'<label class="form-label" for="id_(accept-\w+)">(.*?)</label>', html, re.S))
    assert "optional" in labels["accept-note"]
    assert "optional" not in labels["accept-handling_unit"]
