"""What one staff case page costs inside one process: statements, Python CPU and PostgreSQL CPU.

As filing_profile.py for the filing: the work itself, without gunicorn or the clients, so two
checkouts compare on the same bench database in the same run. The page is complaint_pages.py's
showcase case (20 activities, 20 messages, 10 transitions), read by the county officer (--leader:
the county leader, e.g. for the dashboard).

Steps:
1. Migrate; make sure the county, the categories and the showcase case exist.
2. Read the page --warmup times, then once inside CaptureQueriesContext (with --sql, its statements).
3. Read it --runs times: wall p50, this process's CPU and the backend's per page; with
   --profile N, under cProfile timed by this process's CPU: function calls per page and the
   N functions that took the most.

    DEBUG=false SECRET_KEY=... ALLOWED_HOSTS=testserver,localhost \\
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_cbench REDIS_URL=redis://127.0.0.1:6379/7 \\
      .venv/bin/python bench/case_page_profile.py --runs 200
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time

from complaint_data import county_build  # sets up Django
from complaint_pages import showcase
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from filing_profile import backend_cpu_seconds

from complaints.models import Category


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--url", help="another page than the showcase case's")
    parser.add_argument("--leader", action="store_true", help="read it as the county leader (the dashboard)")
    parser.add_argument("--sql", action="store_true", help="print the statements of one page")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions (cProfile)")
    parser.add_argument("--sort", default="cumulative", help="the profile's order: cumulative, tottime, calls")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    officer, leader = county_build(1000)
    case = showcase(officer, leader, Category.objects.get(code="fees-medical"))
    url = args.url or f"/cases/{case.pk}/"
    client = Client(HTTP_HOST="localhost")
    client.force_login(leader if args.leader else officer)

    def read() -> None:
        response = client.get(url, secure=True)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")

    for _ in range(args.warmup):
        read()
    with CaptureQueriesContext(connection) as captured:
        read()
    print(f"{url}: {len(captured.captured_queries)} statements")
    if args.sql:
        for query in captured.captured_queries:
            print(f"  {query['sql'][:200]}")

    profiler = cProfile.Profile(time.process_time) if args.profile else None
    times = []
    database_before, cpu_before = backend_cpu_seconds(), time.process_time()
    if profiler:
        profiler.enable()
    for _ in range(args.runs):
        start = time.perf_counter()
        read()
        times.append((time.perf_counter() - start) * 1000)
    if profiler:
        profiler.disable()
    per = 1000 / args.runs
    cpu, database = time.process_time() - cpu_before, backend_cpu_seconds() - database_before
    print(
        f"{args.runs} reads: wall p50 {statistics.median(times):.2f} ms, Python {cpu * per:.2f} ms, "
        f"PostgreSQL backend {database * per:.2f} ms per page"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        # What a loaded machine does not move.
        print(f"under cProfile: {stats.total_calls / args.runs:,.0f} function calls per page")
        stats.sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
