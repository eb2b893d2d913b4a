"""API: /api/v1/accountability/ and /api/v1/rectification-campaigns/, scoped and read-only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from jiufeng.roles import Role
from responsibility.deadlines import deadline_open
from responsibility.models import AccountabilityMeasure, DeadlineKind, PositionKind
from responsibility.services.accountability import accountability_decide, accountability_propose
from responsibility.services.campaigns import (
    campaign_create,
    campaign_start,
    campaign_task_add,
    campaign_task_complete,
)
from tests.factories import PositionFactory, UserFactory, unit_add

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def api():
    return APIClient()


def holder(unit):
    return PositionFactory(user=UserFactory(roles=[Role.LEADER]), unit=unit, kind=PositionKind.PRINCIPAL)


@pytest.fixture
def records(cast):
    school_principal = holder(cast.units.school)
    overdue = deadline_open(
        target=school_principal,
        kind=DeadlineKind.VISIT,
        unit=cast.units.school,
        due_at=timezone.now() - DAY,
    )
    school = accountability_propose(
        actor=cast.bureau_officer, position=school_principal, reason="逾期未走访", obligations=[overdue]
    )
    accountability_decide(
        record_id=school.pk, actor=cast.bureau_leader, measure=AccountabilityMeasure.INTERVIEW, note="约谈"
    )
    sibling = accountability_propose(actor=cast.county_officer, position=holder(cast.units.sibling), reason="态度差")
    return {"school": school, "sibling": sibling}


@pytest.fixture
def campaign(cast):
    campaign = campaign_create(
        actor=cast.county_leader,
        name="教育乱收费专项治理",
        problem="违规收费",
        starts_on=TODAY - 30 * DAY,
        ends_on=TODAY + 30 * DAY,
        lead_unit=cast.units.bureau,
    )
    for unit, description, due_on in [
        (cast.units.school, "自查", TODAY - DAY),
        (cast.units.school, "公示", TODAY + DAY),
        (cast.units.sibling, "配合", TODAY - DAY),
    ]:
        campaign_task_add(
            campaign_id=campaign.pk, actor=cast.county_officer, unit=unit, description=description, due_on=due_on
        )
    campaign_start(campaign_id=campaign.pk, actor=cast.county_leader)
    campaign_task_complete(task_id=campaign.tasks.get(description="公示").pk, actor=cast.bureau_officer, note="已公示")
    return campaign


def test_accountability_list_is_scoped_and_filtered(api, cast, records):
    api.force_authenticate(cast.bureau_officer)
    body = api.get("/api/v1/accountability/").json()
    assert body["count"] == 1
    record = body["results"][0]
    assert record["id"] == records["school"].pk
    assert record["state"] == "decided"
    assert record["measure"] == "interview"
    assert record["unit"] == {"id": cast.units.school.pk, "name": "县第一中学"}
    assert record["position_kind"] == "principal"
    assert record["obligations"][0]["kind"] == "visit"
    assert record["documents"] == []
    api.force_authenticate(cast.county_officer)
    assert api.get("/api/v1/accountability/", {"state": "proposed"}).json()["count"] == 1
    assert api.get("/api/v1/accountability/", {"measure": "interview"}).json()["count"] == 1
    assert api.get("/api/v1/accountability/", {"state": "nonsense"}).status_code == 400


def test_accountability_people_not_yet_known_are_null(api, cast, records):
    # The sweep proposes with no actor; the sibling's record is not decided yet.
    swept = accountability_propose(actor=None, position=holder(cast.units.bureau), reason="逾期未整改")
    api.force_authenticate(cast.county_officer)
    body = {r["id"]: r for r in api.get("/api/v1/accountability/").json()["results"]}
    assert (body[swept.pk]["proposed_by"], body[swept.pk]["decided_by"]) == (None, None)
    assert (body[records["sibling"].pk]["proposed_by"], body[records["sibling"].pk]["decided_by"]) == (
        str(cast.county_officer),
        None,
    )
    assert body[records["school"].pk]["decided_by"] == str(cast.bureau_leader)
    detail = api.get(f"/api/v1/accountability/{swept.pk}/").json()
    assert (detail["proposed_by"], detail["decided_by"]) == (None, None)


def test_accountability_detail_out_of_scope_is_404(api, cast, records):
    api.force_authenticate(cast.bureau_leader)
    assert api.get(f"/api/v1/accountability/{records['school'].pk}/").status_code == 200
    assert api.get(f"/api/v1/accountability/{records['sibling'].pk}/").status_code == 404
    api.force_authenticate(None)
    assert api.get(f"/api/v1/accountability/{records['school'].pk}/").status_code in (401, 403)


def test_accountability_api_is_read_only(api, cast, records):
    api.force_authenticate(cast.county_leader)
    response = api.post("/api/v1/accountability/", {"reason": "x"}, format="json")
    assert response.status_code == 405


def test_rectification_campaigns_carry_progress_per_unit(api, cast, campaign):
    api.force_authenticate(cast.county_officer)
    body = api.get("/api/v1/rectification-campaigns/").json()
    assert body["count"] == 1
    listed = body["results"][0]
    assert listed["lead_unit"] == {"id": cast.units.bureau.pk, "name": "县教育局"}
    assert listed["state"] == "active"
    assert listed["progress"] == [
        {"unit": {"id": cast.units.school.pk, "name": "县第一中学"}, "done": 1, "total": 2, "overdue": 1},
        {"unit": {"id": cast.units.sibling.pk, "name": "县卫生健康局"}, "done": 0, "total": 1, "overdue": 1},
    ]
    detail = api.get(f"/api/v1/rectification-campaigns/{campaign.pk}/").json()
    assert detail["progress"] == listed["progress"]
    assert {(t["description"], t["status"], t["overdue"]) for t in detail["tasks"]} == {
        ("自查", "open", True),
        ("公示", "done", False),
        ("配合", "open", True),
    }


def test_rectification_campaigns_are_scoped(api, cast, campaign):
    sibling_officer = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=sibling_officer, unit=cast.units.sibling, kind=PositionKind.LIAISON)
    api.force_authenticate(sibling_officer)
    detail = api.get(f"/api/v1/rectification-campaigns/{campaign.pk}/").json()
    assert [t["description"] for t in detail["tasks"]] == ["配合"]
    assert [p["unit"]["name"] for p in detail["progress"]] == ["县卫生健康局"]

    stranger = UserFactory(roles=[Role.OFFICER])
    PositionFactory(
        user=stranger, unit=unit_add(parent=cast.units.county, name="县交通运输局"), kind=PositionKind.OFFICER
    )
    api.force_authenticate(stranger)
    assert api.get("/api/v1/rectification-campaigns/").json()["count"] == 0
    assert api.get(f"/api/v1/rectification-campaigns/{campaign.pk}/").status_code == 404


def test_appraisal_campaigns_keep_their_own_path(api, cast, campaign):
    api.force_authenticate(cast.county_officer)
    assert api.get("/api/v1/campaigns/").status_code == 404


def test_api_lists_take_the_same_queries_as_data_grows(api, cast, records, campaign, django_assert_num_queries):
    api.force_authenticate(cast.county_officer)
    urls = ["/api/v1/accountability/", "/api/v1/rectification-campaigns/"]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    for n in range(3):
        accountability_propose(actor=cast.county_officer, position=holder(cast.units.school), reason=f"r{n}")
        other = campaign_create(
            actor=cast.county_leader,
            name=f"治理{n}",
            problem="p",
            starts_on=TODAY - DAY,
            ends_on=TODAY + DAY,
            lead_unit=cast.units.bureau,
        )
        campaign_task_add(
            campaign_id=other.pk, actor=cast.county_officer, unit=cast.units.school, description="d", due_on=TODAY
        )
    for url in urls:
        with django_assert_num_queries(counts[url]):
            assert api.get(url).status_code == 200


def test_the_schema_describes_the_new_endpoints(api, cast):
    schema = api.get(reverse("api-schema"), {"format": "json"}).json()
    for path in (
        "/api/v1/accountability/",
        "/api/v1/accountability/{id}/",
        "/api/v1/rectification-campaigns/",
        "/api/v1/rectification-campaigns/{id}/",
    ):
        assert path in schema["paths"], path


def test_the_schema_says_which_people_may_be_null(api):
    schemas = api.get(reverse("api-schema"), {"format": "json"}).json()["components"]["schemas"]
    for schema, field in [
        ("AccountabilityRecord", "proposed_by"),
        ("AccountabilityRecord", "decided_by"),
        ("Escalation", "acknowledged_by"),
        ("RectificationItem", "submitted_by"),
        ("RectificationItem", "confirmed_by"),
    ]:
        assert schemas[schema]["properties"][field].get("nullable") is True, (schema, field)
    assert "nullable" not in schemas["AccountabilityRecord"]["properties"]["person"]
