"""Time the 举一反三 blocks of the leader's dashboard (complaints.recurring) for the root and a leaf, with N cases.

Steps:
1. Migrate the bench database and fill it to --cases cases (bench/complaint_data.py's
   generator and county; nothing to do when already there).
2. As the county leader, for this year: each block (early warnings, top categories, top
   units, repeat subjects, fixes checked) of the root and of the leaf with the most cases,
   --runs times after one warm-up: p50 and p95 ms, and the database's share;
3. all of them as the dashboard asks (recurring_for_unit), counted (the cache emptied before
   each run) and kept (read from the cache, as for ten minutes after a count). Needs REDIS_URL.

    createdb -h 127.0.0.1 -U postgres jf_recurring_bench
    DEBUG=false SECRET_KEY=bench-... ALLOWED_HOSTS=testserver,localhost \\
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/jf_recurring_bench REDIS_URL=redis://127.0.0.1:6379/7 \\
      .venv/bin/python bench/recurring_bench.py --cases 100000
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from complaint_data import complaints_generate, county_build  # noqa: E402
from dashboard_bench import leaf_with_most_cases, p95  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaints import recurring  # noqa: E402
from complaints.dashboard import Period  # noqa: E402
from complaints.models import Complaint  # noqa: E402
from responsibility.models import Unit  # noqa: E402
from responsibility.scoping import own_unit_paths  # noqa: E402

BLOCKS = {
    "early warnings": recurring.early_warnings,
    "top categories": recurring.top_categories,
    "top units": recurring.top_units,
    "repeat subjects": recurring.repeat_subjects,
    "fixes checked": recurring.fixes_checked,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    officer, leader = county_build(args.units)
    complaints_generate(total=args.cases, officer=officer, leader=leader)
    period = Period.year(timezone.localdate().year)
    root, leaf = Unit.objects.get(depth=1), leaf_with_most_cases()
    print(f"\n{Complaint.objects.count():,} cases, {Unit.objects.count():,} units; the county leader, this year")
    print(f"{'block':<28}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'db ms':>8}  rows")
    for name, unit in (("root", root), ("leaf", leaf)):
        for label, block in BLOCKS.items():
            block(user=leader, unit=unit, period=period)
            times, db = [], []
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    rows = block(user=leader, unit=unit, period=period)
                    times.append((time.perf_counter() - start) * 1000)
                db.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            print(
                f"{f'{name}, {label}':<28}{len(queries):>8}{statistics.median(times):>9.1f}{p95(times):>9.1f}"
                f"{statistics.median(db):>8.1f}  {len(rows)}"
            )
    for name, unit in (("root", root), ("leaf", leaf)):
        for label, counted in (("all, counted", True), ("all, kept", False)):
            times = []
            for _ in range(args.runs):
                if counted:
                    cache.clear()
                # A request's user, its scope read as the view's scope check reads it.
                user = type(leader).objects.get(pk=leader.pk)
                own_unit_paths(user)
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    recurring.recurring_for_unit(user=user, unit=unit, period=period)
                    times.append((time.perf_counter() - start) * 1000)
            print(f"{f'{name}, {label}':<28}{len(queries):>8}{statistics.median(times):>9.1f}{p95(times):>9.1f}")


if __name__ == "__main__":
    main()
