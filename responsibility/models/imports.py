"""The record of organisation changes that treebeard does not write to history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiufeng.history import HistoricalRecords

from .units import Unit


class UnitMove(models.Model):
    """A unit (with its subtree) moved to another parent.

    treebeard rewrites paths with bulk updates, which leave no history row: this is the
    organisation's record of where a unit used to sit.
    """

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="moves")
    from_parent = models.ForeignKey(
        Unit, verbose_name=_("from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_parent = models.ForeignKey(
        Unit, verbose_name=_("to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moved by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    moved_at = models.DateTimeField(_("moved at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit move")
        verbose_name_plural = _("unit moves")
        ordering = ["-moved_at"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.from_parent} → {self.to_parent}"


class OrgImport(models.Model):
    """One applied import of the tree and positions from a spreadsheet."""

    file_name = models.CharField(_("file name"), max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"))
    units_created = models.PositiveIntegerField(_("units created"))
    units_updated = models.PositiveIntegerField(_("units updated"))
    positions_created = models.PositiveIntegerField(_("positions created"))
    users_created = models.PositiveIntegerField(_("accounts created"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation import")
        verbose_name_plural = _("organisation imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} · {self.imported_at:%Y-%m-%d %H:%M}"
