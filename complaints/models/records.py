"""What happens on a case besides its transitions: investigation activities, messages with the
petitioner, internal notes, attachments and reads of the petitioner's identity."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models.chain import Chained, unsealed_index
from jiufeng.history import HistoricalRecords

from .cases import Complaint


class AppendOnly(models.Model):
    """A record that is written once and never changed: corrections are new rows."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)


class ActivityKind(models.TextChoices):
    """听 看 访 谈 查: the five kinds of investigation activity (DOMAIN.md)."""

    LISTEN = "listen", _("Listen")  # 听
    LOOK = "look", _("Look")  # 看
    VISIT = "visit", _("Visit")  # 访
    TALK = "talk", _("Talk")  # 谈
    CHECK = "check", _("Check")  # 查


class CheckedItem(models.TextChoices):
    """What a 查 activity checked, as the practice's 查 lists them."""

    PROBLEM = "problem", _("The problem reported")  # 举报问题
    RULES = "rules", _("Management rules")  # 管理制度
    PROCEDURES = "procedures", _("Management procedures")  # 管理程序
    SERVICE = "service", _("Service")  # 服务情况


class Activity(models.Model):
    """One of 听 看 访 谈 查 on a case.

    A mistaken activity is corrected in place or voided, each time with a reason; every
    version stays in its history and the row is never deleted. A voided activity stays on
    the timeline, struck through, and counts for nothing.
    """

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ActivityKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    participants = models.CharField(_("participants"), max_length=500, blank=True)
    summary = models.TextField(_("summary"))
    # A 查 activity's CheckedItem values, in their declared order; empty for the other kinds.
    # A list in JSON: one code path for PostgreSQL and SQLite (an ArrayField is PostgreSQL's).
    checked = models.JSONField(_("what was checked"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("investigation activity")
        verbose_name_plural = _("investigation activities")
        indexes = [models.Index(fields=["complaint", "occurred_at"], name="activity_complaint_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""), name="activity_void_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.complaint_id} {self.get_kind_display()}"

    def delete(self, *args, **kwargs):
        raise ValueError("Activities are voided with a reason, never deleted.")

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    def checked_labels(self) -> list[str]:
        labels = dict(CheckedItem.choices)
        return [str(labels[value]) for value in self.checked if value in labels]


class Message(AppendOnly):
    """A message between the handling staff and the petitioner, shown on both sides."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="messages"
    )
    # Null: the petitioner, who writes by tracking code without an account.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("message"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["complaint", "at"], name="message_complaint_at")]

    def __str__(self) -> str:
        return f"#{self.complaint_id} {self.at:%Y-%m-%d %H:%M}"

    @property
    def from_petitioner(self) -> bool:
        return self.author_id is None


class InternalNote(AppendOnly):
    """A note staff exchange about a case; a separate table so no petitioner-facing query can reach it."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="internal_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("note"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        indexes = [models.Index(fields=["complaint", "at"], name="internalnote_complaint_at")]

    def __str__(self) -> str:
        return f"#{self.complaint_id} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: the petitioner's file name never reaches the disk or a URL.
    return f"complaints/{uuid.uuid4().hex}.{instance.extension}"


class Attachment(models.Model):
    """A file on a case, in private storage (STORAGES["default"]), served only through a scope check.

    Filed with the complaint, or with a message or an activity. Photos are stored with their
    location and device metadata stripped.
    """

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="attachments"
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(_("extension"), max_length=8)
    size = models.PositiveIntegerField(_("size in bytes"))
    # Null: the petitioner.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # Set when the file was deleted after the retention period (complaints.retention); the row
    # stays, so pages say what was there.
    purged_at = models.DateTimeField(_("removed at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(message__isnull=True) | Q(activity__isnull=True), name="attachment_one_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class IdentityAccess(Chained):
    """Who was shown a petitioner's identity, when, from where, on which case and how: every read
    is a row, append-only and hash-chained."""

    class Via(models.TextChoices):
        PAGE = "page", _("Case page")
        API = "api", _("API")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="identity_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    via = models.CharField(_("via"), max_length=8, choices=Via.choices)
    # The client address the read came from (jiufeng.client_address); null on rows before it was kept.
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity access")
        verbose_name_plural = _("identity accesses")
        indexes = [
            models.Index(fields=["complaint", "at"], name="identityaccess_complaint_at"),
            unsealed_index(table="complaints.IdentityAccess"),
        ]

    def __str__(self) -> str:
        return f"#{self.complaint_id} {self.user_id} {self.at:%Y-%m-%d %H:%M}"
