"""行风监督员反映: a conduct supervisor's own observation, filed as a complaint of the supervisor channel.

The complaint carries the case (its handling, its figures); this row only says whose
observation it was, so the supervisor's page can list and open their own cases.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiufeng.history import HistoricalRecords

from .evaluators import Evaluator


class Observation(models.Model):
    evaluator = models.ForeignKey(
        Evaluator, verbose_name=_("conduct supervisor"), on_delete=models.PROTECT, related_name="observations"
    )
    complaint = models.OneToOneField(
        "complaints.Complaint", verbose_name=_("case"), on_delete=models.PROTECT, related_name="observation"
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conduct observation")
        verbose_name_plural = _("conduct observations")
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.evaluator} · {self.complaint_id}"
