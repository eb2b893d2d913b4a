"""What a new user of `make run` notices first: a site icon, and a console that shows the server's
address instead of hundreds of demo SMS (their texts go to the SMS backend's own file)."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from jiufeng.notifications import notify_address
from jiufeng.tasks import deliver_outbox_task

from .outbox_helpers import sms_recorded

BASE_DIR = Path(__file__).resolve().parents[2]


def test_pages_name_an_icon_and_the_browsers_default_address_leads_to_it():
    page = Client().get("/track/")
    assert b'rel="icon" href="/static/favicon.svg"' in page.content
    icon = Client().get("/favicon.ico")
    assert (icon.status_code, icon["Location"]) == (301, "/static/favicon.svg")
    assert (BASE_DIR / "static" / "favicon.svg").read_text().startswith("<svg")


def test_the_console_sms_backend_writes_to_its_own_file_when_one_is_set(tmp_path):
    log_file = tmp_path / "sms.log"
    env = {**os.environ, "JIUFENG_SMS_LOG_FILE": str(log_file), "DEBUG": "true"}
    send = "from jiufeng.sms import sms_backend; sms_backend().send(phone='13800138000', text='查询码 JF-TEST')"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", send],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "JF-TEST" not in done.stdout + done.stderr
    assert "SMS to 13800138000: 查询码 JF-TEST" in log_file.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_delivery_run_logs_one_line_whatever_the_number_of_messages(settings, caplog):
    sms_recorded(settings)
    for n in range(5):
        notify_address(channel="sms", address=f"1380013800{n}", subject="投诉已收到", body=f"第{n}条")
    with caplog.at_level(logging.INFO, logger="jiufeng.notifications"):
        deliver_outbox_task()
    assert [r.getMessage() for r in caplog.records if r.name == "jiufeng.notifications"] == [
        "outbox: 5 sent, 0 to retry, 0 failed"
    ]
