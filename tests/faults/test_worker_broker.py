"""The worker as `make run` starts it (Procfile.dev), a real process: its broker stopped and
started again, then the worker itself killed. Each time a task sent afterwards runs."""

import signal
import subprocess
import time

import pytest
import redis

from jiufeng.celery import app
from jiufeng.tasks import HEARTBEAT_CACHE_KEY
from tests.responsibility.test_escalation_worker import wait_until

from .processes import app_env, database_url, worker

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def send_heartbeats(broker_url: str, count: int) -> None:
    # Through a connection of its own: kombu would retry publishing for as long as the broker is away.
    with app.connection_for_write(url=broker_url) as connection:
        for _ in range(count):
            app.send_task("jiufeng.tasks.record_heartbeat_task", connection=connection)


def heartbeat_runs(broker_url: str) -> bool:
    """Send the heartbeat task and see whether a worker ran it (it writes a key in the cache, the same Redis)."""
    client = redis.Redis.from_url(broker_url)
    client.flushdb()
    send_heartbeats(broker_url, 1)
    # django-redis' key for the cache's HEARTBEAT_CACHE_KEY (version 1, no prefix).
    return wait_until(lambda: client.exists(f":1:{HEARTBEAT_CACHE_KEY}"), 30)


@pytest.fixture
def env(broker, tmp_path):
    return app_env(redis_url=broker.url, database=database_url(), var_dir=tmp_path)


def test_the_worker_survives_its_broker_stopped_and_started_again(broker, env, tmp_path):
    process = worker(env=env, log=tmp_path / "worker.log")
    process.start()
    try:
        assert heartbeat_runs(broker.url), process.output()[-3000:]
        for _ in range(3):
            # Tasks in flight when the broker goes: reserved and unacknowledged (acks late).
            send_heartbeats(broker.url, 500)
            broker.stop()
            time.sleep(3)
            broker.start()
            assert process.alive(), process.output()[-3000:]
            # Back within kombu's retry interval (2, 4, 6 … s): the task sent now runs.
            assert heartbeat_runs(broker.url), process.output()[-3000:]
        output = process.output()
    finally:
        process.stop()
    assert output.count("Connection to broker lost") == 3
    # The failures seen before: at every reconnect with gossip on, and with tasks in flight (jiufeng.broker).
    assert "Error on restarting" not in output and "Unrecoverable error" not in output


def test_the_supervisor_starts_a_killed_worker_again_and_stops_with_it(broker, env, tmp_path):
    process = worker(env=env, log=tmp_path / "worker.log", supervised=True)
    process.start()
    try:
        assert heartbeat_runs(broker.url), process.output()[-3000:]
        celery = subprocess.run(  # noqa: S603 - the worker started above
            ["pgrep", "-P", str(process.process.pid)],
            capture_output=True,
            text=True,
            check=True,
        )
        subprocess.run(["kill", "-KILL", celery.stdout.strip()], check=True)  # noqa: S603, S607
        assert wait_until(lambda: "exited with status 137; starting it again in 1s" in process.output(), 10)
        assert heartbeat_runs(broker.url), process.output()[-3000:]
        # honcho's Ctrl-C: SIGTERM to the group stops the worker and the loop alike.
        process.signal(signal.SIGTERM)
        assert process.process.wait(30) == 0
    finally:
        process.stop()
