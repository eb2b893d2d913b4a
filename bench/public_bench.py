"""Time the transparency page's figures (complaints.public) with N cases stored: cold and cached.

Steps:
1. Migrate the bench database and fill it to --cases cases (bench/complaint_data.py's
   generator and county; nothing to do when already there).
2. The figures of every department for twelve months, counted live (no tallies): each
   computation with the cache emptied first, --runs times: queries, p50, p95.
3. The tallies rebuilt once, then the same from the tallies.
4. The page and the API as an anonymous visitor, cached (what nearly every request costs):
   queries, p50, p95.

    createdb -h 127.0.0.1 -U postgres jf_public_bench
    DEBUG=false SECRET_KEY=bench-... ALLOWED_HOSTS=testserver,localhost \\
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/jf_public_bench REDIS_URL=redis://127.0.0.1:6379/4 \\
      .venv/bin/python bench/public_bench.py --cases 100000
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
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaints.models import CaseTallyRun, Complaint  # noqa: E402
from complaints.public import public_figures, public_lists  # noqa: E402
from complaints.tallies import case_tallies_rebuild  # noqa: E402


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def timed(run, runs: int) -> tuple[int, float, float]:
    """Queries of the last run, p50 and p95 ms."""
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) * 1000)
    return len(queries), statistics.median(times), p95(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    officer, leader = county_build(args.units)
    complaints_generate(total=args.cases, officer=officer, leader=leader)
    month = timezone.localdate().replace(day=1)
    print(f"\n{Complaint.objects.count():,} cases; {args.runs} runs each")
    print(f"{'what':<44}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}")

    def cold() -> None:
        cache.clear()
        public_figures(last_month=month)
        public_lists()

    CaseTallyRun.objects.all().delete()
    print(f"{'figures and lists, counted live, cold':<44}" + "{:>8}{:>9.1f}{:>9.1f}".format(*timed(cold, args.runs)))
    started = time.perf_counter()
    case_tallies_rebuild()
    print(f"tallies rebuilt in {time.perf_counter() - started:.1f} s")
    print(
        f"{'figures and lists, from the tallies, cold':<44}" + "{:>8}{:>9.1f}{:>9.1f}".format(*timed(cold, args.runs))
    )
    client = Client(HTTP_HOST="localhost")
    for label, url in (
        ("page /public/, cached", "/public/"),
        ("API /api/v1/public/stats/, cached", "/api/v1/public/stats/"),
    ):
        assert client.get(url, secure=True).status_code == 200, url
        print(
            f"{label:<44}"
            + "{:>8}{:>9.1f}{:>9.1f}".format(*timed(lambda url=url: client.get(url, secure=True), args.runs))
        )


if __name__ == "__main__":
    main()
