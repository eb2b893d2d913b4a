from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A staff member, or a real-name petitioner who chose to open an account."""

    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

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
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_username()
