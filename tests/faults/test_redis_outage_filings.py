"""Redis (cache and broker) stopped during 1,000 public filings against gunicorn, with a real worker.

Petitioners file through the API from eight clients at once; after the 300th answer the private
redis-server stops, after the 700th it starts again (empty, as a restarted cache is). Every filing
answered 201 is stored whole, none answers 5xx, and every petitioner gets one SMS (a file stands
for the gateway) with their code once the worker is back: no message lost, none sent twice.
"""

import json
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from complaints.models import Category, Complaint
from jiufeng.models import OutboxMessage, OutboxState
from tests.responsibility.test_escalation_worker import wait_until

from .invariants import BROKEN, complaints_checked
from .processes import App, app_env, database_url, worker

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

FILINGS = 1000
CLIENTS = 8
STOP_AFTER, START_AFTER = 300, 700


def test_filings_go_on_with_redis_stopped_and_every_petitioner_hears_once(cast, broker, tmp_path):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    env = app_env(redis_url=broker.url, database=database_url(), var_dir=tmp_path)
    app, jobs = App(env=env, log=tmp_path / "gunicorn.log"), worker(env=env, log=tmp_path / "worker.log")
    app.start()
    jobs.start()
    answered, lock = [], threading.Lock()

    def file(number: int) -> None:
        answer = app.request(
            "POST",
            "/api/v1/complaints/",
            {
                "category": category.pk,
                "subject_unit": cast.units.school.pk,
                "title": f"第{number}号：学校强制订购教辅资料",
                "content": f"班主任要求每人交200元购买指定资料（第{number}号）。",
                "name": "张三",
                "phone": f"139{number:08d}",
            },
        )
        with lock:
            answered.append((number, *answer))

    try:
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            for number in range(FILINGS):
                pool.submit(file, number)
            assert wait_until(lambda: len(answered) >= STOP_AFTER, 300)
            broker.stop()
            outage = time.monotonic()
            assert wait_until(lambda: len(answered) >= START_AFTER, 300)
            broker.start()
            outage = time.monotonic() - outage
        took = time.monotonic() - started
        # Delivery is woken by the filings after the restart; nothing may wait for beat.
        delivered = wait_until(lambda: not OutboxMessage.objects.filter(state=OutboxState.PENDING).exists(), 120)
        assert jobs.alive(), jobs.output()[-3000:]
    finally:
        jobs.stop()
        app.stop()

    statuses = Counter(status for _, status, _, _ in answered)
    accepted = {number: body for number, status, _, body in answered if status == 201}
    print(f"\n{FILINGS} filings in {took:.0f} s, Redis away {outage:.1f} s: {dict(statuses)}")
    assert len(answered) == FILINGS
    assert not [status for status in statuses if status == 0 or status >= 500], statuses
    assert statuses == {201: FILINGS}
    # Every filing answered 201 is stored, whole.
    stored = set(Complaint.objects.values_list("title", flat=True))
    assert stored == {f"第{number}号：学校强制订购教辅资料" for number in accepted}
    checked = complaints_checked(env)
    assert [checked[part] for part in BROKEN] == [0] * len(BROKEN)

    # Every petitioner got their code once.
    assert delivered, OutboxMessage.objects.filter(state=OutboxState.PENDING).count()
    sms = re.findall(r"^SMS to (\d+): (.*)$", (tmp_path / "sms.log").read_text(), re.MULTILINE)
    per_phone = Counter(phone for phone, _ in sms)
    duplicates = sum(count - 1 for count in per_phone.values())
    print(f"SMS: {len(sms)} sent to {len(per_phone)} petitioners, {duplicates} duplicates")
    assert duplicates == 0
    assert set(per_phone) == {f"139{number:08d}" for number in accepted}
    texts = dict(sms)
    assert all(json.loads(body)["tracking_code"] in texts[f"139{number:08d}"] for number, body in accepted.items())
