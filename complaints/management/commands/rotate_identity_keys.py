"""python manage.py rotate_identity_keys [--batch N]: re-encrypt every petitioner identity and
message address, history included, under the newest of JIUFENG_IDENTITY_KEYS and rehash each phone with
JIUFENG_IDENTITY_INDEX_KEY, then re-wrap every stored file's key (jiufeng.filecrypt: the header of
each file rewritten, its content copied as it is). Safe to stop and run again; the hash chains are
left as they were."""

from django.core.management.base import BaseCommand, CommandError

from complaints.identity import BATCH, identity_keys_rotate
from jiufeng.filecrypt import files_rewrap


class Command(BaseCommand):
    help = (
        "Re-encrypt every petitioner identity and message address (and their history rows) under the newest key of "
        "JIUFENG_IDENTITY_KEYS and rehash phones, then re-wrap the keys of stored files; what is already done is "
        "skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH, help=f"rows per transaction (default {BATCH})")

    def handle(self, *args, batch=BATCH, **options):
        if batch < 1:
            raise CommandError("--batch must be a positive number of rows.")
        for table, rewritten in identity_keys_rotate(batch=batch).items():
            self.stdout.write(f"{table}: {rewritten} rows re-encrypted")
        files = files_rewrap()
        self.stdout.write(
            f"files: {files['rewrapped']} keys re-wrapped, {files['current']} already under the newest key, "
            f"{files['clear']} stored in clear (run encrypt_stored_files)"
        )
        for name in files["unreadable"]:
            self.stderr.write(f"no key decrypts, left as it is (keep the old keys): {name}")
        if files["unreadable"]:
            raise CommandError(f"{len(files['unreadable'])} stored files were not re-wrapped: keep the old keys.")
