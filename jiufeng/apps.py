from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs) -> None:
    from django.contrib.auth.management import create_permissions

    from .roles import roles_sync

    # This receiver may run before auth's for the same (last) app: its permissions first.
    create_permissions(sender, verbosity=0, using=using)
    roles_sync(using=using)


def _database_defaults(sender, using="default", **kwargs) -> None:
    from .database import database_defaults_set

    database_defaults_set(using=using)


class JiufengConfig(AppConfig):
    name = "jiufeng"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        # Sent once per app after migrate (and after a test flush); this app is listed
        # first, so hook the last app's signal: by then every permission exists.
        from django.apps import apps

        # The deployment checks, the sign-in receiver, the schema's token scheme: registered on import.
        from . import checks, schema, signals  # noqa: F401

        last = list(apps.get_app_configs())[-1]
        post_migrate.connect(_sync_roles, sender=last, dispatch_uid="jiufeng-roles-sync")
        # Session defaults on the database itself (jit off): a pooled connection carries none.
        post_migrate.connect(_database_defaults, sender=self, dispatch_uid="jiufeng-database-defaults")
