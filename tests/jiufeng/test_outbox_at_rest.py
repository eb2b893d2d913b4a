"""The addresses messages go to (a petitioner's phone or email) at rest: encrypted, purged after
the retention period, history included, the chains still verifying; rotated with the identities."""

import datetime
import importlib

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core import mail
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from audit.chain import seal
from audit.models import AuditEvent, AuditEventKind
from audit.verify import history_verify
from jiufeng.encrypted import PURGED_PREFIX, EncryptedCharField, rows_update
from jiufeng.models import OutboxMessage, OutboxState
from jiufeng.notifications import notify_address, outbox_purge
from jiufeng.tasks import deliver_outbox_task, purge_outbox_addresses_task

from .outbox_helpers import messages_to, sms_recorded

pytestmark = pytest.mark.django_db

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
PHONE, EMAIL = "13800138000", "zhang@example.cn"
DAYS = 1826


@pytest.fixture(autouse=True)
def sms(settings):
    settings.JIUFENG_IDENTITY_KEYS = [KEY_A]
    settings.JIUFENG_RETENTION_DAYS = DAYS
    return sms_recorded(settings)


def raw(table: str) -> list[str]:
    """The address column as the database holds it, read past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT address FROM {table} ORDER BY 1")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def stored() -> list[str]:
    return raw("jiufeng_outboxmessage") + raw("jiufeng_historicaloutboxmessage")


def chains_hold() -> list:
    seal()
    return [report.broken for report in history_verify() if report.broken is not None]


def aged(message: OutboxMessage, days: int) -> None:
    """The message's last attempt ``days`` ago."""
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(days=days))


def test_the_database_holds_no_address_in_clear_and_the_messages_still_reach_them(sms):
    notify_address(channel="sms", address=PHONE, subject="投诉已收到", body="已受理")
    notify_address(channel="email", address=EMAIL, subject="投诉已收到", body="已受理")
    deliver_outbox_task()
    assert sms.sent == [(PHONE, "已受理")]
    assert mail.outbox[0].to == [EMAIL]
    # Two live rows, two history rows each (written, then sent).
    assert len(stored()) == 6
    assert not [value for value in stored() if PHONE in value or EMAIL in value or "zhang" in value]
    assert [m.channel for m in messages_to(PHONE)] == ["sms"]


def test_an_address_cannot_be_looked_up_by_value_rather_than_finding_nothing():
    notify_address(channel="sms", address=PHONE, subject="s", body="b")
    with pytest.raises(FieldError, match="encrypted"):
        OutboxMessage.objects.filter(address=PHONE).exists()
    with pytest.raises(FieldError, match="encrypted"):
        OutboxMessage.objects.filter(address__contains="138").exists()
    assert OutboxMessage.objects.filter(address__isnull=False).count() == 1


def test_addresses_done_with_past_the_retention_period_are_purged_history_included(sms):
    old_sent = notify_address(channel="sms", address=PHONE, subject="s", body="旧")
    old_failed = notify_address(channel="email", address=EMAIL, subject="s", body="旧")
    recent = notify_address(channel="sms", address="13900139000", subject="s", body="新")
    deliver_outbox_task()
    OutboxMessage.objects.filter(pk=old_failed.pk).update(state=OutboxState.FAILED)
    retrying = notify_address(channel="sms", address="13700137000", subject="s", body="待发")
    for message in (old_sent, old_failed, retrying):
        aged(message, DAYS + 1)
    aged(recent, DAYS - 1)
    assert chains_hold() == []

    assert outbox_purge() == 2
    for message in (old_sent, old_failed):
        message.refresh_from_db()
        assert (message.address, message.purged_at is not None) == ("", True)
        history = raw_history(message)
        assert history and all(value.startswith(PURGED_PREFIX) for value in history)
    # Not yet past the period, or not yet sent: kept, and still delivered.
    assert [m.pk for m in messages_to("13900139000")] == [recent.pk]
    assert [m.pk for m in messages_to("13700137000")] == [retrying.pk]
    assert not [value for value in stored() if PHONE in value or EMAIL in value]
    # The purge is in the history of each message, by the system, and the chains still verify.
    latest = OutboxMessage.history.filter(id=old_sent.pk).latest("history_id")
    assert (latest.history_user.username, latest.history_change_reason) == ("system", "retention period")
    assert chains_hold() == []
    [event] = AuditEvent.objects.filter(kind=AuditEventKind.PURGE)
    assert event.detail["outbox_addresses"] == 2
    assert event.detail["retention_days"] == DAYS


def raw_history(message: OutboxMessage) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM jiufeng_historicaloutboxmessage WHERE id = %s", [message.pk])
        return [row[0] for row in cursor.fetchall()]


def test_the_daily_task_purges_once_and_the_auditors_log_counts_the_addresses(sms, cast):
    message = notify_address(channel="sms", address=PHONE, subject="s", body="b")
    deliver_outbox_task()
    aged(message, DAYS + 1)
    assert purge_outbox_addresses_task() == 1
    assert purge_outbox_addresses_task() == 0
    assert AuditEvent.objects.filter(kind=AuditEventKind.PURGE).count() == 1
    auditor = Client()
    auditor.force_login(cast.auditor)
    log = auditor.get("/audit/logs/purges/").content.decode()
    assert "消息地址" in log


def test_retention_off_purges_no_address(sms, settings):
    settings.JIUFENG_RETENTION_DAYS = 0
    message = notify_address(channel="sms", address=PHONE, subject="s", body="b")
    deliver_outbox_task()
    aged(message, 10 * DAYS)
    assert outbox_purge() == 0
    assert [m.pk for m in messages_to(PHONE)] == [message.pk]


def test_rotation_re_encrypts_addresses_history_included_and_the_chains_still_verify(sms, settings):
    message = notify_address(channel="sms", address=PHONE, subject="s", body="b")
    deliver_outbox_task()
    assert chains_hold() == []
    settings.JIUFENG_IDENTITY_KEYS = [KEY_B, KEY_A]
    call_command("rotate_identity_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.JIUFENG_IDENTITY_KEYS = [KEY_B]
    newest = Fernet(KEY_B)
    assert all(newest.decrypt(value.encode()) for value in stored())
    assert [m.pk for m in messages_to(PHONE)] == [message.pk]
    assert chains_hold() == []


def test_the_migration_encrypts_addresses_kept_in_clear_and_links_their_sealed_history_anew(sms, monkeypatch):
    notify_address(channel="sms", address=PHONE, subject="s", body="b")
    deliver_outbox_task()
    history = OutboxMessage.history.model
    # The database as it was before: addresses in clear, history sealed by them.
    for model, pk in ((OutboxMessage, "id"), (history, "history_id")):
        rows = [(key, PHONE) for key in model._base_manager.values_list(pk, flat=True)]
        rows_update(model=model, pk=pk, columns=("address",), rows=rows, guard=False)
    with monkeypatch.context() as legacy:
        legacy.setattr(EncryptedCharField, "from_db_value", lambda self, value, expression, connection: value)
        assert chains_hold() == []
    assert PHONE in stored()

    migration = importlib.import_module("jiufeng.migrations.0013_outbox_address_encrypted")
    migration.addresses_encrypt_existing(apps, None)
    assert not [value for value in stored() if PHONE in value]
    assert chains_hold() == []
    assert len(messages_to(PHONE)) == 1
    # A second run finds nothing in clear and leaves the links as they are.
    migration.addresses_encrypt_existing(apps, None)
    assert chains_hold() == []
