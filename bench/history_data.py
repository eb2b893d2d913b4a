"""Fill a bench database with history at volume, then seal it with the real sealer.

Bench data only, written by INSERT ... SELECT inside PostgreSQL (see complaint_data.py); the
sealing is the production code (audit.chain.seal), timed, since what it costs per row is
one of the figures.

Steps:
1. complaint_data's county and N cases: a history row per step of each case and per
   record (activity, message, note, identity), a transition log row per step.
2. Spread the case history's acting users over STAFF accounts, as years of officers
   acting would (complaint_data writes one officer and one leader).
3. The deadlines' history: a "+" row per deadline, a "~" row (met_at) for each one met.
4. ANALYZE, then seal every table (numbers, hashes, the history search index): rows/s and
   milliseconds per row, per table and in all; then VACUUM ANALYZE (sealing rewrote
   every row once).

    createdb -h 127.0.0.1 -U postgres jiufeng_hbench
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_hbench \\
      .venv/bin/python bench/history_data.py --cases 1000000
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from complaint_data import complaints_generate, county_build  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from audit.chain import chained_tables, seal  # noqa: E402
from audit.models import HistoryEntry  # noqa: E402
from complaints.models import Complaint  # noqa: E402
from jiufeng.models import User  # noqa: E402
from responsibility.models import Deadline  # noqa: E402

STAFF = 300


def staff_spread(cursor) -> None:
    """Give the case history's staff rows one of STAFF bench accounts, by history row."""
    User.objects.bulk_create(
        [User(username=f"bench-staff-{i}", display_name=f"办案人员{i}") for i in range(STAFF)], ignore_conflicts=True
    )
    ids = list(User.objects.filter(username__startswith="bench-staff-").order_by("pk").values_list("pk", flat=True))
    cursor.execute(
        f"UPDATE {Complaint.history.model._meta.db_table} SET history_user_id = (%s::bigint[])[1 + history_id %% %s] "
        "WHERE history_user_id IS NOT NULL",
        [ids, len(ids)],
    )


def deadline_history(cursor) -> None:
    """A creation row per deadline and a change row for each met one, by the case's officer."""
    history = Deadline.history.model._meta.db_table
    kept = {field.column for field in Deadline.history.model._meta.concrete_fields}
    columns = [field.column for field in Deadline._meta.concrete_fields if field.column in kept]
    listed = ", ".join(columns)
    source = ", ".join(f"d.{column}" for column in columns)
    cursor.execute(
        f"""
        INSERT INTO {history} ({listed}, history_date, history_type, history_change_reason)
        SELECT {source.replace("d.met_at", "NULL")}, d.opened_at, '+', 'file' FROM {Deadline._meta.db_table} d
        """
    )
    cursor.execute(
        f"""
        INSERT INTO {history} ({listed}, history_date, history_type, history_change_reason)
        SELECT {source}, d.met_at, '~', 'deadline_meet' FROM {Deadline._meta.db_table} d WHERE d.met_at IS NOT NULL
        """
    )


def history_fill() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        if not Deadline.history.exists():
            started = time.perf_counter()
            staff_spread(cursor)
            deadline_history(cursor)
            print(f"  staff spread, deadline history in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def history_seal() -> None:
    """Seal everything unsealed with the production sealer, printing the rate per table."""
    total_rows, total_seconds = 0, 0.0
    for table in chained_tables():
        started = time.perf_counter()
        rows = 0
        # Table by table, in steps, to print progress: the same batches seal() runs.
        while sealed := seal(limit=100_000, tables=(table,)).get(table.label, 0):
            rows += sealed
            elapsed = time.perf_counter() - started
            print(f"  {table.label}: {rows:,} rows, {rows / elapsed:,.0f} rows/s", flush=True)
        if rows:
            elapsed = time.perf_counter() - started
            total_rows, total_seconds = total_rows + rows, total_seconds + elapsed
            print(f"{table.label:<48}{rows:>12,} rows {elapsed:8.1f} s {1000 * elapsed / rows:6.3f} ms/row")
    if total_rows:
        print(
            f"sealed {total_rows:,} rows in {total_seconds:.0f} s: {total_rows / total_seconds:,.0f} rows/s, "
            f"{1000 * total_seconds / total_rows:.3f} ms per row (numbers, hashes and search index)"
        )


def sizes() -> None:
    with connection.cursor() as cursor:
        total = 0
        for table in chained_tables():
            cursor.execute(f"SELECT count(*) FROM {table.model._meta.db_table}")
            rows = cursor.fetchone()[0]
            total += rows
            if rows:
                print(f"  {table.model._meta.db_table:<52}{rows:>12,}")
        print(f"  {'chained rows':<52}{total:>12,}")
        print(f"  {'history entries':<52}{HistoryEntry.objects.count():>12,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    officer, leader = county_build(args.units)
    complaints_generate(total=args.cases, officer=officer, leader=leader)
    history_fill()
    print(f"data in {time.perf_counter() - started:.0f} s")
    sizes()
    history_seal()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
