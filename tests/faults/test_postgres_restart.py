"""PostgreSQL restarted (pg_ctl restart -m fast) under public filings: clean failures, nothing half-written.

The app (gunicorn) runs on a private cluster holding a copy of the test database (made with
scripts/backup.sh and restore.sh). "Clean" here: a filing that fails answers JSON {"detail"}
(503: the database is away, try again; jiufeng.errors), never a page or a stack trace; every complaint in
the database has its deadline, history, filing log and tracking code, whatever the answer was;
and filings succeed again once the server is back, on the same processes.
"""

import json
import subprocess
import threading
import time
from collections import Counter

import pytest

from complaints.models import Category
from tests.responsibility.test_escalation_worker import wait_until

from .invariants import BROKEN, complaints_checked
from .processes import ROOT, App, app_env, database_url

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

CLIENTS = 4
BEFORE, AFTER = 100, 100


def copy_of_the_test_database(private_postgres, tmp_path) -> str:
    private_postgres.createdb("restart")
    source = app_env(redis_url="", database=database_url(), var_dir=tmp_path / "source")
    target = app_env(redis_url="", database=private_postgres.url("restart"), var_dir=tmp_path / "copy")
    for script, env in (("backup.sh", source), ("restore.sh", target)):
        done = subprocess.run(  # noqa: S603 - the project's own scripts
            ["bash", str(ROOT / "scripts" / script), str(tmp_path / "backup")], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    return target["DATABASE_URL"]


def test_filings_fail_cleanly_while_postgresql_restarts_and_go_on_after(private_postgres, cast, broker, tmp_path):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    env = app_env(
        redis_url=broker.url, database=copy_of_the_test_database(private_postgres, tmp_path), var_dir=tmp_path / "app"
    )
    app = App(env=env, log=tmp_path / "gunicorn.log")
    app.start()
    answered, lock, stop = [], threading.Lock(), threading.Event()

    def client(number: int) -> None:
        serial = 0
        while not stop.is_set():
            serial += 1
            title = f"客户{number}第{serial}件：窗口无人办理业务"
            answer = app.request(
                "POST",
                "/api/v1/complaints/",
                {
                    "category": category.pk,
                    "subject_unit": cast.units.school.pk,
                    "title": title,
                    "content": title,
                    "anonymous": True,
                },
            )
            with lock:
                answered.append((time.monotonic(), title, *answer))

    def filed_since(moment: float) -> int:
        return sum(at > moment and status == 201 for at, _, status, _, _ in answered)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(CLIENTS)]
    try:
        for thread in threads:
            thread.start()
        assert wait_until(lambda: filed_since(0) >= BEFORE, 300)
        restart = time.monotonic()
        private_postgres.pg_ctl("restart", "-m", "fast")
        restarted = time.monotonic()
        assert wait_until(lambda: filed_since(restarted) >= AFTER, 300)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        app.stop()

    statuses = Counter(status for _, _, status, _, _ in answered)
    failed = [(status, kind, body) for _, _, status, kind, body in answered if status != 201]
    print(f"\n{len(answered)} filings, PostgreSQL restarted in {restarted - restart:.1f} s: {dict(statuses)}")
    # Clean failures: JSON with a detail, nothing else.
    assert {status for status, _, _ in failed} <= {503}
    assert all(kind == "application/json" and set(json.loads(body)) == {"detail"} for _, kind, body in failed)
    assert not any(b"Traceback" in body for _, _, body in failed)
    # Nothing half-written, and every filing answered 201 is there.
    checked = complaints_checked(env)
    assert [checked[part] for part in BROKEN] == [0] * len(BROKEN)
    accepted = {title for _, title, status, _, _ in answered if status == 201}
    print(f"{checked['complaints']} stored for {len(accepted)} answered 201")
    assert accepted <= set(checked["titles"])
    # Serving again: the last answers are all 201.
    assert [status for _, _, status, _, _ in answered[-CLIENTS * 5 :]] == [201] * (CLIENTS * 5)
