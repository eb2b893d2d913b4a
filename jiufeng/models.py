from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from audit.actors import SYSTEM_USERNAME

from .encrypted import EncryptedCharField
from .history import HistoricalRecords
from .texts import text_render


class User(AbstractUser):
    """A staff member, or a real-name petitioner who chose to open an account."""

    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    # The roles held (groups) and any permission given directly are part of a user's history.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups", "user_permissions"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("handle_cases", _("Can triage and handle complaints")),
            ("approve_cases", _("Can approve decisions and extensions")),
            ("view_identity", _("Can read a petitioner's identity")),
            ("view_dashboard", _("Can see unit dashboards")),
            ("audit_history", _("Can browse change history")),
            ("follow_own_complaints", _("Can follow own complaints with an account")),
            ("evaluate_conduct", _("Can rate units and file conduct observations as an appointed evaluator")),
        ]

    def __str__(self) -> str:
        # The account tasks and commands are recorded under (audit.actors), named in the reader's language.
        if self.username == SYSTEM_USERNAME:
            return str(_("the system"))
        return self.display_name or self.get_username()


# The fields a notification's texts may give, with their columns' lengths.
TEXT_FIELDS = {"subject": 200, "body": None, "why": 500}


class Notification(models.Model):
    """One message in a user's in-app inbox; email and SMS copies go through the outbox."""

    # Indexed by notification_inbox, which leads with it.
    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    # Shown to the recipient: why this reached them (their position, the unit, the level).
    why = models.CharField(_("why you were notified"), max_length=500, blank=True)
    # Subject, body and why as texts to render in the reader's language (jiufeng.texts):
    # {"subject": text, "body": text, "why": text}. The columns above hold the same in the
    # office's language, as the email and SMS copies carry them. Empty on rows written
    # before texts were kept: those show their columns. No database default: bulk_create
    # would read every digest's texts back (RETURNING), 10,000 lines in a big sweep.
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The unread count in the navigation, on every page.
            models.Index(fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)),
            # The inbox page, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.subject

    @cached_property
    def shown(self) -> dict[str, str]:
        """Subject, body and why in the active language: the reader's, in the inbox."""
        return {
            field: text_render(self.texts[field]) if field in self.texts else getattr(self, field)
            for field in TEXT_FIELDS
        }


class OutboxChannel(models.TextChoices):
    INAPP = "inapp", _("In-app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """A message to send on one channel: a copy of a user's notification, or a message of its
    own to a bare address (a petitioner has no account, only a phone and maybe an email).

    Written in the same transaction as the work that caused it, so a broker outage delays it
    but cannot lose it; jiufeng.tasks.deliver_outbox_task drains pending rows.
    """

    # Null: a message to a bare address, carrying its own subject and body.
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=OutboxChannel.choices)
    # A petitioner's phone or email (or a staff member's): encrypted, and emptied once the
    # retention period has passed since the last attempt (jiufeng.notifications.outbox_purge).
    address = EncryptedCharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # Emptied once the message is sent or given up: it may carry a tracking code, which is
    # kept nowhere else in the clear. Never copied to history for the same reason.
    body = models.TextField(_("body"), blank=True)
    state = models.CharField(_("state"), max_length=8, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a delivery may next be tried; a claim pushes it forward as a lease.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["body"])

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # deliver_outbox_task: pending rows whose attempt is due; sent rows cost nothing.
            models.Index(fields=["next_attempt_at"], name="outbox_pending_due", condition=Q(state="pending")),
        ]
        constraints = [
            # A copy reads its notification's text; a message to a bare address has its own subject.
            models.CheckConstraint(
                condition=Q(notification__isnull=False, subject="", body="")
                | (Q(notification__isnull=True) & ~Q(subject="")),
                name="outbox_notification_or_own_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"
