"""Two sweeps (or deliveries) at once on PostgreSQL: no step twice, none skipped, nothing sent twice."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections

from jiufeng.models import Notification, OutboxMessage, OutboxState
from jiufeng.notifications import notify, outbox_deliver
from responsibility.models import Deadline, Escalation
from responsibility.services.escalations import deadlines_sweep

from .escalation_helpers import DUE, ladder_tree, open_deadline

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*instants: datetime.datetime) -> list:
    barrier = threading.Barrier(len(instants))
    results, errors = [], []

    def run(at):
        try:
            barrier.wait()
            results.append(deadlines_sweep(at=at))
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(at,)) for at in instants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_sweeps_at_once_escalate_each_deadline_one_step_and_notify_once(units):
    tree = ladder_tree(units)
    deadlines = [open_deadline(tree.grade, target=user) for user in tree.people.values()]
    at = DUE + datetime.timedelta(days=1)

    for _round in range(3):
        results = run_together(at, at)
        assert sum(len(r.escalation_ids) for r in results) == len(deadlines)
        at += datetime.timedelta(days=2)

    assert set(Deadline.objects.values_list("level", flat=True)) == {2}
    for deadline in deadlines:
        assert list(Escalation.objects.filter(deadline=deadline).order_by("level").values_list("level", flat=True)) == [
            0,
            1,
            2,
        ]
    # Each escalation is told once: one line in one digest (each level has one person to reach).
    lines = sum(len(body.splitlines()) for body in Notification.objects.values_list("body", flat=True))
    assert lines == Escalation.objects.count() == 3 * len(deadlines)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_deliveries_at_once_send_each_message_once(units, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.JIUFENG_NOTIFICATION_CHANNELS = ["email"]
    mail.outbox = []
    tree = ladder_tree(units)
    for number in range(30):
        notify(users=list(tree.people.values()), subject=f"s{number}", body="b", link="", why="w")
    barrier = threading.Barrier(2)

    def deliver():
        try:
            barrier.wait()
            outbox_deliver(batch=7)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(sent) == len(set(sent)) == 30 * len(tree.people)
    assert not OutboxMessage.objects.exclude(state=OutboxState.SENT).exists()
