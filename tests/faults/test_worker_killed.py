"""A worker child killed (SIGKILL) in the middle of an outbox delivery run, as the kernel's OOM
killer would: the task is delivered again (acks late, reject on worker lost) and every SMS is
sent once, none lost, none twice.

The worker runs as docker-compose.yml runs it (prefork, one child); the SMS gateway takes 0.2 s
a message (tests.faults.gateway), so the kill lands inside the run.
"""

import re
import signal
import subprocess
import time
from collections import Counter

import pytest
from django.db import transaction

from jiufeng import notifications
from jiufeng.celery import app
from jiufeng.models import OutboxMessage, OutboxState
from tests.responsibility.test_escalation_worker import wait_until

from .processes import Process, app_env, database_url, procfile_command

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

MESSAGES = 10
TASK = "jiufeng.tasks.deliver_outbox_task"


def sms_lines(path) -> list[str]:
    return re.findall(r"^SMS to (\d+):", path.read_text(), re.MULTILINE) if path.exists() else []


def test_a_delivery_cut_off_by_a_killed_worker_is_done_again_once(broker, tmp_path, monkeypatch):
    # Queued without waking delivery: the test sends the task itself, to the private broker.
    monkeypatch.setattr(notifications, "_enqueue_delivery", lambda: None)
    with transaction.atomic():
        for number in range(MESSAGES):
            notifications.notify_address(channel="sms", address=f"1390000{number:04d}", subject="受理", body="已受理")
    env = app_env(
        redis_url=broker.url,
        database=database_url(),
        var_dir=tmp_path,
        JIUFENG_SMS_BACKEND="tests.faults.gateway.SlowSms",
        # A claim's lease: the messages of a run cut off are due again this soon.
        JIUFENG_OUTBOX_LEASE_SECONDS="3",
    )
    command = procfile_command("worker")
    command = command[command.index("scripts/supervise.sh") + 1 :]
    command = [word for word in command if not word.startswith(("--pool", "--concurrency"))] + ["--concurrency=1"]
    worker = Process(command, env=env, log=tmp_path / "worker.log")
    sms = tmp_path / "sms.log"
    worker.start()
    try:
        with app.connection_for_write(url=broker.url) as connection:
            app.send_task(TASK, connection=connection)
        assert wait_until(lambda: len(sms_lines(sms)) >= 3, 60), worker.output()[-3000:]
        child = subprocess.run(  # noqa: S603 - the pool's child of the worker started above
            ["pgrep", "-P", str(worker.process.pid)], capture_output=True, text=True, check=True
        ).stdout.split()[0]
        subprocess.run(["kill", f"-{signal.SIGKILL.value}", child], check=True)  # noqa: S603, S607
        killed_after = len(sms_lines(sms))
        # Redelivered to the new child at once; it sends what the lease no longer holds.
        assert wait_until(lambda: worker.output().count(f"Task {TASK}[") >= 2, 30), worker.output()[-3000:]
        if not wait_until(lambda: not OutboxMessage.objects.filter(state=OutboxState.PENDING).exists(), 15):
            # What beat does each minute: drain what is due.
            time.sleep(3)
            with app.connection_for_write(url=broker.url) as connection:
                app.send_task(TASK, connection=connection)
        delivered = wait_until(lambda: not OutboxMessage.objects.filter(state=OutboxState.PENDING).exists(), 60)
        output = worker.output()
    finally:
        worker.stop()

    assert "WorkerLostError" in output and "SIGKILL" in output
    received = re.findall(rf"Task {re.escape(TASK)}\[([0-9a-f-]+)\] received", output)
    # The task cut off was received twice: delivered again.
    assert Counter(received).most_common(1)[0][1] == 2
    assert delivered
    sent = Counter(sms_lines(sms))
    print(f"\nkilled after {killed_after} SMS; {sum(sent.values())} sent for {MESSAGES}, {dict(sent)}")
    assert sorted(sent) == [f"1390000{number:04d}" for number in range(MESSAGES)]
    assert set(sent.values()) == {1}
