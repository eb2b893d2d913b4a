"""行风监督员 and deputies: appointed citizens with accounts and a term.

Between appraisals a conduct supervisor files observations on a unit's conduct; they enter
the complaint flow with the channel ``supervisor`` and count in the unit's figures. When an
appraisal opens, every evaluator whose term covers it gets a code per unit they observe.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiufeng.history import HistoricalRecords
from responsibility.models import Unit
from responsibility.scoping import unit_ids_in_scope

from .appraisals import EvaluatorGroup


class EvaluatorQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EvaluatorQuerySet":
        return self.filter(appointed_by__in=unit_ids_in_scope(user))

    def serving(self, on=None) -> "EvaluatorQuerySet":
        """In their term on the day ``on`` (today)."""
        on = on or timezone.localdate()
        return self.filter(term_start__lte=on, term_end__gte=on)


class Evaluator(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="evaluator"
    )
    group = models.CharField(
        _("evaluator group"),
        max_length=24,
        choices=[(g.value, g.label) for g in (EvaluatorGroup.SUPERVISOR, EvaluatorGroup.REPRESENTATIVE)],
        default=EvaluatorGroup.SUPERVISOR,
    )
    # The unit that appointed them (聘请单位): they rate appraisals it organises.
    appointed_by = models.ForeignKey(
        Unit, verbose_name=_("appointed by"), on_delete=models.PROTECT, related_name="appointed_evaluators"
    )
    # The units they observe; none: every unit under appraisal.
    observes = models.ManyToManyField(Unit, verbose_name=_("units observed"), blank=True, related_name="+")
    term_start = models.DateField(_("term from"))
    term_end = models.DateField(_("term until"))
    # 工作单位/身份, shown to the officers who appoint them: e.g. "retired teacher".
    background = models.CharField(_("background"), max_length=200, blank=True)

    objects = EvaluatorQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=["observes"])

    class Meta:
        verbose_name = _("appointed evaluator")
        verbose_name_plural = _("appointed evaluators")
        ordering = ["appointed_by__path", "user__display_name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gte=F("term_start")), name="evaluator_term_ordered"),
        ]

    def __str__(self) -> str:
        return str(self.user)
