"""Moving a unit, deactivating it and ending a post ask first, and are offered only to those who may."""

import datetime

import pytest
from django.urls import reverse

from responsibility.models import Position, Unit, UnitMove
from responsibility.services.units import position_assign
from responsibility.services.visits import leader_assignment_create
from tests.factories import UserFactory, unit_add

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 1)


@pytest.fixture
def as_user(client):
    client.cookies["django_language"] = "en"

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def school_principal(cast):
    return position_assign(
        actor=None,
        unit_id=cast.units.school.pk,
        user=UserFactory(display_name="钱校长"),
        kind="principal",
        starts_on=START,
    )


def page(response) -> str:
    return response.content.decode()


def asks(response) -> bool:
    return response.status_code == 200 and 'data-testid="confirm"' in page(response)


def is_active(unit) -> bool:
    return Unit.objects.get(pk=unit.pk).is_active


def parent_of(unit) -> Unit:
    return Unit.objects.get_parent(Unit.objects.get(pk=unit.pk))


# --- Deactivating a unit -------------------------------------------------------------


def test_deactivating_asks_first_and_acts_only_on_the_answer(cast, as_user):
    client = as_user(cast.bureau_officer)
    school = cast.units.school
    url = reverse("responsibility:unit-deactivate", args=[school.pk])

    shown = client.get(url)
    assert asks(shown)
    assert "Deactivate 县第一中学?" in page(shown)
    assert 'name="confirm" value="yes"' in page(shown)
    assert is_active(school)

    # The old one-click form (a POST without the answer) only asks.
    assert asks(client.post(url))
    for answer in ["", "no", "YES", "yes " * 1000, "<script>"]:
        assert asks(client.post(url, {"confirm": answer})), answer
    assert is_active(school)

    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "responsibility:unit-detail", args=[school.pk]
    )
    assert not is_active(school)


def test_a_confirmed_deactivation_the_service_refuses_says_why_and_changes_nothing(cast, as_user):
    client = as_user(cast.county_officer)
    bureau = cast.units.bureau
    response = client.post(reverse("responsibility:unit-deactivate", args=[bureau.pk]), {"confirm": "yes"}, follow=True)
    assert "still has 1 active units below it" in page(response)
    assert is_active(bureau)


# --- Moving a unit -------------------------------------------------------------------


def test_moving_chooses_then_asks_then_moves(cast, as_user):
    client = as_user(cast.county_officer)
    school, sibling = cast.units.school, cast.units.sibling
    unit_add(parent=school, name="初一年级")
    url = reverse("responsibility:unit-move", args=[school.pk])

    form = client.get(url)
    assert form.status_code == 200 and "Continue" in page(form)

    shown = client.post(url, {"parent": sibling.pk})
    assert asks(shown)
    assert "Move 县第一中学 from under 县教育局 to under 县卫生健康局?" in page(shown)
    assert "The unit below 县第一中学 moves with it." in page(shown)
    # The choice travels with the answer.
    assert f'name="parent" value="{sibling.pk}"' in page(shown)
    assert parent_of(school) == cast.units.bureau
    assert not UnitMove.objects.exists()

    response = client.post(url, {"parent": sibling.pk, "confirm": "yes"})
    assert response.status_code == 302
    assert parent_of(school) == sibling
    assert UnitMove.objects.count() == 1


@pytest.mark.parametrize("parent", ["", "abc", "999999", "-1", "1" * 500])
def test_a_move_with_a_wrong_parent_is_refused_even_when_confirmed(cast, as_user, parent):
    client = as_user(cast.county_officer)
    school = cast.units.school
    for data in ({"parent": parent}, {"parent": parent, "confirm": "yes"}):
        response = client.post(reverse("responsibility:unit-move", args=[school.pk]), data)
        assert response.status_code == 400
        assert "New parent unit" in page(response)
    assert parent_of(school) == cast.units.bureau


def test_a_confirmed_move_under_the_units_own_subtree_is_refused(cast, as_user):
    client = as_user(cast.county_officer)
    bureau = cast.units.bureau
    response = client.post(
        reverse("responsibility:unit-move", args=[bureau.pk]), {"parent": cast.units.school.pk, "confirm": "yes"}
    )
    assert response.status_code == 400
    assert parent_of(bureau) == cast.units.county


# --- Ending a post -------------------------------------------------------------------


def test_ending_a_post_asks_with_the_day_then_ends_it(cast, as_user, school_principal):
    client = as_user(cast.bureau_officer)
    url = reverse("responsibility:position-end", args=[school_principal.pk])

    assert client.get(url).status_code == 200
    shown = client.post(url, {"ends_on": "2026-06-30"})
    assert asks(shown)
    assert "End the post of 钱校长 as Principal of 县第一中学, 2026-06-30 being the last day?" in page(shown)
    assert 'name="ends_on" value="2026-06-30"' in page(shown)
    school_principal.refresh_from_db()
    assert school_principal.ends_on is None

    response = client.post(url, {"ends_on": "2026-06-30", "confirm": "yes"})
    assert response.status_code == 302
    school_principal.refresh_from_db()
    assert school_principal.ends_on == datetime.date(2026, 6, 30)


@pytest.mark.parametrize("ends_on", ["", "2026-13-45", "tomorrow", "2025-12-31", "9" * 300])
def test_a_wrong_last_day_is_refused_with_the_form_back_and_ends_nothing(cast, as_user, school_principal, ends_on):
    client = as_user(cast.bureau_officer)
    url = reverse("responsibility:position-end", args=[school_principal.pk])
    for data in ({"ends_on": ends_on}, {"ends_on": ends_on, "confirm": "yes"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert 'name="ends_on"' in page(response)
    school_principal.refresh_from_db()
    assert school_principal.ends_on is None


# --- Who may -------------------------------------------------------------------------


@pytest.fixture
def hospital_with_a_post(cast):
    hospital = unit_add(parent=cast.units.sibling, name="县人民医院")
    post = position_assign(actor=None, unit_id=hospital.pk, user=UserFactory(), kind="liaison", starts_on=START)
    return hospital, post


@pytest.fixture
def area_leader(cast):
    """The bureau's principal with a leader assignment (领导包片) over the sibling bureau."""
    leader_assignment_create(
        actor=cast.county_leader, leader=cast.bureau_leader, units=[cast.units.sibling], starts_on=START
    )
    return cast.bureau_leader


def controls(unit, post) -> list[str]:
    return [
        reverse("responsibility:unit-move", args=[unit.pk]),
        reverse("responsibility:unit-deactivate", args=[unit.pk]),
        reverse("responsibility:position-end", args=[post.pk]),
    ]


def test_the_destructive_controls_show_to_who_may_use_them_and_to_nobody_else(
    cast, as_user, hospital_with_a_post, area_leader
):
    hospital, post = hospital_with_a_post
    detail = reverse("responsibility:unit-detail", args=[hospital.pk])
    shown = page(as_user(cast.county_officer).get(detail))
    assert all(url in shown for url in controls(hospital, post))
    # An auditor reads the unit; a leader's area assignment gives oversight of it, not its running.
    for user in (cast.auditor, area_leader):
        response = as_user(user).get(detail)
        assert response.status_code == 200
        assert not any(url in page(response) for url in controls(hospital, post)), user.username
        assert "End the post" not in page(response)


def test_who_may_not_use_a_control_gets_403_with_or_without_the_answer(
    cast, as_user, hospital_with_a_post, area_leader
):
    hospital, post = hospital_with_a_post
    for user in (cast.auditor, area_leader):
        client = as_user(user)
        for url in controls(hospital, post):
            assert client.get(url).status_code == 403, (user.username, url)
            assert client.post(url, {"confirm": "yes", "parent": cast.units.county.pk}).status_code == 403
            assert client.post(url, {"confirm": "yes", "ends_on": "2026-06-30"}).status_code == 403
    assert is_active(hospital) and parent_of(hospital) == cast.units.sibling
    assert Position.objects.get(pk=post.pk).ends_on is None


def test_outside_the_scope_the_controls_are_not_found(cast, as_user, hospital_with_a_post):
    hospital, post = hospital_with_a_post
    client = as_user(cast.bureau_officer)
    for url in controls(hospital, post):
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirm": "yes"}).status_code == 404


def test_the_import_button_shows_only_to_who_may_import(cast, as_user):
    tree = reverse("responsibility:unit-tree")
    importing = reverse("responsibility:org-import")
    assert importing in page(as_user(cast.bureau_officer).get(tree))
    # A leader's role without any post gives the dashboards' permission but nothing to import into.
    postless_leader = UserFactory(roles=["leader"])
    client = as_user(postless_leader)
    assert importing not in page(client.get(tree))
    assert client.get(importing).status_code == 403
    assert importing not in page(as_user(cast.auditor).get(tree))


def test_reactivating_needs_no_confirmation(cast, as_user):
    client = as_user(cast.bureau_officer)
    school = cast.units.school
    client.post(reverse("responsibility:unit-deactivate", args=[school.pk]), {"confirm": "yes"})
    response = client.post(reverse("responsibility:unit-reactivate", args=[school.pk]))
    assert response.status_code == 302
    assert is_active(school)


def test_the_confirmations_speak_chinese_by_default(cast, client, school_principal):
    client.force_login(cast.county_officer)
    school = cast.units.school
    unit_add(parent=school, name="初一年级")
    deactivate = page(client.get(reverse("responsibility:unit-deactivate", args=[school.pk])))
    assert "确定停用县第一中学吗？" in deactivate and "确认停用" in deactivate
    move = page(client.post(reverse("responsibility:unit-move", args=[school.pk]), {"parent": cast.units.sibling.pk}))
    assert "确定将县第一中学从县教育局调整到县卫生健康局之下吗？" in move
    assert "县第一中学下属的1个单位随之调整。" in move
    end = page(
        client.post(reverse("responsibility:position-end", args=[school_principal.pk]), {"ends_on": "2026-06-30"})
    )
    assert "确定结束钱校长在县第一中学的主要负责人职务吗？最后任职日为2026-06-30。" in end
