"""The holiday calendar for counting working days: seeded from chinesecalendar, editable by administrators.

Only exceptions to the Monday-Friday week are stored: public holidays falling on
weekdays and make-up workdays (调休) falling on weekends. A year is known once it has a
CalendarYear row; past the last known year, only weekends are skipped and the deadlines
counted that way are flagged provisional.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiufeng.history import HistoricalRecords


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    day = models.DateField(_("day"), unique=True)
    # True: a weekend day worked (调休); False: a weekday off (public holiday).
    working = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=64, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"
