"""Pledge pages and API: scope, forms, refusals, and query counts that do not grow with the tree."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiufeng.roles import Role
from responsibility.models import Pledge, PledgeItem, PledgeSignature, PledgeState, PositionKind, UnitKind
from responsibility.services.pledges import pledge_issue, pledge_sign, pledge_template_create
from tests.factories import PositionFactory, UserFactory, unit_add

from .pledge_helpers import YEAR, draft, issued, item, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def detail_url(pledge) -> str:
    return reverse("responsibility:pledge-detail", args=[pledge.pk])


def api(path: str) -> str:
    return f"/api/v1/{path}"


# --- pages ---------------------------------------------------------------------------


def test_the_list_shows_pledges_whose_issuer_or_unit_is_in_scope(english, cast):
    to_bureau = issued(cast)
    to_school = draft(cast, issuer=cast.units.bureau, unit=cast.units.school)
    to_sibling = draft(cast, unit=cast.units.sibling)
    english.force_login(cast.bureau_officer)
    page = english.get(reverse("responsibility:pledge-list"), {"year": YEAR})
    assert page.status_code == 200
    shown = {p.pk for p in page.context["page"].object_list}
    assert shown == {to_bureau.pk, to_school.pk}
    assert to_sibling.pk not in shown
    assert english.get(detail_url(to_sibling)).status_code == 404


def test_a_nonsense_year_falls_back_to_this_year(english, cast):
    english.force_login(cast.county_officer)
    page = english.get(reverse("responsibility:pledge-list"), {"year": "'; drop table--"})
    assert page.status_code == 200 and page.context["year"] == YEAR


def test_the_principal_signs_on_the_page_after_confirming(english, cast):
    pledge = issued(cast)
    english.force_login(cast.bureau_leader)
    page = english.get(detail_url(pledge))
    assert b"Sign the pledge" in page.content
    unconfirmed = english.post(reverse("responsibility:pledge-sign", args=[pledge.pk]), follow=True)
    assert b"Tick the box" in unconfirmed.content
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.ISSUED
    done = english.post(reverse("responsibility:pledge-sign", args=[pledge.pk]), {"confirm": "on"}, follow=True)
    assert b"You signed the pledge." in done.content
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.SIGNED


def test_a_liaison_sees_no_sign_button_and_is_refused_with_403(english, cast):
    pledge = issued(cast)
    english.force_login(cast.bureau_officer)
    assert b"Sign the pledge" not in english.get(detail_url(pledge)).content
    answer = english.post(reverse("responsibility:pledge-sign", args=[pledge.pk]), {"confirm": "on"})
    assert answer.status_code == 403
    assert not PledgeSignature.objects.exists()


def test_signing_twice_on_the_page_says_why_and_changes_nothing(english, cast):
    pledge = signed(cast)
    english.force_login(cast.bureau_leader)
    page = english.post(reverse("responsibility:pledge-sign", args=[pledge.pk]), {"confirm": "on"}, follow=True)
    assert b"cannot be done now" in page.content
    assert PledgeSignature.objects.count() == 1


def test_drafting_adds_and_edits_items_and_refuses_bad_ones(english, cast):
    pledge = draft(cast, items=0)
    english.force_login(cast.county_officer)
    add = reverse("responsibility:pledge-item-add", args=[pledge.pk])
    good = {"title": "群众满意度不低于90%", "weight": "25", "due_on": f"{YEAR}-12-20", "responsible_person": "张三"}
    assert english.post(add, good).status_code == 302
    for bad in [{**good, "title": "x" * 201}, {**good, "weight": "-1"}, {**good, "due_on": "not a date"}, {}]:
        assert english.post(add, bad).status_code == 400
    wrong_year = english.post(add, {**good, "due_on": f"{YEAR + 1}-01-10"})
    assert wrong_year.status_code == 400 and b"must fall in" in wrong_year.content
    created = PledgeItem.objects.get()
    edit = reverse("responsibility:pledge-item-edit", args=[pledge.pk, created.pk])
    assert "群众满意度不低于90%" in english.get(edit).content.decode()
    assert english.post(edit, {**good, "title": "改过"}).status_code == 302
    created.refresh_from_db()
    assert created.title == "改过" and PledgeItem.objects.count() == 1


def test_an_item_of_another_pledge_is_not_found(english, cast):
    first = draft(cast)
    other = draft(cast, unit=cast.units.sibling)
    english.force_login(cast.county_officer)
    url = reverse("responsibility:pledge-item-edit", args=[first.pk, other.items.first().pk])
    assert english.get(url).status_code == 404


def test_editing_a_signed_pledges_item_on_the_page_is_refused(english, cast):
    pledge = signed(cast)
    first = pledge.items.first()
    english.force_login(cast.county_leader)
    url = reverse("responsibility:pledge-item-edit", args=[pledge.pk, first.pk])
    page = english.post(url, {"title": "偷偷改", "weight": "40", "due_on": f"{YEAR}-06-30"})
    assert page.status_code == 400 and b"amendment" in page.content
    first.refresh_from_db()
    assert first.title != "偷偷改"


def test_the_amend_page_makes_a_new_version(english, cast):
    pledge = signed(cast)
    first, second = pledge.items.all()
    english.force_login(cast.county_leader)
    url = reverse("responsibility:pledge-amend", args=[pledge.pk])
    assert english.get(url).status_code == 200
    form = {
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "2",
        "items-0-id": first.pk,
        "items-0-title": first.title,
        "items-0-weight": "40",
        "items-0-due_on": first.due_on.isoformat(),
        "items-1-id": second.pk,
        "items-1-title": second.title,
        "items-1-weight": "40",
        "items-1-due_on": second.due_on.isoformat(),
        "items-1-DELETE": "on",
        "items-2-title": "信访件按期办结率100%",
        "items-2-weight": "20",
        "items-2-due_on": f"{YEAR}-11-30",
        "reason": "调整目标",
    }
    assert english.post(url, form).status_code == 302
    pledge.refresh_from_db()
    assert (pledge.state, pledge.version) == (PledgeState.ISSUED, 2)
    assert sorted(pledge.items.values_list("title", flat=True)) == sorted([first.title, "信访件按期办结率100%"])


def test_the_assess_page_refuses_a_score_above_the_weight(english, cast):
    pledge = signed(cast)
    first, second = pledge.items.all()
    english.force_login(cast.county_leader)
    url = reverse("responsibility:pledge-assess", args=[pledge.pk])
    assert english.get(url).status_code == 200
    bad = english.post(url, {f"score_{first.pk}": "41", f"score_{second.pk}": "10"})
    assert bad.status_code == 400
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.SIGNED
    assert english.post(url, {f"score_{first.pk}": "40", f"score_{second.pk}": "30.5"}).status_code == 302
    pledge.refresh_from_db()
    assert (pledge.state, pledge.total_score) == (PledgeState.ASSESSED, Decimal("70.50"))


def test_a_bureau_principal_cannot_assess_the_pledge_it_signed(english, cast):
    pledge = signed(cast)
    english.force_login(cast.bureau_leader)
    first, second = pledge.items.all()
    url = reverse("responsibility:pledge-assess", args=[pledge.pk])
    assert english.post(url, {f"score_{first.pk}": "40", f"score_{second.pk}": "40"}).status_code == 403


def test_the_unit_page_shows_this_years_pledges(english, cast):
    pledge = signed(cast)
    english.force_login(cast.bureau_officer)
    page = english.get(reverse("responsibility:unit-detail", args=[cast.units.bureau.pk]))
    assert [p.pk for p in page.context["unit"].year_pledges] == [pledge.pk]
    assert b"This year&#x27;s pledges" in page.content or b"This year's pledges" in page.content


def test_coverage_counts_each_level_and_lists_who_has_not_signed(english, cast):
    signed(cast)
    draft(cast, issuer=cast.units.bureau, unit=cast.units.school)
    english.force_login(cast.county_officer)
    page = english.get(reverse("responsibility:pledge-coverage"), {"year": YEAR})
    levels = page.context["levels"]
    assert [(lv.level, lv.expected, lv.signed) for lv in levels] == [(1, 2, 1), (2, 1, 0)]
    assert [u.name for u in levels[0].unsigned] == ["县卫生健康局"]
    assert levels[1].unsigned[0].pledge_state == PledgeState.DRAFT
    assert page.context["root"] == cast.units.county


def test_coverage_of_a_unit_out_of_scope_is_not_found(english, cast):
    english.force_login(cast.bureau_officer)
    url = reverse("responsibility:pledge-coverage")
    assert english.get(url, {"unit": cast.units.sibling.pk}).status_code == 404
    assert english.get(url).context["root"] == cast.units.bureau


def grow(cast, n: int) -> None:
    """Add ``n`` townships under the county, each with a village, and sign their pledges."""
    for number in range(n):
        township = unit_add(parent=cast.units.county, name=f"镇{number}", kind=UnitKind.TOWNSHIP)
        village = unit_add(parent=township, name=f"村{number}", kind=UnitKind.VILLAGE)
        principal = UserFactory(roles=[Role.LEADER])
        PositionFactory(user=principal, unit=township, kind=PositionKind.PRINCIPAL)
        pledge = draft(cast, unit=township)
        pledge_issue(pledge_id=pledge.pk, actor=cast.county_leader)
        pledge_sign(pledge_id=pledge.pk, actor=principal)
        draft(cast, issuer=township, unit=village)


def queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", ["responsibility:pledge-list", "responsibility:pledge-coverage", "api:pledge-list"], ids=str
)
def test_list_and_coverage_take_the_same_number_of_queries_as_the_tree_grows(client, cast, url):
    client.force_login(cast.county_officer)
    grow(cast, 1)
    path = reverse(url)
    small = queries(client, path, {"year": YEAR})
    grow(cast, 6)
    assert queries(client, path, {"year": YEAR}) == small


# --- API -----------------------------------------------------------------------------


def test_the_api_lists_pledges_in_scope_with_items_and_signing_state(client, cast):
    pledge = signed(cast)
    draft(cast, unit=cast.units.sibling)
    client.force_login(cast.bureau_officer)
    body = client.get(api("pledges/"), {"year": YEAR}).json()
    assert body["count"] == 1
    [got] = body["results"]
    assert got["id"] == pledge.pk and got["year"] == YEAR
    assert got["issuer"] == {"id": cast.units.county.pk, "name": "测试县"}
    assert got["unit"] == {"id": cast.units.bureau.pk, "name": "县教育局"}
    assert (got["state"], got["version"], got["signed_by"]) == ("signed", 1, str(cast.bureau_leader))
    assert got["signed_at"] and got["total_score"] is None and got["state_display"]
    assert set(got["items"][0]) == {"id", "title", "weight", "due_on", "evidence_required", "score", "completed_at"}
    assert client.get(api("pledges/"), {"year": YEAR - 1}).json()["count"] == 0


def test_the_api_refuses_a_bad_year_and_anonymous_callers(client, cast):
    assert client.get(api("pledges/")).status_code in (401, 403)
    client.force_login(cast.county_officer)
    assert client.get(api("pledges/"), {"year": "soon"}).status_code == 400
    assert client.get(api("pledges/"), {"year": "99999"}).status_code == 400


def test_the_api_detail_is_not_found_out_of_scope(client, cast):
    pledge = draft(cast, unit=cast.units.sibling)
    client.force_login(cast.bureau_officer)
    assert client.get(api(f"pledges/{pledge.pk}/")).status_code == 404
    assert client.post(api(f"pledges/{pledge.pk}/sign/")).status_code == 404


def test_the_api_sign_answers_403_then_200_then_409(client, cast):
    pledge = issued(cast)
    client.force_login(cast.bureau_officer)
    assert client.post(api(f"pledges/{pledge.pk}/sign/")).status_code == 403
    client.force_login(cast.bureau_leader)
    answer = client.post(api(f"pledges/{pledge.pk}/sign/"))
    assert answer.status_code == 200 and answer.json()["state"] == "signed"
    again = client.post(api(f"pledges/{pledge.pk}/sign/"))
    assert again.status_code == 409 and "detail" in again.json()
    assert PledgeSignature.objects.count() == 1


def test_the_api_sign_of_a_draft_is_a_conflict(client, cast):
    pledge = draft(cast)
    client.force_login(cast.bureau_leader)
    assert client.post(api(f"pledges/{pledge.pk}/sign/")).status_code == 409


def test_completing_an_item_on_the_page_needs_evidence(english, cast):
    pledge = signed(cast)
    first = pledge.items.first()
    english.force_login(cast.bureau_officer)
    url = reverse("responsibility:pledge-item-complete", args=[pledge.pk, first.pk])
    english.post(url, {"evidence": ""})
    first.refresh_from_db()
    assert first.completed_at is None
    english.post(url, {"evidence": "整改报告"})
    first.refresh_from_db()
    assert first.completed_at is not None


def test_the_admin_shows_pledges_and_their_history_but_changes_nothing(client, cast):
    pledge = signed(cast)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    change = reverse("admin:responsibility_pledge_change", args=[pledge.pk])
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:responsibility_pledge_history", args=[pledge.pk])).status_code == 200
    assert client.get(reverse("admin:responsibility_pledgesignature_changelist")).status_code == 200
    assert client.post(change, {"year": YEAR + 1}).status_code == 403
    assert (
        client.post(reverse("admin:responsibility_pledge_delete", args=[pledge.pk]), {"post": "yes"}).status_code == 403
    )
    pledge.refresh_from_db()
    assert pledge.year == YEAR


def test_drafts_are_prepared_from_a_template_on_the_list_page_only_by_those_handling_the_issuer(english, cast):
    template = pledge_template_create(
        issuer=cast.units.county, actor=cast.county_officer, name="责任书", year=YEAR, items=[item()]
    )
    url = reverse("responsibility:pledge-issue-from-template")
    english.force_login(cast.bureau_officer)
    refused = english.post(url, {"template": template.pk, "year": YEAR}, follow=True)
    assert b"Choose one of the templates offered." in refused.content
    assert not Pledge.objects.exists()
    english.force_login(cast.county_officer)
    assert english.post(url, {"template": "x; drop", "year": YEAR}).status_code == 302
    assert not Pledge.objects.exists()
    english.post(url, {"template": template.pk, "year": YEAR})
    assert set(Pledge.objects.values_list("unit__name", flat=True)) == {"县教育局", "县卫生健康局"}


def test_the_list_is_shown_a_page_at_a_time(english, cast, monkeypatch):
    monkeypatch.setattr("responsibility.views.pledges.PAGE_SIZE", 1)
    draft(cast)
    draft(cast, unit=cast.units.sibling)
    english.force_login(cast.county_officer)
    url = reverse("responsibility:pledge-list")
    first = english.get(url, {"year": YEAR})
    assert [p.unit.name for p in first.context["page"].object_list] == ["县教育局"]
    assert b"Page 1 of 2" in first.content
    second = english.get(url, {"year": YEAR, "page": "2"})
    assert [p.unit.name for p in second.context["page"].object_list] == ["县卫生健康局"]
    assert english.get(url, {"year": YEAR, "page": "nonsense"}).status_code == 200
