"""专项治理: a rectification campaign on one problem, with tasks for responsible units."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from jiufeng.history import HistoricalRecords

from ..scoping import unit_ids_in_scope
from .units import Unit


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CampaignQuerySet":
        """Campaigns led by a unit in scope, or with a task for a unit in scope."""
        scope = unit_ids_in_scope(user)
        with_tasks_in_scope = CampaignTask.objects.filter(unit__in=scope).values("campaign")
        return self.filter(Q(lead_unit__in=scope) | Q(pk__in=with_tasks_in_scope))


class Campaign(FSMModelMixin, models.Model):
    name = models.CharField(_("name"), max_length=128)
    problem = models.TextField(_("problem"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_campaigns"
    )
    state = FSMField(
        _("state"), max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT, protected=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification campaign")
        verbose_name_plural = _("rectification campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @transition(field=state, source=CampaignState.DRAFT, target=CampaignState.ACTIVE)
    def start(self) -> None:
        """Fired only by services.campaigns.campaign_start."""

    @transition(field=state, source=[CampaignState.DRAFT, CampaignState.ACTIVE], target=CampaignState.CLOSED)
    def close(self) -> None:
        """Fired only by services.campaigns.campaign_close."""


class CampaignTaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class CampaignTaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CampaignTaskQuerySet":
        """A unit's own tasks, and every task of a campaign whose lead unit is in scope."""
        scope = unit_ids_in_scope(user)
        return self.filter(Q(unit__in=scope) | Q(campaign__lead_unit__in=scope))


class CampaignTask(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="tasks")
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="campaign_tasks"
    )
    description = models.CharField(_("task"), max_length=500)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=8, choices=CampaignTaskStatus.choices, default=CampaignTaskStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    progress_note = models.TextField(_("progress note"), blank=True)

    objects = CampaignTaskQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "description"], name="campaign_task_unique"),
            models.CheckConstraint(
                condition=Q(status=CampaignTaskStatus.OPEN, done_at__isnull=True)
                | Q(status=CampaignTaskStatus.DONE, done_at__isnull=False),
                name="campaign_task_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.unit} · {self.description[:40]}"
