from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs) -> None:
    from .roles import roles_sync

    roles_sync(using=using)


class JiufengConfig(AppConfig):
    name = "jiufeng"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        # Sent once per app after migrate (and after a test flush); this app is listed
        # first, so hook the last app's signal: by then every permission exists.
        from django.apps import apps

        last = list(apps.get_app_configs())[-1]
        post_migrate.connect(_sync_roles, sender=last, dispatch_uid="jiufeng-roles-sync")
