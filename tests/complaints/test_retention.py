"""The retention period: ended cases' identities and files purged, logged, the chains still verifying."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.chain import seal
from audit.models import AuditEvent, AuditEventKind
from audit.verify import history_verify
from complaints import transitions as t
from complaints.models import Attachment, Complaint, PetitionerIdentity
from complaints.retention import retention_purge
from complaints.tasks import purge_expired_cases_task
from tests.storage import private_storage_setting

from .attachment_files import PDF, upload
from .conftest import DECISION

pytestmark = pytest.mark.django_db

PERSON = {"name": "张三", "phone": "13800138000", "id_number": "", "email": "zhang@example.cn"}
LATER = datetime.timedelta(days=1826, hours=1)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": private_storage_setting(tmp_path),
    }
    settings.JIUFENG_RETENTION_DAYS = 1826
    return tmp_path


def filed(cast, file_complaint) -> Complaint:
    complaint, code = file_complaint(
        subject_unit=cast.units.school, anonymous=False, attachments=[upload("收据.pdf", PDF)], **PERSON
    )
    complaint.code = code
    return complaint


def closed(cast, file_complaint) -> Complaint:
    complaint = filed(cast, file_complaint)
    code = complaint.code
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader, note="")
    # The review window passes (time, not a state change), then the system closes it.
    Complaint.objects.filter(pk=complaint.pk).update(replied_at=timezone.now() - datetime.timedelta(days=31))
    complaint = t.complaint_close(complaint_id=complaint.pk)
    complaint.code = code
    return complaint


def zh(message: str) -> str:
    # Pages are in Chinese unless the reader chose otherwise.
    with translation.override("zh-hans"):
        return gettext(message)


def chains_hold() -> list:
    seal()
    return [report.broken for report in history_verify() if report.broken is not None]


def history_columns(identity: PetitionerIdentity) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, phone, id_number, email FROM complaints_historicalpetitioneridentity WHERE id = %s",
            [identity.pk],
        )
        return cursor.fetchall()


def test_a_closed_case_past_retention_loses_identity_and_files_logged_and_every_chain_still_verifies(
    cast, file_complaint, private_storage
):
    complaint = closed(cast, file_complaint)
    attachment = complaint.attachments.get()
    stored = private_storage / attachment.file.name
    assert stored.exists()
    assert chains_hold() == []

    assert retention_purge(now=timezone.now() + LATER) == 1

    identity = PetitionerIdentity.objects.get(complaint=complaint)
    assert (identity.name, identity.phone, identity.email, identity.phone_index) == ("", "", "", "")
    assert identity.purged_at is not None
    # Every history row of the identity too: only the purge markers are left.
    rows = history_columns(identity)
    assert len(rows) == 2
    assert all(value.startswith("purged:") for row in rows for value in row)
    assert not stored.exists()
    attachment.refresh_from_db()
    assert attachment.purged_at is not None
    [event] = AuditEvent.objects.filter(kind=AuditEventKind.PURGE)
    assert event.user.username == "system"
    assert event.detail == {
        "complaint": complaint.pk,
        "case_number": complaint.case_number,
        "identity": True,
        "identity_history_rows": 1,
        "attachments": [attachment.pk],
        "retention_days": 1826,
    }
    assert chains_hold() == []
    # The case stays, with its text.
    assert Complaint.objects.get(pk=complaint.pk).content == complaint.content

    staff = Client()
    staff.force_login(cast.county_officer)
    page = staff.get(f"/cases/{complaint.pk}/").content.decode()
    assert "收据.pdf" in page
    assert f"({zh('removed after the retention period')})" in page
    assert f"/cases/{complaint.pk}/attachments/{attachment.pk}/" not in page
    assert staff.get(f"/cases/{complaint.pk}/attachments/{attachment.pk}/").status_code == 404
    shown = staff.post(f"/cases/{complaint.pk}/identity/").content.decode()
    assert "超过保存期限后删除" in shown
    assert "张三" not in shown

    petitioner = Client()
    tracking = petitioner.post("/track/", {"code": complaint.code}, follow=True).content.decode()
    assert f"收据.pdf ({zh('removed after the retention period')})" in tracking
    assert f"/track/{complaint.pk}/attachments/{attachment.pk}/" not in tracking

    auditor = Client()
    auditor.force_login(cast.auditor)
    log = auditor.get("/audit/logs/purges/").content.decode()
    assert complaint.case_number in log


def test_only_ended_cases_past_the_period_are_purged(cast, file_complaint, settings):
    recent = closed(cast, file_complaint)
    rejected = filed(cast, file_complaint)
    t.complaint_reject(complaint_id=rejected.pk, actor=cast.county_officer, reason="不属于受理范围")
    still_open = filed(cast, file_complaint)
    t.complaint_accept(complaint_id=still_open.pk, actor=cast.county_officer)
    assert retention_purge(now=timezone.now() + datetime.timedelta(days=1825)) == 0
    assert retention_purge(now=timezone.now() + LATER) == 2
    assert PetitionerIdentity.objects.get(complaint=recent).purged_at is not None
    assert PetitionerIdentity.objects.get(complaint=rejected).purged_at is not None
    kept = PetitionerIdentity.objects.get(complaint=still_open)
    assert (kept.name, kept.purged_at) == ("张三", None)
    assert still_open.attachments.get().purged_at is None
    # 0 keeps everything for ever.
    settings.JIUFENG_RETENTION_DAYS = 0
    assert retention_purge(now=timezone.now() + 100 * LATER) == 0


def test_the_daily_task_purges_once_however_often_it_runs(cast, file_complaint, monkeypatch):
    complaint = closed(cast, file_complaint)
    later = timezone.now() + LATER
    monkeypatch.setattr("complaints.retention.timezone.now", lambda: later)
    assert purge_expired_cases_task() == 1
    assert purge_expired_cases_task() == 0
    assert AuditEvent.objects.filter(kind=AuditEventKind.PURGE).count() == 1
    assert Attachment.objects.filter(complaint=complaint, purged_at__isnull=False).count() == 1
    assert chains_hold() == []
