"""Importing the tree and positions from a spreadsheet: good files apply, bad files change nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from jiufeng.models import User
from responsibility.models import OrgImport, Position, PositionKind, Unit, UnitKind
from responsibility.services.imports import ImportRejected, org_import_apply, org_import_preview
from tests.factories import UserFactory, unit_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English: the Chinese catalogue is merged later."""
    with translation.override("en"):
        yield


HEADER = "单位名称,上级单位,单位类型,主要负责人,纠风专干,联系电话"
GOOD = f"""{HEADER}
县教育局教研室,县教育局,内设机构,周主任,吴专干,13912340001
县第二中学,县教育局,事业单位,郑校长,,0571-88880002
县第二中学团委,县第二中学,internal,,,
"""


def upload(text: str, *, encoding: str = "utf-8", name: str = "units.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def counts() -> tuple[int, int, int]:
    return Unit.objects.count(), Position.objects.count(), User.objects.count()


def errors_of(preview) -> dict[int, dict[str, list[str]]]:
    return {row.number: row.errors for row in preview.rows if row.errors}


def test_a_preview_lists_what_would_be_created_and_writes_nothing(cast):
    before = counts()
    preview = org_import_preview(user=cast.bureau_officer, file=upload(GOOD.replace("internal", "section")))
    assert preview.is_valid, errors_of(preview)
    assert [(r.number, r.action) for r in preview.rows] == [(2, "create"), (3, "create"), (4, "create")]
    assert counts() == before


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_good_csv_in_each_office_encoding_creates_units_people_and_posts(cast, encoding):
    before = counts()
    record = org_import_apply(
        user=cast.bureau_officer, file=upload(GOOD.replace("internal", "section"), encoding=encoding)
    )
    assert (record.units_created, record.positions_created, record.users_created) == (3, 3, 3)
    assert counts() == (before[0] + 3, before[1] + 3, before[2] + 3)
    office = Unit.objects.get(name="县教育局教研室")
    assert Unit.objects.get_parent(office) == cast.units.bureau
    assert office.kind == UnitKind.SECTION
    youth = Unit.objects.get(name="县第二中学团委")
    assert Unit.objects.get_parent(youth).name == "县第二中学"
    liaison = Position.objects.get(unit=office, kind=PositionKind.LIAISON).user
    assert (liaison.display_name, liaison.phone) == ("吴专干", "13912340001")
    assert liaison.groups.filter(name="officer").exists()
    assert not liaison.has_usable_password()
    principal = Position.objects.get(unit__name="县第二中学", kind=PositionKind.PRINCIPAL).user
    assert (principal.display_name, principal.phone) == ("郑校长", "0571-88880002")
    assert principal.groups.filter(name="leader").exists()
    assert office.history.count() == 1
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_a_good_xlsx_with_english_headers_and_a_parent_listed_later_is_imported(cast):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "parent", "kind", "principal", "liaison", "phone"])
    sheet.append(["石桥中心小学", "石桥镇中心学校", "事业单位", "钱校长", None, 13900001111])
    sheet.append(["石桥镇中心学校", "县教育局", "institution", None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("units.xlsx", buffer.getvalue())
    preview = org_import_preview(user=cast.bureau_leader, file=file)
    assert preview.is_valid, errors_of(preview)
    org_import_apply(user=cast.bureau_leader, file=file)
    school = Unit.objects.get(name="石桥中心小学")
    assert Unit.objects.get_parent(school).name == "石桥镇中心学校"
    assert Position.objects.get(unit=school).user.phone == "13900001111"


def test_existing_units_are_matched_not_duplicated_and_a_second_run_changes_nothing(cast):
    text = f"{HEADER}\n县教育局,测试县,政府部门,,,\n县第一中学,县教育局,事业单位,孙校长,,13900002222\n"
    org_import_apply(user=cast.county_officer, file=upload(text))
    after_first = counts()
    preview = org_import_preview(user=cast.county_officer, file=upload(text))
    assert [r.action for r in preview.rows] == ["unchanged", "unchanged"]
    org_import_apply(user=cast.county_officer, file=upload(text))
    assert counts() == after_first
    assert Unit.objects.filter(name="县第一中学").count() == 1


def test_a_known_phone_reuses_the_account(cast):
    person = UserFactory(display_name="孙校长", phone="13900002222")
    text = f"{HEADER}\n县第一中学,县教育局,事业单位,孙校长,,13900002222\n"
    before = counts()
    org_import_apply(user=cast.county_officer, file=upload(text))
    assert counts() == (before[0], before[1] + 1, before[2])
    assert Position.objects.get(unit=cast.units.school, kind=PositionKind.PRINCIPAL).user == person


BAD_FILES = {
    "unknown parent": (f"{HEADER}\n教研室,不存在的局,内设机构,,,\n", 2, "parent", "Unknown parent"),
    "duplicate names": (
        f"{HEADER}\n教研室,县教育局,内设机构,,,\n教研室,县教育局,内设机构,,,\n",
        3,
        "name",
        "Duplicate",
    ),
    "bad phone": (f"{HEADER}\n教研室,县教育局,内设机构,,吴专干,12345678\n", 2, "phone", "not a phone number"),
    "bad kind": (f"{HEADER}\n教研室,县教育局,学校,,,\n", 2, "kind", "Unknown kind"),
    "cycle": (f"{HEADER}\n甲科,乙科,内设机构,,,\n乙科,甲科,内设机构,,,\n", 3, "parent", "Cycle"),
    "own parent": (f"{HEADER}\n甲科,甲科,内设机构,,,\n", 2, "parent", "Cycle"),
    "parent outside scope": (f"{HEADER}\n医务科,县卫生健康局,内设机构,,,\n", 2, "parent", "outside your scope"),
    "ambiguous parent": (
        f"{HEADER}\n办公室,县教育局,内设机构,,,\n办公室,县第一中学,内设机构,,,\n文印组,办公室,内设机构,,,\n",
        4,
        "parent",
        "more than one unit",
    ),
    "empty name": (f"{HEADER}\n,县教育局,内设机构,,,\n", 2, "name", "missing"),
    "too long": (f"{HEADER}\n{'长' * 129},县教育局,内设机构,,,\n", 2, "name", "Too long"),
    "phone of another person": (f"{HEADER}\n教研室,县教育局,内设机构,,冒名者,13700000000\n", 2, "phone", "another"),
    "new top-level unit": (f"{HEADER}\n新县,,党政机关,,,\n", 2, "parent", "administrator"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_row_is_named_with_its_column_and_nothing_is_written(cast, case):
    UserFactory(display_name="真主人", phone="13700000000")
    text, row, column, message = BAD_FILES[case]
    before = counts()
    preview = org_import_preview(user=cast.bureau_officer, file=upload(text))
    assert not preview.is_valid
    assert any(message in m for m in errors_of(preview)[row][column]), errors_of(preview)
    with pytest.raises(ImportRejected) as rejected:
        org_import_apply(user=cast.bureau_officer, file=upload(text))
    assert rejected.value.preview.rows_with_errors
    assert counts() == before
    assert not OrgImport.objects.exists()


def big_csv(rows: int) -> str:
    return HEADER + "\n" + "".join(f"科室{n},县教育局,内设机构,,,\n" for n in range(rows))


BAD_WHOLE_FILES = {
    "empty": (b"", "empty"),
    "blank lines": (b"\n\n  \n", "empty"),
    "header only": (HEADER.encode(), "no units"),
    "missing header": ("教研室,县教育局,内设机构,,,\n".encode(), "first row must name the columns"),
    "not a spreadsheet": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not a spreadsheet"),
    "broken xlsx": (b"PK\x03\x04 this is not really a zip", "not a spreadsheet"),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    "too many rows": (big_csv(5001).encode(), "more than 5000 rows"),
    "oversized": (HEADER.encode() + b"\n" + b"x" * (2 * 1024 * 1024), "larger than 2 MB"),
}


def zip_bomb() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (60 * 1024 * 1024))
    return buffer.getvalue()


BAD_WHOLE_FILES["zip bomb"] = (zip_bomb(), "unpacks to more than 50 MB")


@pytest.mark.parametrize("case", BAD_WHOLE_FILES)
def test_a_file_that_cannot_be_read_is_refused_whole(cast, case):
    data, message = BAD_WHOLE_FILES[case]
    before = counts()
    preview = org_import_preview(user=cast.bureau_officer, file=SimpleUploadedFile("f.csv", data))
    assert not preview.is_valid
    assert any(message in e for e in preview.file_errors), preview.file_errors
    with pytest.raises(ImportRejected):
        org_import_apply(user=cast.bureau_officer, file=SimpleUploadedFile("f.csv", data))
    assert counts() == before


def test_five_thousand_rows_are_accepted(cast):
    preview = org_import_preview(user=cast.bureau_officer, file=upload(big_csv(5000)))
    assert preview.is_valid
    assert preview.to_create == 5000


def test_a_large_file_is_applied_as_treebeard_would_build_the_tree(cast):
    rows = [HEADER]
    for n in range(20):
        rows.append(f"科室{n},县教育局,内设机构,主任{n},专干{n},139{n:08d}")
        rows += [f"组{n}-{m},科室{n},内设机构,,," for m in range(40)]
    unit_add(parent=cast.units.bureau, name="已有科室", kind=UnitKind.SECTION)
    record = org_import_apply(user=cast.bureau_officer, file=upload("\n".join(rows)))
    assert (record.units_created, record.positions_created) == (820, 40)
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    bureau = Unit.objects.get(pk=cast.units.bureau.pk)
    assert bureau.numchild == 22
    assert Unit.objects.get(name="组19-39").depth == 4
    # treebeard keeps working on what the import built.
    assert unit_add(parent=Unit.objects.get(name="科室3"), name="新组", kind=UnitKind.SECTION).depth == 4


def test_one_bad_row_among_good_ones_writes_none_of_them(cast):
    text = GOOD.replace("internal", "section") + "坏单位,县教育局,内设机构,,,1234\n"
    before = counts()
    with pytest.raises(ImportRejected):
        org_import_apply(user=cast.bureau_officer, file=upload(text))
    assert counts() == before


def test_a_failure_while_applying_rolls_everything_back(cast, monkeypatch):
    from responsibility.services import imports

    real = imports._positions_create

    def fails_after_writing(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(imports, "_positions_create", fails_after_writing)
    before = counts()
    with pytest.raises(RuntimeError):
        org_import_apply(user=cast.bureau_officer, file=upload(GOOD.replace("internal", "section")))
    assert counts() == before


def test_people_without_a_handling_capacity_may_not_change_units(cast):
    preview = org_import_preview(user=cast.auditor, file=upload(GOOD.replace("internal", "section")))
    assert "may not add or change units" in errors_of(preview)[2]["parent"][0]


def test_an_administrator_may_add_a_top_level_unit(db):
    admin = UserFactory(is_superuser=True)
    org_import_apply(user=admin, file=upload(f"{HEADER}\n新县,,党政机关,,,\n新县教育局,新县,政府部门,,,\n"))
    assert Unit.objects.get_root_nodes().filter(name="新县").exists()
    assert Unit.objects.get(name="新县教育局").depth == 2
