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
4. ANALYZE, then seal every table (numbers, hashes, the history search index), ``--jobs``
   tables at once, each vacuumed when sealed (sealing rewrote every row once): rows/s and
   milliseconds per row, per table and in all; then VACUUM ANALYZE.

    createdb -h 127.0.0.1 -U postgres jiufeng_hbench
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_hbench \\
      .venv/bin/python bench/history_data.py --cases 1000000
"""

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from complaint_data import complaints_generate, county_build  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

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


def table_seal(label: str) -> tuple[str, int, float]:
    """Seal one table to the end, printing progress, then vacuum it (sealing rewrote each row)."""
    table = next(table for table in chained_tables() if table.label == label)
    started = time.perf_counter()
    rows = 0
    try:
        # In steps, to print progress: the same batches seal() runs.
        while sealed := seal(limit=100_000, tables=(table,)).get(table.label, 0):
            rows += sealed
            print(f"  {table.label}: {rows:,} rows, {rows / (time.perf_counter() - started):,.0f} rows/s", flush=True)
        elapsed = time.perf_counter() - started
        if rows:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {table.model._meta.db_table}")
        return table.label, rows, elapsed
    finally:
        connections.close_all()


def history_seal(jobs: int) -> None:
    """Seal everything unsealed with the production sealer, printing the rate per table.

    Tables are independent chains, so ``jobs`` of them are sealed at once, the largest first:
    the case history alone takes half of the time and bounds the whole.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class")
        estimates = dict(cursor.fetchall())
    labels = [
        table.label
        for table in sorted(chained_tables(), key=lambda table: -estimates.get(table.model._meta.db_table, 0))
    ]
    connections.close_all()
    started = time.perf_counter()
    total_rows, total_seconds = 0, 0.0
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        for future in as_completed([pool.submit(table_seal, label) for label in labels]):
            label, rows, elapsed = future.result()
            if rows:
                total_rows, total_seconds = total_rows + rows, total_seconds + elapsed
                print(f"{label:<48}{rows:>12,} rows {elapsed:8.1f} s {1000 * elapsed / rows:6.3f} ms/row", flush=True)
    if total_rows:
        wall = time.perf_counter() - started
        print(
            f"sealed {total_rows:,} rows in {total_seconds:.0f} s of sealing ({wall:.0f} s wall, {jobs} at once): "
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
    parser.add_argument("--jobs", type=int, default=2, help="tables sealed at once (default 2)")
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
    history_seal(args.jobs)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
