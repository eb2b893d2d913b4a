"""问卷: what evaluators are asked about a unit's conduct, item by item, each with a weight and a scale.

A questionnaire is reusable: later appraisals may use it again. Once an appraisal using it
opens it is frozen (``frozen_at``) and its items never change again, so every response to
it is scored against the same questions; an edited questionnaire is a copy.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiufeng.history import HistoricalRecords


class Scale(models.TextChoices):
    THREE_LEVEL = "three_level", _("Satisfied / basically satisfied / dissatisfied")  # 满意 / 基本满意 / 不满意
    FIVE_POINT = "five_point", _("1 to 5")


# What each answer counts, out of 100. Three levels: 满意 counts in full, 基本满意 six tenths,
# 不满意 nothing, the weighting the case ratings use too (evaluations.scoring).
SCALE_POINTS: dict[str, dict[int, Decimal]] = {
    Scale.THREE_LEVEL: {3: Decimal(100), 2: Decimal(60), 1: Decimal(0)},
    Scale.FIVE_POINT: {5: Decimal(100), 4: Decimal(75), 3: Decimal(50), 2: Decimal(25), 1: Decimal(0)},
}

# The labels of a three-level answer, highest first, as evaluators read them.
THREE_LEVEL_LABELS = {3: _("Satisfied"), 2: _("Basically satisfied"), 1: _("Dissatisfied")}


class Questionnaire(models.Model):
    name = models.CharField(_("name"), max_length=128)
    introduction = models.TextField(_("introduction"), max_length=2000, blank=True)
    # Set when the first appraisal using it opens; from then on its items are fixed.
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class QuestionItem(models.Model):
    """One question: conduct, service attitude, efficiency, integrity, transparency..."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=300)
    # Percent of the questionnaire's score; a questionnaire's weights sum to 100 before it is used.
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    scale = models.CharField(_("scale"), max_length=16, choices=Scale.choices, default=Scale.THREE_LEVEL)
    required = models.BooleanField(_("answer required"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "position"], name="question_item_position_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="question_item_weight_percent"),
        ]

    def __str__(self) -> str:
        return self.text

    def points(self, value: int) -> Decimal | None:
        """What the answer ``value`` counts out of 100, or None when it is not on this item's scale."""
        return SCALE_POINTS[self.scale].get(value)

    @property
    def values(self) -> list[int]:
        """The answers this item takes, highest first."""
        return sorted(SCALE_POINTS[self.scale], reverse=True)
