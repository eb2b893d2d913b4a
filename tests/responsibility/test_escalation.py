"""The escalation ladder, driven by `sweep_deadlines --at` time travel."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from jiufeng.models import Notification, OutboxMessage
from responsibility.deadlines import deadline_meet
from responsibility.models import Deadline, DeadlineKind, Escalation, PositionKind

from .escalation_helpers import DUE, ladder_tree, open_deadline, sweep

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
L, P = PositionKind.LIAISON, PositionKind.PRINCIPAL


@pytest.fixture
def tree(units):
    return ladder_tree(units)


def recipients(since_pk: int = 0) -> set[str]:
    return set(Notification.objects.filter(pk__gt=since_pk).values_list("recipient__username", flat=True))


def last_notification_pk() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_ladder_climbs_one_level_per_interval_to_the_root_and_reaches_the_right_people(tree):
    deadline = open_deadline(tree.grade)
    sweep(DUE - DAY / 2)  # not yet due (and inside the warning window)
    assert not Escalation.objects.exists()

    expected = [
        (0, tree.grade, {"grade-liaison"}),
        (1, tree.grade, {"grade-principal"}),
        (2, tree.school, {"school-principal"}),
        (3, tree.bureau, {"bureau-principal"}),
        (4, tree.county, {"county-principal"}),
    ]
    at = DUE + datetime.timedelta(minutes=5)
    for level, unit, people in expected:
        before = last_notification_pk()
        output = sweep(at)
        escalation = Escalation.objects.get(deadline=deadline, level=level)
        assert escalation.unit == unit
        assert recipients(before) == people
        assert f"level {level}" in output
        # Half an interval later nothing moves: the next step waits for the full interval.
        before = last_notification_pk()
        sweep(at + DAY)
        assert recipients(before) == set()
        at += 2 * DAY

    deadline.refresh_from_db()
    assert deadline.level == 4
    # Already at the root: no fifth level; it leaves the sweep as a case for accountability.
    sweep(at)
    deadline.refresh_from_db()
    assert Escalation.objects.filter(deadline=deadline).count() == 5
    assert deadline.next_escalation_at is None
    # History: the warning, five steps up, and leaving the sweep at the top.
    assert deadline.history.filter(history_change_reason="sweep_deadlines").count() == 7


def test_each_person_gets_one_digest_per_sweep_saying_why_and_linking_to_their_escalations(tree):
    open_deadline(tree.grade)
    open_deadline(tree.grade, kind=DeadlineKind.VISIT, due_at=DUE + DAY / 2)
    open_deadline(tree.school)
    sweep(DUE + DAY)
    notification = Notification.objects.get(recipient=tree.people[("grade", L)])
    assert notification.link == "/org/escalations/"
    assert tree.grade.name in notification.why
    # Stored in the site's language, Chinese: the count of items is in the subject.
    assert notification.subject == "催办：2项超期事项待您处理"
    lines = notification.body.splitlines()
    assert len(lines) == 2
    assert "2027-01-10 17:00" in lines[0]
    assert all(tree.grade.name in line for line in lines)
    assert Notification.objects.filter(recipient=tree.people[("school", L)]).count() == 1
    assert set(OutboxMessage.objects.filter(notification=notification).values_list("channel", "address")) == {
        ("email", "grade-liaison@example.org"),
        ("sms", tree.people[("grade", L)].phone),
    }


def test_the_same_sweep_twice_has_one_effect(tree):
    open_deadline(tree.grade)
    at = DUE + DAY
    sweep(at)
    counts = (Escalation.objects.count(), Notification.objects.count(), OutboxMessage.objects.count())
    output = sweep(at)
    assert (Escalation.objects.count(), Notification.objects.count(), OutboxMessage.objects.count()) == counts
    assert "escalated 0" in output


def test_a_deadline_met_between_sweeps_is_never_escalated_again(tree):
    deadline = open_deadline(tree.grade)
    sweep(DUE + DAY)
    deadline_meet(target=tree.grade, kind=DeadlineKind.RECTIFICATION_ITEM, at=DUE + 2 * DAY)
    sweep(DUE + 10 * DAY)
    assert list(Escalation.objects.filter(deadline=deadline).values_list("level", flat=True)) == [0]


def test_a_deadline_met_before_it_falls_due_is_never_warned_nor_escalated(tree):
    open_deadline(tree.grade)
    deadline_meet(target=tree.grade, kind=DeadlineKind.RECTIFICATION_ITEM, at=DUE - 5 * DAY)
    sweep(DUE - DAY)
    sweep(DUE + 30 * DAY)
    assert not Escalation.objects.exists()
    assert not Notification.objects.exists()


def test_a_deadline_of_the_root_unit_climbs_from_its_liaison_to_its_principal_only(tree):
    deadline = open_deadline(tree.county)
    for days in (1, 3, 5, 7):
        sweep(DUE + days * DAY)
    assert list(Escalation.objects.filter(deadline=deadline).order_by("level").values_list("level", "unit")) == [
        (0, tree.county.pk),
        (1, tree.county.pk),
    ]


def test_the_interval_is_a_setting_per_kind(tree, settings):
    settings.JIUFENG_ESCALATION_INTERVALS_BY_KIND = {DeadlineKind.VISIT: datetime.timedelta(hours=6)}
    visit = open_deadline(tree.grade, kind=DeadlineKind.VISIT)
    item = open_deadline(tree.grade)
    sweep(DUE + DAY)
    sweep(DUE + DAY + datetime.timedelta(hours=7))
    assert Escalation.objects.filter(deadline=visit).count() == 2
    assert Escalation.objects.filter(deadline=item).count() == 1


def test_early_warning_reaches_the_liaison_once_per_deadline(tree, settings):
    settings.JIUFENG_WARNING_LEADS_BY_KIND = {DeadlineKind.VISIT: datetime.timedelta(days=7)}
    item = open_deadline(tree.grade)
    visit = open_deadline(tree.grade, kind=DeadlineKind.VISIT)
    sweep(DUE - 5 * DAY)
    assert list(Deadline.objects.filter(warned_at__isnull=False).values_list("pk", flat=True)) == [visit.pk]
    output = sweep(DUE - 2 * DAY)
    assert "early warning" in output
    sweep(DUE - DAY)
    assert Notification.objects.count() == 2
    assert recipients() == {"grade-liaison"}
    item.refresh_from_db()
    assert item.warned_at is not None


def test_a_position_that_ended_is_not_notified(tree):
    from responsibility.models import Position

    Position.objects.filter(user=tree.people[("grade", L)]).update(ends_on=datetime.date(2026, 12, 31))
    open_deadline(tree.grade)
    sweep(DUE + DAY)
    assert Escalation.objects.count() == 1
    assert not Notification.objects.exists()


@pytest.mark.parametrize("bad", ["tomorrow", "2027-13-01T00:00:00", "", "2027-01-01T00:00:00'; DROP TABLE x;--"])
def test_the_command_refuses_an_instant_it_cannot_read(bad):
    with pytest.raises(CommandError):
        call_command("sweep_deadlines", at=bad)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_deadline_names_its_kind_as_djangos_choices_do(language):
    with translation.override(language):
        for kind, label in DeadlineKind.choices:
            assert Deadline(kind=kind).get_kind_display() == str(label)
        assert Deadline(kind="retired_kind").get_kind_display() == "retired_kind"
