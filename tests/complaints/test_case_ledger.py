"""台帐: the case list as an Excel or CSV file, holding what the filters select and no identity."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audit.models import AuditEvent, AuditEventKind
from complaints import transitions as t
from complaints.services import rating_add

pytestmark = pytest.mark.django_db

CASES = "/cases/"


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def sheet_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def cases(cast, file_complaint):
    """Two cases about the school (one named, one anonymous) and one about the sibling bureau."""
    named, _ = file_complaint(subject_unit=cast.units.school, anonymous=False, name="王秘密", phone="13800000001")
    anonymous, _ = file_complaint(subject_unit=cast.units.school, title="食堂收费")
    other, _ = file_complaint(subject_unit=cast.units.sibling, title="医院收费")
    t.complaint_accept(complaint_id=named.pk, actor=cast.county_officer)
    return named, anonymous, other


def test_the_excel_ledger_holds_the_cases_in_scope_with_chinese_headers_and_no_identity(client, cast, cases):
    client.cookies["django_language"] = "zh-hans"
    client.force_login(cast.county_officer)
    rows = sheet_rows(client.get(CASES, {"tab": "all", "format": "xlsx"}))
    header = next(row for row in rows if row and row[0] == "案件编号")
    assert header == (
        "案件编号", "标题", "问题类别", "被投诉单位", "承办单位", "来源渠道", "状态",
        "收到时间", "到期", "已超期", "调查结论", "答复时间", "评价", "匿名",
    )  # fmt: skip
    data = rows[rows.index(header) + 1 :]
    assert sorted(row[1] for row in data) == sorted(case.title for case in cases)
    assert all("王秘密" not in str(cell) and "13800000001" not in str(cell) for row in rows for cell in row)
    event = AuditEvent.objects.get(kind=AuditEventKind.EXPORT)
    assert event.user == cast.county_officer and event.detail["name"] == "cases"
    # Only the filters applied are written on top: an unticked box is none.
    assert "仅看超期" not in " ".join(str(cell) for row in rows[: rows.index(header)] for cell in row)


def test_the_filters_select_the_rows_and_are_written_on_top(client, cast, cases):
    client.force_login(cast.county_officer)
    lines = list(
        csv.reader(
            io.StringIO(body(client.get(CASES, {"tab": "all", "q": "食堂", "format": "csv"})).decode("utf-8-sig"))
        )
    )
    # A CSV is the header and the rows (programs read it too); the filters are in the export log.
    assert lines[0][0] == "案件编号"
    assert [line[1] for line in lines[1:] if line] == ["食堂收费"]
    rows = sheet_rows(client.get(CASES, {"tab": "all", "q": "食堂", "format": "xlsx"}))
    header = next(index for index, row in enumerate(rows) if row and row[0] == "案件编号")
    assert ("搜索", "食堂") in [row[:2] for row in rows[:header]] or any(
        "食堂" in str(c) for r in rows[:header] for c in r
    )
    assert [row[1] for row in rows[header + 1 :]] == ["食堂收费"]
    assert AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).last().detail["filters"]


def test_a_unit_officer_exports_only_their_scope(client, cast, cases):
    client.force_login(cast.bureau_officer)
    rows = sheet_rows(client.get(CASES, {"tab": "all", "format": "xlsx"}))
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert "医院收费" not in flat


def test_a_rating_and_a_decision_are_in_their_columns(client, cast, cases):
    named, _anonymous, _other = cases
    t.complaint_start_investigation(complaint_id=named.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(
        complaint_id=named.pk, actor=cast.bureau_officer, finding="substantiated", disposition="退费", reply="属实"
    )
    t.complaint_approve(complaint_id=named.pk, actor=cast.bureau_leader, note="同意")
    rating_add(complaint_id=named.pk, rating="basically_satisfied", comment="")
    client.force_login(cast.county_officer)
    flat = " ".join(str(c) for row in sheet_rows(client.get(CASES, {"tab": "all", "format": "xlsx"})) for c in row)
    # Pages and files are in Chinese unless the reader chose English.
    assert "属实" in flat and "基本满意" in flat


@pytest.mark.parametrize("params", [{"format": "pdf"}, {"format": "<script>"}, {"format": "xlsx", "status": "nope"}])
def test_a_wrong_format_or_filter_is_refused_on_the_page(client, cast, cases, params):
    client.force_login(cast.county_officer)
    response = client.get(CASES, {"tab": "all", **params})
    assert response.status_code == 400
    assert 'data-testid="export-error"' in response.content.decode()
    assert "<script>" not in response.content.decode().split('data-testid="export-error"')[1][:300]
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()


def test_the_export_reads_in_chunks_whatever_the_number_of_cases(client, cast, file_complaint):
    client.force_login(cast.county_officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            body(client.get(CASES, {"tab": "all", "format": "csv"}))
        return len(captured)

    file_complaint(subject_unit=cast.units.school)
    first = queries()
    for _ in range(5):
        file_complaint(subject_unit=cast.units.school)
    assert queries() == first


def test_the_page_offers_the_files_with_its_filters(client, cast, cases):
    client.force_login(cast.county_officer)
    page = client.get(CASES, {"tab": "all", "q": "食堂", "page": "1"}).content.decode()
    assert "format=xlsx" in page and "q=%E9%A3%9F%E5%A0%82" in page and "page=1&amp;format" not in page
