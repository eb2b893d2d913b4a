"""Time the lists' search (complaints.search) with N cases stored: first pages, plans, the old way beside.

Steps:
1. Migrate the bench database (migration 0024 computes every case's bigram document: a
   rewrite of the table the first time) and fill it to --cases cases
   (bench/complaint_data.py, shared with the other complaint benches).
2. The generator draws its texts from ten cases, so a word is in a tenth of them or in
   none: give one case in 199 a sentence about school uniforms (校服, 2-character, about
   0.5%) and one in 1,999 a title about them, by UPDATE (PostgreSQL recomputes their
   documents: the time is printed). Once; then VACUUM ANALYZE.
3. As the county officer (the whole county in scope), request the case list's "all" tab,
   the inbox and the API list with ``q`` RUNS times each: queries, p50 and p95 in ms.
4. Beside each word, the old search's bare SQL (``icontains`` on title or text under the
   trigram indexes: its first page and capped count), to compare, and the matches.
5. EXPLAIN (ANALYZE, BUFFERS) of the API list's page query for each word.

As production serves pages (bench/README.md has the environment):

    DEBUG=false SECRET_KEY=... ALLOWED_HOSTS=testserver,localhost JIUFENG_TWO_FACTOR_REQUIRED=false \\
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_cbench \\
      .venv/bin/python bench/search.py --cases 1000000
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from complaint_data import complaints_generate, county_build  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from complaints.models import Complaint  # noqa: E402
from jiufeng.pagination import COUNT_CAP  # noqa: E402

UNIFORMS = "另外学校要求每名学生统一购买校服，每套380元，比市场价高出许多。"
UNIFORM_TITLE = "学校强制统一购买高价校服"
# (what it shows, the words)
SEARCHES = [
    ("2 chars, in 20% (收费)", "收费"),
    ("2 chars, in 10% (推诿)", "推诿"),
    ("2 chars, in 0.5% (校服)", "校服"),
    ("2 chars, in none (彩票)", "彩票"),
    ("4 chars (教辅资料)", "教辅资料"),
    ("mixed (校服 380元)", "校服 380元"),
    ("1 char (诿)", "诿"),
]


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def uniforms_sprinkle() -> None:
    """Step 2, once: UPDATEs through SQL, as a bulk edit would; PostgreSQL recomputes the documents."""
    if Complaint.objects.filter(content__endswith=UNIFORMS).exists():
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE complaints_complaint SET content = content || %s WHERE id %% 199 = 0", [UNIFORMS])
        contents = cursor.rowcount
        cursor.execute("UPDATE complaints_complaint SET title = %s WHERE id %% 1999 = 0", [UNIFORM_TITLE])
        titles = cursor.rowcount
    print(f"  校服 added to {contents:,} texts and {titles:,} titles in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE complaints_complaint")


def measure(client: Client, url: str, runs: int) -> tuple[int, float, float, list[str]]:
    """Queries, p50 and p95 ms, and the last run's SQL."""
    times = []
    client.get(url, secure=True)
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            # Over HTTPS, as behind the production proxy (DEBUG off redirects plain HTTP).
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries), statistics.median(times), p95(times), [query["sql"] for query in queries]


def old_search(words: str, runs: int) -> tuple[float, float]:
    """The search before complaints.search: icontains on title or text; its capped count and first page."""
    found = Complaint.objects.filter(Q(title__icontains=words) | Q(content__icontains=words))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        found.order_by().values("pk")[: COUNT_CAP + 1].count()
        list(found.order_by("-submitted_at", "-pk").values_list("pk", flat=True)[:50])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), p95(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--old-runs", type=int, default=5, help="runs of the old search's SQL (slow)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each API page query")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    officer, leader = county_build(args.units)
    complaints_generate(total=args.cases, officer=officer, leader=leader)
    uniforms_sprinkle()
    client = Client(HTTP_HOST="localhost")
    client.force_login(officer)
    print(f"\n{Complaint.objects.count():,} cases; as the county officer, {args.runs} runs each (ms)")
    print(f"{'search':<26}{'matches':>9}{'list q':>7}{'p50':>7}{'p95':>7}{'inbox p50':>10}{'p95':>7}", end="")
    print(f"{'API p50':>9}{'p95':>7}{'old SQL p50':>12}{'p95':>7}")
    plans = []
    for name, words in SEARCHES:
        q = quote(words)
        queries, median, worst, _sql = measure(client, f"/cases/?tab=all&q={q}", args.runs)
        _q, inbox_median, inbox_worst, _sql = measure(client, f"/cases/?q={q}", args.runs)
        _q, api_median, api_worst, api_sql = measure(client, f"/api/v1/complaints/?q={q}", args.runs)
        old_median, old_worst = old_search(words, args.old_runs)
        matches = Complaint.objects.filter(Q(title__contains=words.split()[0]) | Q(content__contains=words.split()[0]))
        print(
            f"{name:<26}{matches.count():>9,}{queries:>7}{median:>7.1f}{worst:>7.1f}{inbox_median:>10.1f}"
            f"{inbox_worst:>7.1f}{api_median:>9.1f}{api_worst:>7.1f}{old_median:>12.1f}{old_worst:>7.1f}"
        )
        plans.append((name, [sql for sql in api_sql if "search_rank" in sql or "@@" in sql]))
    if not args.explain:
        return
    with connection.cursor() as cursor:
        for name, statements in plans:
            for sql in statements:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                print(f"\n{name}:\n" + "\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
