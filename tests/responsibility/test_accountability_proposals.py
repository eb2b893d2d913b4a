"""Accountability proposals (问责建议) drafted by the escalation sweep, driven by time travel."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from responsibility.deadlines import deadline_meet
from responsibility.models import (
    AccountabilityRecord,
    AccountabilityState,
    AccountabilitySweepRule,
    DeadlineKind,
    PositionKind,
)

from ..factories import PositionFactory, UserFactory
from .escalation_helpers import DUE, ladder_tree, open_deadline, sweep

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
FIRST = DUE + datetime.timedelta(minutes=5)


@pytest.fixture
def tree(units):
    return ladder_tree(units)


def climb(unit) -> datetime.datetime:
    """Sweep every interval until the ladder returns the unit's deadlines at the top; that instant."""
    at = FIRST
    for _level in range(unit.depth + 1):
        sweep(at)
        at += 2 * DAY
    return at


def test_a_deadline_open_at_the_top_gets_one_proposal_per_principal_of_the_responsible_unit(tree):
    deputy = UserFactory(username="bureau-principal-2")
    PositionFactory(user=deputy, unit=tree.bureau, kind=PositionKind.PRINCIPAL)
    deadline = open_deadline(tree.bureau)
    top = climb(tree.bureau)
    assert not AccountabilityRecord.objects.exists()

    output = sweep(top)
    assert "accountability proposals 2" in output
    records = AccountabilityRecord.objects.all()
    assert {r.user.username for r in records} == {"bureau-principal", "bureau-principal-2"}
    for record in records:
        assert record.unit == tree.bureau
        assert record.state == AccountabilityState.PROPOSED
        assert record.proposed_by is None
        assert record.sweep_rule == AccountabilitySweepRule.AT_TOP
        assert list(record.obligations.all()) == [deadline]
        # History has the record as proposed, with its link, by nobody (the system).
        proposed = record.history.get()
        assert proposed.history_user is None and proposed.history_change_reason == "proposed by the escalation sweep"
        assert list(proposed.obligations.values_list("deadline_id", flat=True)) == [deadline.pk]
        # Written in the site's language, saying what was overdue and since when.
        assert tree.bureau.name in record.reason and "2027-01-10 17:00" in record.reason

    for again in (top, top + DAY, top + 30 * DAY):
        assert "accountability proposals 0" in sweep(again)
    assert AccountabilityRecord.objects.count() == 2


def test_a_deadline_met_before_it_is_returned_at_the_top_gets_none(tree):
    open_deadline(tree.bureau)
    top = climb(tree.bureau)
    deadline_meet(target=tree.bureau, kind=DeadlineKind.RECTIFICATION_ITEM, at=top - DAY)
    sweep(top)
    sweep(top + 10 * DAY)
    assert not AccountabilityRecord.objects.exists()


def test_a_unit_without_a_principal_gets_no_proposal(tree):
    open_deadline(tree.sibling)
    top = climb(tree.sibling)
    assert "accountability proposals 0" in sweep(top)
    assert not AccountabilityRecord.objects.exists()


def test_a_principal_appointed_after_the_top_is_not_held_to_account_for_it(tree):
    open_deadline(tree.sibling)
    top = climb(tree.sibling)
    sweep(top)
    PositionFactory(
        user=UserFactory(username="newcomer"),
        unit=tree.sibling,
        kind=PositionKind.PRINCIPAL,
        starts_on=(top + DAY).date(),
    )
    sweep(top + 2 * DAY)
    assert not AccountabilityRecord.objects.exists()


def test_the_extra_wait_after_the_top_is_configurable(tree, settings):
    settings.JIUFENG_ACCOUNTABILITY_AFTER_TOP = 3 * DAY
    open_deadline(tree.bureau)
    top = climb(tree.bureau)
    sweep(top)
    sweep(top + 2 * DAY)
    assert not AccountabilityRecord.objects.exists()
    sweep(top + 3 * DAY)
    assert AccountabilityRecord.objects.get().user.username == "bureau-principal"


def test_a_unit_escalated_too_often_in_a_quarter_gets_one_proposal_a_quarter(tree, settings):
    settings.JIUFENG_ACCOUNTABILITY_ESCALATIONS_PER_QUARTER = 2
    first = open_deadline(tree.school)
    second = open_deadline(tree.school, kind=DeadlineKind.VISIT)
    sweep(FIRST)  # two escalations: not more than two
    assert not AccountabilityRecord.objects.exists()
    output = sweep(FIRST + 2 * DAY)  # four
    assert "accountability proposals 1" in output
    record = AccountabilityRecord.objects.get()
    assert record.user.username == "school-principal"
    assert record.sweep_rule == AccountabilitySweepRule.QUARTERLY
    assert record.proposed_by is None
    assert set(record.obligations.all()) == {first, second}
    assert "2027" in record.reason

    sweep(FIRST + 4 * DAY)
    sweep(FIRST + 4 * DAY)
    assert AccountabilityRecord.objects.filter(sweep_rule=AccountabilitySweepRule.QUARTERLY).count() == 1

    # The next quarter counts afresh.
    for kind in (DeadlineKind.RECTIFICATION_ITEM, DeadlineKind.VISIT):
        deadline_meet(target=tree.school, kind=kind, at=FIRST + 5 * DAY)
    april = datetime.datetime(2027, 4, 12, 9, 0, tzinfo=DUE.tzinfo)
    for kind in (DeadlineKind.PLEDGE_ITEM, DeadlineKind.COMPLAINT_ACCEPT):
        open_deadline(tree.school, kind=kind, due_at=april - DAY)
    sweep(april)
    assert AccountabilityRecord.objects.filter(sweep_rule=AccountabilitySweepRule.QUARTERLY).count() == 1
    sweep(april + 2 * DAY)
    quarterly = AccountabilityRecord.objects.filter(sweep_rule=AccountabilitySweepRule.QUARTERLY)
    assert quarterly.count() == 2
    assert quarterly.latest("proposed_at").proposed_at == april + 2 * DAY


def test_the_leader_above_sees_the_proposal_and_decides_it(client, tree):
    open_deadline(tree.bureau)
    sweep(climb(tree.bureau))
    record = AccountabilityRecord.objects.get()
    client.cookies["django_language"] = "en"
    client.force_login(tree.people[("county", PositionKind.PRINCIPAL)])
    response = client.get(reverse("responsibility:accountability-list"))
    assert list(response.context["page"].object_list) == [record]
    detail = client.get(reverse("responsibility:accountability-detail", args=[record.pk])).content.decode()
    assert "Record the decision" in detail
    response = client.post(
        reverse("responsibility:accountability-decide", args=[record.pk]), {"measure": "interview", "note": "约谈"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == AccountabilityState.DECIDED


def test_the_demo_leaves_one_sweep_proposal_for_the_education_bureau_principal():
    for _run in range(2):
        call_command("seed_demo", stdout=io.StringIO())
        record = AccountabilityRecord.objects.get(proposed_by=None, sweep_rule=AccountabilitySweepRule.AT_TOP)
        assert (record.user.username, record.unit.name) == ("leader-edu", "县教育局")
        assert record.obligations.get().unit.name == "县教育局"
