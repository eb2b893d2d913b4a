"""Activities that fit the work (time, 查 items, corrections, voids), measures that keep their
unit and due day, the accept entry's handling unit and the petitioner's rating on the staff side."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from complaints import services as s
from complaints import transitions as t
from complaints.models import Activity, ActivityKind, CheckedItem, MeasureKind, RatingValue, TransitionLog
from complaints.selectors import complaint_timeline

from .conftest import DECISION

pytestmark = pytest.mark.django_db


def record(cast, complaint, **overrides) -> Activity:
    fields = {
        "kind": ActivityKind.TALK,
        "occurred_at": timezone.now(),
        "participants": "班主任",
        "summary": "与班主任谈话",
    }
    fields.update(overrides)
    return s.activity_record(complaint_id=complaint.pk, actor=cast.bureau_officer, **fields)


# --- When an activity happened ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "error"),
    [
        (datetime.timedelta(days=-1), "before the complaint was received"),
        (datetime.timedelta(hours=1), "cannot be in the future"),
    ],
)
def test_an_activity_before_receipt_or_in_the_future_is_refused(cast, investigating, offset, error):
    with pytest.raises(ValidationError) as refused:
        record(cast, investigating, occurred_at=investigating.received_at + offset)
    assert error in refused.value.message_dict["occurred_at"][0]
    assert not Activity.objects.exists()


def test_an_activity_of_a_letter_received_days_ago_may_be_dated_since_then(cast, file_complaint):
    received = timezone.now() - datetime.timedelta(days=5)
    complaint, _code = file_complaint(subject_unit=cast.units.school, channel="letter", received_at=received)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    activity = record(cast, complaint, occurred_at=received + datetime.timedelta(days=1))
    assert activity.occurred_at == received + datetime.timedelta(days=1)


# --- What a 查 checked -------------------------------------------------------------------------


def test_a_check_keeps_what_was_checked_in_the_practices_order(cast, investigating):
    activity = record(cast, investigating, kind=ActivityKind.CHECK, checked=[CheckedItem.SERVICE, CheckedItem.PROBLEM])
    activity.refresh_from_db()
    assert activity.checked == ["problem", "service"]
    assert activity.checked_labels() == ["The problem reported", "Service"]


@pytest.mark.parametrize(
    ("kind", "checked", "error"),
    [
        (ActivityKind.TALK, [CheckedItem.RULES], "Only a 查 (check) activity says what was checked."),
        (ActivityKind.CHECK, ["accounts"], "Choose among the listed items."),
        (ActivityKind.CHECK, "rules", "Choose among the listed items."),
    ],
)
def test_wrong_checked_items_are_refused(cast, investigating, kind, checked, error):
    with pytest.raises(ValidationError) as refused:
        record(cast, investigating, kind=kind, checked=checked)
    assert refused.value.message_dict["checked"] == [error]
    assert not Activity.objects.exists()


def test_a_check_without_items_stays_accepted_from_the_api_contract(cast, investigating):
    # API.md's activities predate the items; only the page asks for them.
    assert record(cast, investigating, kind=ActivityKind.CHECK).checked == []


# --- Correcting and voiding ---------------------------------------------------------------------


def test_a_correction_changes_the_activity_and_keeps_the_earlier_version(cast, investigating):
    activity = record(cast, investigating, summary="走访家长")
    corrected = s.activity_correct(
        complaint_id=investigating.pk,
        activity_id=activity.pk,
        actor=cast.bureau_officer,
        kind=ActivityKind.CHECK,
        occurred_at=activity.occurred_at,
        participants="学校会计",
        summary="查阅收费台账",
        checked=[CheckedItem.RULES],
        reason="记错了活动类型",
    )
    corrected.refresh_from_db()
    assert (corrected.kind, corrected.summary, corrected.checked) == ("check", "查阅收费台账", ["rules"])
    assert corrected.correction_reason == "记错了活动类型" and corrected.corrected_at is not None
    versions = list(activity.history.order_by("history_date").values_list("summary", "history_change_reason"))
    assert versions == [("走访家长", None), ("查阅收费台账", "correct")]


def test_a_wrong_correction_changes_nothing(cast, investigating):
    activity = record(cast, investigating)
    with pytest.raises(ValidationError) as refused:
        s.activity_correct(
            complaint_id=investigating.pk,
            activity_id=activity.pk,
            actor=cast.bureau_officer,
            kind=ActivityKind.TALK,
            occurred_at=timezone.now() + datetime.timedelta(days=1),
            participants="",
            summary="x" * 10_001,
            reason="  ",
        )
    assert set(refused.value.message_dict) == {"occurred_at", "summary", "reason"}
    activity.refresh_from_db()
    assert activity.summary == "与班主任谈话" and activity.corrected_at is None
    assert activity.history.count() == 1


def test_a_void_needs_a_reason_and_keeps_the_activity(cast, investigating):
    activity = record(cast, investigating)
    with pytest.raises(ValidationError) as refused:
        s.activity_void(complaint_id=investigating.pk, activity_id=activity.pk, actor=cast.bureau_officer, reason="")
    assert "reason" in refused.value.message_dict
    activity.refresh_from_db()
    assert not activity.voided

    s.activity_void(
        complaint_id=investigating.pk, activity_id=activity.pk, actor=cast.bureau_officer, reason="重复记录"
    )
    activity.refresh_from_db()
    assert activity.voided and activity.void_reason == "重复记录" and activity.voided_by == cast.bureau_officer
    assert activity.history.latest().history_change_reason == "void"
    # Still on the timeline, marked void.
    entries = complaint_timeline(complaint=investigating, public=False, viewer=cast.bureau_officer)
    assert [e.obj.voided for e in entries if e.kind == "activity"] == [True]
    with pytest.raises(ValueError, match="never deleted"):
        activity.delete()


def test_a_void_activity_is_not_voided_again_nor_corrected(cast, investigating):
    activity = record(cast, investigating)
    s.activity_void(complaint_id=investigating.pk, activity_id=activity.pk, actor=cast.bureau_officer, reason="误录")
    with pytest.raises(TransitionNotAllowed):
        s.activity_void(complaint_id=investigating.pk, activity_id=activity.pk, actor=cast.bureau_officer, reason="再")
    with pytest.raises(TransitionNotAllowed):
        s.activity_correct(
            complaint_id=investigating.pk,
            activity_id=activity.pk,
            actor=cast.bureau_officer,
            kind=ActivityKind.TALK,
            occurred_at=timezone.now(),
            participants="",
            summary="改",
            reason="改",
        )
    activity.refresh_from_db()
    assert activity.void_reason == "误录" and activity.history.count() == 2


def test_only_the_handling_staff_change_an_activity_and_only_while_investigating(cast, investigating):
    activity = record(cast, investigating)
    with pytest.raises(PermissionDenied):
        s.activity_void(complaint_id=investigating.pk, activity_id=activity.pk, actor=cast.auditor, reason="x")
    t.complaint_submit_for_approval(complaint_id=investigating.pk, actor=cast.bureau_officer, **DECISION)
    with pytest.raises(TransitionNotAllowed):
        s.activity_void(complaint_id=investigating.pk, activity_id=activity.pk, actor=cast.bureau_officer, reason="x")
    activity.refresh_from_db()
    assert not activity.voided


def test_another_cases_activity_is_not_found(cast, investigating, file_complaint):
    activity = record(cast, investigating)
    other, _code = file_complaint(subject_unit=cast.units.school)
    with pytest.raises(Activity.DoesNotExist):
        s.activity_void(complaint_id=other.pk, activity_id=activity.pk, actor=cast.bureau_officer, reason="x")


# --- Measures keep their unit and due day -------------------------------------------------------


def _submit(cast, complaint, measures, actor=None):
    return t.complaint_submit_for_approval(
        complaint_id=complaint.pk, actor=actor or cast.bureau_officer, measures=measures, **DECISION
    )


def test_a_refund_keeps_its_unit_and_due_day(cast, investigating):
    due = timezone.localdate() + datetime.timedelta(days=10)
    refund = {
        "kind": MeasureKind.REFUND,
        "amount": "180",
        "description": "退还资料费",
        "responsible_unit": cast.units.school,
        "due_on": due,
    }
    criticism = {"kind": MeasureKind.CRITICISM, "description": "批评教育班主任"}
    _submit(cast, investigating, [refund, criticism])
    kept = {m.kind: (m.responsible_unit, m.due_on) for m in investigating.measures.all()}
    assert kept == {"refund": (cast.units.school, due), "criticism": (None, None)}


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"due_on": None}, "Give a due date, today or later."),
        ({"responsible_unit": None}, "A due date needs the unit responsible for it."),
        ({"due_on": datetime.date(2020, 1, 1)}, "Give a due date, today or later."),
    ],
)
def test_a_unit_and_its_due_day_go_together(cast, investigating, extra, error):
    refund = {
        "kind": MeasureKind.REFUND,
        "amount": "180",
        "responsible_unit": cast.units.school,
        "due_on": timezone.localdate(),
        **extra,
    }
    with pytest.raises(ValidationError) as refused:
        _submit(cast, investigating, [refund])
    assert refused.value.message_dict["measures[1]"] == [error]
    assert not investigating.measures.exists()


def test_a_refund_unit_out_of_scope_is_not_found(cast, investigating):
    refund = {
        "kind": MeasureKind.REFUND,
        "amount": "180",
        "responsible_unit": cast.units.sibling,
        "due_on": timezone.localdate(),
    }
    with pytest.raises(Http404):
        _submit(cast, investigating, [refund])
    assert not investigating.measures.exists()


# --- The timeline says which unit handles the case, and what the petitioner rated -----------------


def test_the_accept_entry_names_the_handling_unit(cast, accepted):
    log = TransitionLog.objects.get(complaint=accepted, name="accept")
    assert log.unit == cast.units.bureau
    entries = complaint_timeline(complaint=accepted, public=False, viewer=cast.bureau_officer)
    assert [e.obj.unit.name for e in entries if e.name == "accept"] == [cast.units.bureau.name]


def test_basically_satisfied_is_kept_as_such_on_the_staff_side(cast, resolved):
    s.rating_add(complaint_id=resolved.pk, rating=RatingValue.BASICALLY_SATISFIED, comment="拖得久了点")
    close = TransitionLog.objects.get(complaint=resolved, name="close")
    assert close.note == "The petitioner rated the result: Basically satisfied."
    staff = complaint_timeline(complaint=resolved, public=False, viewer=cast.bureau_officer)
    assert [(e.name, e.text, e.actor) for e in staff if e.kind == "rating"] == [
        ("basically_satisfied", "拖得久了点", "Petitioner")
    ]
    assert "rating" not in {e.kind for e in complaint_timeline(complaint=resolved, public=True)}
    # The rating has its history, as every record of the case.
    assert resolved.ratings.get().history.count() == 1
