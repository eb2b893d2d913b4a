"""Reads for rectification campaign pages and API, scoped to the user."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ..models import Campaign, CampaignTask, CampaignTaskStatus


@dataclass
class UnitProgress:
    """A responsible unit's progress in a campaign. Counts from tagged complaints and
    rectification items join here when those are tagged to campaigns."""

    unit_id: int
    unit_name: str
    done: int
    total: int
    overdue: int


def campaign_list_for_user(*, user, state: str = "") -> QuerySet:
    campaigns = Campaign.objects.visible_to(user).select_related("lead_unit")
    if state:
        campaigns = campaigns.filter(state=state)
    return campaigns.order_by("-starts_on", "-pk")


def campaign_get_for_user(*, user, pk: int) -> Campaign:
    """A campaign in scope with ``visible_tasks`` and ``progress`` attached; DoesNotExist otherwise."""
    campaign = campaign_list_for_user(user=user).get(pk=pk)
    campaign.visible_tasks = list(
        campaign_tasks_for_user(user=user).filter(campaign=campaign).select_related("unit", "done_by")
    )
    campaign_progress_attach(campaigns=[campaign], user=user)
    return campaign


def campaign_tasks_for_user(*, user) -> QuerySet:
    return CampaignTask.objects.visible_to(user)


def campaign_progress_attach(*, campaigns: list[Campaign], user) -> list[Campaign]:
    """Attach ``progress`` (a UnitProgress per responsible unit, in tree order) to each campaign.

    One grouped query over the tasks the user may see, whatever the number of campaigns,
    units or tasks.
    """
    today = timezone.localdate()
    rows = (
        campaign_tasks_for_user(user=user)
        .filter(campaign__in=[c.pk for c in campaigns])
        .values("campaign_id", "unit_id", "unit__name", "unit__path")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=CampaignTaskStatus.DONE)),
            overdue=Count("pk", filter=Q(status=CampaignTaskStatus.OPEN, due_on__lt=today)),
        )
        .order_by("campaign_id", "unit__path")
    )
    by_campaign: dict[int, list[UnitProgress]] = {}
    for row in rows:
        by_campaign.setdefault(row["campaign_id"], []).append(
            UnitProgress(
                unit_id=row["unit_id"],
                unit_name=row["unit__name"],
                done=row["done"],
                total=row["total"],
                overdue=row["overdue"],
            )
        )
    for campaign in campaigns:
        campaign.progress = by_campaign.get(campaign.pk, [])
    return campaigns
