from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _system_user(sender, **kwargs) -> None:
    from .actors import system_user

    system_user()


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from . import lockout, signals  # noqa: F401 (sign-in and lockout events)

        # After every migrate (and a test database's flush): the account tasks and commands
        # are recorded under exists before anything runs.
        post_migrate.connect(_system_user, sender=self, dispatch_uid="audit-system-user")
