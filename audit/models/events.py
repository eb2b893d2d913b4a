"""The event log auditors read beside history: logins, refused writes, exports."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chain import Chained, unsealed_index


class AuditEventKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOCKOUT = "lockout", _("Locked out")
    LOGOUT = "logout", _("Signed out")
    WRITE_REFUSED = "write_refused", _("Write refused")
    EXPORT = "export", _("Export")
    # 两步验证 (jiufeng.twofactor): a wrong code, a device set up, recovery codes renewed.
    SECOND_FACTOR_FAILED = "otp_failed", _("Second factor failed")
    SECOND_FACTOR_SET_UP = "otp_setup", _("Second factor set up")
    RECOVERY_CODES_RENEWED = "otp_codes", _("Recovery codes renewed")
    # A closed case's identity and files removed after the retention period (complaints.retention).
    PURGE = "purge", _("Purged after the retention period")


class AuditEvent(Chained):
    kind = models.CharField(_("kind"), max_length=16, choices=AuditEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    # Null: no account matched (a failed sign-in names the username tried).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=8, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    # What else the kind needs: an export's filters and row count, a lockout's reason.
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["kind", "-at"], name="auditevent_kind_at"),
            models.Index(fields=["user", "-at"], name="auditevent_user_at"),
            unsealed_index(table="audit.AuditEvent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"
