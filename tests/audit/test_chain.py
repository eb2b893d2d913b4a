import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from audit.chain import GENESIS, chained_tables, link, seal
from audit.models import Chained, ChainHead, HistoryEntry, HistoryFieldChange
from audit.search import Cursor, history_search
from audit.tasks import seal_history_task
from complaints.models import Complaint, TransitionLog
from tests.concurrency import at_once
from tests.factories import UserFactory

from .conftest import complaint_history

pytestmark = pytest.mark.django_db


def _chain(model) -> list[tuple]:
    return list(model._base_manager.order_by("chain_seq").values_list("chain_seq", "chain_hash", "pk"))


def test_sealing_numbers_each_table_from_one_and_links_each_row_to_the_one_before(accepted):
    assert seal()["complaints.HistoricalComplaint"] == 2
    for table in chained_tables():
        rows = list(table.rows.order_by("chain_seq").values_list("chain_seq", "chain_hash", *table.columns))
        assert [row[0] for row in rows] == list(range(1, len(rows) + 1)), table.label
        previous = GENESIS
        for _seq, stored, *values in rows:
            assert stored == link(previous, table.columns, tuple(values)), table.label
            previous = stored
        if rows:
            head = ChainHead.objects.get(table=table.label)
            assert (head.seq, head.hash) == (len(rows), previous)
    # Only the two rows of this case in the case history: filed, accepted.
    assert [seq for seq, _hash, _pk in _chain(Complaint.history.model)] == [1, 2]


def test_sealing_again_changes_nothing_and_new_rows_continue_the_chain(cast, sealed):
    before = _chain(Complaint.history.model)
    assert seal_history_task() == {}
    assert _chain(Complaint.history.model) == before
    from complaints import transitions as t

    t.complaint_start_investigation(complaint_id=sealed.pk, actor=cast.bureau_officer)
    assert seal_history_task()["complaints.HistoricalComplaint"] == 1
    after = _chain(Complaint.history.model)
    assert after[:2] == before
    assert after[2][0] == 3
    assert after[2][1] == link(before[1][1], complaint_history().columns, _values(after[2][2]))


def _values(pk) -> tuple:
    table = complaint_history()
    return table.rows.filter(pk=pk).values_list(*table.columns).get()


def test_small_batches_give_the_same_chain_as_one_large(accepted):
    seal(batch=1)
    by_one = {table.label: _chain(table.model) for table in chained_tables()}
    ChainHead.objects.all().delete()
    HistoryEntry.objects.all().delete()
    with connection.cursor() as cursor:
        for table in chained_tables():
            cursor.execute(f"UPDATE {table.model._meta.db_table} SET chain_seq = NULL, chain_hash = ''")
    seal(batch=1000)
    assert {table.label: _chain(table.model) for table in chained_tables()} == by_one


def test_limit_seals_at_most_that_many_rows_per_table(accepted):
    assert seal(limit=1)["complaints.HistoricalComplaint"] == 1
    assert seal()["complaints.HistoricalComplaint"] == 1


def test_an_acceptance_is_indexed_with_who_did_it_and_the_fields_it_changed(cast, sealed):
    filed, accepted_entry = HistoryEntry.objects.filter(model="complaints.complaint", object_id=sealed.pk).order_by(
        "history_id"
    )
    assert (filed.action, filed.fields, filed.reason) == ("+", "", "file")
    assert filed.user_id is None  # an anonymous petitioner
    assert accepted_entry.action == "~"
    assert accepted_entry.user_id == cast.county_officer.pk
    assert accepted_entry.reason == "accept"
    assert set(accepted_entry.fields.split()) == {"status", "handling_unit", "version"}
    history = sealed.history.latest()
    assert (accepted_entry.history_id, accepted_entry.at) == (history.history_id, history.history_date)
    assert set(
        HistoryFieldChange.objects.filter(entry=accepted_entry).values_list("model", "field", "at", "user_id")
    ) == {
        ("complaints.complaint", name, history.history_date, cast.county_officer.pk)
        for name in ("status", "handling_unit", "version")
    }
    # Logs are chained, not indexed: only history rows are.
    assert not HistoryEntry.objects.filter(model="complaints.transitionlog").exists()


def test_the_previous_row_of_an_object_may_have_been_sealed_in_an_earlier_batch(cast, sealed):
    from complaints import transitions as t

    t.complaint_start_investigation(complaint_id=sealed.pk, actor=cast.bureau_officer)
    seal()
    newest = HistoryEntry.objects.filter(model="complaints.complaint", object_id=sealed.pk).latest("history_id")
    assert (newest.user_id, newest.fields.split()) == (cast.bureau_officer.pk, ["status", "version"])


def test_sealed_rows_refuse_orm_update_delete_and_save(sealed):
    history = sealed.history.latest()
    log = TransitionLog.objects.filter(complaint=sealed).latest("pk")
    for refused in (
        lambda: Complaint.history.filter(pk=history.pk).update(title="改"),
        lambda: Complaint.history.filter(pk=history.pk).delete(),
        history.save,
        history.delete,
        lambda: TransitionLog.objects.filter(pk=log.pk).update(note="改"),
        log.save,
        log.delete,
    ):
        with pytest.raises(PermissionError):
            refused()
    assert _chain(Complaint.history.model)[-1] == (2, history.chain_hash, history.pk)


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_never_give_out_a_number_twice(cast):
    # Forty users: forty rows in the user history, sealed by two sealers five at a time.
    UserFactory.create_batch(40)
    counts = at_once(lambda: seal(batch=5).get("jiufeng.HistoricalUser", 0), 2)
    history = get_user_model().history.model
    total = history._base_manager.count()
    assert sum(counts) == total
    assert [seq for seq, _hash, _pk in _chain(history)] == list(range(1, total + 1))
    assert HistoryEntry.objects.filter(model="jiufeng.user").count() == total


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_no_admin_lets_anyone_add_change_or_delete_a_history_or_log_row(rf):
    request = rf.get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    registered = [
        model for model in (ChainHead, *(t.model for t in chained_tables())) if admin.site.is_registered(model)
    ]
    assert ChainHead in registered and TransitionLog in registered
    for model in registered:
        model_admin = admin.site.get_model_admin(model)
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
    assert issubclass(TransitionLog, Chained)


def test_the_admin_refuses_a_post_changing_or_deleting_a_log_row_or_a_chain_head(admin_client, sealed):
    log = TransitionLog.objects.filter(complaint=sealed).latest("pk")
    head = ChainHead.objects.get(table="complaints.TransitionLog")
    refused = [
        admin_client.post(reverse("admin:complaints_transitionlog_change", args=[log.pk]), {"note": "改"}),
        admin_client.post(reverse("admin:complaints_transitionlog_delete", args=[log.pk]), {"post": "yes"}),
        admin_client.post(reverse("admin:audit_chainhead_change", args=[head.pk]), {"seq": "0", "hash": ""}),
        admin_client.post(reverse("admin:audit_chainhead_delete", args=[head.pk]), {"post": "yes"}),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403, 403]
    log.refresh_from_db()
    assert log.note == "受理"
    assert ChainHead.objects.get(table="complaints.TransitionLog").seq == head.seq
    assert admin_client.get(reverse("admin:audit_chainhead_changelist")).status_code == 200


def test_the_index_answers_a_search_by_field_within_dates_and_by_user(cast, sealed):
    accepted_at = sealed.history.latest().history_date
    second = datetime.timedelta(seconds=1)
    by_field = history_search(
        model="complaints.complaint", field="handling_unit", since=accepted_at - second, until=accepted_at + second
    )
    assert [(entry.object_id, entry.reason) for entry in by_field] == [(sealed.pk, "accept")]
    assert not history_search(model="complaints.complaint", field="handling_unit", until=accepted_at)
    newest = by_field.get()
    assert not history_search(
        model="complaints.complaint", field="handling_unit", after=Cursor(at=newest.at, id=newest.id)
    )
    assert [
        entry.history_id for entry in history_search(user_id=cast.county_officer.pk, model="complaints.complaint")
    ] == [sealed.history.latest().history_id]


def test_a_search_by_field_and_user_finds_only_that_users_changes_of_the_field(cast, sealed):
    from complaints import transitions as t

    t.complaint_start_investigation(complaint_id=sealed.pk, actor=cast.bureau_officer)
    seal()

    def found(field, user):
        return [entry.reason for entry in history_search(model="complaints.complaint", field=field, user_id=user.pk)]

    assert found("status", cast.county_officer) == ["accept"]
    assert found("status", cast.bureau_officer) == ["start_investigation"]
    assert found("handling_unit", cast.bureau_officer) == []
    assert found("status", cast.county_leader) == []


def test_beat_seals_every_minute_and_verifies_nightly():
    from celery.schedules import crontab

    from jiufeng.celery import app

    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule["audit.tasks.seal_history_task"] == 60.0
    assert schedule["audit.tasks.verify_history_task"] == crontab(hour=3, minute=0)
    assert {"audit.tasks.seal_history_task", "audit.tasks.verify_history_task"} <= set(app.tasks)
