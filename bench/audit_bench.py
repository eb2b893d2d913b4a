"""The auditors' data path on a bench database filled by history_data.py.

Measures, each over random objects or users (first page of 50 for searches):
1. an object's timeline: a case's history rows (``Complaint.history``, newest first), its
   search-index entries, and the entries of the records attached to it (activities,
   messages, notes, identity, deadlines: their ids from the live tables), p50/p95;
2. ``audit.search.history_search`` by user, by user within a month, and by (model, field)
   for a common and a rare field, p50/p95;
3. a full verification of every chain (what ``verify_history`` runs): wall time, rows/s.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_hbench \\
      .venv/bin/python bench/audit_bench.py --runs 200
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max, Min, Q  # noqa: E402

from audit.models import HistoryEntry  # noqa: E402
from audit.search import history_search  # noqa: E402
from audit.verify import history_verify  # noqa: E402
from complaints.models import Activity, Complaint, InternalNote, Message, PetitionerIdentity  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--no-verify", action="store_true", help="skip the full verify_history run")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    rng = random.Random(7)
    bounds = Complaint.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    cases = [rng.randint(bounds["lo"], bounds["hi"]) for _ in range(args.runs)]
    complaint_type = ContentType.objects.get_for_model(Complaint).pk
    print(f"{HistoryEntry.objects.count():,} history entries; {args.runs} runs each")

    print("Timeline of one case (target p95 50 ms)")
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
        "by field: complaint status (common)": lambda i: history_search(model="complaints.complaint", field="status"),
        "by field: complaint status, within a month": lambda i: history_search(
            model="complaints.complaint", field="status", since=month(i)[0], until=month(i)[1]
        ),
        "by field: complaint title (rare)": lambda i: history_search(model="complaints.complaint", field="title"),
        "by field and user: deadline met_at": lambda i: history_search(
            model="responsibility.deadline", field="met_at", user_id=users[i % len(users)]
        ),
    }
    for name, search in searches.items():
        report(name, timed(args.runs, lambda i, search=search: list(search(i)[:PAGE])), 300)

    if not args.no_verify:
        print("verify_history over every chain (target 5 minutes)")
        started = time.perf_counter()
        reports = list(history_verify())
        elapsed = time.perf_counter() - started
        verified = sum(report.verified for report in reports)
        broken = [str(report.broken) for report in reports if report.broken]
        outcome = f"BROKEN: {broken}" if broken else "every chain holds"
        print(f"  {elapsed:.0f} s, {verified:,} rows, {verified / elapsed:,.0f} rows/s: {outcome}")


if __name__ == "__main__":
    main()
