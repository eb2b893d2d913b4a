"""A ledger bigger than a page may stream is written by a worker and handed over through the inbox."""

import csv
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from audit import export_jobs, exports
from audit.models import AuditEvent, AuditEventKind, ExportJob, ExportJobState
from complaints.models import Category
from jiufeng.celery import app
from jiufeng.models import Notification
from tests.factories import complaint_filed

CASES = "/cases/"


@pytest.fixture
def three_cases(cast):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    return [
        complaint_filed(category=category, subject_unit=cast.units.school, anonymous=True, title=f"收费问题{n}")[0]
        for n in range(3)
    ]


@pytest.fixture
def small_limits(monkeypatch):
    # The page streams at most 2 rows, a worker writes at most 3.
    monkeypatch.setattr(exports, "LIMITS", {exports.XLSX: 2, exports.CSV: 2})
    monkeypatch.setattr(export_jobs, "JOB_LIMIT", 3)


@pytest.fixture(autouse=True)
def english(client):
    # The pages' and the inbox's words in their source language.
    client.cookies["django_language"] = "en"


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_too_many_rows_for_the_page_are_written_by_the_worker_and_announced_in_the_inbox(
    client, cast, three_cases, small_limits
):
    app.control.purge()
    client.force_login(cast.county_officer)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = client.get(CASES, {"tab": "all", "format": "csv"}, follow=True)
        assert response.redirect_chain == [(f"{CASES}?tab=all", 302)]
        assert "being written" in response.content.decode()
        assert wait_until(lambda: ExportJob.objects.filter(state=ExportJobState.DONE).exists(), 30)
    job = ExportJob.objects.get()
    assert job.user == cast.county_officer and job.rows == 3
    notification = Notification.objects.get(recipient=cast.county_officer, link=f"/audit/exports/{job.pk}/")
    assert notification.texts["subject"]["msgid"] == "Your file is ready: %(title)s"
    download = client.get(notification.link)
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    rows = csv_rows(b"".join(download.streaming_content))
    assert sorted(row[1] for row in rows[1:]) == ["收费问题0", "收费问题1", "收费问题2"]
    # The ledger holds case data: encrypted at rest like every stored file (jiufeng.filecrypt).
    assert "收费问题0".encode() not in (Path(settings.MEDIA_ROOT) / job.file.name).read_bytes()
    event = AuditEvent.objects.get(kind=AuditEventKind.EXPORT)
    assert event.user == cast.county_officer and event.detail["rows"] == 3 and event.detail["complete"]
    assert event.path.startswith(CASES) and "tab=all" in event.path


@pytest.mark.django_db
def test_someone_elses_file_is_not_found_and_a_pending_one_says_so(client, cast, three_cases, small_limits):
    client.force_login(cast.county_officer)
    client.get(CASES, {"tab": "all", "format": "xlsx"})
    job = ExportJob.objects.get()
    assert job.state == ExportJobState.QUEUED and job.file_format == "xlsx"
    pending = client.get(f"/audit/exports/{job.pk}/")
    assert pending.status_code == 409 and "still being written" in pending.content.decode()
    export_jobs.export_job_run(job.pk)
    client.force_login(cast.bureau_officer)
    assert client.get(f"/audit/exports/{job.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/audit/exports/{job.pk}/").status_code == 302


@pytest.mark.django_db
def test_the_worker_writes_what_the_users_scope_allows_and_runs_a_job_once(client, cast, three_cases, small_limits):
    client.force_login(cast.county_officer)
    client.get(CASES, {"tab": "all", "format": "xlsx"})
    # Asked again while it waits: the same job.
    client.get(CASES, {"tab": "all", "format": "xlsx"})
    job = ExportJob.objects.get()
    export_jobs.export_job_run(job.pk)
    job.refresh_from_db()
    assert job.state == ExportJobState.DONE and job.rows == 3 and job.file.name.endswith(".xlsx")
    written = job.file.name
    # Delivered twice: the second run leaves the file and the log as they are.
    export_jobs.export_job_run(job.pk)
    job.refresh_from_db()
    assert job.file.name == written
    assert AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).count() == 1
    assert Notification.objects.filter(recipient=cast.county_officer, link__startswith="/audit/exports/").count() == 1


@pytest.mark.django_db
def test_more_rows_than_a_worker_writes_are_refused_with_a_message(client, cast, three_cases, monkeypatch):
    monkeypatch.setattr(exports, "LIMITS", {exports.XLSX: 1, exports.CSV: 1})
    monkeypatch.setattr(export_jobs, "JOB_LIMIT", 2)
    client.force_login(cast.county_officer)
    response = client.get(CASES, {"tab": "all", "format": "csv"})
    assert response.status_code == 400
    assert "More than 2 rows match" in response.content.decode()
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_job_whose_rows_grew_past_the_limit_fails_and_says_so(client, cast, three_cases, small_limits, monkeypatch):
    client.force_login(cast.county_officer)
    client.get(CASES, {"tab": "all", "format": "csv"})
    monkeypatch.setattr(export_jobs, "JOB_LIMIT", 2)
    job = export_jobs.export_job_run(ExportJob.objects.get().pk)
    assert job.state == ExportJobState.FAILED and not job.file
    told = Notification.objects.get(recipient=cast.county_officer, link=f"{CASES}")
    assert told.texts["subject"]["msgid"] == "Your file could not be written"
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()


@pytest.mark.django_db
def test_files_are_deleted_after_a_week(client, cast, three_cases, small_limits):
    client.force_login(cast.county_officer)
    client.get(CASES, {"tab": "all", "format": "csv"})
    job = export_jobs.export_job_run(ExportJob.objects.get().pk)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    assert export_jobs.export_jobs_purge(now=timezone.now() + timezone.timedelta(days=6)) == 0
    assert export_jobs.export_jobs_purge(now=timezone.now() + timezone.timedelta(days=8)) == 1
    assert not storage.exists(name) and not ExportJob.objects.exists()
    assert app.conf.beat_schedule["purge-export-files"]["task"] == "audit.tasks.export_jobs_purge_task"


def test_a_worker_writing_a_ledger_does_not_load_the_pinyin_dictionaries():
    # pypinyin builds ~50 MB of dictionaries on import: a worker writing a 100,000-row ledger
    # stayed under 150 MB only without them (bench/ledger_export.py). The worker imports the
    # ledgers, and every view through the URLconf when it links the file in the inbox.
    code = (
        "import sys, django; django.setup(); "
        "from django.utils.module_loading import autodiscover_modules; "
        "import audit.export_jobs; autodiscover_modules('ledgers'); "
        "from django.urls import reverse; reverse('home'); "
        "print('pypinyin' in sys.modules)"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "False", done.stderr
