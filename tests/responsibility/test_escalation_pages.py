"""My escalations, acknowledging, the overdue board and GET /api/v1/escalations/."""

import datetime

import pytest
from django.utils import timezone

from responsibility.models import Escalation, PositionKind

from ..factories import PositionFactory, UserFactory
from .escalation_helpers import ladder_tree, open_deadline, sweep

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def tree(cast):
    return ladder_tree(cast.units)


def escalate_to_school(tree, count: int = 1):
    """``count`` deadlines of the grade office, escalated to level 2 (the school's principal)."""
    due = timezone.now() - 10 * DAY
    targets = list(tree.people.values())[:count]
    for target in targets:
        open_deadline(tree.grade, due_at=due, target=target)
    for step in range(3):
        sweep(due + (1 + 2 * step) * DAY)


def english(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_my_escalations_shows_each_person_their_own_steps(tree, client):
    escalate_to_school(tree)
    page = english(client, tree.people[("school", "principal")]).get("/org/escalations/")
    assert page.status_code == 200
    ids = [e.pk for e in page.context["page"].object_list]
    assert ids == list(Escalation.objects.filter(level=2).values_list("pk", flat=True))
    assert "Level 2" in page.content.decode()
    page = english(client, tree.people[("school", "liaison")]).get("/org/escalations/")
    assert list(page.context["page"].object_list) == []


def test_acknowledging_records_who_and_keeps_the_clock_running(tree, client):
    escalate_to_school(tree)
    escalation = Escalation.objects.get(level=2)
    principal = tree.people[("school", "principal")]
    response = english(client, principal).post(f"/org/escalations/{escalation.pk}/acknowledge/")
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == principal
    assert escalation.history.count() == 2
    sweep(timezone.now() + DAY)
    assert Escalation.objects.filter(deadline=escalation.deadline, level=3).exists()
    # A second acknowledgement changes nothing and says so.
    response = client.post(f"/org/escalations/{escalation.pk}/acknowledge/", follow=True)
    assert "already been acknowledged" in response.content.decode()


def test_only_the_people_notified_may_acknowledge(tree, client):
    escalate_to_school(tree)
    escalation = Escalation.objects.get(level=2)
    # The bureau principal sees it (it is in their subtree) but was not notified at level 2.
    assert (
        english(client, tree.people[("bureau", "principal")])
        .post(f"/org/escalations/{escalation.pk}/acknowledge/")
        .status_code
        == 403
    )
    # In scope, the whole ladder is readable; an id that does not exist is 404.
    assert client.get(f"/org/escalations/{escalation.pk}/").status_code == 200
    assert client.get("/org/escalations/999999/").status_code == 404


def test_escalations_are_out_of_scope_for_a_sibling_unit(cast, tree, client):
    escalate_to_school(tree)
    escalation = Escalation.objects.first()
    health = UserFactory(username="health-principal")
    PositionFactory(user=health, unit=cast.units.sibling, kind=PositionKind.PRINCIPAL)
    client.force_login(health)
    assert client.get(f"/org/escalations/{escalation.pk}/").status_code == 404
    assert client.post(f"/org/escalations/{escalation.pk}/acknowledge/").status_code == 404
    assert client.get(f"/org/units/{tree.school.pk}/overdue/").status_code == 404
    assert client.get("/api/v1/escalations/").json()["count"] == 0


def test_acknowledge_is_post_only_and_needs_login(tree, client):
    escalate_to_school(tree)
    escalation = Escalation.objects.first()
    assert client.post(f"/org/escalations/{escalation.pk}/acknowledge/").status_code == 302
    client.force_login(tree.people[("grade", "liaison")])
    assert client.get(f"/org/escalations/{escalation.pk}/acknowledge/").status_code == 405


def test_overdue_board_lists_the_subtree_highest_level_first(tree, client):
    escalate_to_school(tree)
    open_deadline(tree.school, due_at=timezone.now() - DAY, target=tree.school)
    page = english(client, tree.people[("bureau", "principal")]).get(f"/org/units/{tree.bureau.pk}/overdue/")
    assert [(d.unit_id, d.level) for d in page.context["page"].object_list] == [
        (tree.grade.pk, 2),
        (tree.school.pk, -1),
    ]


def test_escalation_api_is_scoped_newest_first_with_constant_queries(tree, client, django_assert_max_num_queries):
    escalate_to_school(tree, count=1)
    client.force_login(tree.people[("bureau", "principal")])
    with django_assert_max_num_queries(12) as small:
        body = client.get("/api/v1/escalations/").json()
    assert body["count"] == 3
    assert [r["level"] for r in body["results"]] == [2, 1, 0]
    first = body["results"][0]
    assert set(first) == {
        "id",
        "level",
        "deadline",
        "notified_unit",
        "notified_position",
        "created_at",
        "acknowledged_by",
        "acknowledged_at",
    }
    assert first["notified_unit"]["id"] == tree.school.pk
    assert first["notified_position"] == "principal"
    assert first["deadline"]["unit"]["id"] == tree.grade.pk
    escalate_to_school(tree, count=6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/v1/escalations/").json()["count"] == 18


def test_escalation_api_names_who_acknowledged_and_null_before(tree, client):
    escalate_to_school(tree)
    principal = tree.people[("school", "principal")]
    client.force_login(principal)
    body = client.get("/api/v1/escalations/").json()
    assert [r["acknowledged_by"] for r in body["results"]] == [None, None, None]
    escalation = Escalation.objects.get(level=2)
    assert client.post(f"/org/escalations/{escalation.pk}/acknowledge/").status_code == 302
    by_id = {r["id"]: r["acknowledged_by"] for r in client.get("/api/v1/escalations/").json()["results"]}
    assert by_id.pop(escalation.pk) == str(principal)
    assert list(by_id.values()) == [None, None]


def test_my_escalations_page_has_constant_queries(tree, client, django_assert_max_num_queries):
    escalate_to_school(tree, count=1)
    english(client, tree.people[("school", "principal")])
    with django_assert_max_num_queries(20) as small:
        client.get("/org/escalations/")
    escalate_to_school(tree, count=6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get("/org/escalations/").context["page"].object_list) == 6


def test_deadlines_api_overdue_filter_still_works(tree, client):
    escalate_to_school(tree)
    open_deadline(tree.school, due_at=timezone.now() + 10 * DAY, target=tree.school)
    client.force_login(tree.people[("bureau", "principal")])
    overdue = client.get("/api/v1/deadlines/?overdue=true").json()
    assert [(r["unit"]["id"], r["level"]) for r in overdue["results"]] == [(tree.grade.pk, 2)]
    assert client.get("/api/v1/deadlines/?overdue=false").json()["count"] == 1
