"""Time the escalation sweep over a large deadline ledger.

Steps:
1. Migrate the bench database. If it does not hold exactly --rows deadlines with
   --overdue of them overdue, rebuild: a tree of about --units units (one county, 10
   bureaus, 10 sections each, stations below), a liaison and a principal with an email
   address and a phone per unit, then the deadlines by COPY: half of them met (history),
   the overdue ones due 1 hour to 30 days ago, the rest due 4 to 180 days ahead.
2. Reset the escalation state (no escalations, notifications or outbox rows; every open
   deadline at level -1 with its next escalation at its due time), VACUUM ANALYZE.
3. Time one sweep as of now (escalating every overdue deadline to level 0: escalation
   rows, history, notifications and their email and SMS outbox rows), then a second
   sweep at the same instant with nothing new; print the time and statements of each.
4. Reset and run both again under tracemalloc for their peak Python memory; print the
   process's peak RSS.
5. With --profile N: reset, run the first sweep once more under cProfile (timed by CPU) and
   print its N costliest functions and its N slowest statements.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_escbench \\
      REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/deadline_sweep.py --rows 1000000
"""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from benchtree import staff_place, tree_build  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from jiufeng.models import Notification, OutboxMessage  # noqa: E402
from responsibility.models import Deadline, DeadlineKind, Escalation, PositionKind, Unit  # noqa: E402
from responsibility.services.escalations import deadlines_sweep  # noqa: E402

BUREAUS = 10
SECTIONS = 10
CHUNK = 100_000


def build_tree(total: int) -> None:
    """The tree with a liaison and a principal per unit."""
    units = tree_build(total=total, bureaus=BUREAUS, sections=SECTIONS)
    for kind in (PositionKind.LIAISON, PositionKind.PRINCIPAL):
        staff_place(units=units, kind=kind)


def copy_deadlines(rows: int, overdue: int, now: datetime.datetime) -> None:
    """COPY the ledger in chunks: met history, the overdue ones, and open ones not yet due."""
    unit_ids = list(Unit.objects.values_list("pk", flat=True))
    content_type = ContentType.objects.get_for_model(Unit).pk
    kinds = DeadlineKind.values
    rng = random.Random(6)
    columns = (
        "kind, content_type_id, object_id, unit_id, opened_at, due_at, met_at, level, next_escalation_at, provisional"
    )
    met = (rows - overdue) // 2
    with connection.cursor() as cursor:
        for start in range(0, rows, CHUNK):
            buffer = io.StringIO()
            for i in range(start, min(rows, start + CHUNK)):
                if i < overdue:
                    due = now - datetime.timedelta(seconds=rng.randint(3600, 30 * 86400))
                    met_at, next_at = r"\N", due.isoformat()
                elif i < overdue + met:
                    due = now - datetime.timedelta(seconds=rng.randint(86400, 700 * 86400))
                    met_at, next_at = (due - datetime.timedelta(hours=rng.randint(1, 400))).isoformat(), r"\N"
                else:
                    due = now + datetime.timedelta(seconds=rng.randint(4 * 86400, 180 * 86400))
                    met_at, next_at = r"\N", due.isoformat()
                opened = (due - datetime.timedelta(days=60)).isoformat()
                buffer.write(
                    f"{rng.choice(kinds)}\t{content_type}\t{i + 1}\t{rng.choice(unit_ids)}\t{opened}\t"
                    f"{due.isoformat()}\t{met_at}\t-1\t{next_at}\tf\n"
                )
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY responsibility_deadline ({columns}) FROM STDIN", buffer)


def reset() -> None:
    """Back to no escalation: every open deadline at level -1, next step at its due time."""
    tables = [
        m._meta.db_table for model in (Escalation, Notification, OutboxMessage) for m in (model, model.history.model)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}, {Deadline.history.model._meta.db_table}")
        cursor.execute(
            "UPDATE responsibility_deadline SET level = -1, next_escalation_at = due_at, warned_at = NULL "
            "WHERE met_at IS NULL AND (level <> -1 OR warned_at IS NOT NULL OR next_escalation_at IS NULL)"
        )


def timed_sweep(at: datetime.datetime):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = deadlines_sweep(at=at)
        elapsed = time.perf_counter() - started
    return result, elapsed, len(queries.captured_queries)


def traced_sweep(at: datetime.datetime) -> int:
    """Peak Python memory of a sweep, in a run of its own: tracing slows what it traces."""
    tracemalloc.start()
    deadlines_sweep(at=at)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def profiled_sweep(at: datetime.datetime, top: int) -> None:
    """The first sweep under cProfile, timed by this process's CPU: where its Python time goes,
    and which of its statements take longest."""
    profile = cProfile.Profile(time.process_time)
    with CaptureQueriesContext(connection) as queries:
        profile.runcall(deadlines_sweep, at=at)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(top)
    pstats.Stats(profile).sort_stats("tottime").print_callers("json.__init__.*loads|decoder.py:332")
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:top]:
        print(f"{float(query['time']) * 1000:9.1f} ms  {query['sql'][:160]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--overdue", type=int, help="overdue deadlines (default 1%% of rows)")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--profile", type=int, metavar="N", help="profile a sweep: its N costliest functions")
    args = parser.parse_args()
    overdue = args.overdue if args.overdue is not None else args.rows // 100
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    now = timezone.now()

    existing = Deadline.objects.count()
    existing_overdue = Deadline.objects.filter(met_at__isnull=True, due_at__lt=now).count()
    if existing != args.rows or existing_overdue != overdue:
        print(f"building: {args.units} units, {args.rows:,} deadlines, {overdue:,} overdue ...", flush=True)
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE responsibility_deadline CASCADE")
            if not Unit.objects.exists():
                build_tree(args.units)
            copy_deadlines(args.rows, overdue, now)
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    reset()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    print(f"ledger: {Deadline.objects.count():,} deadlines, {overdue:,} overdue, {Unit.objects.count():,} units")
    first, seconds, statements = timed_sweep(now)
    print(
        f"sweep 1: escalated {len(first.escalation_ids):,}, notifications {first.notifications:,}, "
        f"outbox {OutboxMessage.objects.count():,}: {seconds:.3f} s, {statements} statements"
    )
    second, seconds, statements = timed_sweep(now)
    print(f"sweep 2: escalated {len(second.escalation_ids):,}: {seconds:.3f} s, {statements} statements")
    reset()
    first_peak = traced_sweep(now)
    second_peak = traced_sweep(now)
    print(f"peak Python memory: sweep 1 {first_peak / 2**20:.1f} MB, sweep 2 {second_peak / 2**20:.2f} MB")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.profile:
        reset()
        profiled_sweep(now, args.profile)


if __name__ == "__main__":
    main()
