"""Time scoring a democratic appraisal and its results page.

Steps:
1. Migrate the bench database and, if it holds no appraisal yet, build one (bulk inserts:
   the figures are about reading): a county of 221 units (20 bureaus, 10 sections each),
   the 200 bureaus and sections under appraisal in two ranking groups, RESPONSES anonymous
   responses spread over them and the three invited groups, COMPLAINTS decided and rated
   complaints about the sections with their resolve deadlines (a fifth missed), and an
   assessed pledge for every unit.
2. Score it RUNS times (the state is put back to closed between runs, only here) and print
   the statements and the median and worst time.
3. Request the results page (as the county officer, through Django's test client), the
   public page and the results API PAGES times each and print statements, p50 and p95 of the
   wall time, and the median Python CPU time (steadier on a shared machine).

    createdb -h 127.0.0.1 -U postgres jiufeng_abench   # once
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_abench \\
      .venv/bin/python bench/appraisal_bench.py
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from benchtree import tree_build  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaints.models import Category, Complaint, ComplaintStatus, Finding, Rating, RatingValue  # noqa: E402
from evaluations.models import (  # noqa: E402
    INVITED_GROUPS,
    Appraisal,
    AppraisalState,
    AppraisedUnit,
    Questionnaire,
    Response,
)
from evaluations.services.scoring import appraisal_score  # noqa: E402
from jiufeng.models import User  # noqa: E402
from jiufeng.roles import Role  # noqa: E402
from responsibility.models import (  # noqa: E402
    DeadlineKind,
    Pledge,
    PledgeItem,
    PledgeState,
    Position,
    PositionKind,
    Unit,
)
from responsibility.models.deadlines import Deadline  # noqa: E402

BATCH = 5000


def officer_get(root: Unit) -> User:
    user, _ = User.objects.get_or_create(username="abench-officer", defaults={"display_name": "评议专干"})
    user.groups.add(Group.objects.get(name=Role.OFFICER))
    Position.objects.get_or_create(
        user=user, unit=root, kind=PositionKind.OFFICER, defaults={"starts_on": datetime.date(2026, 1, 1)}
    )
    return user


def build(*, responses: int, complaints: int, officer: User) -> Appraisal:
    rng = random.Random(20)
    units = list(Unit.objects.order_by("path"))
    root = units[0]
    appraised_units = [unit for unit in units if unit.depth in (2, 3)]
    now = timezone.now()
    questionnaire = Questionnaire.objects.create(name="基准问卷", created_by=officer, frozen_at=now)
    appraisal = Appraisal.objects.create(
        name="基准年度民主评议",
        year=now.year,
        organiser=root,
        questionnaire=questionnaire,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
        period_start=datetime.date(now.year, 1, 1),
        period_end=datetime.date(now.year, 12, 31),
        state=AppraisalState.CLOSED,
        created_by=officer,
    )
    rows = AppraisedUnit.objects.bulk_create(
        AppraisedUnit(appraisal=appraisal, unit=unit, ranking_group="部门" if unit.depth == 2 else "科所")
        for unit in appraised_units
    )
    Response.objects.bulk_create(
        (
            Response(
                appraisal=appraisal,
                appraised_unit=rng.choice(rows),
                group=rng.choice(INVITED_GROUPS),
                # Questionnaire scores come in steps; two decimals as stored.
                score=Decimal(rng.randrange(0, 10001)) / 100,
            )
            for _ in range(responses)
        ),
        batch_size=BATCH,
    )
    category = Category.objects.add_root({"code": "abench", "name": "基准类别"})
    sections = [unit for unit in units if unit.depth == 3]
    decided_at = now - datetime.timedelta(days=5)
    cases = Complaint.objects.bulk_create(
        (
            Complaint(
                category=category,
                subject_unit=rng.choice(sections),
                handling_unit=root,
                title="基准投诉",
                content="基准",
                received_at=decided_at,
                status=ComplaintStatus.CLOSED,
                finding=rng.choice(list(Finding.values)),
                replied_at=decided_at,
                case_number=f"AB-{i:08d}",
                tracking_code_hash=f"abench{i:058d}",
            )
            for i in range(complaints)
        ),
        batch_size=BATCH,
    )
    Rating.objects.bulk_create(
        (
            Rating(complaint=case, review_round=0, rating=rng.choice(list(RatingValue.values)), at=decided_at)
            for case in cases
        ),
        batch_size=BATCH,
    )
    complaint_type = ContentType.objects.get_for_model(Complaint)
    Deadline.objects.bulk_create(
        (
            Deadline(
                kind=DeadlineKind.COMPLAINT_RESOLVE,
                content_type=complaint_type,
                object_id=case.pk,
                unit=root,
                due_at=decided_at + datetime.timedelta(days=1),
                met_at=decided_at + datetime.timedelta(days=rng.choice([0, 0, 0, 0, 3])),
            )
            for case in cases
        ),
        batch_size=BATCH,
    )
    by_path = {unit.path: unit for unit in units}
    pledges = Pledge.objects.bulk_create(
        Pledge(
            year=now.year,
            issuer=by_path[unit.path[: -Unit.steplen]],
            unit=unit,
            state=PledgeState.ASSESSED,
            assessed_at=now,
            total_score=Decimal(rng.randrange(60, 101)),
        )
        for unit in appraised_units
    )
    PledgeItem.objects.bulk_create(
        PledgeItem(pledge=pledge, title="目标", weight=100, score=pledge.total_score, due_on=now.date())
        for pledge in pledges
    )
    return appraisal


def timed(work, cpu: list[float] | None = None) -> tuple[float, int]:
    """Wall milliseconds and statements of ``work()``; its Python CPU milliseconds appended to ``cpu``.

    On a machine shared with other work the wall time follows the load; this process's CPU
    time does much less.
    """
    with CaptureQueriesContext(connection) as queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        elapsed = (time.perf_counter() - start) * 1000
    if cpu is not None:
        cpu.append((time.process_time() - start_cpu) * 1000)
    assert getattr(result, "status_code", 200) == 200, result
    return elapsed, len(queries)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        tree_build(total=221, bureaus=20, sections=10)
    root = Unit.objects.get(depth=1)
    officer = officer_get(root)
    appraisal = Appraisal.objects.filter(name="基准年度民主评议").first()
    if appraisal is None:
        start = time.perf_counter()
        with transaction.atomic():
            appraisal = build(responses=args.responses, complaints=args.complaints, officer=officer)
        print(f"built in {time.perf_counter() - start:.1f} s")
    print(
        f"{connection.vendor}: {appraisal.appraised_units.count()} units under appraisal, "
        f"{Response.objects.filter(appraisal=appraisal).count()} responses, {Complaint.objects.count()} complaints"
    )

    scoring = []
    for _ in range(args.runs):
        # Only here: the bench scores the same appraisal again.
        Appraisal.objects.filter(pk=appraisal.pk).update(state=AppraisalState.CLOSED)
        elapsed, statements = timed(lambda: appraisal_score(actor=officer, appraisal_id=appraisal.pk))
        scoring.append(elapsed)
    median, worst = statistics.median(scoring), max(scoring)
    print(f"appraisal_score: {statements} statements, median {median:.0f} ms, worst {worst:.0f} ms")

    # Only here: published without its rectification items, for the public page.
    Appraisal.objects.filter(pk=appraisal.pk).update(state=AppraisalState.PUBLISHED, published_at=timezone.now())
    client = Client()
    client.force_login(officer)
    for name, url in (
        ("results page", reverse("evaluations:appraisal-results", args=[appraisal.pk])),
        ("results API", f"/api/v1/appraisals/{appraisal.pk}/results/"),
        ("public page", reverse("evaluations:appraisal-public", args=[appraisal.pk])),
    ):
        client.get(url, secure=True)  # warm: templates, translations
        times, cpu = [], []
        for _ in range(args.pages):
            elapsed, statements = timed(lambda url=url: client.get(url, secure=True), cpu)
            times.append(elapsed)
        print(
            f"{name}: {statements} statements, p50 {statistics.median(times):.1f} ms, p95 {p95(times):.1f} ms, "
            f"Python CPU p50 {statistics.median(cpu):.1f} ms"
        )


if __name__ == "__main__":
    main()
