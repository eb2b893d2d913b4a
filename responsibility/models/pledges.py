"""Pledges (责任书): each year a unit issues a pledge to each child unit, the child's
principal signs it, and at year end the issuer assesses it item by item.

The lifecycle is a django-fsm state machine; transitions are fired only by
responsibility.services.pledges. A signed text is frozen in a PledgeSignature row:
later changes are an amendment (a new version) that must be signed again.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from jiufeng.history import HistoricalRecords

from ..scoping import unit_ids_in_scope
from .units import Unit


class PledgeTemplate(models.Model):
    """The items a unit means to pledge its children to in a year, copied into each pledge."""

    issuer = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="pledge_templates"
    )
    name = models.CharField(_("name"), max_length=128)
    year = models.PositiveSmallIntegerField(_("year"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge template")
        verbose_name_plural = _("pledge templates")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "name"], name="pledge_template_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.name}"


class PledgeItemFields(models.Model):
    """What a target item says: the same in a template and in a pledge."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    due_on = models.DateField(_("due on"))
    responsible_person = models.CharField(_("responsible person"), max_length=64, blank=True)
    evidence_required = models.CharField(_("evidence required"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class PledgeTemplateItem(PledgeItemFields):
    template = models.ForeignKey(
        PledgeTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )

    history = HistoricalRecords()

    class Meta(PledgeItemFields.Meta):
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="pledge_template_item_weight_positive"),
        ]


class PledgeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued, awaiting signature")
    SIGNED = "signed", _("Signed")
    ASSESSED = "assessed", _("Assessed")


class PledgeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PledgeQuerySet":
        """Pledges whose issuer or receiving unit is in the user's scope."""
        units = unit_ids_in_scope(user)
        return self.filter(Q(issuer__in=units) | Q(unit__in=units))


class Pledge(FSMModelMixin, models.Model):
    """责任书: the yearly pledge a unit (``unit``) makes to its parent (``issuer``)."""

    year = models.PositiveSmallIntegerField(_("year"))
    issuer = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="pledges_issued"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("pledging unit"), on_delete=models.PROTECT, related_name="pledges")
    template = models.ForeignKey(
        PledgeTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
    )
    state = FSMField(_("state"), max_length=16, choices=PledgeState.choices, default=PledgeState.DRAFT, protected=True)
    # 1 when first issued; each amendment adds one and must be signed again.
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    amendment_reason = models.CharField(_("reason for the amendment"), max_length=500, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    # The signature of the current version; earlier ones stay in PledgeSignature.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    total_score = models.DecimalField(_("total score"), max_digits=7, decimal_places=2, null=True, blank=True)

    objects = PledgeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "unit", "year"], name="pledge_one_per_issuer_unit_year"),
            models.CheckConstraint(condition=~Q(issuer=F("unit")), name="pledge_not_to_itself"),
            models.CheckConstraint(
                condition=Q(signed_by__isnull=True, signed_at__isnull=True)
                | Q(signed_by__isnull=False, signed_at__isnull=False),
                name="pledge_signature_has_who_and_when",
            ),
        ]
        indexes = [
            # The coverage view: signed pledges of a year per receiving unit.
            models.Index(fields=["year", "unit", "state"], name="pledge_year_unit_state"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.issuer} → {self.unit}"

    @property
    def is_signed(self) -> bool:
        return self.state in (PledgeState.SIGNED, PledgeState.ASSESSED)

    # Transitions: called only by responsibility.services.pledges, which checks who may.
    @transition(field=state, source=PledgeState.DRAFT, target=PledgeState.ISSUED)
    def issue(self) -> None:
        pass

    @transition(field=state, source=PledgeState.ISSUED, target=PledgeState.SIGNED)
    def sign(self) -> None:
        pass

    @transition(field=state, source=[PledgeState.ISSUED, PledgeState.SIGNED], target=PledgeState.ISSUED)
    def amend(self) -> None:
        pass

    @transition(field=state, source=PledgeState.SIGNED, target=PledgeState.ASSESSED)
    def assess(self) -> None:
        pass


class PledgeItem(PledgeItemFields):
    """目标任务: one target of a pledge; an obligation in the deadline ledger once issued."""

    pledge = models.ForeignKey(Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="items")
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evidence = models.TextField(_("evidence"), max_length=2000, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    assessment_note = models.CharField(_("assessment note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta(PledgeItemFields.Meta):
        verbose_name = _("pledge item")
        verbose_name_plural = _("pledge items")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="pledge_item_weight_positive"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=F("weight")),
                name="pledge_item_score_within_weight",
            ),
        ]


class PledgeSignature(models.Model):
    """A version of a pledge as its principal signed it: append-only, never edited."""

    pledge = models.ForeignKey(Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="signatures")
    version = models.PositiveSmallIntegerField(_("version"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))
    text = models.TextField(_("signed text"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge signature")
        verbose_name_plural = _("pledge signatures")
        ordering = ["version"]
        constraints = [
            # A second signature of the same version is refused by the database too.
            models.UniqueConstraint(fields=["pledge", "version"], name="pledge_signature_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.pledge} · v{self.version}"
