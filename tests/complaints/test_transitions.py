import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from complaints import transitions as t
from complaints.models import Complaint, ComplaintStatus, Finding, TransitionLog
from responsibility.models import Deadline, DeadlineKind

from .conftest import DECISION

pytestmark = pytest.mark.django_db


def _deadline(complaint, kind):
    return Deadline.objects.get(object_id=complaint.pk, kind=kind)


def _logs(complaint, name):
    return list(TransitionLog.objects.filter(complaint=complaint, name=name))


def _age_reply(complaint, days):
    # Time passing, not a state change: the reply date moves back, the status stays.
    Complaint.objects.filter(pk=complaint.pk).update(replied_at=timezone.now() - datetime.timedelta(days=days))


def test_accept_assigns_the_unit_above_the_subject_and_moves_the_deadlines(cast, submitted):
    complaint = t.complaint_accept(complaint_id=submitted.pk, actor=cast.county_officer, note="受理")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACCEPTED
    assert complaint.handling_unit == cast.units.bureau
    assert [(log.from_status, log.to_status, log.actor, log.note) for log in _logs(complaint, "accept")] == [
        ("submitted", "accepted", cast.county_officer, "受理")
    ]
    assert _deadline(complaint, DeadlineKind.COMPLAINT_ACCEPT).met_at is not None
    resolve = _deadline(complaint, DeadlineKind.COMPLAINT_RESOLVE)
    assert resolve.unit == cast.units.bureau
    assert resolve.met_at is None
    assert resolve.due_at - resolve.opened_at == pytest.approx(
        datetime.timedelta(days=60), abs=datetime.timedelta(seconds=5)
    )
    assert complaint.history.first().history_user == cast.county_officer


def test_accept_prefers_the_supervising_unit(cast, file_complaint):
    cast.units.school.supervising_unit = cast.units.sibling
    cast.units.school.save()
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    assert t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer).handling_unit == cast.units.sibling


@pytest.mark.parametrize("unit", ["school", "bureau"])
def test_a_unit_never_handles_a_complaint_about_itself(cast, file_complaint, unit):
    complaint, _code = file_complaint(subject_unit=cast.units.bureau)
    with pytest.raises(ValidationError, match="cannot handle the case itself"):
        t.complaint_accept(
            complaint_id=complaint.pk, actor=cast.county_officer, handling_unit=getattr(cast.units, unit)
        )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.SUBMITTED
    assert not _logs(complaint, "accept")


def test_a_complaint_naming_no_unit_needs_a_chosen_handling_unit(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=None)
    with pytest.raises(ValidationError):
        t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    accepted = t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer, handling_unit=cast.units.bureau)
    assert accepted.handling_unit == cast.units.bureau


def test_only_the_county_triages(cast, submitted):
    for actor in (cast.bureau_officer, cast.bureau_leader, cast.auditor):
        with pytest.raises(PermissionDenied):
            t.complaint_accept(complaint_id=submitted.pk, actor=actor)
    submitted.refresh_from_db()
    assert submitted.status == ComplaintStatus.SUBMITTED


def test_reject_needs_a_reason(cast, submitted):
    with pytest.raises(ValidationError):
        t.complaint_reject(complaint_id=submitted.pk, actor=cast.county_officer, reason="   ")
    complaint = t.complaint_reject(complaint_id=submitted.pk, actor=cast.county_officer, reason="不属于纠风范围")
    assert complaint.status == ComplaintStatus.REJECTED
    assert [log.note for log in _logs(complaint, "reject")] == ["不属于纠风范围"]
    assert _deadline(complaint, DeadlineKind.COMPLAINT_ACCEPT).met_at is not None


def test_transfer_names_the_authority_and_the_reason(cast, submitted):
    with pytest.raises(ValidationError):
        t.complaint_transfer(complaint_id=submitted.pk, actor=cast.county_officer, to="", reason="属司法事项")
    complaint = t.complaint_transfer(
        complaint_id=submitted.pk, actor=cast.county_officer, to="县法院", reason="属司法事项"
    )
    assert (complaint.status, complaint.transferred_to) == (ComplaintStatus.TRANSFERRED, "县法院")
    assert len(_logs(complaint, "transfer")) == 1
    assert _deadline(complaint, DeadlineKind.COMPLAINT_ACCEPT).met_at is not None


def test_merge_into_a_primary_case(cast, submitted, file_complaint):
    duplicate, _code = file_complaint(subject_unit=cast.units.school)
    complaint = t.complaint_merge(complaint_id=duplicate.pk, actor=cast.county_officer, primary_id=submitted.pk)
    assert (complaint.status, complaint.merged_into) == (ComplaintStatus.MERGED, submitted)
    assert len(_logs(complaint, "merge")) == 1
    assert _deadline(complaint, DeadlineKind.COMPLAINT_ACCEPT).met_at is not None


def test_merge_refuses_itself_and_a_merged_primary(cast, submitted, file_complaint):
    with pytest.raises(ValidationError, match="itself"):
        t.complaint_merge(complaint_id=submitted.pk, actor=cast.county_officer, primary_id=submitted.pk)
    second, _code = file_complaint(subject_unit=cast.units.school)
    third, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_merge(complaint_id=second.pk, actor=cast.county_officer, primary_id=submitted.pk)
    with pytest.raises(ValidationError):
        t.complaint_merge(complaint_id=third.pk, actor=cast.county_officer, primary_id=second.pk)
    third.refresh_from_db()
    assert third.status == ComplaintStatus.SUBMITTED


def test_the_full_path_to_resolution(cast, resolved):
    resolved.refresh_from_db()
    assert resolved.status == ComplaintStatus.RESOLVED
    assert (resolved.finding, resolved.approval_requested_by) == (Finding.SUBSTANTIATED, cast.bureau_officer)
    assert resolved.replied_at is not None
    names = list(TransitionLog.objects.filter(complaint=resolved).order_by("pk").values_list("name", flat=True))
    assert names == ["file", "accept", "start_investigation", "submit_for_approval", "approve"]
    assert _deadline(resolved, DeadlineKind.COMPLAINT_RESOLVE).met_at is not None
    assert resolved.version == 4


def test_submit_for_approval_needs_a_listed_finding_and_a_reply(cast, investigating):
    for bad in ({**DECISION, "finding": "maybe"}, {**DECISION, "reply": ""}, {**DECISION, "disposition": " "}):
        with pytest.raises(ValidationError):
            t.complaint_submit_for_approval(complaint_id=investigating.pk, actor=cast.bureau_officer, **bad)
    investigating.refresh_from_db()
    assert (investigating.status, investigating.finding) == (ComplaintStatus.INVESTIGATING, "")


def test_the_submitter_never_approves_their_own_finding(cast, investigating):
    t.complaint_submit_for_approval(complaint_id=investigating.pk, actor=cast.bureau_leader, **DECISION)
    with pytest.raises(PermissionDenied):
        t.complaint_approve(complaint_id=investigating.pk, actor=cast.bureau_leader)
    assert (
        t.complaint_approve(complaint_id=investigating.pk, actor=cast.county_leader).status == ComplaintStatus.RESOLVED
    )


def test_an_officer_cannot_approve(cast, pending):
    with pytest.raises(PermissionDenied):
        t.complaint_approve(complaint_id=pending.pk, actor=cast.county_officer)


def test_send_back_returns_the_case_to_investigation_with_reasons(cast, pending):
    with pytest.raises(ValidationError):
        t.complaint_send_back(complaint_id=pending.pk, actor=cast.bureau_leader, reason="")
    complaint = t.complaint_send_back(complaint_id=pending.pk, actor=cast.bureau_leader, reason="证据不足")
    assert complaint.status == ComplaintStatus.INVESTIGATING
    assert [log.note for log in _logs(complaint, "send_back")] == ["证据不足"]
    assert _deadline(complaint, DeadlineKind.COMPLAINT_RESOLVE).met_at is None


def test_an_officer_out_of_scope_cannot_act(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.sibling)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    with pytest.raises(PermissionDenied):
        t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACCEPTED


def test_a_transition_from_the_wrong_state_is_not_allowed(cast, submitted, accepted):
    with pytest.raises(TransitionNotAllowed):
        t.complaint_reject(complaint_id=accepted.pk, actor=cast.county_officer, reason="晚了")
    with pytest.raises(TransitionNotAllowed):
        t.complaint_approve(complaint_id=accepted.pk, actor=cast.bureau_leader)
    with pytest.raises(TransitionNotAllowed):
        t.complaint_decide_review(complaint_id=accepted.pk, actor=cast.bureau_officer, **DECISION)
    with pytest.raises(TransitionNotAllowed):
        t.complaint_review(complaint_id=accepted.pk, reason="不满意")
    assert list(TransitionLog.objects.filter(complaint=accepted).values_list("name", flat=True)) == ["file", "accept"]


def test_a_stale_version_is_refused(cast, accepted):
    with pytest.raises(TransitionNotAllowed, match="meanwhile"):
        t.complaint_start_investigation(complaint_id=accepted.pk, actor=cast.bureau_officer, version=0)
    complaint = t.complaint_start_investigation(complaint_id=accepted.pk, actor=cast.bureau_officer, version=1)
    assert complaint.status == ComplaintStatus.INVESTIGATING


def test_review_needs_a_reason_and_the_window(cast, resolved):
    with pytest.raises(ValidationError):
        t.complaint_review(complaint_id=resolved.pk, reason="")
    _age_reply(resolved, 31)
    with pytest.raises(TransitionNotAllowed, match="30 days"):
        t.complaint_review(complaint_id=resolved.pk, reason="不满意")


def test_close_waits_for_the_review_window(cast, resolved):
    with pytest.raises(TransitionNotAllowed, match="window"):
        t.complaint_close(complaint_id=resolved.pk)
    _age_reply(resolved, 31)
    complaint = t.complaint_close(complaint_id=resolved.pk)
    assert complaint.status == ComplaintStatus.CLOSED
    assert [(log.actor, log.from_status) for log in _logs(complaint, "close")] == [(None, "resolved")]


def test_the_status_changes_only_through_a_transition(submitted):
    with pytest.raises(AttributeError):
        submitted.status = ComplaintStatus.CLOSED


def test_the_transition_log_is_never_rewritten(submitted):
    log = TransitionLog.objects.get(complaint=submitted)
    log.note = "改写"
    with pytest.raises(PermissionError, match="append-only"):
        log.save()
