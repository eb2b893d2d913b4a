"""台帐 of the responsibility system: rectification items and the year's pledge items as files."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audit.models import AuditEvent, AuditEventKind

from .pledge_helpers import YEAR, signed
from .visit_fixtures import item_for, made_visit, make_overdue

pytestmark = pytest.mark.django_db

ITEMS = "/org/rectification-items/"
PLEDGES = "/org/pledges/"


def rows_of(response) -> list[tuple]:
    assert response.streaming
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def data_after(rows: list[tuple], *first: str) -> tuple[tuple, list[tuple]]:
    """The header row (the one starting with ``first``) and the rows after it."""
    index = next(i for i, row in enumerate(rows) if row and row[: len(first)] == first)
    return rows[index], rows[index + 1 :]


@pytest.fixture
def items(cast):
    visit = made_visit(cast.county_leader, [cast.units.bureau, cast.units.sibling])
    late = make_overdue(item_for(visit, cast.units.bureau, description="公示收费标准"))
    on_time = item_for(visit, cast.units.sibling, description="窗口午间值守")
    return late, on_time


def test_the_items_ledger_holds_the_listed_items_with_chinese_headers(client, cast, items):
    client.force_login(cast.county_officer)
    header, data = data_after(rows_of(client.get(ITEMS, {"format": "xlsx"})), "责任单位")
    assert header == ("责任单位", "整改事项", "来源", "整改期限", "状态", "已超期", "提交时间", "确认时间")
    assert sorted(row[1] for row in data) == ["公示收费标准", "窗口午间值守"]
    assert AuditEvent.objects.get(kind=AuditEventKind.EXPORT).detail["name"] == "rectification_items"


def test_the_overdue_filter_selects_the_rows_and_is_written_on_top(client, cast, items):
    client.force_login(cast.county_officer)
    rows = rows_of(client.get(ITEMS, {"overdue": "1", "format": "xlsx"}))
    header, data = data_after(rows, "责任单位")
    assert [row[1] for row in data] == ["公示收费标准"]
    assert ("仅看超期", "是") in [row[:2] for row in rows[: rows.index(header)]]


def test_a_unit_exports_only_the_items_in_its_scope(client, cast, items):
    client.force_login(cast.bureau_officer)
    _header, data = data_after(rows_of(client.get(ITEMS, {"format": "xlsx"})), "责任单位")
    assert [row[1] for row in data] == ["公示收费标准"]


def test_the_pledge_ledger_has_a_row_per_item_of_the_years_pledges(client, cast):
    signed(cast)
    client.force_login(cast.county_officer)
    rows = rows_of(client.get(PLEDGES, {"year": YEAR, "format": "xlsx"}))
    header, data = data_after(rows, "年度", "下达单位")
    assert header[:6] == ("年度", "下达单位", "责任单位", "责任书状态", "签订时间", "目标任务")
    assert [(row[2], row[5]) for row in data] == [("县教育局", "落实“一岗双责”"), ("县教育局", "教育乱收费专项治理")]


def test_the_ledgers_read_in_chunks_whatever_their_size(client, cast, items):
    client.force_login(cast.county_officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(ITEMS, {"format": "csv"}).streaming_content)
        return len(captured)

    before = queries()
    visit = made_visit(cast.county_leader, [cast.units.school])
    for number in range(4):
        item_for(visit, cast.units.school, description=f"整改{number}")
    assert queries() == before


@pytest.mark.parametrize(("path", "status"), [(ITEMS, 400), (PLEDGES, 200)])
def test_an_unknown_format_says_so_and_exports_nothing(client, cast, items, path, status):
    client.force_login(cast.county_officer)
    response = client.get(path, {"format": "doc<script>"})
    assert response.status_code == status
    page = response.content.decode()
    assert "Excel (xlsx)" in page or "Excel（xlsx）" in page or "xlsx" in page.split("alert")[1]
    assert "doc<script>" not in page
    assert not AuditEvent.objects.filter(kind=AuditEventKind.EXPORT).exists()


def test_the_visits_ledger_names_the_units_visited_and_what_was_found(client, cast, items):
    client.force_login(cast.county_officer)
    rows = rows_of(client.get("/org/visits/", {"format": "xlsx"}))
    header, data = data_after(rows, "类型")
    assert header == (
        "类型", "主题", "走访领导/督查人", "组织单位", "被走访单位",
        "计划日期", "走访日期", "方式", "座谈对象", "发现的问题",
    )  # fmt: skip
    assert len(data) == 1
    assert "县教育局" in data[0][4] and "县卫生健康局" in data[0][4]
    assert data[0][-1] == "午休时段窗口无人值守。"


def test_the_accountability_ledger_holds_the_records_in_scope_with_the_filter_on_top(client, cast):
    from responsibility.services.accountability import accountability_propose

    accountability_propose(
        actor=cast.county_officer, position=cast.bureau_leader.positions.get(), reason="督办后仍逾期未整改"
    )
    client.force_login(cast.county_officer)
    rows = rows_of(client.get("/org/accountability/", {"state": "proposed", "format": "xlsx"}))
    header, data = data_after(rows, "被问责人")
    assert header[3:6] == ("事由", "问责方式", "状态")
    assert [(row[3], row[5]) for row in data] == [("督办后仍逾期未整改", "已提出")]
    # The state filter, in words, above the header.
    assert any("已提出" in str(cell) for row in rows[: rows.index(header)] for cell in row)
