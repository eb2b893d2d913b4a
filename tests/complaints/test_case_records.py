"""Messages, internal notes, activities, extensions, ratings, identity reads and measures."""

import datetime
import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from complaints import services as s
from complaints import transitions as t
from complaints.models import (
    ActivityKind,
    Category,
    Complaint,
    ComplaintStatus,
    ExtensionState,
    IdentityAccess,
    MeasureKind,
    RatingValue,
    RoutingRule,
)
from complaints.routing import handling_unit_default
from complaints.selectors import (
    available_transitions,
    complaint_findings_to_approve_for_user,
    complaint_inbox_for_user,
    complaint_timeline,
)
from complaints.time_limits import time_limit_days
from complaints.tracking import TrackingThrottled, track_lookup
from complaints.workflow import UnknownTransition, staff_transition
from responsibility.models import Deadline, DeadlineKind, RectificationItem, Unit

from ..factories import PositionFactory, UserFactory, unit_add
from .conftest import DECISION

pytestmark = pytest.mark.django_db


def _due(complaint, kind):
    return Deadline.objects.get(object_id=complaint.pk, kind=kind, met_at=None).due_at


# --- Messages and notes ---------------------------------------------------------------


def test_a_question_and_the_petitioners_answer_are_on_both_timelines(cast, investigating):
    s.message_add(complaint_id=investigating.pk, actor=cast.bureau_officer, body="请提供收费票据照片。")
    s.message_add(complaint_id=investigating.pk, body="票据已遗失，有转账记录。")
    public = complaint_timeline(complaint=investigating, public=True)
    messages = [(e.actor, e.text) for e in public if e.kind == "message"]
    assert messages == [("Handling staff", "请提供收费票据照片。"), ("You", "票据已遗失，有转账记录。")]
    assert all("bureau-officer" not in e.actor for e in public)


def test_the_staff_timeline_says_who_made_each_record_in_order(cast, investigating):
    cast.bureau_officer.display_name = ""
    cast.bureau_officer.save(update_fields=["display_name"])
    s.message_add(complaint_id=investigating.pk, actor=cast.bureau_officer, body="请提供收费票据照片。")
    s.message_add(complaint_id=investigating.pk, body="票据已遗失，有转账记录。")
    s.internal_note_add(complaint_id=investigating.pk, actor=cast.bureau_leader, body="抓紧办理")
    s.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=5, reason="需要补充调查")
    staff = complaint_timeline(complaint=investigating, public=False, viewer=cast.bureau_leader)
    assert [(e.kind, e.name, e.actor) for e in staff] == [
        ("transition", "file", "System"),
        ("transition", "accept", cast.county_officer.display_name),
        ("transition", "start_investigation", "bureau-officer"),
        ("message", "message", "bureau-officer"),
        ("message", "message", "Petitioner"),
        ("note", "note", cast.bureau_leader.display_name),
        ("extension", "pending", "bureau-officer"),
    ]
    assert [e.at for e in staff] == sorted(e.at for e in staff)


def test_internal_notes_never_reach_the_petitioner_or_the_subject_units_staff(cast, investigating):
    s.internal_note_add(complaint_id=investigating.pk, actor=cast.bureau_officer, body="该校去年有类似问题。")
    assert "note" not in {e.kind for e in complaint_timeline(complaint=investigating, public=True)}
    assert "note" in {
        e.kind for e in complaint_timeline(complaint=investigating, public=False, viewer=cast.county_leader)
    }
    school_head = UserFactory()
    PositionFactory(user=school_head, unit=cast.units.school)
    assert "note" not in {e.kind for e in complaint_timeline(complaint=investigating, public=False, viewer=school_head)}
    with pytest.raises(PermissionDenied):
        s.internal_note_add(complaint_id=investigating.pk, actor=school_head, body="想知道是谁投诉的")


def test_messages_refused_when_empty_too_long_or_on_a_closed_case(cast, investigating, file_complaint):
    with pytest.raises(ValidationError):
        s.message_add(complaint_id=investigating.pk, body="   ")
    with pytest.raises(ValidationError):
        s.message_add(complaint_id=investigating.pk, body="长" * (s.MESSAGE_MAX + 1))
    other, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_reject(complaint_id=other.pk, actor=cast.county_officer, reason="不属于受理范围")
    with pytest.raises(TransitionNotAllowed):
        s.message_add(complaint_id=other.pk, body="为什么不受理？")
    assert not investigating.messages.exists()


# --- Activities -------------------------------------------------------------------------


def test_an_activity_is_recorded_only_while_investigating_and_with_valid_fields(cast, accepted):
    now = timezone.now()
    fields = {"kind": ActivityKind.VISIT, "occurred_at": now, "participants": "王某、李某", "summary": "走访家长三人"}
    with pytest.raises(TransitionNotAllowed):
        s.activity_record(complaint_id=accepted.pk, actor=cast.bureau_officer, **fields)
    t.complaint_start_investigation(complaint_id=accepted.pk, actor=cast.bureau_officer)
    with pytest.raises(ValidationError) as error:
        s.activity_record(
            complaint_id=accepted.pk,
            actor=cast.bureau_officer,
            **{**fields, "kind": "spy", "occurred_at": now + datetime.timedelta(days=1), "summary": ""},
        )
    assert set(error.value.message_dict) == {"kind", "occurred_at", "summary"}
    with pytest.raises(PermissionDenied):
        s.activity_record(complaint_id=accepted.pk, actor=cast.auditor, **fields)
    activity = s.activity_record(complaint_id=accepted.pk, actor=cast.bureau_officer, **fields)
    assert [e.obj for e in complaint_timeline(complaint=accepted, public=False, viewer=cast.bureau_officer)].count(
        activity
    ) == 1
    assert "activity" not in {e.kind for e in complaint_timeline(complaint=accepted, public=True)}


# --- Extension (延期) -----------------------------------------------------------------------


def test_an_approved_extension_moves_the_deadline_once_per_stage(cast, investigating):
    before = _due(investigating, DeadlineKind.COMPLAINT_RESOLVE)
    request = s.extension_request(
        complaint_id=investigating.pk, actor=cast.bureau_officer, days=20, reason="需调取银行流水"
    )
    assert "approve_extension" in available_transitions(user=cast.bureau_leader, complaint=investigating)
    assert "approve_extension" not in available_transitions(user=cast.bureau_officer, complaint=investigating)
    t.complaint_approve_extension(complaint_id=investigating.pk, actor=cast.bureau_leader, note="同意")
    request.refresh_from_db()
    assert request.state == ExtensionState.APPROVED
    assert _due(investigating, DeadlineKind.COMPLAINT_RESOLVE) == before + datetime.timedelta(days=20)
    investigating.refresh_from_db()
    assert investigating.status == ComplaintStatus.INVESTIGATING
    assert investigating.transition_logs.filter(name="approve_extension").count() == 1
    with pytest.raises(TransitionNotAllowed):
        s.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=5, reason="再延")


@pytest.mark.parametrize("days", [0, 31, -3, "10", True])
def test_an_extension_of_the_wrong_length_is_refused(cast, investigating, days):
    with pytest.raises(ValidationError):
        s.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=days, reason="理由")
    assert not investigating.extension_requests.exists()


def test_who_asked_for_an_extension_cannot_decide_it_and_a_refusal_allows_a_new_request(cast, investigating):
    s.extension_request(complaint_id=investigating.pk, actor=cast.bureau_leader, days=10, reason="案情复杂")
    with pytest.raises(PermissionDenied):
        t.complaint_approve_extension(complaint_id=investigating.pk, actor=cast.bureau_leader)
    before = _due(investigating, DeadlineKind.COMPLAINT_RESOLVE)
    t.complaint_refuse_extension(complaint_id=investigating.pk, actor=cast.county_leader, note="时间充足")
    assert _due(investigating, DeadlineKind.COMPLAINT_RESOLVE) == before
    again = s.extension_request(complaint_id=investigating.pk, actor=cast.bureau_officer, days=10, reason="补充理由")
    assert again.state == ExtensionState.PENDING


def test_approving_with_no_pending_request_is_a_conflict(cast, investigating):
    with pytest.raises(TransitionNotAllowed):
        t.complaint_approve_extension(complaint_id=investigating.pk, actor=cast.bureau_leader)
    # Not a leader of the handling unit: not theirs to decide, pending request or not.
    with pytest.raises(PermissionDenied):
        t.complaint_approve_extension(complaint_id=investigating.pk, actor=cast.bureau_officer)


# --- Ratings ---------------------------------------------------------------------------------


def test_a_satisfied_petitioner_closes_the_case_and_cannot_rate_twice(resolved):
    s.rating_add(complaint_id=resolved.pk, rating=RatingValue.SATISFIED, comment="处理及时")
    resolved.refresh_from_db()
    assert resolved.status == ComplaintStatus.CLOSED
    assert resolved.transition_logs.get(name="close").actor is None
    with pytest.raises(TransitionNotAllowed):
        s.rating_add(complaint_id=resolved.pk, rating=RatingValue.SATISFIED, comment="")


def test_a_dissatisfied_petitioner_may_ask_for_a_review_and_rate_the_review_again(cast, resolved):
    s.rating_add(complaint_id=resolved.pk, rating=RatingValue.DISSATISFIED, comment="没有退钱")
    with pytest.raises(TransitionNotAllowed):
        s.rating_add(complaint_id=resolved.pk, rating=RatingValue.SATISFIED, comment="")
    t.complaint_review(complaint_id=resolved.pk, reason="费用未退还")
    t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_officer, **DECISION)
    # Not rated before a leader approves the review decision.
    with pytest.raises(TransitionNotAllowed):
        s.rating_add(complaint_id=resolved.pk, rating=RatingValue.SATISFIED, comment="")
    t.complaint_approve(complaint_id=resolved.pk, actor=cast.county_leader)
    s.rating_add(complaint_id=resolved.pk, rating=RatingValue.BASICALLY_SATISFIED, comment="")
    assert resolved.ratings.count() == 2


def test_a_rating_before_the_reply_is_refused(pending):
    with pytest.raises(TransitionNotAllowed):
        s.rating_add(complaint_id=pending.pk, rating=RatingValue.SATISFIED, comment="")


def test_an_unknown_rating_is_refused(resolved):
    with pytest.raises(ValidationError):
        s.rating_add(complaint_id=resolved.pk, rating="ecstatic", comment="")
    assert not resolved.ratings.exists()


# --- Identity -----------------------------------------------------------------------------------


def test_reading_the_identity_is_logged_and_refused_to_the_subject_units_staff(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False)
    identity = s.identity_read(complaint_id=complaint.pk, actor=cast.county_officer, via="api")
    assert identity.phone == "13800138000"
    assert IdentityAccess.objects.filter(complaint=complaint, user=cast.county_officer, via="api").count() == 1
    school_officer = UserFactory(roles=["officer"])
    PositionFactory(user=school_officer, unit=cast.units.school)
    # The case is kept from the unit complained about: not found, as out of scope.
    with pytest.raises(Complaint.DoesNotExist):
        s.identity_read(complaint_id=complaint.pk, actor=school_officer, via="page")
    with pytest.raises(Complaint.DoesNotExist):
        outsider = UserFactory(roles=["officer"])
        PositionFactory(user=outsider, unit=cast.units.sibling)
        s.identity_read(complaint_id=complaint.pk, actor=outsider, via="page")
    with pytest.raises(PermissionDenied):
        s.identity_read(complaint_id=complaint.pk, actor=cast.auditor, via="page")
    assert IdentityAccess.objects.count() == 1


# --- Measures -------------------------------------------------------------------------------------


def test_an_approved_rectification_becomes_an_item_in_the_ledger(cast, investigating):
    due = timezone.localdate() + datetime.timedelta(days=30)
    measures = [
        {"kind": MeasureKind.REFUND, "amount": "200", "description": "退还资料费"},
        {"kind": MeasureKind.RULE, "responsible_unit": cast.units.school, "due_on": due, "description": "收费公示"},
        {
            "kind": MeasureKind.RECTIFICATION,
            "responsible_unit": cast.units.school,
            "due_on": due,
            "description": "清退",
        },
    ]
    t.complaint_submit_for_approval(
        complaint_id=investigating.pk, actor=cast.bureau_officer, measures=measures, **DECISION
    )
    assert not RectificationItem.objects.exists()
    t.complaint_approve(complaint_id=investigating.pk, actor=cast.bureau_leader)
    item = RectificationItem.objects.get()
    assert item.responsible_unit == cast.units.school and item.due_on == due
    assert Deadline.objects.filter(kind=DeadlineKind.RECTIFICATION_ITEM, object_id=item.pk, met_at=None).count() == 1
    assert investigating.measures.get(kind=MeasureKind.REFUND).amount == decimal.Decimal("200.00")
    # A rule is kept as the case's measure; only a rectification is an item in the ledger.
    assert investigating.measures.get(kind=MeasureKind.RULE).responsible_unit == cast.units.school


@pytest.mark.parametrize(
    "measure",
    [
        {"kind": "banish"},
        {"kind": MeasureKind.REFUND, "amount": "-5"},
        {"kind": MeasureKind.REFUND, "amount": "NaN"},
        {"kind": MeasureKind.RECTIFICATION, "description": "整改", "due_on": datetime.date(2020, 1, 1)},
        # 长效机制: what the rule is, and the unit that adopts it.
        {"kind": MeasureKind.RULE, "description": "", "due_on": datetime.date(2030, 1, 1)},
        {"kind": MeasureKind.RULE, "description": "收费项目上墙公示"},
    ],
)
def test_a_wrong_measure_refuses_the_whole_submission(cast, investigating, measure):
    with pytest.raises(ValidationError) as error:
        t.complaint_submit_for_approval(
            complaint_id=investigating.pk, actor=cast.bureau_officer, measures=[measure], **DECISION
        )
    assert "measures[1]" in error.value.message_dict
    investigating.refresh_from_db()
    assert investigating.status == ComplaintStatus.INVESTIGATING
    assert not investigating.measures.exists()


def test_a_rectification_outside_the_case_is_refused(cast, investigating):
    measure = {
        "kind": MeasureKind.RECTIFICATION,
        "responsible_unit": cast.units.sibling,
        "due_on": timezone.localdate(),
        "description": "整改",
    }
    # The county officer may act on the sibling bureau, but it has nothing to do with this case.
    with pytest.raises(ValidationError):
        t.complaint_submit_for_approval(
            complaint_id=investigating.pk, actor=cast.county_officer, measures=[measure], **DECISION
        )
    # Out of the bureau officer's scope: not found.
    with pytest.raises(Http404):
        t.complaint_submit_for_approval(
            complaint_id=investigating.pk, actor=cast.bureau_officer, measures=[measure], **DECISION
        )
    investigating.refresh_from_db()
    assert investigating.status == ComplaintStatus.INVESTIGATING
    assert not investigating.measures.exists()


# --- Routing and time limits ------------------------------------------------------------------------


def test_a_routing_rule_beats_the_supervising_unit_and_the_deepest_rule_wins(cast, category):
    assert handling_unit_default(category=category, subject_unit=cast.units.school) == cast.units.bureau
    RoutingRule.objects.create(category=category, subject_unit=None, handling_unit=cast.units.county)
    assert handling_unit_default(category=category, subject_unit=cast.units.school) == cast.units.county
    RoutingRule.objects.create(category=category, subject_unit=cast.units.bureau, handling_unit=cast.units.sibling)
    assert handling_unit_default(category=category, subject_unit=cast.units.school) == cast.units.sibling
    assert handling_unit_default(category=category, subject_unit=None) == cast.units.county


def test_routing_follows_sub_categories_skips_inactive_units_and_prefers_the_supervising_unit(cast, category):
    child = Category.objects.add_child(category, {"code": "fees-school", "name": "教育乱收费"})
    # No rule: the department supervising the subject unit, else the unit above it; a root has neither.
    Unit.objects.filter(pk=cast.units.school.pk).update(supervising_unit=cast.units.sibling)
    cast.units.school.refresh_from_db()
    assert handling_unit_default(category=child, subject_unit=cast.units.school) == cast.units.sibling
    assert handling_unit_default(category=child, subject_unit=cast.units.bureau) == cast.units.county
    assert handling_unit_default(category=child, subject_unit=cast.units.county) is None
    # The parent category's rule covers the child; the child's own rule beats it.
    RoutingRule.objects.create(category=category, subject_unit=None, handling_unit=cast.units.bureau)
    assert handling_unit_default(category=child, subject_unit=cast.units.county) == cast.units.bureau
    inactive = unit_add(parent=cast.units.county, name="已撤销的局")
    Unit.objects.filter(pk=inactive.pk).update(is_active=False)
    RoutingRule.objects.create(category=child, subject_unit=None, handling_unit=inactive)
    assert handling_unit_default(category=child, subject_unit=cast.units.school) == cast.units.bureau
    RoutingRule.objects.filter(category=child).update(handling_unit=cast.units.sibling)
    assert handling_unit_default(category=child, subject_unit=cast.units.school) == cast.units.sibling
    # A rule about another subtree does not apply.
    RoutingRule.objects.create(category=child, subject_unit=cast.units.sibling, handling_unit=cast.units.county)
    assert handling_unit_default(category=child, subject_unit=cast.units.school) == cast.units.sibling


def test_the_nearest_ancestor_with_a_limit_gives_it(category):
    child = Category.objects.add_child(category, {"code": "fees-school", "name": "教育乱收费"})
    grandchild = Category.objects.add_child(child, {"code": "fees-books", "name": "教辅费"})
    Category.objects.filter(pk=category.pk).update(resolve_days=90, review_days=20)
    Category.objects.filter(pk=child.pk).update(resolve_days=45)
    grandchild.refresh_from_db()
    assert time_limit_days(category=grandchild, kind=DeadlineKind.COMPLAINT_RESOLVE) == 45
    assert time_limit_days(category=grandchild, kind=DeadlineKind.COMPLAINT_REVIEW) == 20
    Category.objects.filter(pk=grandchild.pk).update(resolve_days=10)
    grandchild.refresh_from_db()
    assert time_limit_days(category=grandchild, kind=DeadlineKind.COMPLAINT_RESOLVE) == 10


def test_a_category_limit_applies_to_its_children_and_moves_the_acceptance_deadline(cast, category, file_complaint):
    child = Category.objects.add_child(category, {"code": "fees-school", "name": "教育乱收费"})
    assert time_limit_days(category=child, kind=DeadlineKind.COMPLAINT_ACCEPT) == 15
    category.accept_days = 7
    category.save()
    child.refresh_from_db()
    assert time_limit_days(category=child, kind=DeadlineKind.COMPLAINT_ACCEPT) == 7
    complaint, _code = file_complaint(subject_unit=cast.units.school, category=child)
    assert _due(complaint, DeadlineKind.COMPLAINT_ACCEPT) == complaint.received_at + datetime.timedelta(days=7)


# --- What each user is offered -------------------------------------------------------------------------


def test_each_role_is_offered_only_what_it_may_do_now(cast, submitted, pending):
    assert available_transitions(user=cast.county_officer, complaint=submitted) == [
        "accept",
        "reject",
        "transfer",
        "merge",
    ]
    assert available_transitions(user=cast.bureau_officer, complaint=submitted) == []
    assert available_transitions(user=cast.auditor, complaint=submitted) == []
    assert available_transitions(user=cast.bureau_leader, complaint=pending) == ["approve", "send_back"]
    assert available_transitions(user=cast.bureau_officer, complaint=pending) == []


def test_the_inbox_and_approval_queue_hold_what_waits_for_each_person(cast, submitted, file_complaint):
    other, _code = file_complaint(subject_unit=cast.units.school)
    t.complaint_accept(complaint_id=other.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=other.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=other.pk, actor=cast.bureau_officer, **DECISION)
    assert set(complaint_inbox_for_user(user=cast.county_officer)) == {submitted}
    assert set(complaint_inbox_for_user(user=cast.bureau_officer)) == set()
    assert set(complaint_findings_to_approve_for_user(user=cast.bureau_leader)) == {other}
    assert set(complaint_findings_to_approve_for_user(user=cast.bureau_officer)) == set()


def test_only_declared_staff_transitions_are_found_by_name(cast, submitted):
    for name in ("delete", "review"):
        with pytest.raises(UnknownTransition):
            staff_transition(name)
    assert staff_transition("accept").service is t.complaint_accept


# --- Guessing tracking codes ------------------------------------------------------------------------------


def test_failed_code_guesses_from_one_address_are_refused_but_a_right_code_is_not_counted(
    settings, file_complaint, cast
):
    settings.JIUFENG_TRACK_FAILURES_PER_IP = "3/h"

    complaint, code = file_complaint(subject_unit=cast.units.school)
    request = RequestFactory().get("/track/", REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        assert track_lookup(request=request, code=code) == complaint
    for _ in range(3):
        assert track_lookup(request=request, code="JF-0000-0000-0000-0000") is None
    with pytest.raises(TrackingThrottled) as refused:
        track_lookup(request=request, code="JF-0000-0000-0000-0001")
    assert not refused.value.everyone and 1 <= refused.value.retry_after <= 3600
    # A right code still opens its case, from the guesser's address as from elsewhere.
    assert track_lookup(request=request, code=code) == complaint
    elsewhere = RequestFactory().get("/track/", REMOTE_ADDR="198.51.100.7")
    assert track_lookup(request=elsewhere, code=code) == complaint


def test_the_global_limit_stops_guesses_spread_over_many_addresses(settings, file_complaint, cast):
    settings.JIUFENG_TRACK_FAILURES_GLOBAL = "4/m"

    complaint, code = file_complaint(subject_unit=cast.units.school)
    for n in range(4):
        guesser = RequestFactory().get("/track/", REMOTE_ADDR=f"203.0.113.{n}")
        assert track_lookup(request=guesser, code="JF-0000-0000-0000-0000") is None
    someone = RequestFactory().get("/track/", REMOTE_ADDR="198.51.100.7")
    with pytest.raises(TrackingThrottled) as refused:
        track_lookup(request=someone, code="JF-0000-0000-0000-0001")
    assert refused.value.everyone
    assert track_lookup(request=someone, code=code) == complaint


def test_an_ipv6_guesser_is_counted_by_its_network_not_by_each_address(settings, file_complaint, cast):
    settings.JIUFENG_TRACK_FAILURES_PER_IP = "2/h"

    complaint, code = file_complaint(subject_unit=cast.units.school)
    for host in ("1", "2"):
        guesser = RequestFactory().get("/track/", REMOTE_ADDR=f"2001:db8:1:2::{host}")
        assert track_lookup(request=guesser, code="JF-0000-0000-0000-0000") is None
    with pytest.raises(TrackingThrottled):
        track_lookup(
            request=RequestFactory().get("/track/", REMOTE_ADDR="2001:db8:1:2::99"), code="JF-0000-0000-0000-0001"
        )
    assert track_lookup(request=RequestFactory().get("/track/", REMOTE_ADDR="2001:db8:1:3::1"), code=code) == complaint
