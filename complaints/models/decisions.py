"""Decisions on a case besides its transitions: extensions (延期), the petitioner's ratings and
the measures of a disposition."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiufeng.history import HistoricalRecords

from .cases import Complaint

EXTENSION_MAX_DAYS = 30


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Awaiting a leader")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    """An officer's request for more days on the running stage; a leader approves or refuses it.

    Once per stage (DOMAIN.md): a stage is the deadline kind plus the review round, so the
    review and the re-review are stages of their own. A refused request may be made again.
    """

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="extension_requests"
    )
    # The DeadlineKind of the stage whose deadline moves.
    stage = models.CharField(_("stage"), max_length=32)
    review_round = models.PositiveSmallIntegerField(_("review round"), default=0)
    days = models.PositiveSmallIntegerField(_("days"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=8, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=EXTENSION_MAX_DAYS), name="extension_days_range"),
            # Once per stage: a pending or approved request blocks another.
            models.UniqueConstraint(
                fields=["complaint", "stage", "review_round"],
                condition=~Q(state="refused"),
                name="extension_once_per_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.complaint_id} +{self.days}"


class RatingValue(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


class Rating(models.Model):
    """满意度评价: the petitioner's rating of one reply (the first, the review's, the re-review's)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="ratings"
    )
    # The review round whose reply is rated: one rating per decision.
    review_round = models.PositiveSmallIntegerField(_("review round"))
    rating = models.CharField(_("rating"), max_length=24, choices=RatingValue.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "review_round"], name="rating_once_per_decision"),
        ]

    def __str__(self) -> str:
        return f"#{self.complaint_id} {self.get_rating_display()}"


class MeasureKind(models.TextChoices):
    """处理结果: what was done about a substantiated complaint."""

    RECTIFICATION = "rectification", _("Rectification")  # 整改
    REFUND = "refund", _("Refund")  # 退款
    CRITICISM = "criticism", _("Criticism")  # 批评教育
    ADMONISHING_TALK = "admonishing_talk", _("Admonishing talk")  # 诫勉谈话
    SANCTION = "sanction", _("Disciplinary sanction")  # 纪律处分
    REFERRAL = "referral", _("Referral to another authority")  # 移送
    # 建立长效机制: a standing rule the unit adopts so the problem does not come back (e.g. publishing
    # its fees); the dashboard compares the unit's complaints of the category before and after it.
    RULE = "rule", _("Long-term rule")


class Measure(models.Model):
    """One measure of a disposition, proposed with the finding and in force once approved.

    A rectification names the responsible unit and a due day (any other measure may: a
    refund, who pays back by when); approval turns a rectification into a
    responsibility.RectificationItem, an obligation in the deadline ledger that outlives the case.
    """

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="measures"
    )
    kind = models.CharField(_("measure"), max_length=20, choices=MeasureKind.choices)
    description = models.TextField(_("description"), blank=True)
    # Refunds only, in yuan.
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    # The unit that carries it out, and by when: needed by a rectification, kept for any measure.
    responsible_unit = models.ForeignKey(
        "responsibility.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    rectification_item = models.OneToOneField(
        "responsibility.RectificationItem",
        verbose_name=_("rectification item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint_measure",
    )
    # The review round whose decision proposed it.
    review_round = models.PositiveSmallIntegerField(_("review round"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="refund") | Q(amount__isnull=False, amount__gt=0), name="measure_refund_amount"
            ),
            models.CheckConstraint(
                condition=~Q(kind="rectification") | Q(responsible_unit__isnull=False, due_on__isnull=False),
                name="measure_rectification_unit_due",
            ),
            # A unit and its due day go together, whatever the measure.
            models.CheckConstraint(
                condition=Q(responsible_unit__isnull=True, due_on__isnull=True)
                | Q(responsible_unit__isnull=False, due_on__isnull=False),
                name="measure_unit_with_due",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.complaint_id} {self.get_kind_display()}"
