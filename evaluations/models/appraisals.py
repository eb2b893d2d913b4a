"""民主评议: a year's appraisal of units' conduct, its units, their scores and ranks.

draft -> open (responses taken) -> closed -> scored -> published (a leader approves). The
transitions are fired only by evaluations.services.appraisals after evaluations.workflow's
check.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from jiufeng.history import HistoricalRecords
from responsibility.models import Unit
from responsibility.scoping import unit_ids_in_scope

from .questionnaires import Questionnaire


class AppraisalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for responses")
    CLOSED = "closed", _("Closed")
    SCORED = "scored", _("Scored")
    PUBLISHED = "published", _("Published")


class EvaluatorGroup(models.TextChoices):
    """Who rates: each group's questionnaire score is a part of the composite, with its own weight."""

    SUPERVISOR = "supervisor", _("Conduct supervisors")  # 行风监督员
    REPRESENTATIVE = "representative", _("People's deputies and CPPCC members")  # 人大代表、政协委员
    SERVICE_USER = "service_user", _("Service users")  # 服务对象
    PETITIONER = "petitioner", _("Petitioners' ratings of their cases")  # 投诉人对办理结果的评价


class Grade(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


# The parts of the composite score, each weighted by the appraisal's field of the same name
# with "weight_" before it (Appraisal.weights). The order is the explanation's.
PARTS = (
    "supervisor",
    "representative",
    "service_user",
    "petitioner",
    "on_time",
    "substantiated",
    "pledge",
)


class AppraisalQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AppraisalQuerySet":
        """Appraisals organised by a unit in scope."""
        return self.filter(organiser__in=unit_ids_in_scope(user))

    def published(self) -> "AppraisalQuerySet":
        return self.filter(state=AppraisalState.PUBLISHED)


def _weight(label: str, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, default=default, validators=[MaxValueValidator(100)])


class Appraisal(FSMModelMixin, models.Model):
    name = models.CharField(_("name"), max_length=128)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    # Who runs it; the units under appraisal are in its subtree.
    organiser = models.ForeignKey(
        Unit, verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="organised_appraisals"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="appraisals"
    )
    # Responses are taken from opens_at to closes_at, and only while the appraisal is open.
    opens_at = models.DateTimeField(_("responses from"))
    closes_at = models.DateTimeField(_("responses until"))
    # The complaints and pledges counted: cases received, ratings given, deadlines due in it.
    period_start = models.DateField(_("figures from"))
    period_end = models.DateField(_("figures until"))

    # Weights of the composite's parts, in percent; they sum to 100 (a constraint).
    weight_supervisor = _weight(_("weight: conduct supervisors (%)"), 20)
    weight_representative = _weight(_("weight: deputies and CPPCC members (%)"), 15)
    weight_service_user = _weight(_("weight: service users (%)"), 25)
    weight_petitioner = _weight(_("weight: petitioners' ratings (%)"), 15)
    weight_on_time = _weight(_("weight: on-time rate (%)"), 10)
    weight_substantiated = _weight(_("weight: substantiated complaints (%)"), 10)
    weight_pledge = _weight(_("weight: pledge assessment (%)"), 5)
    # The substantiated-complaints part starts at 100 and loses this much per substantiated complaint.
    substantiated_penalty = models.DecimalField(
        _("points lost per substantiated complaint"), max_digits=5, decimal_places=2, default=Decimal(10)
    )
    # Grades by composite score: at least the first is 满意, at least the second 基本满意.
    grade_satisfied_from = models.DecimalField(
        _("satisfied from score"), max_digits=5, decimal_places=2, default=Decimal(85)
    )
    grade_basic_from = models.DecimalField(
        _("basically satisfied from score"), max_digits=5, decimal_places=2, default=Decimal(70)
    )
    # The bottom this many of each ranking group (and every unit graded 不满意) must rectify.
    rectify_bottom = models.PositiveSmallIntegerField(_("bottom units to rectify, per group"), default=1)
    rectify_within_days = models.PositiveSmallIntegerField(
        _("days to rectify"), default=90, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )

    state = FSMField(
        _("state"), max_length=16, choices=AppraisalState.choices, default=AppraisalState.DRAFT, protected=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved for publication by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AppraisalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("democratic appraisal")
        verbose_name_plural = _("democratic appraisals")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="appraisal_closes_after_opening"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="appraisal_period_ordered"),
            models.CheckConstraint(
                condition=Q(grade_basic_from__lte=F("grade_satisfied_from")), name="appraisal_grade_thresholds_ordered"
            ),
            # Weights that do not sum to 100 would make scores incomparable between appraisals.
            models.CheckConstraint(
                condition=Exact(sum((F(f"weight_{part}") for part in PARTS), Value(0)), 100),
                name="appraisal_weights_sum_to_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weights(self) -> dict[str, int]:
        """Each part's weight in percent, in the order of PARTS."""
        return {part: getattr(self, f"weight_{part}") for part in PARTS}

    # Transitions: fired only by evaluations.services.appraisals.
    @transition(field=state, source=AppraisalState.DRAFT, target=AppraisalState.OPEN)
    def open(self) -> None:
        pass

    @transition(field=state, source=AppraisalState.OPEN, target=AppraisalState.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=state, source=AppraisalState.CLOSED, target=AppraisalState.SCORED)
    def score(self) -> None:
        pass

    @transition(field=state, source=AppraisalState.SCORED, target=AppraisalState.PUBLISHED)
    def publish(self) -> None:
        pass


class AppraisedUnit(models.Model):
    """A unit under appraisal, and once scored its composite score, rank and grade."""

    appraisal = models.ForeignKey(
        Appraisal, verbose_name=_("appraisal"), on_delete=models.PROTECT, related_name="appraised_units"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="appraisals")
    # Units are ranked within their group (e.g. 执法类, 服务窗口类): like is compared with like.
    ranking_group = models.CharField(_("ranking group"), max_length=64, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    # Competition ranking within the group: equal scores share a rank, the next rank skips.
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=24, choices=Grade.choices, blank=True)
    # Each part's score, weight and contribution, and the figures it was made from
    # (evaluations.scoring.UnitScore.parts): the explanation shown with the score.
    parts = models.JSONField(_("parts of the score"), default=dict, blank=True)
    to_rectify = models.BooleanField(_("must rectify"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit under appraisal")
        verbose_name_plural = _("units under appraisal")
        ordering = ["appraisal", "ranking_group", "rank", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "unit"], name="appraised_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.appraisal} · {self.unit}"
