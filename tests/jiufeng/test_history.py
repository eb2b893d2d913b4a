"""Every model's history: recorded as simple-history records it, through a manager class built once."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jiufeng.bulk import insert_with_history, save_with_history
from jiufeng.models import OutboxMessage, User

HISTORY_MODELS = [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]


def test_every_tracked_model_declares_history_with_the_project_class():
    # A model declared with simple_history's own HistoricalRecords would build a manager
    # class on every access again (about a millisecond each, several per request).
    assert len(HISTORY_MODELS) > 30
    slow = [m.__name__ for m in HISTORY_MODELS if type(m.history) is not type(m.history)]
    assert slow == []


@pytest.mark.django_db
def test_history_is_recorded_and_read_through_the_cached_manager():
    user = User.objects.create_user(username="probe", first_name="探针")
    user.first_name = "探针二"
    user.save()
    assert [h.first_name for h in user.history.order_by("history_id")] == ["探针", "探针二"]
    kinds = User.history.filter(username="probe").order_by("history_id").values_list("history_type", flat=True)
    assert list(kinds) == ["+", "~"]


def test_history_tables_index_only_what_history_is_read_by():
    # History is read by object and date: an index on a copied foreign key or unique column
    # (simple-history adds them) would only slow every write into tables of millions of rows.
    extra = {
        f"{m.history.model.__name__}.{f.name}"
        for m in HISTORY_MODELS
        for f in m.history.model._meta.concrete_fields
        if f.db_index and f.name not in {m._meta.pk.attname, "history_date", "history_user"}
    }
    assert extra == set()


# --- jiufeng.bulk.save_with_history: the write and its history row as simple-history makes them


def _history_rows(message):
    ignored = {"history_id", "history_date", "id", "next_attempt_at"}
    return [
        {k: v for k, v in row.items() if k not in ignored}
        for row in OutboxMessage.history.filter(id=message.pk).order_by("history_id").values()
    ]


@pytest.mark.django_db
def test_save_with_history_writes_what_a_save_and_simple_history_write():
    officer = User.objects.create_user(username="officer-h")
    by_orm = OutboxMessage(channel="sms", address="13800000000", subject="题", body="正文")
    by_orm._history_user = officer
    by_orm._change_reason = "notify"
    by_orm.save()
    by_sql = OutboxMessage(channel="sms", address="13800000000", subject="题", body="正文")
    save_with_history(by_sql, reason="notify", user=officer)
    assert by_sql.pk is not None and not by_sql._state.adding
    stored = OutboxMessage.objects.filter(pk__in=[by_orm.pk, by_sql.pk]).order_by("pk").values()
    orm_row, sql_row = ({k: v for k, v in row.items() if k not in {"id", "next_attempt_at"}} for row in stored)
    assert sql_row == orm_row
    assert _history_rows(by_sql) == _history_rows(by_orm)
    assert _history_rows(by_sql)[0]["history_user_id"] == officer.pk


@pytest.mark.django_db
def test_save_with_history_updates_only_the_fields_named_and_records_the_change():
    message = OutboxMessage(channel="email", address="a@example.cn", subject="题", body="正文")
    save_with_history(message)
    message.subject, message.body = "改过的题", "没说要存"
    save_with_history(message, reason="retitle", update_fields=["subject"])
    assert OutboxMessage.objects.values_list("subject", "body").get(pk=message.pk) == ("改过的题", "正文")
    rows = _history_rows(message)
    assert [(r["history_type"], r["history_change_reason"], r["subject"]) for r in rows] == [
        ("+", None, "题"),
        ("~", "retitle", "改过的题"),
    ]


@pytest.mark.django_db
def test_saving_a_row_deleted_meanwhile_fails_and_records_nothing():
    message = OutboxMessage(channel="email", address="a@example.cn", subject="题", body="正文")
    save_with_history(message)
    OutboxMessage.objects.filter(pk=message.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        save_with_history(message, update_fields=["subject"])
    # The deletion's own row ("-"), and no "~" for the update that found nothing.
    assert [row["history_type"] for row in _history_rows(message)] == ["+", "-"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_column_added_by_a_migration_does_not_break_saves_of_a_running_worker():
    save_with_history(OutboxMessage(channel="sms", address="13800000000", subject="一", body="正文"))
    # The statement is prepared on this connection now; a deploy adds a column meanwhile.
    with connection.cursor() as cursor:
        # (The test's transaction holds deferred foreign-key checks, which ALTER TABLE refuses.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE jiufeng_outboxmessage ADD COLUMN added_later integer")
    later = OutboxMessage(channel="sms", address="13800000000", subject="二", body="正文")
    save_with_history(later)
    assert _history_rows(later)[0]["subject"] == "二"


@pytest.mark.django_db
def test_rows_inserted_together_get_their_own_ids_in_order_each_with_its_history_row():
    officer = User.objects.create_user(username="officer-many")
    rows = [OutboxMessage(channel="sms", address=f"1380000000{n}", subject=f"第{n}条", body="正文") for n in range(5)]
    insert_with_history(rows, at=timezone.now(), reason="notify", user_id=officer.pk)
    assert [OutboxMessage.objects.get(pk=row.pk).subject for row in rows] == [f"第{n}条" for n in range(5)]
    assert [_history_rows(row)[0]["subject"] for row in rows] == [f"第{n}条" for n in range(5)]
    assert {_history_rows(row)[0]["history_user_id"] for row in rows} == {officer.pk}


# --- jiufeng.notifications.notify: inbox rows, their outbox copies and the history of both


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("recipients", [1, 3])
def test_notify_writes_inbox_rows_their_copies_and_the_history_of_each(recipients, monkeypatch):
    from jiufeng import notifications
    from jiufeng.models import Notification

    woken = []
    monkeypatch.setattr(notifications, "outbox_delivery_wake", lambda: woken.append(True))
    actor = User.objects.create_user(username="actor")
    both = User.objects.create_user(username="both", email="both@example.org", phone="13800000001")
    email_only = User.objects.create_user(username="email-only", email="mail@example.org")
    neither = User.objects.create_user(username="neither")
    users = [both, email_only, neither][:recipients]

    with transaction.atomic():
        rows = notifications.notify(
            users=users, subject="案件#1", body="正文", link="/cases/1/", why="原因", actor=actor
        )

    assert [row.recipient_id for row in rows] == [user.pk for user in users]
    for row in rows:
        assert Notification.objects.get(pk=row.pk).subject == "案件#1"
        assert list(Notification.history.filter(id=row.pk).values_list("history_type", "history_user_id")) == [
            ("+", actor.pk)
        ]
    copies = OutboxMessage.objects.filter(notification__in=[row.pk for row in rows])
    expected = {(both.pk, "email", "both@example.org"), (both.pk, "sms", "13800000001")}
    if recipients == 3:
        expected |= {(email_only.pk, "email", "mail@example.org")}
    assert {(c.notification.recipient_id, c.channel, c.address) for c in copies} == expected
    for copy in copies:
        assert list(OutboxMessage.history.filter(id=copy.pk).values_list("history_type", "history_change_reason")) == [
            ("+", "notify")
        ]
        assert (copy.state, copy.attempts, copy.subject, copy.body) == ("pending", 0, "", "")
    # Delivery is queued once, on commit, as there are copies to send.
    assert woken == [True]


@pytest.mark.django_db(transaction=True)
def test_notify_of_users_without_addresses_queues_no_delivery(monkeypatch):
    from jiufeng import notifications

    woken = []
    monkeypatch.setattr(notifications, "outbox_delivery_wake", lambda: woken.append(True))
    nobody = User.objects.create_user(username="no-address")
    with transaction.atomic():
        [row] = notifications.notify(users=[nobody], subject="主题", body="", link="", why="")
    assert not OutboxMessage.objects.filter(notification_id=row.pk).exists()
    assert woken == []
