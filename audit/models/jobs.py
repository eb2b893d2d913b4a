"""Exports too big for a page's answer, written by a worker and fetched later (audit.export_jobs)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportJobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One file asked for: which ledger, filtered how, for whom; the file once written.

    No history: the export itself is an AuditEvent (kind "export") written with the file, as
    for a file streamed from the page; this row is the worker's bookkeeping and the download's key.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    # The ledger's registered name (audit.exports.LEDGERS) and the page's query, format included:
    # the worker builds the rows again from them, as the user's scope allows when it runs.
    ledger = models.CharField(_("ledger"), max_length=40)
    query = models.TextField(_("query"), blank=True)
    file_format = models.CharField(_("format"), max_length=4)
    # Who asked from where, for the export's AuditEvent.
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=ExportJobState.choices, default=ExportJobState.QUEUED)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True, max_length=200)
    # The language the user asked in: the headers and words of the file.
    language = models.CharField(_("language"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["user", "-created_at"], name="exportjob_user_recent")]

    def __str__(self) -> str:
        return f"{self.ledger} {self.file_format} {self.created_at:%Y-%m-%d %H:%M}"
