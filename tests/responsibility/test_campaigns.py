"""Rectification campaigns (专项治理): lifecycle, tasks, scope, progress per unit, pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from jiufeng.roles import Role
from responsibility.models import Campaign, CampaignState, CampaignTaskStatus, PositionKind
from responsibility.services.campaigns import (
    campaign_close,
    campaign_create,
    campaign_start,
    campaign_task_add,
    campaign_task_complete,
)
from responsibility.services.campaigns_selectors import campaign_get_for_user
from tests.factories import PositionFactory, UserFactory, unit_add

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def sibling_officer(cast):
    user = UserFactory(username="sibling-officer", roles=[Role.OFFICER])
    PositionFactory(user=user, unit=cast.units.sibling, kind=PositionKind.LIAISON)
    return user


@pytest.fixture
def campaign(cast):
    """Led by the bureau, with a task for the school and one for the sibling bureau."""
    campaign = campaign_create(
        actor=cast.county_leader,
        name="教育乱收费专项治理",
        problem="违规收取资料费",
        starts_on=TODAY - 30 * DAY,
        ends_on=TODAY + 30 * DAY,
        lead_unit=cast.units.bureau,
    )
    campaign_task_add(
        campaign_id=campaign.pk,
        actor=cast.county_officer,
        unit=cast.units.school,
        description="自查",
        due_on=TODAY - DAY,
    )
    campaign_task_add(
        campaign_id=campaign.pk,
        actor=cast.county_officer,
        unit=cast.units.sibling,
        description="配合检查",
        due_on=TODAY + DAY,
    )
    return campaign_start(campaign_id=campaign.pk, actor=cast.bureau_leader)


def test_a_campaign_is_drafted_started_and_closed_by_leaders_of_its_lead_unit(cast, campaign):
    assert campaign.state == CampaignState.ACTIVE
    with pytest.raises(TransitionNotAllowed):
        campaign_start(campaign_id=campaign.pk, actor=cast.bureau_leader)
    with pytest.raises(PermissionDenied):
        campaign_close(campaign_id=campaign.pk, actor=cast.bureau_officer)
    closed = campaign_close(campaign_id=campaign.pk, actor=cast.bureau_leader)
    assert closed.state == CampaignState.CLOSED
    with pytest.raises(TransitionNotAllowed):
        campaign_close(campaign_id=campaign.pk, actor=cast.bureau_leader)
    assert closed.history.count() == 3


def test_only_leaders_create_and_the_period_must_make_sense(cast):
    arguments = {"name": "n", "problem": "p", "lead_unit": cast.units.bureau, "starts_on": TODAY}
    with pytest.raises(PermissionDenied):
        campaign_create(actor=cast.bureau_officer, ends_on=TODAY, **arguments)
    # A lead unit out of the actor's scope is not found, as any object out of scope.
    with pytest.raises(Http404):
        campaign_create(actor=cast.bureau_leader, ends_on=TODAY, **{**arguments, "lead_unit": cast.units.sibling})
    with pytest.raises(ValidationError) as error:
        campaign_create(actor=cast.bureau_leader, ends_on=TODAY - DAY, **{**arguments, "name": " "})
    assert set(error.value.message_dict) == {"name", "ends_on"}
    assert not Campaign.objects.exists()


def test_the_database_refuses_a_campaign_that_ends_before_it_starts(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            name="x",
            problem="x",
            starts_on=TODAY,
            ends_on=TODAY - DAY,
            lead_unit=cast.units.bureau,
            created_by=cast.bureau_leader,
        )


def test_tasks_go_to_units_in_scope_within_the_period_once(cast, campaign, sibling_officer):
    add = {"campaign_id": campaign.pk, "actor": cast.bureau_officer}
    with pytest.raises(Http404):
        campaign_task_add(**add, unit=cast.units.sibling, description="越权", due_on=TODAY)
    with pytest.raises(ValidationError) as error:
        campaign_task_add(**add, unit=cast.units.school, description="晚", due_on=TODAY + 31 * DAY)
    assert "due_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        campaign_task_add(**add, unit=cast.units.school, description="自查", due_on=TODAY)
    assert "description" in error.value.message_dict
    with pytest.raises(Http404):
        campaign_task_add(
            campaign_id=campaign.pk, actor=UserFactory(), unit=cast.units.school, description="x", due_on=TODAY
        )
    # The sibling bureau's staff see their own unit, but do not work for the bureau that leads.
    with pytest.raises(PermissionDenied):
        campaign_task_add(
            campaign_id=campaign.pk, actor=sibling_officer, unit=cast.units.sibling, description="x", due_on=TODAY
        )
    campaign_close(campaign_id=campaign.pk, actor=cast.bureau_leader)
    with pytest.raises(TransitionNotAllowed):
        campaign_task_add(**add, unit=cast.units.school, description="关后", due_on=TODAY)
    assert campaign.tasks.count() == 2


def test_the_responsible_units_handlers_complete_a_task_once_with_a_note(cast, campaign, sibling_officer):
    task = campaign.tasks.get(unit=cast.units.sibling)
    with pytest.raises(PermissionDenied):
        campaign_task_complete(task_id=task.pk, actor=cast.bureau_officer, note="不是我的")
    with pytest.raises(ValidationError):
        campaign_task_complete(task_id=task.pk, actor=sibling_officer, note="")
    done = campaign_task_complete(task_id=task.pk, actor=sibling_officer, note="已配合检查")
    assert done.status == CampaignTaskStatus.DONE
    assert done.done_by == sibling_officer
    assert done.done_at is not None
    with pytest.raises(TransitionNotAllowed):
        campaign_task_complete(task_id=task.pk, actor=sibling_officer, note="again")


def test_tasks_are_completed_only_while_the_campaign_is_active(cast):
    draft = campaign_create(
        actor=cast.bureau_leader,
        name="草稿",
        problem="p",
        starts_on=TODAY,
        ends_on=TODAY + DAY,
        lead_unit=cast.units.bureau,
    )
    task = campaign_task_add(
        campaign_id=draft.pk, actor=cast.bureau_officer, unit=cast.units.school, description="d", due_on=TODAY
    )
    with pytest.raises(TransitionNotAllowed):
        campaign_task_complete(task_id=task.pk, actor=cast.bureau_officer, note="n")


def test_progress_per_unit_counts_done_total_and_overdue(cast, campaign):
    campaign_task_add(
        campaign_id=campaign.pk, actor=cast.bureau_officer, unit=cast.units.school, description="公示", due_on=TODAY
    )
    campaign_task_complete(task_id=campaign.tasks.get(description="公示").pk, actor=cast.bureau_officer, note="已公示")
    progress = campaign_get_for_user(user=cast.county_officer, pk=campaign.pk).progress
    rows = {(p.unit_name, p.done, p.total, p.overdue) for p in progress}
    assert rows == {("县第一中学", 1, 2, 1), ("县卫生健康局", 0, 1, 0)}


def test_a_responsible_unit_sees_the_campaign_but_only_its_own_tasks(cast, campaign, sibling_officer):
    seen = campaign_get_for_user(user=sibling_officer, pk=campaign.pk)
    assert [t.unit for t in seen.visible_tasks] == [cast.units.sibling]
    assert [p.unit_name for p in seen.progress] == ["县卫生健康局"]
    lead = campaign_get_for_user(user=cast.bureau_officer, pk=campaign.pk)
    assert len(lead.visible_tasks) == 2  # the lead unit's people see every task


def test_campaigns_out_of_scope_answer_404(client, cast, campaign):
    stranger_unit = unit_add(parent=cast.units.county, name="县交通运输局")
    stranger = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=stranger, unit=stranger_unit, kind=PositionKind.PRINCIPAL)
    client.force_login(stranger)
    assert list(client.get(reverse("responsibility:campaign-list")).context["page"].object_list) == []
    task = campaign.tasks.first()
    for url in (
        reverse("responsibility:campaign-detail", args=[campaign.pk]),
        reverse("responsibility:campaign-start", args=[campaign.pk]),
        reverse("responsibility:campaign-close", args=[campaign.pk]),
        reverse("responsibility:campaign-task-add", args=[campaign.pk]),
        reverse("responsibility:campaign-task-complete", args=[campaign.pk, task.pk]),
    ):
        method = client.get if url.endswith(f"/{campaign.pk}/") else client.post
        assert method(url).status_code == 404, url
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.ACTIVE


def test_a_school_handler_reports_a_task_done_on_the_page(client, english, cast, campaign):
    task = campaign.tasks.get(unit=cast.units.school)
    client.force_login(cast.bureau_officer)
    url = reverse("responsibility:campaign-task-complete", args=[campaign.pk, task.pk])
    detail = client.get(reverse("responsibility:campaign-detail", args=[campaign.pk])).content.decode()
    assert url in detail
    assert "Overdue" in detail
    empty = client.post(url, {"note": ""})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    assert client.post(url, {"note": "已自查"}).status_code == 302
    task.refresh_from_db()
    assert task.status == CampaignTaskStatus.DONE
    assert client.post(url, {"note": "again"}).status_code == 409
    unit_page = client.get(reverse("responsibility:unit-detail", args=[cast.units.school.pk]))
    assert unit_page.context["unit"].campaign_task_list == [task]


def test_a_leader_creates_a_campaign_and_gives_tasks_on_the_pages(client, english, cast):
    client.force_login(cast.bureau_leader)
    create = reverse("responsibility:campaign-create")
    bad = client.post(
        create,
        {
            "name": "x",
            "problem": "p",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
            "lead_unit": cast.units.bureau.pk,
        },
    )
    assert bad.status_code == 400
    assert "The campaign cannot end before it starts." in bad.content.decode()
    outside = client.post(
        create,
        {
            "name": "x",
            "problem": "p",
            "starts_on": "2026-05-01",
            "ends_on": "2026-06-01",
            "lead_unit": cast.units.sibling.pk,
        },
    )
    assert outside.status_code == 400
    response = client.post(
        create,
        {
            "name": "择校费治理",
            "problem": "p",
            "starts_on": "2026-05-01",
            "ends_on": "2026-06-01",
            "lead_unit": cast.units.bureau.pk,
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    add = reverse("responsibility:campaign-task-add", args=[campaign.pk])
    late = client.post(add, {"unit": cast.units.school.pk, "description": "自查", "due_on": "2026-07-01"})
    assert late.status_code == 400
    assert "The task must be due within the campaign" in late.content.decode()
    assert (
        client.post(add, {"unit": cast.units.school.pk, "description": "自查", "due_on": "2026-05-20"}).status_code
        == 302
    )
    assert client.post(reverse("responsibility:campaign-start", args=[campaign.pk])).status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.ACTIVE
    assert campaign.tasks.count() == 1


def test_officers_may_not_open_the_create_page(client, cast):
    client.force_login(cast.bureau_officer)
    assert client.get(reverse("responsibility:campaign-create")).status_code == 403


def add_tasks(campaign, cast, count):
    for n in range(count):
        unit = unit_add(parent=cast.units.bureau, name=f"学校{campaign.pk}-{n}")
        campaign_task_add(
            campaign_id=campaign.pk, actor=cast.county_officer, unit=unit, description="自查", due_on=TODAY - DAY
        )


def test_the_detail_page_takes_the_same_queries_however_many_tasks(client, cast, campaign, django_assert_num_queries):
    client.force_login(cast.county_officer)
    url = reverse("responsibility:campaign-detail", args=[campaign.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_tasks(campaign, cast, 6)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["campaign"].progress) == 8


def test_the_list_page_takes_the_same_queries_however_many_campaigns(client, cast, campaign, django_assert_num_queries):
    client.force_login(cast.county_officer)
    url = reverse("responsibility:campaign-list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        other = campaign_create(
            actor=cast.county_leader,
            name=f"治理{n}",
            problem="p",
            starts_on=TODAY - DAY,
            ends_on=TODAY + DAY,
            lead_unit=cast.units.bureau,
        )
        add_tasks(other, cast, 2)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert [len(c.progress) for c in response.context["page"].object_list] == [2, 2, 2, 2, 2]


def test_a_rectification_item_is_tagged_to_an_active_campaign_and_shown_on_its_page(client, cast, campaign):
    from responsibility.services.visits import rectification_item_add
    from tests.responsibility.visit_fixtures import item_for, made_visit

    visit = made_visit(cast.county_leader, [cast.units.bureau])
    item = rectification_item_add(
        actor=cast.county_leader,
        visit=visit,
        responsible_unit=cast.units.school,
        description="清退违规收取的资料费",
        due_on=TODAY + 10 * DAY,
        campaign=campaign,
    )
    untagged = item_for(visit, cast.units.school, actor=cast.county_leader, description="张贴收费公示")
    assert item.campaign == campaign
    client.force_login(cast.bureau_officer)
    shown = client.get(reverse("responsibility:campaign-detail", args=[campaign.pk])).context["rectification_items"]
    assert shown == [item]
    assert untagged not in shown


def test_an_item_cannot_be_tagged_to_a_closed_or_invisible_campaign(cast, campaign):
    from responsibility.models import RectificationItem
    from responsibility.services.visits import rectification_item_add

    # Led by the bureau with a task for its school only: the sibling bureau cannot see it.
    hidden = campaign_create(
        actor=cast.county_leader,
        name="校服征订专项治理",
        problem="强制征订校服",
        starts_on=TODAY - DAY,
        ends_on=TODAY + 30 * DAY,
        lead_unit=cast.units.bureau,
    )
    hidden = campaign_start(campaign_id=hidden.pk, actor=cast.bureau_leader)
    sibling_liaison = UserFactory(roles=[Role.OFFICER])
    PositionFactory(user=sibling_liaison, unit=cast.units.sibling, kind=PositionKind.LIAISON)
    closed = campaign_close(campaign_id=campaign.pk, actor=cast.bureau_leader)

    def add(actor, tagged):
        with pytest.raises(ValidationError) as error:
            rectification_item_add(
                actor=actor,
                responsible_unit=cast.units.sibling,
                description="整改",
                due_on=TODAY + DAY,
                campaign=tagged,
            )
        return error.value.message_dict

    assert "campaign" in add(cast.county_officer, closed)
    assert "campaign" in add(sibling_liaison, hidden)
    assert not RectificationItem.objects.exists()
