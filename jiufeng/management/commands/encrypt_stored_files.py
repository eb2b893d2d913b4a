"""python manage.py encrypt_stored_files [--limit N]: encrypt the files in private storage that
were stored in clear before jiufeng.filecrypt. Safe to stop and run again: encrypted files are
skipped, so a second run changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from jiufeng.filecrypt import files_encrypt_existing


class Command(BaseCommand):
    help = "Encrypt every file in private storage still stored in clear; files already encrypted are skipped."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="stop after encrypting this many files")

    def handle(self, *args, limit=None, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be a positive number of files.")
        counts = files_encrypt_existing(limit=limit)
        self.stdout.write(f"files: {counts['encrypted']} encrypted, {counts['already']} already encrypted")
        for name in counts["unreadable"]:
            self.stderr.write(f"damaged (header cut short), left as it is: {name}")
