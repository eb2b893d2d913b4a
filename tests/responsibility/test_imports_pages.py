"""The import pages and the unit page's management forms, as officers use them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jiufeng.models import User
from responsibility.models import OrgImport, Position, PositionKind, Unit, UnitKind
from responsibility.services.units import position_assign, unit_rename
from tests.factories import UserFactory, unit_add

pytestmark = pytest.mark.django_db

HEADER = "单位名称,上级单位,单位类型,主要负责人,纠风专干,联系电话"
GOOD = f"{HEADER}\n教研室,县教育局,内设机构,周主任,吴专干,13912340001\n"
BAD = f"{HEADER}\n教研室,县教育局,内设机构,,吴专干,1234\n教研组,不存在的局,内设机构,,,\n"


@pytest.fixture
def as_user(client):
    client.cookies["django_language"] = "en"

    def login(user):
        client.force_login(user)
        return client

    return login


def counts() -> tuple[int, int, int]:
    return Unit.objects.count(), Position.objects.count(), User.objects.count()


def upload(client, text: str):
    return client.post(reverse("responsibility:org-import"), {"file": SimpleUploadedFile("units.csv", text.encode())})


def test_the_import_page_is_for_people_who_handle_units(cast, as_user, client):
    url = reverse("responsibility:org-import")
    assert client.get(url).status_code == 302  # login first
    assert as_user(cast.auditor).get(url).status_code == 403
    assert as_user(cast.bureau_officer).get(url).status_code == 200


def test_preview_then_confirm_imports_the_file(cast, as_user):
    client = as_user(cast.bureau_officer)
    before = counts()
    response = upload(client, GOOD)
    body = response.content.decode()
    assert response.status_code == 200
    assert "No errors: 1 to create" in body
    assert counts() == before
    token = response.context["token"]
    response = client.post(reverse("responsibility:org-import-confirm"), {"token": token})
    record = OrgImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("responsibility:org-import-result", args=[record.pk])
    assert counts() == (before[0] + 1, before[1] + 2, before[2] + 2)
    assert "Units created" in client.get(response["Location"]).content.decode()
    # The pending file is gone: confirming again imports nothing more.
    client.post(reverse("responsibility:org-import-confirm"), {"token": token})
    assert OrgImport.objects.count() == 1


def test_a_bad_file_shows_each_error_in_its_row_and_column_and_offers_no_confirm(cast, as_user):
    client = as_user(cast.bureau_officer)
    before = counts()
    response = upload(client, BAD)
    body = response.content.decode()
    assert 'data-row="2"' in body and 'data-error-column="phone"' in body
    assert 'data-error-column="parent"' in body and "Unknown parent" in body
    assert reverse("responsibility:org-import-confirm") not in body
    assert "2 rows have errors" in body
    assert counts() == before


def test_a_stale_or_forged_token_imports_nothing(cast, as_user):
    client = as_user(cast.bureau_officer)
    upload(client, GOOD)
    before = counts()
    response = client.post(reverse("responsibility:org-import-confirm"), {"token": "forged"})
    assert response.status_code == 302
    assert counts() == before


def test_confirm_checks_again_and_refuses_if_the_tree_changed_meanwhile(cast, as_user):
    client = as_user(cast.bureau_officer)
    token = upload(client, GOOD).context["token"]
    unit_rename(actor=cast.county_officer, unit_id=cast.units.bureau.pk, name="县教育和体育局")
    before = counts()
    response = client.post(reverse("responsibility:org-import-confirm"), {"token": token})
    assert response.status_code == 409
    assert "Unknown parent" in response.content.decode()
    assert counts() == before


def test_an_oversized_upload_is_refused_by_the_form(cast, as_user):
    client = as_user(cast.bureau_officer)
    response = upload(client, GOOD + "x" * (2 * 1024 * 1024))
    assert "larger than 2 MB" in response.content.decode()
    assert "preview" not in response.context


def test_someone_else_cannot_open_my_import_result(cast, as_user):
    from responsibility.services.imports import org_import_apply

    record = org_import_apply(user=cast.bureau_officer, file=SimpleUploadedFile("u.csv", GOOD.encode()))
    url = reverse("responsibility:org-import-result", args=[record.pk])
    assert as_user(cast.county_officer).get(url).status_code == 404
    assert as_user(cast.bureau_officer).get(url).status_code == 200


def test_the_templates_download_with_the_chinese_headers(cast, as_user):
    client = as_user(cast.bureau_officer)
    csv_body = client.get(reverse("responsibility:org-import-template", args=["csv"])).content.decode("utf-8")
    assert csv_body.startswith("\ufeff" + HEADER)
    assert len(csv_body.strip().splitlines()) == 3
    xlsx = client.get(reverse("responsibility:org-import-template", args=["xlsx"])).content
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert ",".join(rows[0]) == HEADER
    assert len(rows) == 3


def test_management_pages_answer_404_out_of_scope_and_403_without_a_capacity(cast, as_user):
    sibling, school = cast.units.sibling, cast.units.school
    officer = as_user(cast.bureau_officer)
    for name in ["unit-rename", "unit-move", "unit-create", "position-assign", "unit-supervise"]:
        assert officer.get(reverse(f"responsibility:{name}", args=[sibling.pk])).status_code == 404, name
    assert officer.post(reverse("responsibility:unit-deactivate", args=[sibling.pk])).status_code == 404
    auditor = as_user(cast.auditor)
    for name in ["unit-rename", "unit-move", "unit-create", "position-assign"]:
        assert auditor.get(reverse(f"responsibility:{name}", args=[school.pk])).status_code == 403, name
    # The bureau's own liaison manages the school but not the bureau itself (一级抓一级).
    officer = as_user(cast.bureau_officer)
    assert officer.get(reverse("responsibility:unit-rename", args=[school.pk])).status_code == 200
    assert officer.get(reverse("responsibility:unit-rename", args=[cast.units.bureau.pk])).status_code == 403


def test_moving_under_a_descendant_from_the_page_says_why_and_changes_nothing(cast, as_user):
    client = as_user(cast.county_officer)
    bureau, school = cast.units.bureau, cast.units.school
    url = reverse("responsibility:unit-move", args=[bureau.pk])
    # The page never offers the unit's own subtree ...
    assert f'value="{school.pk}"' not in client.get(url).content.decode()
    # ... and a forged choice is refused.
    response = client.post(url, {"parent": school.pk})
    assert response.status_code == 400
    assert Unit.objects.get_parent(Unit.objects.get(pk=bureau.pk)) == cast.units.county
    response = client.post(
        reverse("responsibility:unit-move", args=[school.pk]), {"parent": cast.units.sibling.pk, "confirm": "yes"}
    )
    assert response.status_code == 302
    assert Unit.objects.get_parent(Unit.objects.get(pk=school.pk)) == cast.units.sibling


def test_adding_and_ending_a_position_from_the_unit_page(cast, as_user):
    client = as_user(cast.bureau_officer)
    school = cast.units.school
    response = client.post(
        reverse("responsibility:position-assign", args=[school.pk]),
        {"name": "钱校长", "phone": "13900005555", "kind": PositionKind.PRINCIPAL, "starts_on": "2026-01-01"},
    )
    assert response.status_code == 302
    position = Position.objects.get(unit=school)
    assert position.user.display_name == "钱校长"
    page = client.get(reverse("responsibility:unit-detail", args=[school.pk])).content.decode()
    assert reverse("responsibility:position-end", args=[position.pk]) in page
    client.post(reverse("responsibility:position-end", args=[position.pk]), {"ends_on": "2026-06-30", "confirm": "yes"})
    position.refresh_from_db()
    assert position.ends_on.isoformat() == "2026-06-30"
    bad = client.post(
        reverse("responsibility:position-assign", args=[school.pk]),
        {"name": "某人", "phone": "555", "kind": PositionKind.PRINCIPAL, "starts_on": "2026-01-01"},
    )
    assert bad.status_code == 400
    assert "not a phone number" in bad.content.decode()


def test_the_unit_page_offers_changes_only_to_those_who_may(cast, as_user):
    school_url = reverse("responsibility:unit-detail", args=[cast.units.school.pk])
    page = as_user(cast.bureau_officer).get(school_url).content.decode()
    assert reverse("responsibility:unit-move", args=[cast.units.school.pk]) in page
    page = as_user(cast.auditor).get(school_url).content.decode()
    assert reverse("responsibility:unit-move", args=[cast.units.school.pk]) not in page


def unit_page_queries(client, unit) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("responsibility:unit-detail", args=[unit.pk])).status_code == 200
    return len(queries)


def test_the_unit_page_takes_the_same_number_of_queries_however_many_positions_and_children(cast, as_user):
    client = as_user(cast.bureau_officer)
    school = cast.units.school
    position_assign(
        actor=None, unit_id=school.pk, user=UserFactory(), kind=PositionKind.PRINCIPAL, starts_on=cast_start()
    )
    unit_add(parent=school, name="班级1", kind=UnitKind.SECTION)
    few = unit_page_queries(client, school)
    for n in range(2, 8):
        unit_add(parent=school, name=f"班级{n}", kind=UnitKind.SECTION)
        position_assign(
            actor=None, unit_id=school.pk, user=UserFactory(), kind=PositionKind.OFFICER, starts_on=cast_start()
        )
    assert unit_page_queries(client, school) == few


def cast_start():
    import datetime

    return datetime.date(2026, 1, 1)
