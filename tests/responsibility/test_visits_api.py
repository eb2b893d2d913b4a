"""/api/v1/ for visits, rectification items and leader assignments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from jiufeng.roles import Role
from responsibility.models import PositionKind, RectificationStatus, VisitFrequency
from responsibility.services import visits as services
from tests.factories import PositionFactory, UserFactory

from .visit_fixtures import TODAY, item_for, made_visit, make_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_officer(cast):
    user = UserFactory(username="school-officer", roles=[Role.OFFICER])
    PositionFactory(user=user, unit=cast.units.school, kind=PositionKind.LIAISON)
    return user


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_visits_are_scoped_and_paginated(cast):
    visit = made_visit(cast.county_officer, [cast.units.school], subject="走访第一中学")
    made_visit(cast.county_officer, [cast.units.sibling])
    response = api(cast.bureau_officer).get("/api/v1/visits/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    [row] = body["results"]
    assert row["id"] == visit.pk
    assert row["subject"] == "走访第一中学"
    assert row["units"] == [{"id": cast.units.school.pk, "name": "县第一中学"}]
    assert row["methods"] == ["listen", "look"]
    assert row["overdue"] is False


def test_a_visit_detail_has_its_items_and_answers_404_out_of_scope(cast):
    visit = made_visit(cast.county_leader, [cast.units.sibling])
    item = item_for(visit, cast.units.sibling)
    assert api(cast.bureau_officer).get(f"/api/v1/visits/{visit.pk}/").status_code == 404
    response = api(cast.county_officer).get(f"/api/v1/visits/{visit.pk}/")
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["rectification_items"]] == [item.pk]


def test_the_visit_list_takes_the_same_queries_however_many_visits(cast):
    made_visit(cast.county_officer, [cast.units.school])
    client = api(cast.county_officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/visits/").status_code == 200
        return len(captured)

    before = count()
    for _n in range(5):
        made_visit(cast.county_officer, [cast.units.school, cast.units.sibling])
    assert count() == before


def test_items_filter_by_status_and_overdue_with_constant_queries(cast, school_officer):
    visit = made_visit(cast.county_leader, [cast.units.school])
    late = make_overdue(item_for(visit, cast.units.school, description="逾期"))
    submitted = item_for(visit, cast.units.school, description="已提交")
    services.rectification_item_submit(actor=school_officer, item_id=submitted.pk, evidence="已整改")
    client = api(cast.bureau_officer)
    assert [r["id"] for r in client.get("/api/v1/rectification-items/", {"overdue": "true"}).json()["results"]] == [
        late.pk
    ]
    rows = client.get("/api/v1/rectification-items/", {"status": "submitted"}).json()["results"]
    assert [(r["id"], r["submitted_by"], r["evidence"]) for r in rows] == [
        (submitted.pk, str(school_officer), "已整改")
    ]
    assert client.get("/api/v1/rectification-items/", {"status": "nonsense"}).status_code == 400

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/rectification-items/").status_code == 200
        return len(captured)

    before = count()
    for n in range(5):
        item = item_for(visit, cast.units.school, description=f"事项{n}")
        services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="已整改")
    assert count() == before


def test_submit_and_confirm_through_the_api(cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    url = f"/api/v1/rectification-items/{item.pk}/"
    response = api(school_officer).post(url + "submit/", {"evidence": "已清退资料费"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    response = api(cast.bureau_leader).post(url + "confirm/", format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == RectificationStatus.CONFIRMED
    assert body["confirmed_by"] == str(cast.bureau_leader)


def test_the_api_answers_400_403_404_and_409_as_it_should(cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    url = f"/api/v1/rectification-items/{item.pk}/"
    # Missing or oversized evidence: 400 naming the field.
    for evidence in [None, "", "证" * 5001]:
        payload = {} if evidence is None else {"evidence": evidence}
        response = api(school_officer).post(url + "submit/", payload, format="json")
        assert response.status_code == 400
        assert "evidence" in response.json()
    # The responsible unit may see the item but not confirm it: 403.
    assert api(school_officer).post(url + "confirm/", format="json").status_code == 403
    # Out of scope: 404, whatever the action.
    outsider = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=outsider, unit=cast.units.sibling, kind=PositionKind.OFFICER)
    assert api(outsider).post(url + "submit/", {"evidence": "x"}, format="json").status_code == 404
    # Wrong state: confirming an open item is 409.
    response = api(cast.bureau_leader).post(url + "confirm/", format="json")
    assert response.status_code == 409
    assert "detail" in response.json()
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN


def test_send_back_through_the_api_needs_a_reason(cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="已整改")
    url = f"/api/v1/rectification-items/{item.pk}/send-back/"
    assert api(cast.bureau_leader).post(url, {"reason": ""}, format="json").status_code == 400
    response = api(cast.bureau_leader).post(url, {"reason": "缺少台账"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["send_back_reason"]) == ("open", "缺少台账")


def test_leader_assignments_are_the_users_own_or_all_for_administrators(cast):
    own = services.leader_assignment_create(
        actor=cast.county_leader,
        leader=cast.bureau_leader,
        units=[cast.units.sibling],
        starts_on=TODAY(),
        visit_frequency=VisitFrequency.HALF_YEARLY,
    )
    other = services.leader_assignment_create(
        actor=cast.county_leader, leader=cast.county_leader, units=[cast.units.bureau], starts_on=TODAY()
    )
    rows = api(cast.bureau_leader).get("/api/v1/leader-assignments/").json()["results"]
    assert [r["id"] for r in rows] == [own.pk]
    assert rows[0]["units"] == [{"id": cast.units.sibling.pk, "name": "县卫生健康局"}]
    assert rows[0]["visit_frequency"] == "half_yearly"
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    assert {r["id"] for r in api(admin).get("/api/v1/leader-assignments/").json()["results"]} == {own.pk, other.pk}


def test_anonymous_callers_get_401(cast):
    for url in ["/api/v1/visits/", "/api/v1/rectification-items/", "/api/v1/leader-assignments/"]:
        assert APIClient().get(url).status_code == 401, url
