"""The organisation's pages and API: scoped, 404 outside scope, constant query counts."""

import pytest
from django.urls import reverse

from responsibility.deadlines import deadline_open
from responsibility.models import DeadlineKind, PositionKind, Unit
from tests.factories import PositionFactory, UserFactory, unit_add

pytestmark = pytest.mark.django_db


def grow(parent: Unit, count: int) -> None:
    for i in range(count):
        child = unit_add(parent=parent, name=f"{parent.name}下属{i}")
        PositionFactory(user=UserFactory(), unit=child, kind=PositionKind.PRINCIPAL)


def test_the_unit_list_api_gives_only_units_in_scope_with_their_parents(cast, client):
    client.force_login(cast.bureau_officer)
    response = client.get(reverse("api:unit-list"))
    assert response.status_code == 200
    assert response.json() == [
        {"id": cast.units.bureau.pk, "name": "县教育局", "parent": cast.units.county.pk, "depth": 2},
        {"id": cast.units.school.pk, "name": "县第一中学", "parent": cast.units.bureau.pk, "depth": 3},
    ]


def test_the_unit_list_api_needs_a_login(cast, client):
    assert client.get(reverse("api:unit-list")).status_code in (401, 403)


def test_the_public_unit_list_names_active_units_to_anyone(cast, client):
    Unit.objects.filter(pk=cast.units.school.pk).update(is_active=False)
    body = client.get(reverse("api:unit-public-list")).json()
    assert {"id": cast.units.county.pk, "name": "测试县", "parent": None} in body
    assert "县第一中学" not in {unit["name"] for unit in body}


def test_unit_detail_api_shows_positions_children_and_obligations(cast, client):
    deadline_open(
        target=cast.units.school, kind=DeadlineKind.VISIT, unit=cast.units.bureau, due_at="2020-01-01T00:00+08:00"
    )
    client.force_login(cast.bureau_leader)
    body = client.get(reverse("api:unit-detail", args=[cast.units.bureau.pk])).json()
    assert body["name"] == "县教育局"
    assert body["parent"] == cast.units.county.pk
    assert {(p["kind"], p["user"]) for p in body["positions"]} == {
        ("liaison", str(cast.bureau_officer)),
        ("principal", str(cast.bureau_leader)),
    }
    assert [c["name"] for c in body["children"]] == ["县第一中学"]
    assert [(o["kind"], o["overdue"]) for o in body["open_obligations"]] == [("visit", True)]


def test_unit_detail_outside_scope_is_not_found_in_api_and_pages(cast, client):
    client.force_login(cast.bureau_officer)
    assert client.get(reverse("api:unit-detail", args=[cast.units.sibling.pk])).status_code == 404
    assert client.get(reverse("responsibility:unit-detail", args=[cast.units.sibling.pk])).status_code == 404
    assert client.get(reverse("responsibility:unit-children", args=[cast.units.county.pk])).status_code == 404
    assert client.get(reverse("api:unit-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("where", ["outside scope", "no such id"])
@pytest.mark.parametrize(
    ("language", "detail"),
    [("zh-hans", "您的管辖范围内没有这个编号的单位。"), ("en", "No unit in your scope has this id.")],
)
def test_unit_detail_api_says_a_unit_is_not_found_in_the_requests_language(cast, client, where, language, detail):
    client.force_login(cast.bureau_officer)
    pk = cast.units.sibling.pk if where == "outside scope" else 999999
    response = client.get(reverse("api:unit-detail", args=[pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert (response.status_code, response.json()) == (404, {"detail": detail})


def test_the_tree_page_starts_at_the_top_of_the_users_scope(cast, client):
    client.cookies["django_language"] = "en"
    client.force_login(cast.bureau_officer)
    body = client.get(reverse("responsibility:unit-tree")).content.decode()
    assert "县教育局" in body
    assert "县第一中学" in body
    assert "县卫生健康局" not in body
    assert "测试县" not in body


def test_the_tree_page_search_finds_units_in_scope_with_their_ancestors(cast, client):
    client.force_login(cast.county_officer)
    response = client.get(reverse("responsibility:unit-tree"), {"q": "中学"})
    results = response.context["results"]
    assert [(u.name, u.ancestor_names) for u in results] == [("县第一中学", ["测试县", "县教育局"])]


def test_searching_outside_scope_finds_nothing(cast, client):
    client.force_login(cast.bureau_officer)
    assert client.get(reverse("responsibility:unit-tree"), {"q": "卫生"}).context["results"] == []


def test_hostile_search_text_is_escaped_and_bounded(cast, client):
    client.force_login(cast.county_officer)
    hostile = "<script>alert(1)</script>" + "x" * 500
    body = client.get(reverse("responsibility:unit-tree"), {"q": hostile}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_pages_need_a_login(cast, client):
    response = client.get(reverse("responsibility:unit-tree"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_user_with_no_position_is_told_so(client, units):
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory())
    assert "You hold no position" in client.get(reverse("responsibility:unit-tree")).content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_tree_page_query_count_does_not_grow_with_the_tree(cast, client, django_assert_num_queries, size):
    grow(cast.units.county, size)
    client.force_login(cast.county_officer)
    # session, user, scope (posts and assignments), own and group permissions, roles, roots,
    # children, unread notifications
    with django_assert_num_queries(8):
        assert client.get(reverse("responsibility:unit-tree")).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_unit_page_query_count_does_not_grow_with_children_or_positions(cast, client, django_assert_num_queries, size):
    grow(cast.units.bureau, size)
    for _ in range(size):
        PositionFactory(user=UserFactory(), unit=cast.units.bureau, kind=PositionKind.OFFICER)
    client.force_login(cast.bureau_officer)
    # session, user, scope (posts and assignments), own and group permissions, roles, the unit, ancestors,
    # positions, children, obligations, visits, items, pledges, accountability records, campaign tasks,
    # unread notifications
    with django_assert_num_queries(16):
        assert client.get(reverse("responsibility:unit-detail", args=[cast.units.bureau.pk])).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_unit_list_api_query_count_does_not_grow(cast, client, django_assert_num_queries, size):
    grow(cast.units.county, size)
    client.force_login(cast.county_officer)
    # session, user, scope (posts and assignments), own and group permissions, the units with their parents
    with django_assert_num_queries(5):
        assert len(client.get(reverse("api:unit-list")).json()) == 4 + size
