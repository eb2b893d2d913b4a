"""The periodic closing of resolved cases whose review window has passed."""

import datetime

import pytest
from django.utils import timezone

from complaints import transitions as t
from complaints.models import Complaint, ComplaintStatus, TransitionLog
from complaints.services import rating_add
from complaints.tasks import close_expired_cases_task
from jiufeng.celery import app

from .conftest import DECISION

pytestmark = pytest.mark.django_db


def _age_reply(complaint, days, seconds=0):
    # Time passing, not a state change: the reply date moves back, the status stays.
    replied_at = timezone.now() - datetime.timedelta(days=days, seconds=seconds)
    Complaint.objects.filter(pk=complaint.pk).update(replied_at=replied_at)


def _status(complaint) -> str:
    return Complaint.objects.get(pk=complaint.pk).status


def _resolve(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
    return t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader, note="")


def test_expired_cases_are_closed_once_by_the_system_however_often_the_task_runs(cast, file_complaint):
    expired = _resolve(cast, file_complaint)
    _age_reply(expired, 30, seconds=1)
    assert close_expired_cases_task() == 1
    assert close_expired_cases_task() == 0
    assert _status(expired) == ComplaintStatus.CLOSED
    [log] = TransitionLog.objects.filter(complaint=expired, name="close")
    assert (log.actor, log.from_status, log.to_status) == (None, "resolved", "closed")


def test_cases_the_petitioner_may_still_act_on_are_left_alone(cast, file_complaint):
    in_window = _resolve(cast, file_complaint)
    _age_reply(in_window, 29, seconds=23 * 3600)
    under_review = _resolve(cast, file_complaint)
    t.complaint_review(complaint_id=under_review.pk, reason="不满意")
    _age_reply(under_review, 40)
    assert close_expired_cases_task() == 0
    assert _status(in_window) == ComplaintStatus.RESOLVED
    assert _status(under_review) == ComplaintStatus.UNDER_REVIEW


def test_after_the_re_review_the_case_waits_out_the_window_for_a_rating(cast, file_complaint, review_decide):
    complaint = _resolve(cast, file_complaint)
    for reason in ("复查", "复核"):
        t.complaint_review(complaint_id=complaint.pk, reason=reason)
        review_decide(complaint.pk)
    assert close_expired_cases_task() == 0
    rating_add(complaint_id=complaint.pk, rating="dissatisfied", comment="")
    _age_reply(complaint, 31)
    assert close_expired_cases_task() == 1


def test_a_case_closed_meanwhile_by_a_rating_is_skipped(cast, file_complaint, monkeypatch):
    complaint = _resolve(cast, file_complaint)
    _age_reply(complaint, 31)
    original = t.complaint_close

    def rated_just_before(**kwargs):
        # The petitioner's satisfied rating wins the race for the row.
        rating_add(complaint_id=complaint.pk, rating="satisfied", comment="")
        return original(**kwargs)

    monkeypatch.setattr("complaints.tasks.complaint_close", rated_just_before)
    assert close_expired_cases_task() == 0
    assert TransitionLog.objects.filter(complaint=complaint, name="close").count() == 1


def test_beat_runs_the_task_every_hour():
    entry = app.conf.beat_schedule["close-expired-cases"]
    assert entry == {"task": "complaints.tasks.close_expired_cases_task", "schedule": 3600.0}
    assert "complaints.tasks.close_expired_cases_task" in app.tasks
