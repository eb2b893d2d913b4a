"""A real worker over a real Redis that is stopped and started again: notifications wait, none are lost.

The test runs its own redis-server on a free port, so stopping it never touches the shared one.
"""

import shutil
import socket
import subprocess
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from kombu import pools

from jiufeng.celery import app
from jiufeng.models import OutboxMessage, OutboxState
from jiufeng.notifications import notify

from ..factories import UserFactory
from .test_escalation_worker import wait_until

REDIS_SERVER = shutil.which("redis-server")

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server subprocess that keeps its port across stop and start."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, binary found on PATH
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_until(self._answers, 20), "private redis-server did not start"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None


def _forget_broker_pools() -> None:
    # The app caches its connection and producer pools on first use; kombu keeps them per URL.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    previous_url = app.conf.broker_url
    try:
        redis.start()
        _forget_broker_pools()
        app.conf.broker_url = redis.url
        yield redis
    finally:
        redis.stop()
        app.conf.broker_url = previous_url
        # Closes the private pools too; later tests get fresh pools for the shared Redis.
        pools.reset()
        _forget_broker_pools()


@pytest.fixture
def worker(private_redis, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.JIUFENG_NOTIFICATION_CHANNELS = ["email"]
    mail.outbox = []
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def notify_in_a_request(user, subject: str) -> None:
    # The view's transaction: delivery is enqueued on commit.
    with transaction.atomic():
        notify(users=[user], subject=subject, body="b", link="/inbox/", why="w")


def outbox_message(subject: str) -> OutboxMessage:
    return OutboxMessage.objects.get(notification__subject=subject)


def state_of(subject: str) -> str:
    return outbox_message(subject).state


def test_a_redis_restart_delays_notifications_but_loses_none(private_redis, worker):
    user = UserFactory(email="liaison@example.org")

    notify_in_a_request(user, "Before the outage")
    assert wait_until(lambda: state_of("Before the outage") == OutboxState.SENT, 20)
    assert [m.subject for m in mail.outbox] == ["Before the outage"]

    private_redis.stop()
    # The commit succeeds although the enqueue fails (robust on_commit); the row waits.
    notify_in_a_request(user, "During the outage")
    assert state_of("During the outage") == OutboxState.PENDING
    time.sleep(1)
    assert state_of("During the outage") == OutboxState.PENDING
    assert [m.subject for m in mail.outbox] == ["Before the outage"]

    # The same worker reconnects on its own (broker_connection_retry); beat's drain then delivers.
    private_redis.start()
    app.send_task(app.conf.beat_schedule["deliver-outbox"]["task"])
    assert wait_until(lambda: state_of("During the outage") == OutboxState.SENT, 20)
    # A second drain finds nothing due: the held-back message is sent exactly once.
    app.send_task(app.conf.beat_schedule["deliver-outbox"]["task"])
    time.sleep(2)
    assert [m.subject for m in mail.outbox] == ["Before the outage", "During the outage"]
    assert outbox_message("During the outage").attempts == 1
