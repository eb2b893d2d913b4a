"""Escalation steps (层层抓落实): one row per (deadline, level), written by the sweep.

Level 0 notifies the responsible unit's liaison officers (催办), level 1 its principal,
level k ≥ 2 the principal of the ancestor k - 1 steps up (督办), up to the root. The
step that reaches the root (the county) also reaches the people there who can act on
the whole area: the root's leaders in charge of 纠风 work (分管领导) and the leaders
assigned (领导包片) to a unit at or above the responsible one. The sweep
(services.escalations), "my escalations" (escalations_selectors) and who may
acknowledge (permissions) each read these rules in their own shape.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiufeng.history import HistoricalRecords

from ..scoping import unit_in_scope
from .deadlines import Deadline, withheld_from_user
from .units import PositionKind, Unit


def notified_kind(level: int) -> str:
    """The position notified at a level: the liaison first, principals above."""
    return PositionKind.LIAISON if level == 0 else PositionKind.PRINCIPAL


# The depth of the tree's root units, where the ladder ends.
TOP_DEPTH = 1
# The positions reached at the top besides its principals.
TOP_ALSO_KINDS = [PositionKind.LEADER_IN_CHARGE]


def reaches_the_top(*, level: int, unit_depth: int) -> bool:
    """Whether a step (its level, its notified unit's depth) is the one that reaches the root:
    a principal level notifying a root unit."""
    return level >= 1 and unit_depth == TOP_DEPTH


class EscalationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EscalationQuerySet":
        # The responsible unit decides visibility: every notified unit is it or above it.
        in_scope = self.filter(unit_in_scope(user, "deadline__unit"))
        return in_scope.exclude(withheld_from_user(user, "deadline__"))


class Escalation(models.Model):
    deadline = models.ForeignKey(
        Deadline,
        verbose_name=_("deadline"),
        on_delete=models.CASCADE,
        related_name="escalations",
        # escalation_one_per_level (deadline, level) serves lookups by deadline.
        db_index=False,
    )
    level = models.SmallIntegerField(_("level"))
    # The unit whose liaison (level 0) or principal (level ≥ 1) is notified.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("notified unit"),
        on_delete=models.PROTECT,
        related_name="escalations_received",
        # escalation_unit_recent (unit, -created_at) serves lookups by unit.
        db_index=False,
    )
    created_at = models.DateTimeField(_("escalated at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = EscalationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            # Retries and concurrent sweeps cannot escalate the same step twice.
            models.UniqueConstraint(fields=["deadline", "level"], name="escalation_one_per_level"),
            models.CheckConstraint(condition=models.Q(level__gte=0), name="escalation_level_not_negative"),
        ]
        indexes = [
            # "My escalations" and the API: newest first per notified unit.
            models.Index(fields=["unit", "-created_at"], name="escalation_unit_recent"),
            models.Index(fields=["-created_at"], name="escalation_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.deadline} · {self.level}"

    @property
    def notified_kind(self) -> str:
        return notified_kind(self.level)
