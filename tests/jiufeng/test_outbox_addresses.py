"""Messages to a bare address (a petitioner without an account) go through the same outbox."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction

from jiufeng.models import OutboxMessage, OutboxState
from jiufeng.notifications import notify, notify_address, outbox_delivery_wake
from jiufeng.tasks import deliver_outbox_task
from tests.factories import UserFactory

from .outbox_helpers import delivery_runs_queued, sms_recorded

pytestmark = pytest.mark.django_db
CODE = "JF-7K3M-Q9XD-2WPA-HT6C"


@pytest.fixture
def sms(settings):
    return sms_recorded(settings)


def test_a_message_to_an_address_is_sent_once_on_commit_and_then_forgets_its_body(
    sms, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks() as callbacks:
        notify_address(channel="sms", address=" 13800138000 ", subject="投诉已收到", body=f"查询码 {CODE}")
        notify_address(channel="email", address="z@example.cn", subject="投诉已收到", body=f"查询码 {CODE}")
    assert delivery_runs_queued(callbacks, monkeypatch) == 1
    assert deliver_outbox_task() == {"sent": 2, "retry": 0, "failed": 0}
    assert deliver_outbox_task() == {"sent": 0, "retry": 0, "failed": 0}
    assert sms.sent == [("13800138000", f"查询码 {CODE}")]
    [email] = mail.outbox
    assert (email.subject, email.body, email.to) == ("投诉已收到", f"查询码 {CODE}", ["z@example.cn"])
    assert set(OutboxMessage.objects.values_list("state", "subject", "body")) == {(OutboxState.SENT, "投诉已收到", "")}


def test_the_body_never_reaches_history(sms):
    notify_address(channel="sms", address="13800138000", subject="投诉已收到", body=f"查询码 {CODE}")
    deliver_outbox_task()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM jiufeng_historicaloutboxmessage")
        rows = cursor.fetchall()
    assert len(rows) == 2
    assert CODE not in repr(rows)


def test_a_failing_gateway_keeps_the_body_for_the_retry_and_forgets_it_when_giving_up(sms, settings):
    settings.JIUFENG_OUTBOX_MAX_ATTEMPTS = 2
    sms.fail = True
    message = notify_address(channel="sms", address="13800138000", subject="s", body="b")
    assert deliver_outbox_task() == {"sent": 0, "retry": 1, "failed": 0}
    message.refresh_from_db()
    assert (message.state, message.body) == (OutboxState.PENDING, "b")
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=message.next_attempt_at - datetime.timedelta(days=1)
    )
    assert deliver_outbox_task() == {"sent": 0, "retry": 0, "failed": 1}
    message.refresh_from_db()
    assert (message.state, message.body) == (OutboxState.FAILED, "")


def test_a_channel_switched_off_sends_nothing(sms, settings):
    settings.JIUFENG_NOTIFICATION_CHANNELS = ["email"]
    assert notify_address(channel="sms", address="13800138000", subject="s", body="b") is None
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    ("channel", "address", "subject", "body"),
    [
        ("inapp", "x", "s", "b"),
        ("fax", "x", "s", "b"),
        ("sms", " ", "s", "b"),
        ("sms", "1", "", "b"),
        ("sms", "1", "s", " "),
    ],
    ids=["inapp", "unknown-channel", "no-address", "no-subject", "no-body"],
)
def test_a_message_without_a_channel_address_subject_or_body_is_a_programming_error(channel, address, subject, body):
    with pytest.raises(ValueError):
        notify_address(channel=channel, address=address, subject=subject, body=body)
    assert not OutboxMessage.objects.exists()


def test_the_database_holds_a_message_to_either_a_notification_or_its_own_text(sms):
    user = UserFactory(email="u@example.cn")
    [notification] = notify(users=[user], subject="s", body="b", link="", why="w")
    copy = OutboxMessage.objects.get(notification=notification, channel="email")
    assert (copy.subject, copy.body) == ("", "")
    for bad in (
        {"notification": None, "subject": ""},
        {"notification": notification, "subject": "own subject too"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            OutboxMessage.objects.create(channel="sms", address="1", **bad)
    deliver_outbox_task()
    assert [m.subject for m in mail.outbox] == ["s"]


def test_commits_while_a_delivery_run_is_queued_queue_no_other_and_none_is_lost(sms, monkeypatch):
    queued = []
    monkeypatch.setattr(deliver_outbox_task, "delay", lambda: queued.append("run"))
    for n in range(3):
        notify_address(channel="sms", address=f"1380013800{n}", subject="受理通知", body=f"第{n}条")
        outbox_delivery_wake()
    # One run is queued for all three: it has not started, and will see every one of them.
    assert queued == ["run"]
    deliver_outbox_task()
    assert len(sms.sent) == 3
    # Once a run has started, the next commit queues another.
    notify_address(channel="sms", address="13800138009", subject="受理通知", body="第四条")
    outbox_delivery_wake()
    assert queued == ["run", "run"]


def test_a_delivery_run_the_broker_refused_does_not_hold_back_the_next(monkeypatch):
    def broker_down():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(deliver_outbox_task, "delay", broker_down)
    with pytest.raises(ConnectionError):
        outbox_delivery_wake()
    queued = []
    monkeypatch.setattr(deliver_outbox_task, "delay", lambda: queued.append("run"))
    outbox_delivery_wake()
    assert queued == ["run"]
