"""Exports: files Excel opens as they should, streamed in chunks, bounded, and each one logged."""

import csv
import datetime
import io
import tracemalloc

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit import exports
from audit.models import AuditEvent, AuditEventKind
from complaints import transitions
from complaints.models import Category
from tests.factories import complaint_filed

pytestmark = pytest.mark.django_db

LOGINS = reverse("audit:log-logins")
TRANSITIONS = reverse("audit:log-transitions")


def login(username: str, *, at=None, user=None) -> AuditEvent:
    return AuditEvent.objects.create(
        kind=AuditEventKind.LOGIN_FAILED if user is None else AuditEventKind.LOGIN,
        user=user,
        username=username,
        address="192.0.2.1",
        at=at or timezone.now(),
    )


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def exports_logged():
    return list(AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).order_by("pk"))


@pytest.fixture
def auditor_client(client, cast):
    client.force_login(cast.auditor)
    return client


@pytest.fixture
def accepted(cast):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    complaint, _code = complaint_filed(category=category, subject_unit=cast.units.school)
    return transitions.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)


def test_an_excel_file_has_the_filters_on_top_a_frozen_chinese_header_and_real_dates(auditor_client, cast, accepted):
    response = auditor_client.get(TRANSITIONS, {"user": "county-officer", "transition": "accept", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    today = timezone.localdate()
    assert f"{today:%Y%m%d}.xlsx" in response["Content-Disposition"]
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "流转记录"
    assert rows[1][0] == "导出时间" and isinstance(rows[1][1], datetime.datetime)
    assert rows[2][:2] == ("用户", "county-officer")
    assert rows[3][:2] == ("流转", "已受理")
    header_at = rows.index(next(row for row in rows if row[0] == "时间"))
    assert rows[header_at][:4] == ("时间", "案件", "流转", "原状态")
    assert sheet.freeze_panes == f"A{header_at + 2}"
    data = rows[header_at + 1 :]
    assert len(data) == 1
    at, case_number, transition, from_status, to_status, by = data[0][:6]
    # A real date, in Beijing time, that Excel can sort and compute with.
    log = accepted.transition_logs.get(name="accept")
    assert abs(at - timezone.localtime(log.at).replace(tzinfo=None)) < datetime.timedelta(seconds=1)
    assert sheet.cell(row=header_at + 2, column=1).is_date
    assert (case_number, transition, from_status, to_status) == (accepted.case_number, "已受理", "已提交", "已受理")
    assert by.startswith(cast.county_officer.display_name)


def test_a_csv_file_starts_with_a_bom_and_holds_the_header_and_the_rows(auditor_client, cast, accepted):
    response = auditor_client.get(TRANSITIONS, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "案件", "流转"]
    assert len(rows) == 3
    # Newest first, local time, to the second.
    assert rows[1][2] == "已受理" and rows[2][2] == "投诉已登记"
    datetime.datetime.strptime(rows[1][0], "%Y-%m-%d %H:%M:%S")


def test_every_export_is_logged_with_its_rows_format_and_filters(auditor_client, cast, accepted):
    for n in range(3):
        login(f"guess-{n}")
    login("county-leader", user=cast.county_leader)
    response = auditor_client.get(LOGINS, {"kind": AuditEventKind.LOGIN_FAILED, "format": "csv"})
    # Written when the stream ends, not before.
    assert exports_logged() == []
    body(response)
    [event] = exports_logged()
    assert event.user == cast.auditor and event.username == "auditor"
    assert event.address == "127.0.0.1"
    assert event.path == f"{LOGINS}?kind=login_failed&format=csv"
    assert event.detail == {
        "name": "logins",
        "title": "登录日志",
        "format": "csv",
        "filters": {"事件": "登录失败"},
        "rows": 3,
        "complete": True,
    }
    # And the export log shows it.
    page = auditor_client.get(reverse("audit:log-exports")).content.decode()
    assert "登录日志" in page and "事件: 登录失败" in page


def test_an_export_cut_short_is_logged_as_incomplete_with_the_rows_sent(rf, cast, monkeypatch):
    monkeypatch.setattr(exports, "_CSV_LINES", 10)
    AuditEvent.objects.bulk_create(AuditEvent(kind=AuditEventKind.LOGIN_FAILED, username=f"u{n}") for n in range(50))
    # Served as a WSGI server serves it (the test client closes the stream itself, and the
    # test's database connection with it).
    request = rf.get(LOGINS, {"format": "csv"})
    request.user = cast.auditor
    match = resolve(LOGINS)
    response = match.func(request, *match.args, **match.kwargs)
    assert next(iter(response.streaming_content)).count(b"\n") == 10
    # The client goes away: the server stops reading and closes the response.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    [event] = exports_logged()
    assert event.detail["complete"] is False
    # The header and nine rows went out.
    assert event.detail["rows"] == 9


def test_text_that_excel_would_run_stays_text(auditor_client, cast):
    login('=HYPERLINK("http://evil.example","x")')
    login("+1-2")
    login("bell\x07in\x1bname")
    sheet = load_workbook(io.BytesIO(body(auditor_client.get(LOGINS, {"format": "xlsx"})))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.column == 3 and cell.value]
    typed = {cell.value: cell.data_type for cell in cells}
    assert typed['=HYPERLINK("http://evil.example","x")'] == "s"
    assert "bell\ufffdin\ufffdname" in typed
    content = body(auditor_client.get(LOGINS, {"format": "csv"})).decode("utf-8-sig")
    names = [row[2] for row in csv.reader(io.StringIO(content))]
    assert '\'=HYPERLINK("http://evil.example","x")' in names and "'+1-2" in names


def test_an_export_over_the_limit_is_refused_with_a_message_and_not_logged(auditor_client, monkeypatch):
    monkeypatch.setattr(exports, "LIMITS", {exports.XLSX: 5, exports.CSV: 6})
    for n in range(7):
        login(f"guess-{n}")
    response = auditor_client.get(LOGINS, {"format": "xlsx"})
    assert response.status_code == 400 and not response.streaming
    # Which limit, and what to do instead; the page is still there.
    assert "超过 5 条" in response.content.decode() and "CSV（最多 6 条）" in response.content.decode()
    # Seven sign-ins and the auditor's own.
    assert response.content.decode().count('data-testid="log-row"') == 7 + 1
    response = auditor_client.get(LOGINS, {"format": "csv"})
    assert response.status_code == 400 and "超过 6 条" in response.content.decode()
    # Narrowed, it goes.
    assert auditor_client.get(LOGINS, {"username": "guess-1", "format": "xlsx"}).status_code == 200
    assert exports_logged() == []


@pytest.mark.parametrize("file_format", ["pdf", "", "XLSX", "x" * 500])
def test_an_unknown_format_is_refused_with_a_message(auditor_client, file_format):
    response = auditor_client.get(LOGINS, {"format": file_format})
    assert response.status_code == 400 and not response.streaming
    assert "xlsx" in response.content.decode()
    assert exports_logged() == []


def test_a_large_export_streams_in_chunks_with_bounded_memory(auditor_client, cast):
    rows = 20_000
    AuditEvent.objects.bulk_create(
        AuditEvent(kind=AuditEventKind.LOGIN, user=cast.county_officer, username=f"user-{n}") for n in range(rows)
    )
    response = auditor_client.get(LOGINS, {"format": "csv"})
    assert response.streaming
    lines = pieces = 0
    tracemalloc.start()
    with CaptureQueriesContext(connection) as captured:
        for piece in response.streaming_content:
            pieces += 1
            lines += piece.count(b"\n")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The header, the rows and the auditor's own sign-in.
    assert lines == rows + 2
    assert pieces > rows // exports._CSV_LINES
    # The rows were read a chunk at a time: one query per chunk (and the event's insert).
    chunk_queries = [q for q in captured.captured_queries if "IN (" in q["sql"]]
    assert len(chunk_queries) == -(-(rows + 1) // exports.CHUNK_SIZE)
    assert rows <= exports.LIMITS[exports.CSV]
    # All 20,000 rows at once hold well over 20 MB as model objects; a chunk of them, a few.
    assert peak < 10 * 1024 * 1024, peak
    [event] = exports_logged()
    assert event.detail["rows"] == rows + 1 and event.detail["complete"] is True
