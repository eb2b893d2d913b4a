"""Writes for rectification campaigns (专项治理): create, start, close, tasks.

The FSM transitions of Campaign are fired only here, after the check their declarations
in responsibility.workflow say (a leader of the lead unit, from which state).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from .. import permissions
from ..models import Campaign, CampaignState, CampaignTask, CampaignTaskStatus, Unit
from ..scoping import in_scope_or_404
from ..workflow import CAMPAIGN_TRANSITIONS


@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    problem: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    lead_unit: Unit,
) -> Campaign:
    """A campaign in draft: tasks are given, then it is started."""
    in_scope_or_404(actor, lead_unit)
    if not permissions.can_run_campaign(actor, lead_unit):
        raise PermissionDenied
    name, problem = name.strip(), problem.strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the campaign a name.")
    if not problem:
        errors["problem"] = _("Describe the problem the campaign treats.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The campaign cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    campaign = Campaign(
        name=name, problem=problem, starts_on=starts_on, ends_on=ends_on, lead_unit=lead_unit, created_by=actor
    )
    # History names the actor outside requests too (seed_demo, tasks).
    campaign._history_user = actor
    campaign.save()
    return campaign


def _locked_campaign(campaign_id: int) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=campaign_id)


@transaction.atomic
def campaign_start(*, campaign_id: int, actor) -> Campaign:
    campaign = _locked_campaign(campaign_id)
    CAMPAIGN_TRANSITIONS["start"].check(campaign, actor)
    campaign.start()
    campaign._history_user = actor
    campaign.save(update_fields=["state"])
    return campaign


@transaction.atomic
def campaign_close(*, campaign_id: int, actor) -> Campaign:
    """Close the campaign; its open tasks stay open in the record, counted as not done."""
    campaign = _locked_campaign(campaign_id)
    CAMPAIGN_TRANSITIONS["close"].check(campaign, actor)
    campaign.close()
    campaign._history_user = actor
    campaign.save(update_fields=["state"])
    return campaign


@transaction.atomic
def campaign_task_add(*, campaign_id: int, actor, unit: Unit, description: str, due_on: datetime.date) -> CampaignTask:
    """Give a responsible unit a task: by the lead unit's people, for a unit in the actor's scope."""
    campaign = _locked_campaign(campaign_id)
    in_scope_or_404(actor, unit)
    if not permissions.can_handle_in(actor, campaign.lead_unit):
        raise PermissionDenied
    if campaign.state == CampaignState.CLOSED:
        raise TransitionNotAllowed(_("A closed campaign takes no new tasks."))
    description = description.strip()
    errors = {}
    if not description:
        errors["description"] = _("Describe the task.")
    if not campaign.starts_on <= due_on <= campaign.ends_on:
        errors["due_on"] = _("The task must be due within the campaign, %(start)s to %(end)s.") % {
            "start": campaign.starts_on.isoformat(),
            "end": campaign.ends_on.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            task = CampaignTask(campaign=campaign, unit=unit, description=description, due_on=due_on)
            task._history_user = actor
            task.save()
            return task
    except IntegrityError:
        raise ValidationError({"description": _("This unit already has this task in the campaign.")}) from None


@transaction.atomic
def campaign_task_complete(*, task_id: int, actor, note: str) -> CampaignTask:
    """The responsible unit's handlers report the task done, with a note on what was done."""
    task = CampaignTask.objects.select_for_update(of=("self",)).select_related("unit", "campaign").get(pk=task_id)
    if not permissions.can_handle_in(actor, task.unit):
        raise PermissionDenied
    if task.campaign.state != CampaignState.ACTIVE:
        raise TransitionNotAllowed(_("Tasks can be completed only while the campaign is active."))
    if task.status == CampaignTaskStatus.DONE:
        raise TransitionNotAllowed(_("This task is already done."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say what was done.")})
    task._history_user = actor
    task.status = CampaignTaskStatus.DONE
    task.done_at = timezone.now()
    task.done_by = actor
    task.progress_note = note
    task.save(update_fields=["status", "done_at", "done_by", "progress_note"])
    return task
