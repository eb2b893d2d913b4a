import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

import audit.chain
import audit.verify
from audit.chain import chained_tables, link, seal
from audit.models import ChainHead, HistoryEntry
from audit.tasks import verify_history_task
from complaints.models import Complaint, Finding
from jiufeng.models import Notification, OutboxMessage
from jiufeng.roles import Role
from jiufeng.texts import text_render
from tests.factories import UserFactory

from .conftest import complaint_history

pytestmark = pytest.mark.django_db

TABLE = "complaints.HistoricalComplaint"


@pytest.fixture(autouse=True)
def english():
    # These tests read the breaks as the command words them in English.
    with translation.override("en"):
        yield


def verify(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_history", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def raw(sql: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def history_row(complaint: Complaint, seq: int):
    return complaint.history.get(chain_seq=seq)


def test_an_untouched_database_passes_and_reports_what_is_not_yet_sealed(cast, sealed):
    code, out, err = verify()
    assert (code, err) == (0, "")
    assert f"{TABLE}: 2 rows verified, 0 not yet sealed" in out
    assert "Every chain holds." in out
    from complaints import transitions as t

    t.complaint_start_investigation(complaint_id=sealed.pk, actor=cast.bureau_officer)
    code, out, _err = verify("--table", TABLE)
    assert code == 0
    assert f"{TABLE}: 2 rows verified, 1 not yet sealed" in out


def test_a_row_edited_directly_in_postgresql_is_named(sealed):
    row = history_row(sealed, 1)
    raw("UPDATE complaints_historicalcomplaint SET title = %s WHERE history_id = %s", "改过的标题", row.pk)
    code, out, err = verify()
    assert code == 1
    assert f"Broken link: {TABLE} #1 (row {row.pk}): its hash does not match its values" in err
    assert f"{TABLE}: 0 rows verified, 0 not yet sealed; BROKEN" in out
    # The other tables are still verified and pass.
    assert "complaints.TransitionLog: 2 rows verified, 0 not yet sealed\n" in out


@pytest.mark.django_db(transaction=True)
def test_tables_verified_in_parallel_processes_find_the_same_break(sealed):
    # Committed, so the worker processes see it (a test's transaction they would not).
    row = history_row(sealed, 1)
    raw("UPDATE complaints_historicalcomplaint SET title = %s WHERE history_id = %s", "改过的标题", row.pk)
    code, out, err = verify("--jobs", "2")
    assert code == 1
    assert err.splitlines() == [f"Broken link: {TABLE} #1 (row {row.pk}): {audit.verify.CHANGED}"]
    assert "complaints.TransitionLog: 2 rows verified, 0 not yet sealed\n" in out
    # Every table is reported once; the workers record their progress in the heads.
    assert out.count(" rows verified, ") == len(chained_tables()) + 1
    assert ChainHead.objects.get(table="complaints.TransitionLog").verified_seq == 2


def test_a_timestamp_moved_by_a_microsecond_is_found(sealed):
    row = history_row(sealed, 2)
    raw(
        "UPDATE complaints_historicalcomplaint SET history_date = history_date + interval '1 microsecond' "
        "WHERE history_id = %s",
        row.pk,
    )
    code, _out, err = verify("--table", TABLE)
    assert code == 1
    assert f"{TABLE} #2 (row {row.pk})" in err


def test_a_row_deleted_directly_in_postgresql_is_named(cast, sealed):
    from complaints import transitions as t

    t.complaint_start_investigation(complaint_id=sealed.pk, actor=cast.bureau_officer)
    seal()
    raw("DELETE FROM complaints_historicalcomplaint WHERE chain_seq = 2")
    code, _out, err = verify("--table", TABLE)
    assert code == 1
    third = history_row(sealed, 3)
    assert f"Broken link: {TABLE} #3 (row {third.pk}): rows 2 to 2 of the chain are missing: deleted" in err


def test_the_last_row_deleted_is_found_by_the_head(sealed):
    raw("DELETE FROM complaints_historicalcomplaint WHERE chain_seq = 2")
    code, _out, err = verify("--table", TABLE)
    assert code == 1
    assert f"{TABLE} #2: rows 2 to 2 of the chain are missing: deleted" in err


def test_a_rewound_head_that_would_give_out_numbers_again_is_found(sealed):
    raw('UPDATE audit_chainhead SET seq = 1 WHERE "table" = %s', TABLE)
    code, _out, err = verify("--table", TABLE)
    assert code == 1
    assert f"{TABLE} #2 (row {history_row(sealed, 2).pk}): numbered beyond the chain head" in err


def test_a_row_rehashed_to_match_its_edit_breaks_the_next_link(cast, sealed):
    # Whoever edits a row and recomputes its hash must rewrite every later row and the head too.
    from complaints import transitions as t

    t.complaint_start_investigation(complaint_id=sealed.pk, actor=cast.bureau_officer)
    seal()
    table = complaint_history()
    raw("UPDATE complaints_historicalcomplaint SET title = %s WHERE chain_seq = 2", "改")
    first = history_row(sealed, 1).chain_hash
    values = table.rows.filter(chain_seq=2).values_list(*table.columns).get()
    raw(
        "UPDATE complaints_historicalcomplaint SET chain_hash = %s WHERE chain_seq = 2",
        link(first, table.columns, values),
    )
    code, _out, err = verify("--table", TABLE)
    assert code == 1
    assert f"{TABLE} #3 (row {history_row(sealed, 3).pk}): its hash does not match" in err


def test_an_interrupted_run_resumes_where_it_stopped(cast, sealed, monkeypatch):
    from complaints import transitions as t

    t.complaint_start_investigation(complaint_id=sealed.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(
        complaint_id=sealed.pk,
        actor=cast.bureau_officer,
        finding=Finding.SUBSTANTIATED,
        disposition="退费",
        reply="属实",
    )
    seal()
    calls = {"n": 0}
    real_link = audit.chain.Table.link

    def interrupted(*args):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return real_link(*args)

    monkeypatch.setattr(audit.chain.Table, "link", interrupted)
    with pytest.raises(KeyboardInterrupt):
        verify("--table", TABLE, "--chunk", "2")
    head = ChainHead.objects.get(table=TABLE)
    assert (head.verified_seq, head.verified_hash) == (2, history_row(sealed, 2).chain_hash)
    assert head.verified_at is not None
    monkeypatch.setattr(audit.chain.Table, "link", real_link)
    code, out, _err = verify("--table", TABLE, "--resume", "--chunk", "2")
    assert code == 0
    assert f"{TABLE}: 2 rows verified after #2, 0 not yet sealed" in out
    assert ChainHead.objects.get(table=TABLE).verified_seq == 4
    # A full run is the default: from the first row again.
    assert f"{TABLE}: 4 rows verified, 0 not yet sealed" in verify("--table", TABLE)[1]


def test_resuming_checks_the_row_where_the_last_run_stopped(sealed):
    verify("--table", TABLE)
    raw("UPDATE complaints_historicalcomplaint SET chain_hash = %s WHERE chain_seq = 2", "0" * 64)
    raw('UPDATE audit_chainhead SET verified_seq = 2 WHERE "table" = %s', TABLE)
    code, _out, err = verify("--table", TABLE, "--resume")
    assert code == 1
    assert f"{TABLE} #2 (row {history_row(sealed, 2).pk}): the row where the last verification stopped" in err


@pytest.mark.parametrize(
    "args", [["--table", "complaints.Complaint"], ["--table", "x" * 300], ["--chunk", "0"], ["--jobs", "0"]]
)
def test_bad_options_are_refused_with_a_clear_message(sealed, args):
    with pytest.raises(CommandError):
        call_command("verify_history", *args, stdout=StringIO())


def test_the_nightly_check_alerts_administrators_once_per_break(cast, sealed, caplog):
    admin = UserFactory(roles=[Role.ADMINISTRATOR], email="admin@example.org")
    superuser = UserFactory(is_superuser=True, email="")
    assert verify_history_task()["broken"] == 0
    assert not Notification.objects.filter(recipient__in=[admin, superuser]).exists()

    raw('UPDATE audit_chainhead SET seq = 1 WHERE "table" = %s', TABLE)
    with caplog.at_level(logging.ERROR, logger="audit.alerts"):
        assert verify_history_task() | {"verified": 0} == {"verified": 0, "broken": 1, "alerted": 1}
    assert f"History chain broken: {TABLE} #2" in caplog.text
    alerts = Notification.objects.filter(link=reverse("admin:audit_chainhead_changelist"))
    assert sorted(alerts.values_list("recipient", flat=True)) == sorted([admin.pk, superuser.pk])
    notification = alerts.get(recipient=admin)
    # The email carries the office's language; the inbox renders the texts in its reader's.
    assert f"{TABLE}，链序号2（行{history_row(sealed, 2).pk}）：序号超出链头" in notification.body
    assert f"{TABLE}, chain number 2" in text_render(notification.texts["body"])
    assert OutboxMessage.objects.get(notification=notification, channel="email").address == "admin@example.org"

    # Still broken the next night: logged again, not alerted again.
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="audit.alerts"):
        assert verify_history_task()["alerted"] == 0
    assert "History chain broken" in caplog.text
    assert alerts.filter(recipient=admin).count() == 1

    # Repaired, then broken again: a new alert.
    raw('UPDATE audit_chainhead SET seq = 2 WHERE "table" = %s', TABLE)
    assert verify_history_task()["broken"] == 0
    assert ChainHead.objects.get(table=TABLE).alerted == ""
    raw('UPDATE audit_chainhead SET seq = 1 WHERE "table" = %s', TABLE)
    assert verify_history_task()["alerted"] == 1
    assert alerts.filter(recipient=admin).count() == 2


def test_the_demo_is_sealed_by_seed_demo_and_its_chains_hold():
    call_command("seed_demo", stdout=StringIO())
    code, out, err = verify()
    assert (code, err) == (0, "")
    assert " 0 not yet sealed\n" in out.splitlines(keepends=True)[-2]
    assert HistoryEntry.objects.filter(model="complaints.complaint").exists()
