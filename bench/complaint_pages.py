"""Time the staff case pages, the staff API and the transitions with a million cases stored.

Steps:
1. Migrate the bench database and fill it to --cases cases (bench/complaint_data.py:
   bulk SQL, about 15 minutes for a million the first time; nothing when already there).
2. Through the services, as people would: one case with 20 investigation activities,
   20 messages (petitioner and officer in turn) and 10 transitions after its filing
   (accept, start, submit, send back twice, submit, approve, review, decide the review),
   found again on later runs by its title.
3. Request each page RUNS times through Django's test client as the county officer
   (the whole county in scope; with --bureau, an officer of the bureau with most cases,
   whose scope is one subtree; the approvals as the county leader, who has the county's
   findings to approve), after one untimed request, and print for each the queries, p50
   and p95, the time Django waited on PostgreSQL (db) and the same reads replayed on a plain
   cursor (bare SQL).
4. Time each transition's service on --fresh newly filed cases (file, accept, start
   the investigation, submit for approval, approve) and record an activity and a
   message on each: p50 and p95 per step.

As production serves pages: DEBUG off (cached templates), static files collected
(bench/README.md has the whole recipe):

    DEBUG=false SECRET_KEY=... ALLOWED_HOSTS=testserver,localhost \\
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_cbench \\
      .venv/bin/python bench/complaint_pages.py --cases 1000000
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from complaint_data import complaints_generate, county_build, staff_person, table_sizes  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaints import services, transitions  # noqa: E402
from complaints.models import ActivityKind, Category, Channel, Complaint, Finding  # noqa: E402
from jiufeng.roles import Role  # noqa: E402
from responsibility.models import PositionKind, Unit  # noqa: E402

SHOWCASE_TITLE = "基准：卫生院住院收费不透明（20次调查、20条留言、10次流转）"
DECISION = {
    "finding": Finding.PARTLY_SUBSTANTIATED,
    "disposition": "责令卫生院公示收费项目，多收费用退还。",
    "reply": "经调查，您反映的问题部分属实，多收费用已退还。",
}


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def filed(*, title: str, subject: Unit, category: Category) -> Complaint:
    complaint, _code = services.complaint_file(
        channel=Channel.WEB,
        category=category,
        subject_unit=subject,
        title=title,
        content="住院12天，出院结算时发现检查费重复收取，护理天数多算三天。",
        occurred_on=None,
        location="",
        anonymous=False,
        name="刘桂兰",
        phone="13800001234",
        id_number="",
        email="",
    )
    return complaint


def showcase(officer, leader, category: Category) -> Complaint:
    """The case of step 2, made once."""
    found = Complaint.objects.filter(title=SHOWCASE_TITLE).first()
    if found is not None:
        return found
    subject = Unit.objects.filter(depth=3).first()
    case = filed(title=SHOWCASE_TITLE, subject=subject, category=category)
    pk = case.pk
    transitions.complaint_accept(complaint_id=pk, actor=officer, note="受理")
    transitions.complaint_start_investigation(complaint_id=pk, actor=officer)
    kinds = list(ActivityKind)
    for i in range(20):
        services.activity_record(
            complaint_id=pk,
            actor=officer,
            kind=kinds[i % len(kinds)],
            # After the case was filed (moments ago): an activity never comes before it.
            occurred_at=case.received_at + datetime.timedelta(microseconds=i),
            participants="承办人、卫生院院长、收费室负责人",
            summary=f"第{i + 1}次调查：调阅住院收费明细，核对护理记录和检查单据。",
        )
        services.message_add(
            complaint_id=pk,
            actor=officer if i % 2 else None,
            body="请补充出院结算单照片。" if i % 2 else "结算单已拍照上传，请查收。",
        )
    for _round in range(2):
        transitions.complaint_submit_for_approval(complaint_id=pk, actor=officer, **DECISION)
        transitions.complaint_send_back(complaint_id=pk, actor=leader, reason="请补充退费凭证。")
    transitions.complaint_submit_for_approval(complaint_id=pk, actor=officer, **DECISION)
    transitions.complaint_approve(complaint_id=pk, actor=leader, note="同意")
    transitions.complaint_review(complaint_id=pk, reason="退费金额不对，申请复查。")
    transitions.complaint_decide_review(complaint_id=pk, actor=officer, **DECISION)
    return Complaint.objects.get(pk=pk)


@dataclass
class Figures:
    queries: int
    p50: float  # the request, ms
    p95: float
    database: float  # p50 of the time Django waited on its statements, ms
    bare: float  # p50 of the same statements replayed on a plain cursor, ms
    size: int


class Waited:
    """Django's statements timed where they run (an execute wrapper): ms in all."""

    def __init__(self):
        self.ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - start) * 1000


def _bare(statements: list[str], runs: int) -> float:
    """The page's statements as PostgreSQL answers them alone: no ORM, no page, p50 ms."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            start = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(client: Client, url: str, runs: int) -> Figures | None:
    """The page's figures; None when the page is not there (not built in this checkout).

    One request first, untimed, as a warm worker would serve it (gunicorn preloads the app).
    """
    # Over HTTPS, as behind the production proxy (DEBUG off redirects plain HTTP).
    response = client.get(url, secure=True)
    if response.status_code == 404:
        return None
    times, waits = [], []
    for _ in range(runs):
        waited = Waited()
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(waited):
            start = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        waits.append(waited.ms)
    # Reads only: the session's and the audit's writes are not the page's work.
    reads = [query["sql"] for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("SELECT")]
    median, worst, size = statistics.median(times), p95(times), len(response.content)
    return Figures(len(queries), median, worst, statistics.median(waits), _bare(reads, runs), size)


def bureau_officer():
    """An officer of the bureau (a unit below the root) whose subtree handles most cases, and the bureau."""
    bureaus = Unit.objects.filter(depth=2)
    bureau = max(bureaus, key=lambda unit: Complaint.objects.filter(handling_unit__path__startswith=unit.path).count())
    return staff_person("bench-bureau-officer", bureau, PositionKind.OFFICER, Role.OFFICER), bureau


def time_transitions(officer, leader, category: Category, fresh: int) -> dict[str, list[float]]:
    """Each step's service call on ``fresh`` new cases, in milliseconds."""
    subject = Unit.objects.filter(depth=3).last()
    steps = [
        ("accept", lambda pk: transitions.complaint_accept(complaint_id=pk, actor=officer)),
        ("start_investigation", lambda pk: transitions.complaint_start_investigation(complaint_id=pk, actor=officer)),
        (
            "activity_record",
            lambda pk: services.activity_record(
                complaint_id=pk,
                actor=officer,
                kind=ActivityKind.TALK,
                occurred_at=timezone.now(),
                participants="院长",
                summary="约谈院长，听取情况说明。",
            ),
        ),
        ("message_add", lambda pk: services.message_add(complaint_id=pk, actor=officer, body="正在调查，请耐心等待。")),
        (
            "submit_for_approval",
            lambda pk: transitions.complaint_submit_for_approval(complaint_id=pk, actor=officer, **DECISION),
        ),
        ("approve", lambda pk: transitions.complaint_approve(complaint_id=pk, actor=leader, note="同意")),
    ]
    times: dict[str, list[float]] = defaultdict(list)
    for i in range(fresh):
        start = time.perf_counter()
        case = filed(title=f"基准：流转计时{i}", subject=subject, category=category)
        times["file"].append((time.perf_counter() - start) * 1000)
        for name, step in steps:
            start = time.perf_counter()
            step(case.pk)
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--fresh", type=int, default=30, help="new cases whose transitions are timed")
    parser.add_argument("--bureau", action="store_true", help="as an officer of the busiest bureau, not the county's")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    officer, leader = county_build(args.units)
    complaints_generate(total=args.cases, officer=officer, leader=leader)
    category = Category.objects.get(code="fees-medical")
    case = showcase(officer, leader, category)
    for table, rows in table_sizes():
        print(f"  {table:<36}{rows:>12,}")

    pages = [
        ("case page", f"/cases/{case.pk}/"),
        ("API case detail", f"/api/v1/complaints/{case.pk}/"),
        ("inbox", "/cases/"),
        ("inbox, overdue", "/cases/?overdue=true"),
        ("API list", "/api/v1/complaints/"),
        ("API list, overdue", "/api/v1/complaints/?overdue=true"),
        ("API list, a bureau", f"/api/v1/complaints/?handling_unit={case.handling_unit_id}"),
        ("API list, search", "/api/v1/complaints/?q=低保"),
        # As someone with rows in it: the county leader approves the county's findings.
        ("approvals, leader", "/cases/approvals/"),
    ]
    viewer, whom = officer, "the county officer"
    if args.bureau:
        viewer, bureau = bureau_officer()
        whom = f"an officer of {bureau.name} ({bureau.get_descendant_count() + 1} units)"
    client, leader_client = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    client.force_login(viewer)
    leader_client.force_login(leader)
    print(f"\n{Complaint.objects.count():,} cases; as {whom}, {args.runs} runs each")
    print(f"{'page':<22}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'db p50':>9}{'bare p50':>9}{'bytes':>10}")
    for name, url in pages:
        figures = measure(leader_client if name.endswith(", leader") else client, url, args.runs)
        if figures is None:
            print(f"{name:<22}   not found (404): {url}")
            continue
        print(
            f"{name:<22}{figures.queries:>8}{figures.p50:>9.1f}{figures.p95:>9.1f}"
            f"{figures.database:>9.1f}{figures.bare:>9.1f}{figures.size:>10}"
        )

    print(f"\nservices on {args.fresh} new cases")
    print(f"{'step':<22}{'p50 ms':>9}{'p95 ms':>9}")
    for name, times in time_transitions(officer, leader, category, args.fresh).items():
        print(f"{name:<22}{statistics.median(times):>9.1f}{p95(times):>9.1f}")


if __name__ == "__main__":
    main()
