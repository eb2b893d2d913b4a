"""python manage.py seed_demo: idempotent demo data for every app.

Steps:
1. In INSTALLED_APPS order (which is the dependency order: jiufeng, responsibility,
   complaints, evaluations), import each app's ``demo`` module if it has one.
2. Call its ``seed(out)`` inside one transaction; each seeder finds rows by natural
   key and creates only what is missing, so a second run changes nothing.
3. Print the demo accounts.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from jiufeng.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Create the demo organisation, categories and accounts (safe to run again)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                if module_has_submodule(app_config.module, "demo"):
                    import_module(f"{app_config.name}.demo").seed(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password {DEMO_PASSWORD}):"))
        for username, description in DEMO_ACCOUNTS.items():
            self.stdout.write(f"  {username:<12} {description}")
