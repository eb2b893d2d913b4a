"""Changing units and positions: moves carry the subtree and are logged; bad changes are refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from jiufeng.models import User
from responsibility.models import Position, PositionKind, Unit, UnitKind, UnitMove
from responsibility.scoping import units_in_scope
from responsibility.services.units import (
    position_assign,
    position_assign_person,
    position_end,
    unit_create,
    unit_deactivate,
    unit_move,
    unit_reactivate,
    unit_rename,
    unit_set_supervision,
)
from tests.factories import UserFactory, unit_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English: the Chinese catalogue is merged later."""
    with translation.override("en"):
        yield


def tree() -> list[tuple[str, int]]:
    return list(Unit.objects.order_by("path").values_list("name", "depth"))


def test_moving_a_unit_moves_its_subtree_and_logs_the_move(cast):
    units = cast.units
    class_unit = unit_add(parent=units.school, name="高一(1)班", kind=UnitKind.SECTION)
    unit_move(actor=cast.county_officer, unit_id=units.school.pk, new_parent_id=units.sibling.pk)
    school = Unit.objects.get(pk=units.school.pk)
    assert Unit.objects.get_parent(school) == units.sibling
    assert Unit.objects.get_parent(Unit.objects.get(pk=class_unit.pk)) == school
    assert Unit.objects.get(pk=class_unit.pk).depth == 4
    move = UnitMove.objects.get()
    assert (move.unit, move.from_parent, move.to_parent, move.moved_by) == (
        school,
        units.bureau,
        units.sibling,
        cast.county_officer,
    )
    assert move.history.count() == 1
    # Scope follows the tree: the bureau's liaison no longer sees the school.
    assert "县第一中学" not in set(units_in_scope(cast.bureau_officer).values_list("name", flat=True))


def test_a_unit_cannot_move_under_itself_or_its_own_descendant(cast):
    units = cast.units
    before = tree()
    for target in [units.bureau, units.school]:
        with pytest.raises(ValidationError) as refused:
            unit_move(actor=cast.county_officer, unit_id=units.bureau.pk, new_parent_id=target.pk)
        assert "县教育局" in str(refused.value)
    assert tree() == before
    assert not UnitMove.objects.exists()


def test_a_move_to_a_parent_outside_scope_is_refused(cast):
    before = tree()
    with pytest.raises(ValidationError):
        unit_move(actor=cast.bureau_officer, unit_id=cast.units.school.pk, new_parent_id=cast.units.sibling.pk)
    assert tree() == before


def test_a_move_needs_the_level_above(cast):
    with pytest.raises(PermissionDenied):
        unit_move(actor=cast.bureau_officer, unit_id=cast.units.bureau.pk, new_parent_id=cast.units.sibling.pk)


def test_a_move_next_to_a_sibling_of_the_same_name_is_refused(cast):
    unit_add(parent=cast.units.sibling, name="县第一中学", kind=UnitKind.INSTITUTION)
    with pytest.raises(ValidationError, match="already a unit named"):
        unit_move(actor=cast.county_officer, unit_id=cast.units.school.pk, new_parent_id=cast.units.sibling.pk)


def test_create_and_rename_refuse_duplicate_names_among_siblings(cast):
    office = unit_create(actor=cast.bureau_officer, parent_id=cast.units.bureau.pk, name="教研室", kind="section")
    assert Unit.objects.get_parent(office) == cast.units.bureau
    with pytest.raises(ValidationError):
        unit_create(actor=cast.bureau_officer, parent_id=cast.units.bureau.pk, name="教研室", kind="section")
    with pytest.raises(ValidationError):
        unit_rename(actor=cast.bureau_officer, unit_id=office.pk, name="县第一中学")
    renamed = unit_rename(actor=cast.bureau_officer, unit_id=office.pk, name="教学研究室")
    assert renamed.history.count() == 2
    assert list(renamed.history.values_list("name", flat=True)) == ["教学研究室", "教研室"]


def test_creating_needs_a_handling_capacity(cast):
    with pytest.raises(PermissionDenied):
        unit_create(actor=cast.auditor, parent_id=cast.units.bureau.pk, name="教研室", kind="section")
    with pytest.raises(PermissionDenied):
        unit_create(actor=cast.bureau_officer, parent_id=cast.units.sibling.pk, name="科室", kind="section")


def test_deactivating_keeps_history_and_needs_the_units_below_closed_first(cast):
    with pytest.raises(ValidationError, match="active units below"):
        unit_deactivate(actor=cast.county_officer, unit_id=cast.units.bureau.pk)
    unit_deactivate(actor=cast.bureau_officer, unit_id=cast.units.school.pk)
    school = Unit.objects.get(pk=cast.units.school.pk)
    assert not school.is_active
    assert school.history.first().is_active is False
    with pytest.raises(ValidationError):
        unit_deactivate(actor=cast.bureau_officer, unit_id=school.pk)
    assert unit_reactivate(actor=cast.bureau_officer, unit_id=school.pk).is_active


def test_a_unit_cannot_supervise_itself_and_a_remit_must_be_above(cast):
    school = cast.units.school
    with pytest.raises(ValidationError, match="supervise itself"):
        unit_set_supervision(actor=cast.county_officer, unit_id=school.pk, supervising_unit=school, remit_unit=None)
    with pytest.raises(ValidationError, match="above"):
        unit_set_supervision(
            actor=cast.county_officer, unit_id=school.pk, supervising_unit=None, remit_unit=cast.units.sibling
        )
    unit_set_supervision(
        actor=cast.county_officer, unit_id=school.pk, supervising_unit=cast.units.sibling, remit_unit=None
    )
    assert Unit.objects.get(pk=school.pk).supervising_unit == cast.units.sibling


def test_nobody_grants_a_remit_wider_than_their_own(cast):
    with pytest.raises(ValidationError, match="within your scope"):
        unit_set_supervision(
            actor=cast.bureau_officer, unit_id=cast.units.school.pk, supervising_unit=None, remit_unit=cast.units.county
        )


def test_assigning_and_ending_a_position(cast):
    person = UserFactory()
    start = datetime.date(2026, 3, 1)
    position = position_assign(
        actor=cast.bureau_officer,
        unit_id=cast.units.school.pk,
        user=person,
        kind=PositionKind.PRINCIPAL,
        starts_on=start,
    )
    assert person.groups.filter(name="leader").exists()
    with pytest.raises(ValidationError, match="already holds"):
        position_assign(
            actor=cast.bureau_officer,
            unit_id=cast.units.school.pk,
            user=person,
            kind=PositionKind.PRINCIPAL,
            starts_on=start,
        )
    with pytest.raises(ValidationError, match="before it starts"):
        position_end(actor=cast.bureau_officer, position_id=position.pk, ends_on=datetime.date(2026, 2, 1))
    ended = position_end(actor=cast.bureau_officer, position_id=position.pk, ends_on=datetime.date(2026, 6, 30))
    assert ended.ends_on == datetime.date(2026, 6, 30)
    assert ended.history.count() == 2
    with pytest.raises(ValidationError, match="already ended"):
        position_end(actor=cast.bureau_officer, position_id=position.pk, ends_on=datetime.date(2026, 7, 1))


def test_positions_are_managed_by_the_level_above(cast):
    with pytest.raises(PermissionDenied):
        position_assign(
            actor=cast.bureau_officer,
            unit_id=cast.units.bureau.pk,
            user=UserFactory(),
            kind=PositionKind.PRINCIPAL,
            starts_on=datetime.date(2026, 1, 1),
        )


def test_assigning_by_name_and_phone_reuses_the_account_with_that_phone(cast):
    before = User.objects.count()
    args = {
        "actor": cast.bureau_officer,
        "name": "钱校长",
        "phone": "13900003333",
        "starts_on": datetime.date(2026, 1, 1),
    }
    position_assign_person(unit_id=cast.units.school.pk, kind=PositionKind.PRINCIPAL, **args)
    position_assign_person(unit_id=cast.units.school.pk, kind=PositionKind.LIAISON, **args)
    assert User.objects.count() == before + 1
    assert Position.objects.filter(user__phone="13900003333").count() == 2
    with pytest.raises(ValidationError):
        position_assign_person(unit_id=cast.units.school.pk, kind=PositionKind.OFFICER, **{**args, "name": "冒名者"})
