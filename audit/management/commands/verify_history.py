"""python manage.py verify_history [--resume] [--table LABEL ...] [--jobs N]: recompute the hash chains of
history and logs; exit 1 naming each table's first broken link, 0 when every chain holds."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import chained_tables
from audit.verify import CHUNK, JOBS, history_verify


class Command(BaseCommand):
    help = (
        "Recompute the hash chains of every history and log table; print the rows verified and the "
        "first broken link of each table; exit 1 if any chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--resume",
            action="store_true",
            help="continue each table from where the last run recorded it stopped (default: from the first row)",
        )
        parser.add_argument(
            "--table",
            action="append",
            dest="tables",
            metavar="LABEL",
            help="only this table (a model label such as complaints.HistoricalComplaint); may be repeated",
        )
        parser.add_argument("--chunk", type=int, default=CHUNK, help=f"rows read per query (default {CHUNK})")
        parser.add_argument(
            "--jobs",
            type=int,
            default=JOBS,
            help="tables verified at once, each in its own process (default: this machine's processors)",
        )

    def handle(self, *args, resume=False, tables=None, chunk=CHUNK, jobs=1, **options):
        if chunk < 1:
            raise CommandError("--chunk must be a positive number of rows.")
        if jobs < 1:
            raise CommandError("--jobs must be a positive number of processes.")
        every = {table.label.lower(): table for table in chained_tables()}
        if tables:
            unknown = [label for label in tables if label.lower() not in every]
            if unknown:
                raise CommandError(
                    f"Not a chained table: {', '.join(unknown)}. Chained tables: {', '.join(sorted(every))}"
                )
            chosen = [every[label.lower()] for label in tables]
        else:
            chosen = list(every.values())
        broken, verified, unsealed = [], 0, 0
        for report in history_verify(tables=chosen, resume=resume, chunk=chunk, jobs=jobs):
            verified += report.verified
            unsealed += report.unsealed
            start = f" after #{report.start}" if report.start else ""
            line = f"{report.table}: {report.verified} rows verified{start}, {report.unsealed} not yet sealed"
            if report.broken is None:
                self.stdout.write(line)
            else:
                broken.append(report.broken)
                self.stdout.write(f"{line}; BROKEN")
        self.stdout.write(f"{len(chosen)} tables, {verified} rows verified, {unsealed} not yet sealed")
        if broken:
            for item in broken:
                self.stderr.write(f"Broken link: {item}")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Every chain holds."))
