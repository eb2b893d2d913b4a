"""The auditors' data path on a bench database filled by history_data.py.

Measures, each over random objects or users (first page of 50 for searches):
1. an object's timeline: a case's history rows (``Complaint.history``, newest first), its
   search-index entries, and the entries of the records attached to it (activities,
   messages, notes, identity, deadlines: their ids from the live tables), p50/p95;
2. the timeline page as an auditor waits for it (``/audit/complaints.complaint/<id>/``
   through Django's test client, rows built and rendered): cases picked at random
   (typical), the cases with the most rows (long), and one case worked through the
   services with 20 activities, 20 messages and 10 transitions (a full page of 100 rows);
   beside it ``audit.timeline.object_timeline`` alone: p50/p95 wall, median Python CPU,
   statements; ``--profile N`` prints the N costliest functions of the full page;
3. ``audit.search.history_search`` by user, by user within a month, and by (model, field)
   for a common and a rare field, p50/p95; then the search page (``/audit/history/``)
   for the same filters through the test client;
4. steady state of the chain: ``--fresh`` new cases worked through the services (file,
   accept, investigate, record, message, submit, approve), then every row they wrote
   sealed by ``audit.chain.seal``: rows and milliseconds per row, with and without an idle
   run's fixed cost (every chained table visited, nothing to seal);
5. a full verification of every chain (what ``verify_history`` runs): wall time, rows/s.

``--parts`` picks some of them (queries, pages, search, seal, verify). The page step and the
steady state write through the services (a case, then ``--fresh`` cases): run them after
sealing; the steady state seals what they wrote.

As production serves pages: DEBUG off (cached templates), static files collected, the
environment of bench/README.md's complaint pages:

    DEBUG=false SECRET_KEY=... ALLOWED_HOSTS=testserver,localhost JIUFENG_TWO_FACTOR_REQUIRED=false \\
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_hbench REDIS_URL=redis://127.0.0.1:6379/7 \\
      .venv/bin/python bench/audit_bench.py --runs 200
"""

import argparse
import cProfile
import datetime
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

from complaint_pages import showcase, time_transitions  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max, Min, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from audit.chain import chained_tables, seal  # noqa: E402
from audit.models import HistoryEntry  # noqa: E402
from audit.search import history_search  # noqa: E402
from audit.timeline import object_timeline  # noqa: E402
from audit.verify import JOBS, history_verify  # noqa: E402
from complaints.models import Activity, Category, Complaint, InternalNote, Message, PetitionerIdentity  # noqa: E402
from jiufeng.models import User  # noqa: E402
from jiufeng.roles import Role  # noqa: E402
from responsibility.models import Deadline  # noqa: E402

PAGE = 50
RECORDS = [Activity, Message, InternalNote, PetitionerIdentity]


def timed(runs: int, action) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``action(i)`` over ``runs`` calls."""
    times = []
    for i in range(runs):
        started = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def case_history(case_id: int) -> list:
    return list(Complaint.history.filter(id=case_id).order_by("-history_date", "-history_id"))


def case_entries(case_id: int) -> list:
    return list(HistoryEntry.objects.filter(model="complaints.complaint", object_id=case_id).order_by("-at", "-id"))


def records_entries(case_id: int, complaint_type: int) -> list:
    """The history entries of everything attached to the case, newest first.

    The records' ids first (one small indexed query per kind), then one query whose OR of
    (model, ids) PostgreSQL serves by one index scan per kind; with the ids as subqueries in
    that OR it hashed each subquery and scanned the whole index instead (200 ms at 1.5 M entries).
    """
    attached = Q(pk__in=[])
    for model in RECORDS:
        ids = list(model.objects.filter(complaint_id=case_id).values_list("pk", flat=True))
        attached |= Q(model=model._meta.label_lower, object_id__in=ids)
    deadlines = Deadline.objects.filter(content_type_id=complaint_type, object_id=case_id)
    attached |= Q(model="responsibility.deadline", object_id__in=list(deadlines.values_list("pk", flat=True)))
    return list(HistoryEntry.objects.filter(attached).order_by("-at", "-id"))


def report(name: str, figures: tuple[float, float], target: float | None = None) -> None:
    p50, p95 = figures
    verdict = "" if target is None else ("  ok" if p95 <= target else f"  MISSED (p95 target {target:.0f} ms)")
    print(f"  {name:<58} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms{verdict}", flush=True)


def page_timed(client: Client, urls: list[str]) -> dict:
    """Each URL once through the test client (over HTTPS, as behind the production proxy):
    p50/p95 wall ms, median Python CPU ms, statements of the last request."""
    walls, cpus = [], []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url, secure=True)
            cpus.append((time.process_time() - cpu) * 1000)
            walls.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    walls.sort()
    return {
        "p50": statistics.median(walls),
        "p95": walls[min(len(walls) - 1, int(len(walls) * 0.95))],
        "cpu": statistics.median(cpus),
        "queries": len(queries),
        "bytes": len(response.content),
    }


def page_report(name: str, figures: dict, target: float | None = None) -> None:
    verdict = ""
    if target is not None:
        verdict = "  ok" if figures["p95"] <= target else f"  MISSED (p95 target {target:.0f} ms)"
    print(
        f"  {name:<50} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
        f"cpu {figures['cpu']:6.1f} ms  {figures['queries']:3} queries  {figures['bytes']:>7} bytes{verdict}",
        flush=True,
    )


def bench_staff() -> tuple[User, User]:
    """complaint_data's county officer and leader (history_data.py made them)."""
    return User.objects.get(username="bench-officer"), User.objects.get(username="bench-leader")


def timeline_rows(case_id: int) -> int:
    return len(object_timeline(label="complaints.complaint", object_id=case_id)[0])


def auditor_client() -> Client:
    auditor, _created = User.objects.get_or_create(username="bench-auditor", defaults={"display_name": "审计员"})
    auditor.groups.add(Group.objects.get(name=Role.AUDITOR))
    client = Client(HTTP_HOST="localhost")
    client.force_login(auditor)
    return client


def long_cases(count: int) -> list[int]:
    """The ``count`` cases with the longest timelines among those with the most activities."""
    busiest = (
        Activity.objects.values("complaint_id").annotate(n=Count("id")).order_by("-n", "complaint_id")[: count * 10]
    )
    candidates = [row["complaint_id"] for row in busiest]
    return sorted(candidates, key=timeline_rows, reverse=True)[:count]


def timeline_pages(client: Client, cases: list[int], runs: int, profile: int) -> None:
    officer, leader = bench_staff()
    full = showcase(officer, leader, Category.objects.get(code="fees-medical")).pk
    longest = long_cases(50)
    groups = {
        "typical (random cases)": cases,
        "long (the 50 longest)": longest,
        "full page (20 activities, 20 messages, 10 transitions)": [full],
    }
    print("Timeline page, as an auditor waits for it (target p95 50 ms)")
    for name, ids in groups.items():
        rows = sorted(timeline_rows(pk) for pk in ids)
        print(f"  {name}: timeline rows median {statistics.median(rows):.0f}, most {rows[-1]}")
        picks = [ids[i % len(ids)] for i in range(runs)]
        client.get(f"/audit/complaints.complaint/{picks[0]}/", secure=True)
        page_report("  the page", page_timed(client, [f"/audit/complaints.complaint/{pk}/" for pk in picks]), target=50)
        report(
            "  object_timeline alone (rows built, not rendered)",
            timed(runs, lambda i, picks=picks: object_timeline(label="complaints.complaint", object_id=picks[i])),
        )
    if profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(50):
            client.get(f"/audit/complaints.complaint/{full}/", secure=True)
        profiler.disable()
        print("  profile of the full page (50 requests), by own CPU time:")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(profile)
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(profile)


def search_pages(client: Client, users: list[str], month, runs: int) -> None:
    print("Search page, first page of 50 (target p95 300 ms)")

    def dates(i: int) -> str:
        since, until = month(i)
        return f"&since={since.date()}&until={until.date()}"

    searches = {
        "by user": lambda i: f"?user={users[i % len(users)]}",
        "by user within a month": lambda i: f"?user={users[i % len(users)]}{dates(i)}",
        "by field: complaint status": lambda i: "?type=complaints.complaint&field=status",
        "by field: complaint status, within a month": lambda i: f"?type=complaints.complaint&field=status{dates(i)}",
        "by field and user: deadline met_at": lambda i: (
            f"?type=responsibility.deadline&field=met_at&user={users[i % len(users)]}"
        ),
        "by field and user: complaint status": lambda i: (
            f"?type=complaints.complaint&field=status&user={users[i % len(users)]}"
        ),
    }
    for name, query in searches.items():
        urls = [f"/audit/history/{query(i)}" for i in range(runs)]
        client.get(urls[0], secure=True)
        page_report(name, page_timed(client, urls), target=300)


def unsealed() -> int:
    return sum(table.model._base_manager.filter(chain_seq__isnull=True).count() for table in chained_tables())


def steady_sealing(fresh: int) -> None:
    """What the chain adds per written row once the backlog is sealed: new rows written by the
    services, then sealed as beat's minute would. Beside it an idle run (every table visited,
    nothing to seal), the fixed part of each run."""
    print(f"Steady state: {fresh} new cases through the services, then sealed (target 1 ms per row)")
    officer, leader = bench_staff()
    seal()  # whatever the page step wrote (the full-page case)
    idle = []
    for _run in range(5):
        started = time.perf_counter()
        seal()
        idle.append((time.perf_counter() - started) * 1000)
    time_transitions(officer, leader, Category.objects.get(code="fees-medical"), fresh)
    rows = unsealed()
    started = time.perf_counter()
    sealed = sum(seal().values())
    elapsed = (time.perf_counter() - started) * 1000
    fixed = statistics.median(idle)
    print(
        f"  {rows:,} new rows, {sealed:,} sealed in {elapsed:.0f} ms: {elapsed / sealed:.3f} ms per row; "
        f"less an idle run's {fixed:.0f} ms (median of 5): {(elapsed - fixed) / sealed:.3f} ms per row"
    )


PARTS = ("queries", "pages", "search", "seal", "verify")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--fresh", type=int, default=100, help="new cases written, then sealed")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions of the page")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"what to measure, comma-separated, of {', '.join(PARTS)} (default: all)",
    )
    parser.add_argument("--no-verify", action="store_true", help="skip the full verify_history run")
    parser.add_argument("--jobs", type=int, default=JOBS, help="verify_history's --jobs (default: the processors)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if unknown := parts - set(PARTS):
        sys.exit(f"Unknown parts: {', '.join(sorted(unknown))}")
    if args.no_verify:
        parts.discard("verify")
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    rng = random.Random(7)
    bounds = Complaint.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    cases = [rng.randint(bounds["lo"], bounds["hi"]) for _ in range(args.runs)]
    complaint_type = ContentType.objects.get_for_model(Complaint).pk
    print(f"{bounds['hi'] - bounds['lo'] + 1:,} case numbers; {args.runs} runs each", flush=True)

    if "queries" in parts:
        print("Timeline of one case, its index queries (target p95 50 ms)")
        report("case history rows (Complaint.history)", timed(args.runs, lambda i: case_history(cases[i])))
        report("case index entries (HistoryEntry by model, object)", timed(args.runs, lambda i: case_entries(cases[i])))
        report(
            "attached records' entries (their ids, then one query)",
            timed(args.runs, lambda i: records_entries(cases[i], complaint_type)),
        )
        report(
            "the whole timeline: the three above",
            timed(
                args.runs,
                lambda i: (case_history(cases[i]), case_entries(cases[i]), records_entries(cases[i], complaint_type)),
            ),
            50,
        )
    client = auditor_client()
    if "pages" in parts:
        timeline_pages(client, cases, args.runs, args.profile)

    if "search" in parts:
        print("Search over all history, first page of 50 (target p95 300 ms)")
        users = list(
            HistoryEntry.objects.filter(user__isnull=False).values_list("user_id", flat=True).distinct()[:1000]
        ) or [None]
        span = HistoryEntry.objects.aggregate(lo=Min("at"), hi=Max("at"))
        months = max(1, (span["hi"] - span["lo"]).days // 30)

        def month(i: int) -> tuple[datetime.datetime, datetime.datetime]:
            start = span["lo"] + datetime.timedelta(days=30 * (i % months))
            return start, start + datetime.timedelta(days=30)

        searches = {
            "by user": lambda i: history_search(user_id=users[i % len(users)]),
            "by user within a month": lambda i: history_search(
                user_id=users[i % len(users)], since=month(i)[0], until=month(i)[1]
            ),
            "by field: complaint status (common)": lambda i: history_search(
                model="complaints.complaint", field="status"
            ),
            "by field: complaint status, within a month": lambda i: history_search(
                model="complaints.complaint", field="status", since=month(i)[0], until=month(i)[1]
            ),
            "by field: complaint title (rare)": lambda i: history_search(model="complaints.complaint", field="title"),
            "by field and user: deadline met_at": lambda i: history_search(
                model="responsibility.deadline", field="met_at", user_id=users[i % len(users)]
            ),
            # One staff account of 300: the field's index walked newest first, each change's
            # entry probed for the user, until 50 match.
            "by field and user: complaint status": lambda i: history_search(
                model="complaints.complaint", field="status", user_id=users[i % len(users)]
            ),
        }
        for name, search in searches.items():
            report(name, timed(args.runs, lambda i, search=search: list(search(i)[:PAGE])), 300)
        usernames = list(User.objects.filter(pk__in=[pk for pk in users if pk]).values_list("username", flat=True))
        search_pages(client, usernames, month, args.runs)

    if "seal" in parts:
        steady_sealing(args.fresh)

    if "verify" in parts:
        print(f"verify_history over every chain, {args.jobs} processes (target 5 minutes)")
        started = time.perf_counter()
        reports = list(history_verify(jobs=args.jobs))
        elapsed = time.perf_counter() - started
        verified = sum(report.verified for report in reports)
        broken = [str(report.broken) for report in reports if report.broken]
        outcome = f"BROKEN: {broken}" if broken else "every chain holds"
        print(f"  {elapsed:.0f} s, {verified:,} rows, {verified / elapsed:,.0f} rows/s: {outcome}")


if __name__ == "__main__":
    main()
