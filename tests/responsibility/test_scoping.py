"""Scoping over a real tree: who may act on which units, and how."""

import datetime

import pytest

from jiufeng.roles import Role
from responsibility.models import LeaderAssignment, PositionKind, Unit
from responsibility.permissions import can_handle_in, can_lead_in, can_supervise_in
from responsibility.scoping import Capacity, capacities_on, own_unit_paths, units_containing, units_in_scope
from tests.factories import PositionFactory, UserFactory, unit_add

pytestmark = pytest.mark.django_db


def names(user, **kwargs) -> set[str]:
    return set(units_in_scope(user, **kwargs).values_list("name", flat=True))


def test_a_county_officer_sees_the_whole_county(cast):
    assert names(cast.county_officer) == {"测试县", "县教育局", "县第一中学", "县卫生健康局"}


def test_a_bureau_liaison_sees_only_the_bureau_subtree(cast):
    assert names(cast.bureau_officer) == {"县教育局", "县第一中学"}
    assert capacities_on(cast.bureau_officer, cast.units.school) == {PositionKind.LIAISON}
    assert capacities_on(cast.bureau_officer, cast.units.sibling) == set()


def test_a_unit_with_a_remit_gives_its_staff_the_remit_subtree(units):
    office = unit_add(parent=units.county, name="县纠风办")
    Unit.objects.filter(pk=office.pk).update(remit_unit=units.county)
    officer = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=officer, unit=office, kind=PositionKind.OFFICER)
    assert names(officer) == {"测试县", "县教育局", "县第一中学", "县卫生健康局", "县纠风办"}


def test_a_leader_assigned_outside_their_own_subtree_sees_the_assigned_area_too(cast):
    assignment = LeaderAssignment.objects.create(leader=cast.bureau_leader, starts_on=datetime.date(2026, 1, 1))
    assignment.units.add(cast.units.sibling)
    assert names(cast.bureau_leader) == {"县教育局", "县第一中学", "县卫生健康局"}
    assert capacities_on(cast.bureau_leader, cast.units.sibling) == {Capacity.ASSIGNED_LEADER}
    assert names(cast.bureau_leader, capacities={Capacity.ASSIGNED_LEADER}) == {"县卫生健康局"}


def test_an_assignment_that_ended_gives_nothing(cast):
    assignment = LeaderAssignment.objects.create(
        leader=cast.bureau_leader, starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31)
    )
    assignment.units.add(cast.units.sibling)
    assert "县卫生健康局" not in names(cast.bureau_leader, on=datetime.date(2026, 6, 1))
    assert "县卫生健康局" in names(cast.bureau_leader, on=datetime.date(2025, 6, 1))


def test_a_position_that_ended_or_has_not_started_gives_nothing(units):
    former = UserFactory(roles=[Role.OFFICER])
    PositionFactory(
        user=former,
        unit=units.bureau,
        kind=PositionKind.LIAISON,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
    )
    future = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=future, unit=units.bureau, kind=PositionKind.LIAISON, starts_on=datetime.date(2099, 1, 1))
    on = datetime.date(2026, 6, 1)
    assert names(former, on=on) == set()
    assert names(future, on=on) == set()
    assert names(former, on=datetime.date(2024, 6, 1)) == {"县教育局", "县第一中学"}


def test_a_post_in_an_inactive_unit_gives_nothing_but_inactive_units_stay_visible_above(cast):
    Unit.objects.filter(pk=cast.units.school.pk).update(is_active=False)
    teacher = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=teacher, unit=cast.units.school, kind=PositionKind.OFFICER)
    assert names(teacher) == set()
    # History survives: the bureau's people still see the closed school and its records.
    assert "县第一中学" in names(cast.bureau_officer)


def test_auditors_see_every_unit_read_only_and_anonymous_users_none(cast):
    from django.contrib.auth.models import AnonymousUser

    assert names(cast.auditor) == {"测试县", "县教育局", "县第一中学", "县卫生健康局"}
    assert capacities_on(cast.auditor, cast.units.school) == {Capacity.AUDITOR}
    assert names(AnonymousUser()) == set()


def test_a_user_without_positions_sees_nothing(units):
    assert names(UserFactory(roles=[Role.OFFICER])) == set()


def test_a_deactivated_account_sees_nothing(cast):
    cast.county_officer.is_active = False
    assert names(cast.county_officer) == set()


def test_visible_to_is_the_same_scope_as_a_queryset_method(cast):
    assert set(Unit.objects.visible_to(cast.bureau_officer).values_list("name", flat=True)) == {
        "县教育局",
        "县第一中学",
    }


def test_scoping_takes_a_constant_number_of_queries_however_many_positions(cast, django_assert_num_queries):
    for unit in [cast.units.sibling, cast.units.school]:
        PositionFactory(user=cast.bureau_officer, unit=unit, kind=PositionKind.OFFICER)
    # positions with assignments, the user's own and group permissions (ModelBackend), then the units
    with django_assert_num_queries(4):
        assert len(list(units_in_scope(cast.bureau_officer))) == 3


def test_a_post_is_in_its_unit_and_those_above_but_a_remit_unit_is_not_in_its_remit(units):
    commission = unit_add(parent=units.county, name="县纪委监委")
    office = unit_add(parent=commission, name="县纠风办")
    Unit.objects.filter(pk=office.pk).update(remit_unit=units.county)
    officer = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=officer, unit=office, kind=PositionKind.OFFICER)
    teacher = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=teacher, unit=units.school, kind=PositionKind.OFFICER)
    assert own_unit_paths(teacher) == sorted([units.county.path, units.bureau.path, units.school.path])
    # The 纠风办 works on the county from outside it, but is part of its commission.
    assert own_unit_paths(officer) == sorted([commission.path, office.path])
    assert units_containing(office.path, units.county.path) == {commission.path, office.path}
    assert units_containing(office.path, None) == {units.county.path, commission.path, office.path}
    assert set(Unit.objects.inside(units.county).values_list("name", flat=True)) == {
        "测试县",
        "县教育局",
        "县第一中学",
        "县卫生健康局",
        "县纪委监委",
    }


def test_the_units_one_is_in_come_with_the_scope_at_no_query(cast, django_assert_num_queries):
    units_in_scope(cast.bureau_officer)
    with django_assert_num_queries(0):
        assert own_unit_paths(cast.bureau_officer) == sorted([cast.units.county.path, cast.units.bureau.path])


def test_an_assigned_area_is_overseen_not_handled_nor_led(cast):
    assignment = LeaderAssignment.objects.create(leader=cast.bureau_leader, starts_on=datetime.date(2020, 1, 1))
    assignment.units.add(cast.units.sibling)
    assert can_supervise_in(cast.bureau_leader, cast.units.sibling)
    assert not can_handle_in(cast.bureau_leader, cast.units.sibling)
    assert not can_lead_in(cast.bureau_leader, cast.units.sibling)
    # Their own bureau they still lead.
    assert can_lead_in(cast.bureau_leader, cast.units.school)


def test_a_scope_covers_every_unit_only_when_it_holds_every_root(cast, django_assert_num_queries):
    from complaints.models import Category, Complaint
    from complaints.selectors import complaint_inbox_for_user
    from responsibility.scoping import HANDLING, LEADING, covers_every_unit
    from tests.factories import complaint_filed

    assert covers_every_unit(cast.county_officer, capacities=HANDLING)
    assert covers_every_unit(cast.auditor)
    assert not covers_every_unit(cast.bureau_officer)
    assert not covers_every_unit(cast.county_officer, capacities=LEADING)  # an officer leads nothing
    # Asked again in the request: no query.
    with django_assert_num_queries(0):
        assert covers_every_unit(cast.county_officer, capacities=HANDLING)
    # A second tree: the county's staff no longer cover every unit, nor see or triage its cases.
    other = unit_add(parent=None, name="邻县")
    officer = type(cast.county_officer).objects.get(pk=cast.county_officer.pk)  # a new request
    assert not covers_every_unit(officer, capacities=HANDLING)
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    elsewhere, _code = complaint_filed(category=category, subject_unit=other)
    home, _code = complaint_filed(category=category, subject_unit=cast.units.school)
    assert set(complaint_inbox_for_user(user=officer).values_list("pk", flat=True)) == {home.pk}
    assert not Complaint.objects.visible_to(officer).filter(pk=elsewhere.pk).exists()
    assert covers_every_unit(type(cast.auditor).objects.get(pk=cast.auditor.pk))
