"""Leader assignments, visits and rectification items: the services, the state machine, permissions."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from jiufeng.roles import Role
from responsibility.models import (
    Deadline,
    DeadlineKind,
    LeaderAssignment,
    PositionKind,
    RectificationItem,
    RectificationStatus,
    Visit,
    VisitFrequency,
    VisitKind,
    VisitMethod,
)
from responsibility.services import visits as services
from responsibility.services.visits_selectors import (
    rectification_item_list_for_user,
    unit_visits_and_items,
    visit_list_for_user,
    visit_period,
    visits_due_for_leader,
)
from tests.factories import PositionFactory, UserFactory

from .visit_fixtures import TODAY, item_for, made_visit, make_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_officer(cast):
    user = UserFactory(username="school-officer", roles=[Role.OFFICER])
    PositionFactory(user=user, unit=cast.units.school, kind=PositionKind.LIAISON)
    return user


def deadlines_of(obj, kind):
    return Deadline.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, kind=kind)


# --- Leader assignments ----------------------------------------------------------------


def test_a_county_leader_assigns_a_unit_outside_a_bureau_leaders_subtree(cast):
    assignment = services.leader_assignment_create(
        actor=cast.county_leader,
        leader=cast.bureau_leader,
        units=[cast.units.sibling],
        starts_on=TODAY(),
        visit_frequency=VisitFrequency.HALF_YEARLY,
    )
    assert list(assignment.units.all()) == [cast.units.sibling]
    assert {row.history_user for row in assignment.history.all()} == {cast.county_leader}


def test_a_bureau_leader_may_not_assign_a_unit_outside_their_scope(cast):
    with pytest.raises(Http404):
        services.leader_assignment_create(
            actor=cast.bureau_leader, leader=cast.bureau_leader, units=[cast.units.sibling], starts_on=TODAY()
        )
    # In scope but not leading there: refused.
    with pytest.raises(PermissionDenied):
        services.leader_assignment_create(
            actor=cast.bureau_officer, leader=cast.bureau_leader, units=[cast.units.school], starts_on=TODAY()
        )
    assert not LeaderAssignment.objects.exists()


def test_an_assignment_without_units_or_ending_before_it_starts_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.leader_assignment_create(
            actor=cast.county_leader, leader=cast.bureau_leader, units=[], starts_on=TODAY()
        )
    assert "units" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.leader_assignment_create(
            actor=cast.county_leader,
            leader=cast.bureau_leader,
            units=[cast.units.sibling],
            starts_on=TODAY(),
            ends_on=TODAY() - datetime.timedelta(days=1),
        )
    assert "ends_on" in error.value.message_dict
    assert not LeaderAssignment.objects.exists()


def test_ending_an_assignment_takes_the_area_out_of_the_leaders_scope(cast):
    assignment = services.leader_assignment_create(
        actor=cast.county_leader, leader=cast.bureau_leader, units=[cast.units.sibling], starts_on=TODAY()
    )
    assert visit_list_for_user(user=cast.bureau_leader).count() == 0
    services.leader_assignment_end(
        actor=cast.county_leader, assignment_id=assignment.pk, ends_on=TODAY() - datetime.timedelta(days=0)
    )
    assignment.refresh_from_db()
    assert assignment.ends_on == TODAY()
    with pytest.raises(PermissionDenied):
        services.leader_assignment_end(actor=cast.bureau_officer, assignment_id=assignment.pk, ends_on=TODAY())


# --- Visits ----------------------------------------------------------------------------


def test_scheduling_a_visit_opens_a_visit_deadline_at_the_end_of_that_day_for_the_leaders_unit(cast):
    day = TODAY() + datetime.timedelta(days=5)
    visit = services.visit_schedule(
        actor=cast.bureau_leader,
        kind=VisitKind.INSPECTION,
        subject="督查收费",
        units=[cast.units.school],
        scheduled_for=day,
    )
    deadline = deadlines_of(visit, DeadlineKind.VISIT).get()
    assert deadline.unit == cast.units.bureau == visit.organizing_unit
    assert timezone.localtime(deadline.due_at).date() == day
    assert timezone.localtime(deadline.due_at).time() == datetime.time(23, 59, 59)
    assert deadline.met_at is None
    assert not visit.is_made and not visit.is_overdue


def test_recording_a_scheduled_visit_meets_its_deadline_and_writes_a_history_row(cast):
    visit = services.visit_schedule(
        actor=cast.bureau_leader, kind=VisitKind.VISIT, subject="走访", units=[cast.units.school], scheduled_for=TODAY()
    )
    services.visit_record(
        actor=cast.bureau_leader,
        visit_id=visit.pk,
        made_on=TODAY(),
        methods=[VisitMethod.TALK, VisitMethod.CHECK],
        people_met="校长",
        findings="资料费未经审批。",
    )
    visit.refresh_from_db()
    assert visit.made_on == TODAY()
    assert visit.methods == ["talk", "check"]
    assert deadlines_of(visit, DeadlineKind.VISIT).get().met_at is not None
    latest = visit.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("record", cast.bureau_leader)
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=cast.bureau_leader, visit_id=visit.pk, made_on=TODAY(), methods=["talk"], findings="再次"
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"methods": ["listen", "smell"]}, "methods"),
        ({"methods": []}, "methods"),
        ({"methods": ["look", "look"]}, "methods"),
        ({"findings": "  "}, "findings"),
        ({"findings": "查" * 5001}, "findings"),
        ({"people_met": "人" * 501}, "people_met"),
        ({"made_on": TODAY() + datetime.timedelta(days=1)}, "made_on"),
    ],
)
def test_a_bad_visit_record_is_refused_with_a_message_and_changes_nothing(cast, change, field):
    visit = services.visit_schedule(
        actor=cast.bureau_leader, kind=VisitKind.VISIT, subject="走访", units=[cast.units.school], scheduled_for=TODAY()
    )
    record = {"made_on": TODAY(), "methods": ["listen"], "people_met": "", "findings": "发现问题", **change}
    with pytest.raises(ValidationError) as error:
        services.visit_record(actor=cast.bureau_leader, visit_id=visit.pk, **record)
    assert field in error.value.message_dict
    visit.refresh_from_db()
    assert visit.made_on is None
    assert deadlines_of(visit, DeadlineKind.VISIT).get().met_at is None


def test_a_visit_to_units_out_of_scope_is_not_found(cast):
    with pytest.raises(Http404):
        made_visit(cast.bureau_officer, [cast.units.school, cast.units.sibling])
    with pytest.raises(Http404):
        services.visit_schedule(
            actor=cast.bureau_officer,
            kind=VisitKind.VISIT,
            subject="走访",
            units=[cast.units.sibling],
            scheduled_for=TODAY(),
        )
    assert not Visit.objects.exists()
    assert not Deadline.objects.exists()


def test_a_visit_cannot_be_scheduled_in_the_past_or_without_a_subject(cast):
    for bad, field in [
        ({"scheduled_for": TODAY() - datetime.timedelta(days=1)}, "scheduled_for"),
        ({"subject": ""}, "subject"),
        ({"kind": "picnic"}, "kind"),
    ]:
        arguments = {"kind": VisitKind.VISIT, "subject": "走访", "scheduled_for": TODAY(), **bad}
        with pytest.raises(ValidationError) as error:
            services.visit_schedule(actor=cast.bureau_leader, units=[cast.units.school], **arguments)
        assert field in error.value.message_dict
    assert not Visit.objects.exists()


def test_a_visit_under_someone_elses_assignment_is_refused(cast):
    assignment = services.leader_assignment_create(
        actor=cast.county_leader, leader=cast.county_leader, units=[cast.units.school], starts_on=TODAY()
    )
    with pytest.raises(ValidationError) as error:
        made_visit(cast.bureau_leader, [cast.units.school], assignment=assignment)
    assert "leader_assignment" in error.value.message_dict


def test_visits_are_scoped_by_the_units_visited(cast):
    to_school = made_visit(cast.county_officer, [cast.units.school])
    to_sibling = made_visit(cast.county_officer, [cast.units.sibling])
    assert set(visit_list_for_user(user=cast.bureau_officer)) == {to_school}
    assert set(visit_list_for_user(user=cast.county_leader)) == {to_school, to_sibling}
    assert not visit_list_for_user(user=UserFactory()).exists()


# --- Visits due -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "on", "period"),
    [
        (
            VisitFrequency.MONTHLY,
            datetime.date(2026, 12, 15),
            (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)),
        ),
        (
            VisitFrequency.QUARTERLY,
            datetime.date(2026, 11, 28),
            (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
        ),
        (VisitFrequency.QUARTERLY, datetime.date(2026, 4, 1), (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))),
        (
            VisitFrequency.HALF_YEARLY,
            datetime.date(2026, 3, 5),
            (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
        ),
        (VisitFrequency.YEARLY, datetime.date(2026, 7, 1), (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))),
    ],
)
def test_visit_periods_are_calendar_periods(frequency, on, period):
    assert visit_period(frequency=frequency, on=on) == period


def test_visits_due_shows_the_assigned_units_not_yet_visited_this_period(cast):
    assignment = services.leader_assignment_create(
        actor=cast.county_leader,
        leader=cast.county_leader,
        units=[cast.units.bureau, cast.units.sibling],
        starts_on=TODAY() - datetime.timedelta(days=400),
        visit_frequency=VisitFrequency.MONTHLY,
    )
    made_visit(cast.county_leader, [cast.units.bureau], days_ago=0)
    start, _end = visit_period(frequency=VisitFrequency.MONTHLY, on=TODAY())
    # A visit in the previous period does not count for this one.
    made_visit(cast.county_leader, [cast.units.sibling], days_ago=(TODAY() - start).days + 1)
    # Somebody else's visit does not count for this leader.
    made_visit(cast.county_officer, [cast.units.sibling], days_ago=0)
    [due] = visits_due_for_leader(leader=cast.county_leader)
    assert due.pk == assignment.pk
    assert due.unit_visits == [(cast.units.bureau, TODAY()), (cast.units.sibling, None)]
    assert due.units_not_visited == [cast.units.sibling]


def test_visits_due_takes_three_queries_however_many_assignments_and_visits(cast, django_assert_num_queries):
    for unit in [cast.units.bureau, cast.units.school, cast.units.sibling]:
        services.leader_assignment_create(
            actor=cast.county_leader, leader=cast.county_leader, units=[unit], starts_on=TODAY()
        )
        made_visit(cast.county_leader, [unit], days_ago=0)
    with django_assert_num_queries(3):
        assert len(visits_due_for_leader(leader=cast.county_leader)) == 3


# --- Rectification items ---------------------------------------------------------------


def test_adding_an_item_opens_a_rectification_deadline_for_the_responsible_unit(cast):
    visit = made_visit(cast.bureau_leader, [cast.units.school])
    item = item_for(visit, cast.units.school, due_in=10)
    assert item.status == RectificationStatus.OPEN
    deadline = deadlines_of(item, DeadlineKind.RECTIFICATION_ITEM).get()
    assert deadline.unit == cast.units.school
    assert timezone.localtime(deadline.due_at).date() == TODAY() + datetime.timedelta(days=10)
    assert item.history.get().history_user == cast.bureau_leader


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_on": TODAY() - datetime.timedelta(days=1)}, "due_on"),
        ({"description": ""}, "description"),
        ({"description": "改" * 2001}, "description"),
    ],
)
def test_a_bad_item_is_refused_and_nothing_is_added(cast, change, field):
    visit = made_visit(cast.bureau_leader, [cast.units.school])
    arguments = {"description": "清退资料费", "due_on": TODAY(), **change}
    with pytest.raises(ValidationError) as error:
        services.rectification_item_add(
            actor=cast.bureau_leader, visit=visit, responsible_unit=cast.units.school, **arguments
        )
    assert field in error.value.message_dict
    assert not RectificationItem.objects.exists()
    assert not Deadline.objects.filter(kind=DeadlineKind.RECTIFICATION_ITEM).exists()


def test_an_item_must_be_for_a_unit_visited_or_below_and_out_of_scope_units_are_refused(cast):
    visit = made_visit(cast.county_leader, [cast.units.school])
    with pytest.raises(ValidationError) as error:
        item_for(visit, cast.units.bureau)
    assert "responsible_unit" in error.value.message_dict
    bureau_visit = made_visit(cast.bureau_leader, [cast.units.bureau])
    with pytest.raises(Http404):
        item_for(bureau_visit, cast.units.sibling)
    assert not RectificationItem.objects.exists()


def test_an_item_needs_the_visit_recorded_first(cast):
    visit = services.visit_schedule(
        actor=cast.bureau_leader, kind=VisitKind.VISIT, subject="走访", units=[cast.units.school], scheduled_for=TODAY()
    )
    with pytest.raises(ValidationError):
        item_for(visit, cast.units.school)


def test_the_item_lifecycle_submit_then_confirmation_by_the_unit_above_meets_the_deadline(cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="已清退全部资料费，附签收表。")
    item.refresh_from_db()
    assert item.status == RectificationStatus.SUBMITTED
    assert (item.submitted_by, item.evidence) == (school_officer, "已清退全部资料费，附签收表。")
    assert deadlines_of(item, DeadlineKind.RECTIFICATION_ITEM).get().met_at is None

    services.rectification_item_confirm(actor=cast.bureau_leader, item_id=item.pk)
    item.refresh_from_db()
    assert item.status == RectificationStatus.CONFIRMED
    assert item.confirmed_by == cast.bureau_leader and item.confirmed_at is not None
    # Met as of the unit's submission: on time means done by the due day.
    assert deadlines_of(item, DeadlineKind.RECTIFICATION_ITEM).get().met_at == item.submitted_at
    reasons = list(item.history.order_by("history_id").values_list("history_change_reason", "status"))
    assert reasons == [("add", "open"), ("submit", "submitted"), ("confirm", "confirmed")]


def test_sending_an_item_back_reopens_it_and_keeps_its_deadline_open(cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="已整改")
    with pytest.raises(ValidationError):
        services.rectification_item_send_back(actor=cast.bureau_leader, item_id=item.pk, reason="")
    services.rectification_item_send_back(actor=cast.bureau_leader, item_id=item.pk, reason="缺少清退台账")
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN
    assert item.send_back_reason == "缺少清退台账"
    assert item.submitted_by is None
    assert deadlines_of(item, DeadlineKind.RECTIFICATION_ITEM).get().met_at is None
    assert item.history.first().history_change_reason == "send back"


def test_the_responsible_unit_cannot_confirm_its_own_item_nor_the_submitter(cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    # The bureau liaison handles in the school too, and submits on its behalf...
    services.rectification_item_submit(actor=cast.bureau_officer, item_id=item.pk, evidence="已整改")
    for who in [school_officer, cast.bureau_officer]:
        with pytest.raises(PermissionDenied):
            services.rectification_item_confirm(actor=who, item_id=item.pk)
        with pytest.raises(PermissionDenied):
            services.rectification_item_send_back(actor=who, item_id=item.pk, reason="不行")
    item.refresh_from_db()
    assert item.status == RectificationStatus.SUBMITTED
    # ...while the bureau's principal, the unit above, may.
    services.rectification_item_confirm(actor=cast.bureau_leader, item_id=item.pk)


def test_a_bureaus_item_is_confirmed_by_the_county_not_by_the_bureau(cast):
    item = item_for(made_visit(cast.county_leader, [cast.units.bureau]), cast.units.bureau)
    services.rectification_item_submit(actor=cast.bureau_officer, item_id=item.pk, evidence="已整改")
    with pytest.raises(PermissionDenied):
        services.rectification_item_confirm(actor=cast.bureau_leader, item_id=item.pk)
    services.rectification_item_confirm(actor=cast.county_officer, item_id=item.pk)


def test_someone_outside_the_responsible_unit_cannot_submit(cast):
    item = item_for(made_visit(cast.county_leader, [cast.units.sibling]), cast.units.sibling)
    with pytest.raises(PermissionDenied):
        services.rectification_item_submit(actor=cast.bureau_officer, item_id=item.pk, evidence="已整改")


def test_missing_or_oversized_evidence_is_refused_and_the_item_stays_open(cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    for evidence in ["", "   ", "证" * 5001]:
        with pytest.raises(ValidationError) as error:
            services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence=evidence)
        assert "evidence" in error.value.message_dict
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN
    assert item.history.count() == 1


def test_transitions_in_the_wrong_state_are_not_allowed(cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    with pytest.raises(TransitionNotAllowed):
        services.rectification_item_confirm(actor=cast.bureau_leader, item_id=item.pk)
    services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="已整改")
    with pytest.raises(TransitionNotAllowed):
        services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="再次")
    services.rectification_item_confirm(actor=cast.bureau_leader, item_id=item.pk)
    with pytest.raises(TransitionNotAllowed):
        services.rectification_item_send_back(actor=cast.bureau_leader, item_id=item.pk, reason="晚了")


def test_the_status_field_is_protected_from_direct_assignment(cast):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    with pytest.raises(AttributeError):
        item.status = RectificationStatus.CONFIRMED
    item.refresh_from_db()


def test_items_are_scoped_by_responsible_unit_and_filter_by_status_and_overdue(cast, school_officer):
    visit = made_visit(cast.county_leader, [cast.units.school, cast.units.sibling])
    late = make_overdue(item_for(visit, cast.units.school, description="逾期事项"))
    submitted = item_for(visit, cast.units.school, description="已提交事项")
    services.rectification_item_submit(actor=school_officer, item_id=submitted.pk, evidence="已整改")
    elsewhere = item_for(visit, cast.units.sibling)
    assert set(rectification_item_list_for_user(user=cast.bureau_officer)) == {late, submitted}
    assert set(rectification_item_list_for_user(user=cast.county_officer)) == {late, submitted, elsewhere}
    assert list(rectification_item_list_for_user(user=cast.county_officer, overdue=True)) == [late]
    assert list(rectification_item_list_for_user(user=cast.county_officer, status="submitted")) == [submitted]


def test_the_unit_page_shows_recent_visits_and_open_items(cast, school_officer):
    visit = made_visit(cast.bureau_leader, [cast.units.school])
    open_item = item_for(visit, cast.units.school, description="待整改")
    done = item_for(visit, cast.units.school, description="已确认")
    services.rectification_item_submit(actor=school_officer, item_id=done.pk, evidence="已整改")
    services.rectification_item_confirm(actor=cast.bureau_leader, item_id=done.pk)
    # What unit_page attaches as recent_visits and open_rectification_items.
    assert unit_visits_and_items(unit=cast.units.school) == ([visit], [open_item])
