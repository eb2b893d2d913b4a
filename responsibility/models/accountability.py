"""问责: a record against a position holder who failed a responsibility, and its documents."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from jiufeng.history import HistoricalRecords

from ..scoping import unit_ids_in_scope
from .deadlines import Deadline
from .units import Position, Unit


class AccountabilityMeasure(models.TextChoices):
    INTERVIEW = "interview", _("Interview")  # 约谈
    CIRCULATED_CRITICISM = "circulated_criticism", _("Circulated criticism")  # 通报批评
    ADMONISHMENT = "admonishment", _("Admonishment talk")  # 诫勉谈话
    ORGANISATIONAL = "organisational", _("Organisational handling")  # 组织处理
    DISCIPLINARY = "disciplinary", _("Disciplinary sanction")  # 纪律处分


class AccountabilityState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DECIDED = "decided", _("Decided")
    DISMISSED = "dismissed", _("Dismissed")


class AccountabilitySweepRule(models.TextChoices):
    """Why the escalation sweep proposed a record; blank for a record a person proposed."""

    AT_TOP = "at_top", _("Still open at the top of the escalation ladder")
    QUARTERLY = "quarterly", _("Too many escalations in a quarter")


class AccountabilityRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AccountabilityRecordQuerySet":
        return self.filter(unit__in=unit_ids_in_scope(user))


class AccountabilityRecord(FSMModelMixin, models.Model):
    """A proposal to hold a position holder to account, then a decision on it.

    The position is kept, and its user and unit copied, so that the record still names
    who answered for which unit after the post changes hands or the unit is renamed.
    """

    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="accountability_records"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person held to account"),
        on_delete=models.PROTECT,
        related_name="accountability_records",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="accountability_records"
    )
    reason = models.TextField(_("reason"))
    # Overdue obligations or cases (a complaint's deadlines) the record answers for.
    obligations = models.ManyToManyField(
        Deadline, verbose_name=_("linked obligations"), blank=True, related_name="accountability_records"
    )
    # Suggested when proposed (may be blank: the escalation sweep proposes none); set by the decision.
    measure = models.CharField(_("measure"), max_length=24, choices=AccountabilityMeasure.choices, blank=True)
    state = FSMField(
        _("state"),
        max_length=16,
        choices=AccountabilityState.choices,
        default=AccountabilityState.PROPOSED,
        protected=True,
    )
    # Null: proposed by the system (the escalation sweep).
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    # Keeps the sweep's proposals idempotent: one per obligation and position (at_top),
    # one per position and quarter (quarterly).
    sweep_rule = models.CharField(
        _("proposed by the sweep because"), max_length=16, choices=AccountabilitySweepRule.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = AccountabilityRecordQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[obligations])

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        indexes = [
            # The scoped list, newest first (unit__in=scope, order by proposed_at).
            models.Index(fields=["unit", "-proposed_at"], name="accountability_unit_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=AccountabilityState.PROPOSED)
                | (Q(decided_by__isnull=False) & Q(decided_on__isnull=False)),
                name="accountability_closed_has_decider",
            ),
            models.CheckConstraint(
                condition=~Q(state=AccountabilityState.DECIDED) | ~Q(measure=""),
                name="accountability_decided_has_measure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_state_display()}"

    @transition(field=state, source=AccountabilityState.PROPOSED, target=AccountabilityState.DECIDED)
    def decide(self) -> None:
        """Fired only by services.accountability.accountability_decide."""

    @transition(field=state, source=AccountabilityState.PROPOSED, target=AccountabilityState.DISMISSED)
    def dismiss(self) -> None:
        """Fired only by services.accountability.accountability_dismiss."""


def accountability_document_path(instance: "AccountabilityDocument", filename: str) -> str:
    # Never the uploader's file name: a random name that cannot be guessed or collide.
    # The extension comes from the detected content type, set before saving.
    return f"accountability/{uuid.uuid4().hex}.{instance.extension}"


class AccountabilityDocumentQuerySet(models.QuerySet):
    def current(self) -> "AccountabilityDocumentQuerySet":
        return self.filter(removed_at__isnull=True)

    def visible_to(self, user) -> "AccountabilityDocumentQuerySet":
        return self.filter(record__unit__in=unit_ids_in_scope(user))


class AccountabilityDocument(models.Model):
    """A file attached to an accountability record, in private storage.

    Removing a document hides it but keeps the file: accountability evidence is not
    destroyed, and history still points at it.
    """

    record = models.ForeignKey(
        AccountabilityRecord, verbose_name=_("record"), on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField(_("file"), upload_to=accountability_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(_("extension"), max_length=8)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AccountabilityDocumentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("accountability document")
        verbose_name_plural = _("accountability documents")

    def __str__(self) -> str:
        return self.original_name
