"""Time the leader's dashboard (page and API) for the root unit and a leaf, with N cases stored.

Steps:
1. Migrate the bench database and fill it to --cases cases (bench/complaint_data.py's
   generator and county: a 1,000-unit tree; nothing to do when already there).
2. As the county leader (the whole county in scope): the root's dashboard and a leaf's
   (the deepest unit with the most cases), page and API, each --runs times after one
   warm-up request (its queries counted; the timed ones are not captured): queries, p50
   and p95; this year counted live (no tallies yet), then
   the tallies rebuilt once (timed: what beat does every ten minutes), then this year from
   the tallies with the cases open now counted live, the open cases counted (timed: what
   beat does every minute), this year from both, and a ten-year range of dates (every case,
   always counted live).
3. The root page's slowest statements (this year, tallied), with their time.

As production serves pages (bench/README.md): DEBUG off, static files collected.

    createdb -h 127.0.0.1 -U postgres jf_dash_bench
    DEBUG=false SECRET_KEY=bench-... ALLOWED_HOSTS=testserver,localhost \\
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/jf_dash_bench REDIS_URL=redis://127.0.0.1:6379/7 \\
      .venv/bin/python bench/dashboard_bench.py --cases 100000
"""

import argparse
import datetime
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
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaints.models import CaseTally, CaseTallyCount, CaseTallyRun, Complaint, OpenCaseTally  # noqa: E402
from complaints.tallies import case_tallies_rebuild, open_tallies_rebuild  # noqa: E402
from responsibility.models import Unit  # noqa: E402


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def measure(client: Client, url: str, runs: int) -> tuple[int, float, float, list[dict]]:
    """Queries and statements (with their time) of the untimed first request, then p50 and p95 ms.

    The timed requests are not captured: recording each statement costs time a user does not wait.
    """
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, secure=True).status_code == 200, url
    # Read now: the next request clears the connection's log that the context slices.
    statements = list(queries.captured_queries)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return len(statements), statistics.median(times), p95(times), statements


def leaf_with_most_cases() -> Unit:
    deepest = Unit.objects.order_by("-depth").values_list("depth", flat=True).first()
    row = (
        Complaint.objects.filter(subject_unit__depth=deepest)
        .values("subject_unit")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return Unit.objects.get(pk=row["subject_unit"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--tallied-only", action="store_true", help="only this year from the tallies (live counts: seconds a page)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    officer, leader = county_build(args.units)
    complaints_generate(total=args.cases, officer=officer, leader=leader)
    root = Unit.objects.get(depth=1)
    leaf = leaf_with_most_cases()
    today = timezone.localdate()
    ten_years = f"from={today - datetime.timedelta(days=3650)}&to={today}"
    client = Client(HTTP_HOST="localhost")
    client.force_login(leader)
    print(f"\n{Complaint.objects.count():,} cases, {Unit.objects.count():,} units; the county leader, {args.runs} runs")
    print(
        f"root: {root.name}, {Complaint.objects.filter(subject_unit__path__startswith=root.path).count():,} cases; "
        f"leaf: {leaf.name} (depth {leaf.depth}), {Complaint.objects.filter(subject_unit=leaf).count():,} cases"
    )
    CaseTallyRun.objects.all().delete()
    print(f"{'page':<40}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}")
    slowest = []

    def rows(label: str, query: str) -> None:
        nonlocal slowest
        for name, unit in (("root", root), ("leaf", leaf)):
            for kind, url in (
                ("page", f"/dashboard/units/{unit.pk}/"),
                ("API", f"/api/v1/units/{unit.pk}/dashboard/"),
            ):
                queries, p50, p95_ms, statements = measure(client, f"{url}?{query}", args.runs)
                print(f"{f'{name}, {label}, {kind}':<40}{queries:>8}{p50:>9.1f}{p95_ms:>9.1f}")
                if (name, label, kind) == ("root", "this year, tallied", "page"):
                    slowest = statements

    if not args.tallied_only:
        rows("this year, live", "")
    started = time.perf_counter()
    case_tallies_rebuild()
    print(
        f"tallies rebuilt in {time.perf_counter() - started:.1f} s: "
        f"{CaseTally.objects.count():,} + {CaseTallyCount.objects.count():,} rows"
    )
    rows("this year, tallied, open live", "")
    started = time.perf_counter()
    open_tallies_rebuild()
    print(f"open cases counted in {time.perf_counter() - started:.2f} s: {OpenCaseTally.objects.count():,} rows")
    rows("this year, tallied", "")
    if not args.tallied_only:
        rows("ten years (a range), live", ten_years)
    print("\nThe root page's (this year, tallied) slowest statements, ms:")
    for statement in sorted(slowest, key=lambda s: -float(s["time"]))[:4]:
        print(f"  {float(statement['time']) * 1000:8.1f}  {statement['sql'][:150]}")


if __name__ == "__main__":
    main()
