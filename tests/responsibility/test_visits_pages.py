"""The pages of leader assignments, visits and rectification items, in English."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiufeng.roles import Role
from responsibility.models import LeaderAssignment, PositionKind, RectificationItem, RectificationStatus, Visit
from responsibility.services import visits as services
from tests.factories import PositionFactory, UserFactory

from .visit_fixtures import TODAY, item_for, made_visit, make_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_officer(cast):
    user = UserFactory(username="school-officer", roles=[Role.OFFICER])
    PositionFactory(user=user, unit=cast.units.school, kind=PositionKind.LIAISON)
    return user


def as_user(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_visit_list_is_scoped_and_its_query_count_does_not_grow(client, cast):
    made_visit(cast.county_officer, [cast.units.school], subject="走访第一中学")
    made_visit(cast.county_officer, [cast.units.sibling], subject="走访卫生健康局")
    as_user(client, cast.bureau_officer)
    url = reverse("responsibility:visit-list")
    body = client.get(url).content.decode()
    assert "走访第一中学" in body and "走访卫生健康局" not in body
    before = queries(client, url)
    for n in range(6):
        visit = made_visit(cast.county_officer, [cast.units.school, cast.units.bureau], subject=f"走访{n}")
        item_for(visit, cast.units.school)
    assert queries(client, url) == before


def test_the_visit_list_filters_overdue_scheduled_visits(client, cast):
    made_visit(cast.county_officer, [cast.units.school], subject="已走访")
    services.visit_schedule(
        actor=cast.county_officer, kind="visit", subject="计划走访", units=[cast.units.school], scheduled_for=TODAY()
    )
    body = as_user(client, cast.county_officer).get(reverse("responsibility:visit-list"), {"state": "scheduled"})
    assert "计划走访" in body.content.decode() and "已走访" not in body.content.decode()


def test_the_item_list_is_scoped_filters_and_its_query_count_does_not_grow(client, cast, school_officer):
    visit = made_visit(cast.county_leader, [cast.units.school, cast.units.sibling])
    make_overdue(item_for(visit, cast.units.school, description="逾期未整改"))
    item_for(visit, cast.units.school, description="按期整改中")
    item_for(visit, cast.units.sibling, description="卫健局事项")
    as_user(client, cast.bureau_officer)
    url = reverse("responsibility:rectification-item-list")
    body = client.get(url).content.decode()
    assert "逾期未整改" in body and "按期整改中" in body and "卫健局事项" not in body
    overdue = client.get(url, {"overdue": "1"}).content.decode()
    assert "逾期未整改" in overdue and "按期整改中" not in overdue
    # A hostile status is ignored, not an error.
    assert client.get(url, {"status": "<script>"}).status_code == 200
    before = queries(client, url)
    for n in range(6):
        item = item_for(visit, cast.units.school, description=f"事项{n}")
        services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="已整改")
    assert queries(client, url) == before


def test_out_of_scope_visits_and_items_answer_404(client, cast):
    visit = made_visit(cast.county_leader, [cast.units.sibling])
    item = item_for(visit, cast.units.sibling)
    as_user(client, cast.bureau_officer)
    for url in [
        reverse("responsibility:visit-detail", args=[visit.pk]),
        reverse("responsibility:visit-record", args=[visit.pk]),
        reverse("responsibility:rectification-item-detail", args=[item.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("responsibility:rectification-item-submit", args=[item.pk]), {"evidence": "x"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN


def test_only_the_unit_above_sees_the_confirm_button_and_confirms(client, cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    url = reverse("responsibility:rectification-item-detail", args=[item.pk])
    as_user(client, school_officer)
    assert "Submit for confirmation" in client.get(url).content.decode()
    response = client.post(
        reverse("responsibility:rectification-item-submit", args=[item.pk]), {"evidence": "已清退，附签收表"}
    )
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "Confirm rectified" not in body and "已清退，附签收表" in body
    assert client.post(reverse("responsibility:rectification-item-confirm", args=[item.pk])).status_code == 403

    as_user(client, cast.bureau_leader)
    assert "Confirm rectified" in client.get(url).content.decode()
    client.post(reverse("responsibility:rectification-item-confirm", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == RectificationStatus.CONFIRMED


def test_submitting_without_evidence_shows_a_message_and_changes_nothing(client, cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    as_user(client, school_officer)
    response = client.post(
        reverse("responsibility:rectification-item-submit", args=[item.pk]), {"evidence": "  "}, follow=True
    )
    assert "This field is required." in response.content.decode()
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN


def test_sending_back_from_the_page_needs_a_reason(client, cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="已整改")
    as_user(client, cast.bureau_leader)
    url = reverse("responsibility:rectification-item-send-back", args=[item.pk])
    client.post(url, {"reason": ""})
    item.refresh_from_db()
    assert item.status == RectificationStatus.SUBMITTED
    client.post(url, {"reason": "缺少台账"})
    item.refresh_from_db()
    assert (item.status, item.send_back_reason) == (RectificationStatus.OPEN, "缺少台账")


def test_scheduling_from_the_page_refuses_units_out_of_scope_and_past_dates(client, cast):
    as_user(client, cast.bureau_officer)
    url = reverse("responsibility:visit-schedule")
    form = {"kind": "visit", "subject": "走访", "scheduled_for": TODAY().isoformat()}
    response = client.post(url, {**form, "units": [cast.units.sibling.pk]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    past = (TODAY() - datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {**form, "scheduled_for": past, "units": [cast.units.school.pk]})
    assert response.status_code == 400
    assert "A visit cannot be scheduled in the past." in response.content.decode()
    assert not Visit.objects.exists()
    response = client.post(url, {**form, "units": [cast.units.school.pk]})
    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == reverse("responsibility:visit-detail", args=[visit.pk])


def test_recording_a_visit_from_the_page_refuses_an_unknown_method_and_oversized_findings(client, cast):
    visit = services.visit_schedule(
        actor=cast.bureau_leader, kind="visit", subject="走访", units=[cast.units.school], scheduled_for=TODAY()
    )
    as_user(client, cast.bureau_leader)
    url = reverse("responsibility:visit-record", args=[visit.pk])
    form = {"made_on": TODAY().isoformat(), "findings": "发现问题"}
    assert client.post(url, {**form, "methods": ["smell"]}).status_code == 400
    assert client.post(url, {**form, "methods": ["look"], "findings": "查" * 5001}).status_code == 400
    visit.refresh_from_db()
    assert visit.made_on is None
    assert client.post(url, {**form, "methods": ["look", "talk"]}).status_code == 302
    visit.refresh_from_db()
    assert visit.methods == ["look", "talk"]
    assert (
        "Add a rectification item"
        in client.get(reverse("responsibility:visit-detail", args=[visit.pk])).content.decode()
    )


def test_adding_an_item_from_the_page_refuses_a_past_due_date(client, cast):
    visit = made_visit(cast.bureau_leader, [cast.units.school])
    as_user(client, cast.bureau_leader)
    url = reverse("responsibility:rectification-item-add", args=[visit.pk])
    form = {"responsible_unit": cast.units.school.pk, "description": "清退资料费"}
    past = (TODAY() - datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {**form, "due_on": past})
    assert response.status_code == 400 and "The due date is in the past." in response.content.decode()
    assert client.post(url, {**form, "due_on": TODAY().isoformat()}).status_code == 302
    assert RectificationItem.objects.get().responsible_unit == cast.units.school


def test_a_leader_sees_which_assigned_units_are_not_yet_visited(client, cast):
    services.leader_assignment_create(
        actor=cast.county_leader,
        leader=cast.bureau_leader,
        units=[cast.units.school, cast.units.sibling],
        starts_on=TODAY(),
    )
    made_visit(cast.bureau_leader, [cast.units.school], days_ago=0)
    body = as_user(client, cast.bureau_leader).get(reverse("responsibility:leader-assignment-list")).content.decode()
    assert body.count('data-testid="not-visited"') == 1
    assert "not yet visited this period" in body


def test_a_county_leader_assigns_and_ends_an_assignment_from_the_pages(client, cast):
    as_user(client, cast.county_leader)
    response = client.post(
        reverse("responsibility:leader-assignment-create"),
        {
            "leader": cast.bureau_leader.pk,
            "units": [cast.units.sibling.pk],
            "visit_frequency": "half_yearly",
            "starts_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    assignment = LeaderAssignment.objects.get()
    assert assignment.leader == cast.bureau_leader
    body = client.get(reverse("responsibility:leader-assignment-list")).content.decode()
    assert reverse("responsibility:leader-assignment-end", args=[assignment.pk]) in body
    client.post(reverse("responsibility:leader-assignment-end", args=[assignment.pk]), {"ends_on": TODAY().isoformat()})
    assignment.refresh_from_db()
    assert assignment.ends_on == TODAY()


def test_a_liaison_cannot_assign_units(client, cast):
    as_user(client, cast.bureau_officer)
    body = client.get(reverse("responsibility:leader-assignment-list")).content.decode()
    assert reverse("responsibility:leader-assignment-create") not in body
    response = client.post(
        reverse("responsibility:leader-assignment-create"),
        {"leader": cast.bureau_leader.pk, "units": [cast.units.school.pk], "starts_on": TODAY().isoformat()},
    )
    assert response.status_code == 400
    assert not LeaderAssignment.objects.exists()


def test_pages_need_a_login(client, cast):
    response = client.get(reverse("responsibility:visit-list"))
    assert response.status_code == 302 and "login" in response.url
