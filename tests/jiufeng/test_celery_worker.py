"""Tasks enqueued in a transaction reach a real worker only after commit."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.db import transaction

from jiufeng.celery import app
from jiufeng.tasks import HEARTBEAT_CACHE_KEY, record_heartbeat_task

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for_heartbeat(seconds: float) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = cache.get(HEARTBEAT_CACHE_KEY)
        if value is not None:
            return value
        time.sleep(0.1)
    return None


@pytest.fixture(scope="module")
def worker():
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.fixture(autouse=True)
def no_heartbeat():
    cache.delete(HEARTBEAT_CACHE_KEY)


def test_a_task_enqueued_in_a_transaction_runs_only_after_commit(worker):
    with transaction.atomic():
        record_heartbeat_task.delay_on_commit()
        # The worker is idle and listening: were the task sent now, it would run now.
        assert wait_for_heartbeat(2) is None
    assert wait_for_heartbeat(15) is not None


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_heartbeat_task.delay_on_commit()
        raise RuntimeError("rolled back")
    # Proof the worker is alive and would have run it: a later task does run.
    assert wait_for_heartbeat(3) is None
    record_heartbeat_task.delay()
    assert wait_for_heartbeat(15) is not None
