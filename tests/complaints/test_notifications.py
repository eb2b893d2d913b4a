"""Who hears what about a case: the petitioner by SMS and email, staff in their inbox."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints import transitions as t
from complaints.models import Complaint
from complaints.notifications import petitioner_notify, staff_notify
from jiufeng.models import Notification, OutboxMessage
from jiufeng.tasks import deliver_outbox_task
from responsibility.models import PositionKind
from responsibility.selectors import positions_nearest
from tests.factories import PositionFactory, UserFactory, unit_add
from tests.jiufeng.outbox_helpers import delivery_runs_queued, sms_recorded

from .conftest import DECISION

pytestmark = pytest.mark.django_db
PHONE = "13800138000"
EMAIL = "zhang@example.cn"


@pytest.fixture(autouse=True)
def office_in_english(settings):
    # Notifications are written in the office's language (settings.LANGUAGE_CODE, zh-hans in
    # production); these tests read them in the source language unless they say otherwise.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def sms(settings):
    return sms_recorded(settings)


@pytest.fixture
def real_name(cast, file_complaint):
    """A real-name complaint about the school, with a mobile and an email."""

    def file(**overrides):
        fields = {"subject_unit": cast.units.school, "anonymous": False, "email": EMAIL, **overrides}
        return file_complaint(**fields)

    return file


def to_petitioner(**filters) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(notification__isnull=True, **filters).order_by("pk"))


def bodies(**filters) -> list[str]:
    return [m.body for m in to_petitioner(channel="sms", **filters)]


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def subjects(user) -> list[str]:
    return [n.subject for n in inbox(user)]


# --- The petitioner -----------------------------------------------------------------------


def test_the_code_reaches_the_petitioner_by_sms_and_email_and_is_then_kept_nowhere(real_name, sms):
    complaint, code = real_name()
    assert deliver_outbox_task()["sent"] == 2
    [(phone, text)] = sms.sent
    assert phone == PHONE
    assert code in text
    assert "http://127.0.0.1:8000/track/" in text
    assert timezone.localdate(complaint.submitted_at).isoformat() in text
    [email] = mail.outbox
    assert email.to == [EMAIL]
    assert code in email.body
    with connection.cursor() as cursor:
        for table in ("jiufeng_outboxmessage", "jiufeng_historicaloutboxmessage", "jiufeng_notification"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            assert code not in repr(cursor.fetchall())


def test_an_anonymous_petitioner_is_told_nothing(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    assert to_petitioner() == []
    assert petitioner_notify(complaint=complaint, event="accepted") == 0


def test_a_landline_gets_no_sms_but_email_and_no_email_means_sms_only(real_name):
    real_name(phone="0571-88889999")
    assert [m.channel for m in to_petitioner()] == ["email"]
    OutboxMessage.objects.all().delete()
    real_name(email="")
    assert [m.channel for m in to_petitioner()] == ["sms"]


def test_acceptance_names_the_handling_unit_and_the_due_day(cast, real_name):
    complaint, _code = real_name()
    OutboxMessage.objects.all().delete()
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    due = timezone.localdate() + datetime.timedelta(days=60)
    [body] = bodies()
    assert "has been accepted" in body
    assert cast.units.bureau.name in body
    assert due.isoformat() in body
    assert [m.subject for m in to_petitioner()] == ["Your complaint has been accepted"] * 2


@pytest.mark.parametrize(
    ("transition", "fields", "expected"),
    [
        (
            t.complaint_reject,
            {"reason": "属于诉讼程序，请向法院起诉"},
            ["not been accepted", "属于诉讼程序，请向法院起诉"],
        ),
        (
            t.complaint_transfer,
            {"to": "市市场监管局", "reason": "属其管辖"},
            ["transferred to 市市场监管局", "Reason: 属其管辖"],
        ),
    ],
    ids=["reject", "transfer"],
)
def test_a_refusal_tells_the_petitioner_why(cast, real_name, transition, fields, expected):
    complaint, _code = real_name()
    OutboxMessage.objects.all().delete()
    transition(complaint_id=complaint.pk, actor=cast.county_officer, **fields)
    [body] = bodies()
    for text in expected:
        assert text in body


def test_a_percent_sign_typed_by_staff_stays_text(cast, real_name):
    complaint, _code = real_name()
    OutboxMessage.objects.all().delete()
    reason = "涨价50%(date)s %s %d <script>alert(1)</script>"
    t.complaint_reject(complaint_id=complaint.pk, actor=cast.county_officer, reason=reason)
    [body] = bodies()
    assert body.endswith(f"Reason: {reason}")


def test_a_question_a_reply_and_the_review_decisions_reach_the_petitioner(cast, real_name):
    complaint, _code = real_name()
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    OutboxMessage.objects.all().delete()
    services.message_add(complaint_id=complaint.pk, actor=cast.bureau_officer, body="请提供收费收据。")
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader, note="")
    # 复查 by the county above the bureau; 复核 by the county's leadership (nothing is above it).
    second_leader = UserFactory()
    PositionFactory(user=second_leader, unit=cast.units.county, kind=PositionKind.PRINCIPAL)
    t.complaint_review(complaint_id=complaint.pk, reason="处理不到位")
    t.complaint_decide_review(complaint_id=complaint.pk, actor=cast.county_officer, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.county_leader)
    t.complaint_review(complaint_id=complaint.pk, reason="仍不满意")
    t.complaint_decide_review(complaint_id=complaint.pk, actor=cast.county_leader, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=second_leader)
    assert [m.subject for m in to_petitioner(channel="sms")] == [
        "A message about your complaint",
        "Your complaint has been answered",
        "Your request for a review has been received",
        "Your review has been decided",
        "Your request for a re-review has been received",
        "Your re-review has been decided",
    ]
    question, replied, asked, review, re_asked, final = bodies()
    assert "sent you a message" in question
    assert "review within 30 days" in replied
    assert "review (复查)" in asked and "测试县 will decide it" in asked
    assert "re-review within 30 days" in review
    assert "re-review (复核)" in re_asked and "final" in re_asked
    assert "final" in final
    # The staff's own message text stays on the tracking page, not in an SMS.
    assert "收据" not in question


def test_an_approved_extension_tells_the_new_day_and_the_reason(cast, real_name):
    complaint, _code = real_name()
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    OutboxMessage.objects.all().delete()
    services.extension_request(complaint_id=complaint.pk, actor=cast.bureau_officer, days=20, reason="需现场核查")
    t.complaint_approve_extension(complaint_id=complaint.pk, actor=cast.bureau_leader, note="同意")
    due = timezone.localdate() + datetime.timedelta(days=80)
    [body] = bodies()
    assert f"extended to {due.isoformat()}" in body
    assert body.endswith("Reason: 需现场核查")


def test_petitioners_of_a_merged_case_follow_its_primary(cast, real_name):
    primary, _code = real_name(content="学校收费问题一", phone="13900139000", email="")
    duplicate, _code = real_name(content="同一问题的另一份投诉", email="")
    OutboxMessage.objects.all().delete()
    t.complaint_merge(complaint_id=duplicate.pk, actor=cast.county_officer, primary_id=primary.pk)
    [merged] = to_petitioner()
    assert (merged.address, merged.subject) == (PHONE, "Your complaint is handled together with another")
    OutboxMessage.objects.all().delete()
    t.complaint_accept(complaint_id=primary.pk, actor=cast.county_officer)
    assert sorted(m.address for m in to_petitioner()) == ["13800138000", "13900139000"]


def test_an_unknown_event_is_a_programming_error(real_name):
    complaint, _code = real_name()
    with pytest.raises(ValueError):
        petitioner_notify(complaint=complaint, event="approve")
    with pytest.raises(KeyError):
        staff_notify(complaint=complaint, event="approve")


# --- Staff --------------------------------------------------------------------------------


def test_a_new_complaint_reaches_the_triage_officers_in_the_office_language(cast, file_complaint, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    complaint, _code = file_complaint(subject_unit=cast.units.school, title="<b>强制</b>订购资料")
    [note] = inbox(cast.county_officer)
    assert note.subject == f"新投诉 #{complaint.pk}：<b>强制</b>订购资料"
    assert cast.units.school.name in note.body
    assert note.link == reverse("complaints:case-detail", args=[complaint.pk])
    # Stored in the office's language (zh-hans), whatever the language of the request.
    assert "测试县" in note.why
    assert "Officer" not in note.why
    for user in (cast.county_leader, cast.bureau_officer, cast.bureau_leader, cast.auditor):
        assert inbox(user) == []


def test_an_officer_entering_a_complaint_is_not_told_of_it(cast, file_complaint):
    file_complaint(subject_unit=cast.units.school, channel="hotline", actor=cast.county_officer)
    assert inbox(cast.county_officer) == []


def test_the_county_office_under_the_discipline_commission_triages_by_its_remit(cast, file_complaint):
    commission = unit_add(parent=cast.units.county, name="县纪委监委")
    office = unit_add(parent=commission, name="县纠风办")
    office.remit_unit = cast.units.county
    office.save()
    officer = UserFactory()
    PositionFactory(user=officer, unit=office, kind=PositionKind.LIAISON)
    file_complaint(subject_unit=cast.units.school)
    [note] = inbox(officer)
    assert "县纠风办" in note.why
    assert len(inbox(cast.county_officer)) == 1


def test_the_handling_unit_staff_then_its_leaders_are_told_in_turn(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    assert subjects(cast.bureau_officer) == [f"Case #{complaint.pk} is yours to handle: 学校强制订购教辅资料"]
    assert subjects(cast.bureau_leader) == []
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
    assert subjects(cast.bureau_leader) == [f"Case #{complaint.pk} awaits your approval: 学校强制订购教辅资料"]
    assert subjects(cast.county_leader) == []
    assert len(inbox(cast.bureau_officer)) == 1


def test_a_leader_who_submits_is_not_asked_to_approve(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_leader)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_leader, **DECISION)
    assert inbox(cast.bureau_leader) == []


def test_a_unit_without_the_post_is_answered_for_by_the_level_above(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer, handling_unit=cast.units.sibling)
    # The sibling bureau has no staff: the county's officer and leader hold the posts nearest to it.
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.county_officer, **DECISION)
    [note] = inbox(cast.county_leader)
    assert "测试县" in note.why


def test_an_extension_request_goes_to_the_leaders_who_decide_it(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    services.extension_request(complaint_id=complaint.pk, actor=cast.bureau_officer, days=15, reason="需调取账目")
    [note] = inbox(cast.bureau_leader)
    assert note.subject == f"Case #{complaint.pk}: an extension awaits your decision"
    assert note.body == "15 more days are asked for: 需调取账目"


def test_the_petitioners_words_reach_whoever_works_on_the_case(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    services.message_add(complaint_id=complaint.pk, body="补充：还有其他班级")
    assert subjects(cast.county_officer)[-1] == f"Case #{complaint.pk}: the petitioner has written"
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    services.message_add(complaint_id=complaint.pk, body="又收了一次")
    assert subjects(cast.bureau_officer)[-1] == f"Case #{complaint.pk}: the petitioner has written"
    assert len(inbox(cast.county_officer)) == 2


def test_a_review_request_reaches_the_reviewing_staff_with_its_reason(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader, note="")
    t.complaint_review(complaint_id=complaint.pk, reason="退款未到账")
    # The county above the bureau decides the 复查: its staff are told, the bureau's are not.
    note = inbox(cast.county_officer)[-1]
    assert note.subject == f"Case #{complaint.pk}: the petitioner asks for a review (复查)"
    assert note.body.endswith("The petitioner's reason: 退款未到账")
    assert not [n for n in inbox(cast.bureau_officer) if "asks for a review" in n.subject]


def test_people_who_left_or_were_deactivated_are_not_told(cast, file_complaint):
    cast.county_officer.positions.update(ends_on=datetime.date(2026, 1, 31))
    deputy = UserFactory(is_active=False)
    PositionFactory(user=deputy, unit=cast.units.county, kind=PositionKind.OFFICER)
    file_complaint(subject_unit=cast.units.school)
    assert not Notification.objects.exists()


def test_telling_many_staff_costs_the_same_queries_as_telling_one(cast, file_complaint, django_assert_max_num_queries):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    Notification.objects.all().delete()
    complaint = Complaint.objects.select_related("subject_unit").get(pk=complaint.pk)
    # The triaging unit, its nearest staff (the subject unit's posts passed over in Python), the
    # notice and its history row.
    with django_assert_max_num_queries(4) as one:
        assert staff_notify(complaint=complaint, event="submitted") == 1
    # One inbox write per reason given (position and unit), whatever the number of people.
    for _ in range(6):
        PositionFactory(unit=cast.units.county, kind=PositionKind.OFFICER)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert staff_notify(complaint=complaint, event="submitted") == 7


def test_notifications_are_written_with_the_change_and_delivered_on_commit(
    cast, real_name, django_capture_on_commit_callbacks, monkeypatch
):
    complaint, _code = real_name()
    deliver_outbox_task()
    with django_capture_on_commit_callbacks() as callbacks:
        t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    assert delivery_runs_queued(callbacks, monkeypatch) == 1
    assert deliver_outbox_task()["sent"] == 2


def test_a_filing_sends_its_messages_in_one_delivery_run(
    cast, real_name, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks() as callbacks:
        real_name()
    assert delivery_runs_queued(callbacks, monkeypatch) == 1
    assert len(inbox(cast.county_officer)) == 1
    # That one run sends the petitioner's SMS and email with the code.
    assert deliver_outbox_task()["sent"] == OutboxMessage.objects.count() == 2


def test_positions_nearest_reads_the_unit_then_each_level_above(cast):
    assert [p.user_id for p in positions_nearest(unit=cast.units.school, kinds={PositionKind.LIAISON})] == [
        cast.bureau_officer.pk
    ]
    kinds = {PositionKind.OFFICER, PositionKind.LEADER_IN_CHARGE}
    assert {p.user_id for p in positions_nearest(unit=cast.units.school, kinds=kinds)} == {
        cast.county_officer.pk,
        cast.county_leader.pk,
    }
    assert positions_nearest(unit=cast.units.school, kinds={"nobody"}) == []
