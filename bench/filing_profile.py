"""What one public filing costs inside one process: statements, Python CPU and PostgreSQL CPU.

The filing rush (filing_rush.py) measures throughput through gunicorn, where the machine's
load moves the figures; this loop measures the work itself, so two checkouts can be
compared on the same bench database in the same run (alternately, as the notes do).

Steps:
1. Migrate the bench database; make sure it has categories and a county
   (bench/complaint_data.py's county).
2. File --warmup complaints through POST /api/v1/complaints/ (Django's test client, each
   from its own address as in the rush), so caches and connections are warm.
3. File --captured more, each inside CaptureQueriesContext: statements per filing, real-name
   and anonymous apart (a real-name filing also writes the identity and the petitioner's
   SMS); with --sql, the statements of the last real-name one.
4. File --filings more in --rounds: wall time, this process's CPU (Python and the driver;
   the median round and the least) and the CPU of this connection's PostgreSQL backend
   (read from /proc: run on the database's machine), each per filing.
5. With --profile N, one more round under cProfile timed by this process's CPU: function
   calls per filing (what load does not move) and the N functions that took the most.

    DEBUG=false SECRET_KEY=... ALLOWED_HOSTS=testserver \\
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_cbench REDIS_URL=redis://127.0.0.1:6379/7 \\
      .venv/bin/python bench/filing_profile.py --filings 200
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from complaint_data import county_build  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from filing_rush import filing  # noqa: E402

from complaints.models import Category  # noqa: E402
from responsibility.models import Unit  # noqa: E402


def backend_cpu_seconds() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--filings", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--captured", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sql", action="store_true", help="print the statements of one filing")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions (cProfile)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    county_build(1000)
    categories = dict(Category.objects.values_list("code", "pk"))
    units = list(Unit.objects.filter(depth__gt=1, is_active=True).values_list("pk", flat=True))
    rng, client = random.Random(args.seed), Client()

    def file_once() -> bool:
        """File one complaint as the rush does; returns whether it was anonymous."""
        body = filing(rng, categories, units)
        address = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        response = client.post(
            "/api/v1/complaints/",
            json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            secure=True,
            REMOTE_ADDR=address,
            HTTP_X_FORWARDED_FOR=address,
        )
        if response.status_code != 201:
            sys.exit(f"filing answered {response.status_code}: {response.content[:500]!r}")
        return body["anonymous"]

    for _ in range(args.warmup):
        file_once()
    counts, last_real_name = {True: set(), False: set()}, []
    for _ in range(args.captured):
        with CaptureQueriesContext(connection) as captured:
            anonymous = file_once()
        counts[anonymous].add(len(captured.captured_queries))
        last_real_name = last_real_name if anonymous else captured.captured_queries
    # BEGIN and COMMIT count: each is a round trip, and a COMMIT flushes the WAL.
    print(
        f"statements per filing (BEGIN and COMMIT included): real name {sorted(counts[False])}, "
        f"anonymous {sorted(counts[True])}"
    )
    if args.sql:
        for query in last_real_name:
            print(f"  {query['sql'][:200]}")

    # Timed by this process's CPU, not the clock: waits on the database and on other
    # processes of a loaded machine do not count, the Python each part costs does.
    # In rounds: on a loaded machine the least a round cost is the figure nearest the work itself.
    rounds, per_round = [], max(1, args.filings // args.rounds)
    database_before, wall_before = backend_cpu_seconds(), time.perf_counter()
    for _ in range(args.rounds):
        cpu_before = time.process_time()
        for _ in range(per_round):
            file_once()
        rounds.append((time.process_time() - cpu_before) * 1000 / per_round)
    filed = per_round * args.rounds
    wall, database = time.perf_counter() - wall_before, backend_cpu_seconds() - database_before
    print(
        f"{filed} filings: wall {wall * 1000 / filed:.2f} ms, Python {statistics.median(rounds):.2f} ms "
        f"(least of {args.rounds} rounds {min(rounds):.2f}), PostgreSQL backend {database * 1000 / filed:.2f} ms "
        "per filing"
    )
    if args.profile:
        # Timed by this process's CPU, not the clock: waits on the database and on other
        # processes do not count, the Python each part costs does. The calls made are the
        # figure a loaded machine does not move.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(per_round):
            file_once()
        profiler.disable()
        stats = pstats.Stats(profiler)
        print(f"under cProfile: {stats.total_calls / per_round:,.0f} function calls per filing")
        stats.sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
