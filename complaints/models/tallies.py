"""The dashboard's pre-counted figures (complaints.tallies): derived from the cases, rebuilt from them.

One row per subject unit and month of receipt: a county's thousand units over five years
are at most 60,000 rows, so a root's year is read from 12,000 short rows instead of every
case of the year. The figures of cases open now (open, overdue, due soon) are kept apart, per
subject unit, counted every minute (OpenCaseTally).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from responsibility.models import Unit


class CaseTally(models.Model):
    """The Figures counters (complaints.dashboard) of the cases about one unit received in one month."""

    subject_unit = models.ForeignKey(
        Unit, verbose_name=_("subject unit"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The first day of the month of receipt, in the local time zone.
    month = models.DateField(_("month"))
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    with_finding = models.PositiveIntegerField(default=0)
    substantiated = models.PositiveIntegerField(default=0)
    partly_substantiated = models.PositiveIntegerField(default=0)
    reviews = models.PositiveIntegerField(default=0)
    re_reviews = models.PositiveIntegerField(default=0)
    reviews_pending = models.PositiveIntegerField(default=0)
    reviews_decided = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")
        indexes = [models.Index(fields=["subject_unit", "month"], name="casetally_unit_month")]

    def __str__(self) -> str:
        return f"{self.subject_unit_id} {self.month:%Y-%m}: {self.received}"


class TallyDimension(models.TextChoices):
    STATUS = "status", _("Status")
    CHANNEL = "channel", _("Channel")
    CATEGORY = "category", _("Category")
    RATING = "rating", _("Rating")


class CaseTallyCount(models.Model):
    """How many cases about one unit received in one month have one status, channel, category
    (its id) or latest rating."""

    subject_unit = models.ForeignKey(
        Unit, verbose_name=_("subject unit"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField(_("month"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=TallyDimension.choices)
    key = models.CharField(_("key"), max_length=32)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case tally count")
        verbose_name_plural = _("case tally counts")
        indexes = [
            models.Index(fields=["subject_unit", "month"], name="casetallycount_unit_month"),
            # The ratings of a subtree's units (complaints.tallies.counted_from_tallies): one
            # dimension of a period, not every count of it.
            models.Index(fields=["dimension", "month", "subject_unit"], name="casetallycount_dimension"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_unit_id} {self.month:%Y-%m} {self.dimension}={self.key}: {self.n}"


class CaseTallyRollup(models.Model):
    """CaseTallyCount's counts added up over a unit's whole subtree (the unit at ``unit_path`` and below).

    A root's year by status, channel and category is then a few hundred rows, not one per
    subject unit. Keyed by path, as the rebuild adds up by path prefix: a unit moved meanwhile
    is counted under its new place at the next rebuild.
    """

    unit_path = models.CharField(_("unit path"), max_length=255)
    month = models.DateField(_("month"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=TallyDimension.choices)
    key = models.CharField(_("key"), max_length=32)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case tally roll-up")
        verbose_name_plural = _("case tally roll-ups")
        indexes = [models.Index(fields=["unit_path", "month"], name="casetallyrollup_path_month")]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.month:%Y-%m} {self.dimension}={self.key}: {self.n}"


class OpenCaseTally(models.Model):
    """How many cases about one unit were open, overdue and due soon when last counted (CaseTallyRun OPEN_RUN).

    A root's "now" figures counted live read every waiting case of the county (168,299 of a
    million bench cases, 70–100 ms); these are a thousand rows, counted again every minute.
    """

    subject_unit = models.OneToOneField(
        Unit, verbose_name=_("subject unit"), on_delete=models.CASCADE, related_name="+"
    )
    open = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    due_soon = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("open case tally")
        verbose_name_plural = _("open case tallies")

    def __str__(self) -> str:
        return f"{self.subject_unit_id}: {self.open} open, {self.overdue} overdue"


class CaseTallyRun(models.Model):
    """When a kind of tally was last counted: the page says how fresh its figures are.

    One row per kind, by primary key (complaints.tallies: PERIOD_RUN, OPEN_RUN), so that the
    ten-minute rebuild and the minute's count lock different rows and never wait on each other.
    """

    finished_at = models.DateTimeField(_("finished at"))

    class Meta:
        verbose_name = _("case tally run")
        verbose_name_plural = _("case tally runs")

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M}"
