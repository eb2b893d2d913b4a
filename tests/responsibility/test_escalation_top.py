"""The step of the ladder that reaches the county reaches the people there who can act:
the principal, the leaders in charge of 纠风 work and the leaders assigned to the area."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiufeng.models import Notification
from responsibility.models import Escalation, PositionKind
from responsibility.services.escalations import deadlines_sweep
from responsibility.services.visits import leader_assignment_create
from tests.jiufeng.outbox_helpers import messages_to

from ..factories import PositionFactory, UserFactory, unit_add
from .escalation_helpers import DUE, ladder_tree, open_deadline, sweep

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
START = datetime.date(2026, 1, 1)


@pytest.fixture
def tree(units):
    tree = ladder_tree(units)
    tree.in_charge = UserFactory(username="county-in-charge", phone="13900000001")
    PositionFactory(user=tree.in_charge, unit=units.county, kind=PositionKind.LEADER_IN_CHARGE)
    tree.area_leader = UserFactory(username="bureau-area-leader")
    tree.other_area_leader = UserFactory(username="sibling-area-leader")
    tree.past_area_leader = UserFactory(username="past-area-leader")
    assign = tree.people[("county", PositionKind.PRINCIPAL)]
    leader_assignment_create(actor=assign, leader=tree.area_leader, units=[units.bureau], starts_on=START)
    leader_assignment_create(actor=assign, leader=tree.other_area_leader, units=[units.sibling], starts_on=START)
    leader_assignment_create(
        actor=assign,
        leader=tree.past_area_leader,
        units=[units.bureau],
        starts_on=START,
        ends_on=datetime.date(2026, 6, 30),
    )
    return tree


def told(since_pk: int) -> dict[str, Notification]:
    rows = Notification.objects.filter(pk__gt=since_pk).select_related("recipient")
    return {row.recipient.username: row for row in rows}


def last_pk() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_county_step_reaches_the_principal_the_leader_in_charge_and_the_area_leader(tree):
    deadline = open_deadline(tree.school)
    expected = [
        (0, tree.school, {"school-liaison"}),
        (1, tree.school, {"school-principal"}),
        (2, tree.bureau, {"bureau-principal"}),
        (3, tree.county, {"county-principal", "county-in-charge", "bureau-area-leader"}),
    ]
    at = DUE + datetime.timedelta(minutes=5)
    for level, unit, people in expected:
        before = last_pk()
        sweep(at)
        assert Escalation.objects.get(deadline=deadline, level=level).unit == unit
        assert set(told(before)) == people, level
        at += 2 * DAY
    # Stored in the site's language: each says why it reached its reader.
    top = told(before)
    assert top["county-in-charge"].why == f"您是{tree.county.name}的分管领导，这些超期事项已逐级督办至此。"
    assert top["county-in-charge"].subject == "督办：下级单位1项超期事项"
    assert top["bureau-area-leader"].why == f"您是{tree.bureau.name}的包片领导，片区内以下事项已超期。"
    assert top["bureau-area-leader"].subject == "督办：您包片的片区有1项超期事项"
    assert tree.school.name in top["bureau-area-leader"].body
    # The outbox carries the leader in charge's copy to the phone on the account.
    assert messages_to("13900000001", top["county-in-charge"].outbox.filter(channel="sms"))


def test_a_deadline_of_another_area_reaches_that_areas_leader_only(tree):
    hospital = unit_add(parent=tree.sibling, name="县人民医院")
    open_deadline(hospital)
    at = DUE + datetime.timedelta(minutes=5)
    for _step in range(4):
        before = last_pk()
        sweep(at)
        at += 2 * DAY
    # Levels 0 and 1 find nobody in the hospital, 2 nobody in the sibling bureau; 3 is the county.
    assert set(told(before)) == {"county-principal", "county-in-charge", "sibling-area-leader"}


def test_someone_reached_twice_by_a_step_hears_of_it_once(tree):
    # The county principal is also assigned to the bureau, and also a leader in charge.
    principal = tree.people[("county", PositionKind.PRINCIPAL)]
    leader_assignment_create(actor=principal, leader=principal, units=[tree.bureau], starts_on=START)
    PositionFactory(user=principal, unit=tree.county, kind=PositionKind.LEADER_IN_CHARGE)
    open_deadline(tree.bureau)
    at = DUE + datetime.timedelta(minutes=5)
    for _step in range(3):
        before = last_pk()
        sweep(at)
        at += 2 * DAY
    assert Notification.objects.filter(pk__gt=before, recipient=principal).count() == 1
    assert set(told(before)) == {"county-principal", "county-in-charge", "bureau-area-leader"}


def test_the_steps_below_the_county_reach_no_leader_in_charge_nor_area_leader(tree):
    open_deadline(tree.grade)
    at = DUE + datetime.timedelta(minutes=5)
    reached = set()
    for _step in range(4):  # levels 0 to 3: grade, grade, school, bureau
        before = last_pk()
        sweep(at)
        reached |= set(told(before))
        at += 2 * DAY
    assert not reached & {"county-in-charge", "bureau-area-leader", "county-principal"}


def test_the_people_reached_at_the_county_find_the_step_in_their_escalations_and_may_acknowledge_it(tree, client):
    deadline = open_deadline(tree.school)
    for days in (1, 3, 5, 7):
        sweep(DUE + days * DAY)
    top = Escalation.objects.get(deadline=deadline, level=3)
    for user in (tree.in_charge, tree.area_leader):
        client.force_login(user)
        assert f'id="escalation-{top.pk}"' in client.get("/org/escalations/").content.decode(), user.username
    # Not reached: the other area's leader sees nothing and may not acknowledge (out of scope).
    client.force_login(tree.other_area_leader)
    assert f'id="escalation-{top.pk}"' not in client.get("/org/escalations/").content.decode()
    assert client.post(f"/org/escalations/{top.pk}/acknowledge/").status_code == 404
    # The bureau's principal sees the step (it is in the subtree) but was not reached by it.
    client.force_login(tree.people[("bureau", PositionKind.PRINCIPAL)])
    assert client.post(f"/org/escalations/{top.pk}/acknowledge/").status_code == 403
    client.force_login(tree.area_leader)
    assert client.post(f"/org/escalations/{top.pk}/acknowledge/").status_code == 302
    top.refresh_from_db()
    assert top.acknowledged_by == tree.area_leader
    # The lower steps stay with the people they reached.
    school_step = Escalation.objects.get(deadline=deadline, level=1)
    assert client.post(f"/org/escalations/{school_step.pk}/acknowledge/").status_code == 403


def sweep_statements(at) -> int:
    with CaptureQueriesContext(connection) as queries:
        deadlines_sweep(at=at)
    return len(queries)


def test_the_sweep_reads_the_county_people_in_a_fixed_number_of_statements(tree, settings):
    # No accountability proposals in either sweep: they add statements of their own.
    settings.JIUFENG_ACCOUNTABILITY_ESCALATIONS_PER_QUARTER = 1000
    # Two deadlines arriving at the county in one sweep, then twelve more in another unit
    # with more leaders assigned: the same number of statements.
    open_deadline(tree.bureau, target=tree.grade)
    open_deadline(tree.bureau, target=tree.school)
    for days in (1, 3):
        sweep(DUE + days * DAY)
    small = sweep_statements(DUE + 5 * DAY)
    assert Escalation.objects.filter(level=2).count() == 2
    hospital = unit_add(parent=tree.sibling, name="县人民医院")
    principal = tree.people[("county", PositionKind.PRINCIPAL)]
    for _n in range(4):
        leader_assignment_create(actor=principal, leader=UserFactory(), units=[tree.sibling], starts_on=START)
    for n in range(12):
        open_deadline(hospital, target=unit_add(parent=hospital, name=f"科室{n}"), due_at=DUE + 6 * DAY)
    for days in (8, 10, 12):
        sweep(DUE + days * DAY)
    large = sweep_statements(DUE + 14 * DAY)
    assert Escalation.objects.filter(level=3, unit=tree.county).count() == 12
    assert large == small
