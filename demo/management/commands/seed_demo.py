"""python manage.py seed_demo: idempotent demo data for every app.

Steps:
1. In dependency order (jiufeng's accounts, responsibility's county, complaints'
   categories and cases, evaluations' appraisals), take each part of the demo package.
2. Call its ``seed(out)`` inside one transaction; each seeder finds rows by natural
   key and creates only what is missing, so a second run changes nothing.
3. Seal what was written into the history chains (audit.chain), so that verify_history
   passes on the demo without waiting for beat.
4. Print the demo accounts.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from audit.chain import seal
from demo import accounts, categories, county, evaluations, typical_cases
from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

PARTS = [accounts, county, categories, typical_cases, evaluations]


class Command(BaseCommand):
    help = "Create the demo organisation, categories and accounts (safe to run again)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for part in PARTS:
                part.seed(self.stdout)
        sealed = seal()
        self.stdout.write(f"History chains: {sum(sealed.values())} rows sealed")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password {DEMO_PASSWORD}):"))
        for username, description in DEMO_ACCOUNTS.items():
            self.stdout.write(f"  {username:<14} {description}")
