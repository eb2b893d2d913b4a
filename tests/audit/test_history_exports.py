"""The history search and an object's timeline as files: what the page shows, with the filters
on top, logged as an export; refused with a message over the limit; auditors only."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from audit import exports
from audit.models import AuditEvent, AuditEventKind

from .history_cases import case_worked

pytestmark = pytest.mark.django_db

SEARCH = "/audit/history/"


@pytest.fixture(autouse=True)
def chinese(client):
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def complaint(cast):
    return case_worked(cast)


def sheet(response):
    assert response.status_code == 200
    assert response.streaming
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[cell for cell in row] for row in book.active.iter_rows(values_only=True)]


def test_the_search_by_field_exports_the_changes_it_finds(client, cast, complaint):
    client.force_login(cast.auditor)
    response = client.get(SEARCH, {"type": "complaints.complaint", "field": "finding", "format": "xlsx"})
    rows = sheet(response)
    header = rows.index(["时间", "用户", "记录", "操作", "原因", "变更", "备注"])
    found = rows[header + 1 :]
    assert found, rows
    assert all("核查结论" in row[5] for row in found)
    assert any("部分属实" in row[5] for row in found)
    # The filters used are written above the header.
    assert any(row[0] == "对象类型" for row in rows[:header])
    [event] = AuditEvent.objects.filter(kind=AuditEventKind.EXPORT)
    assert (event.user, event.detail["name"], event.detail["rows"], event.detail["complete"]) == (
        cast.auditor,
        "history",
        len(found),
        True,
    )


def test_a_cases_timeline_exports_everything_attached_to_it(client, cast, complaint):
    client.force_login(cast.auditor)
    response = client.get(f"/audit/complaints.complaint/{complaint.pk}/", {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    # The case's own changes and its attached records: the rating, the activity.
    assert "部分属实" in text and "不满意" in text and "查阅收费票据" in text
    # Identities are never written out.
    assert "13800" not in text
    [event] = AuditEvent.objects.filter(kind=AuditEventKind.EXPORT)
    assert event.detail["name"] == "timeline"
    assert event.detail["filters"]["对象编号"] == str(complaint.pk)


def test_an_export_over_the_limit_is_refused_on_the_page(client, cast, complaint, monkeypatch):
    monkeypatch.setitem(exports.LIMITS, exports.XLSX, 2)
    client.force_login(cast.auditor)
    response = client.get(SEARCH, {"format": "xlsx"})
    assert response.status_code == 400
    assert "导出" in response.content.decode() and 'data-testid="export-error"' in response.content.decode()
    timeline = client.get(f"/audit/complaints.complaint/{complaint.pk}/", {"format": "xlsx"})
    assert timeline.status_code == 400
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()


def test_an_unknown_format_is_refused_with_a_message(client, cast, complaint):
    client.force_login(cast.auditor)
    response = client.get(SEARCH, {"format": "pdf"})
    assert response.status_code == 400
    assert 'data-testid="export-error"' in response.content.decode()


def test_only_auditors_export_history(client, cast, complaint):
    client.force_login(cast.county_officer)
    assert client.get(SEARCH, {"format": "csv"}).status_code == 403
    assert client.get(f"/audit/complaints.complaint/{complaint.pk}/", {"format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()
