"""Every model's history: recorded as simple-history records it, through a manager class built once."""

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from jiufeng.history import history_record
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


# --- jiufeng.history.history_record: history of rows written without a save


def _history_rows(message):
    ignored = {"history_id", "history_date", "id", "next_attempt_at"}
    return [
        {k: v for k, v in row.items() if k not in ignored}
        for row in OutboxMessage.history.filter(id=message.pk).order_by("history_id").values()
    ]


@pytest.mark.django_db
def test_history_recorded_for_a_set_based_update_is_what_a_save_would_record():
    officer = User.objects.create_user(username="officer-h")
    saved, updated = (
        OutboxMessage.objects.create(channel="sms", address="13800000000", subject="题", body="正文") for _ in range(2)
    )
    saved.subject = "改过的题"
    saved._history_user, saved._change_reason = officer, "retitle"
    saved.save(update_fields=["subject"])
    at = timezone.now()
    OutboxMessage.objects.filter(pk=updated.pk).update(subject="改过的题")
    history_record(OutboxMessage, [updated.pk], update=True, reason="retitle", user=officer, at=at)

    assert _history_rows(updated) == _history_rows(saved)
    assert [(r["history_type"], r["history_change_reason"], r["subject"]) for r in _history_rows(updated)] == [
        ("+", None, "题"),
        ("~", "retitle", "改过的题"),
    ]
    assert OutboxMessage.history.filter(id=updated.pk).latest("history_id").history_date == at


@pytest.mark.django_db
def test_history_of_new_rows_written_in_bulk_records_each_row_with_who_made_it():
    officer = User.objects.create_user(username="officer-many")
    rows = OutboxMessage.objects.bulk_create(
        [OutboxMessage(channel="sms", address=f"1380000000{n}", subject=f"第{n}条", body="正文") for n in range(5)]
    )
    history_record(OutboxMessage, [row.pk for row in rows], update=False, reason="notify", user=officer)
    assert [_history_rows(row) for row in rows] == [
        [{**_history_rows(rows[0])[0], "subject": f"第{n}条", "address": f"1380000000{n}"}] for n in range(5)
    ]
    assert {_history_rows(row)[0]["history_user_id"] for row in rows} == {officer.pk}
    assert {_history_rows(row)[0]["history_type"] for row in rows} == {"+"}


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
