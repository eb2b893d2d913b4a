"""A real Celery worker over Redis runs the beat-scheduled sweep and delivers the outbox."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from jiufeng.celery import app
from jiufeng.models import OutboxMessage, OutboxState
from responsibility.models import Escalation

from .escalation_helpers import ladder_tree, open_deadline

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def worker(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def test_the_beat_scheduled_sweep_escalates_and_the_outbox_is_delivered_once(units, worker):
    tree = ladder_tree(units)
    open_deadline(tree.grade, due_at=timezone.now() - datetime.timedelta(hours=1))
    task_name = app.conf.beat_schedule["sweep-deadlines"]["task"]

    app.send_task(task_name)
    assert wait_until(lambda: Escalation.objects.filter(level=0).exists(), 15)
    assert wait_until(lambda: not OutboxMessage.objects.filter(state=OutboxState.PENDING).exists(), 15)
    # The beat entry that drains the outbox, run again: nothing is sent twice.
    app.send_task(app.conf.beat_schedule["deliver-outbox"]["task"])
    app.send_task(task_name)
    time.sleep(2)
    assert [m.to for m in mail.outbox] == [["grade-liaison@example.org"]]
    assert Escalation.objects.count() == 1
    assert OutboxMessage.objects.filter(state=OutboxState.SENT).count() == 2
