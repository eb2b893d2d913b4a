"""Time the organisation pages on a large tree.

Steps:
1. Migrate the bench database and, if it holds no units yet, build a tree of about N:
   one county, 20 bureaus/townships, 10 sections each, the rest spread below them as
   schools, stations and villages; a principal for every unit (bulk inserts: the
   figures are about reading).
   This year's pledges: one from every parent to each child, nine in ten signed.
2. For each page, request it RUNS times through Django's test client as the county
   officer (whole-county scope) and a bureau liaison, and print the number of queries and
   the median and worst time.
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

from benchtree import staff_place, tree_build  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from jiufeng.models import User  # noqa: E402
from jiufeng.roles import Role  # noqa: E402
from responsibility.models import Pledge, PledgeState, Position, PositionKind, Unit  # noqa: E402

BUREAUS = 20
SECTIONS = 10


def build_tree(total: int) -> None:
    with transaction.atomic():
        units = tree_build(total=total, bureaus=BUREAUS, sections=SECTIONS)
        users = staff_place(units=units, kind=PositionKind.PRINCIPAL)
        by_path = {unit.path: unit for unit in units}
        principal = dict(zip((u.pk for u in units), users, strict=True))
        year = timezone.localdate().year
        signed_at = timezone.now()
        Pledge.objects.bulk_create(
            [
                Pledge(
                    year=year,
                    issuer=by_path[unit.path[: -Unit.steplen]],
                    unit=unit,
                    state=PledgeState.SIGNED if i % 10 else PledgeState.ISSUED,
                    signed_by=principal[unit.pk] if i % 10 else None,
                    signed_at=signed_at if i % 10 else None,
                )
                for i, unit in enumerate(u for u in units if u.depth > 1)
            ],
            batch_size=2000,
        )


def person(username: str, unit: Unit, kind: str, role: Role) -> User:
    from django.contrib.auth.models import Group

    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": username})
    user.groups.add(Group.objects.get(name=role))
    Position.objects.get_or_create(user=user, unit=unit, kind=kind, defaults={"starts_on": "2026-01-01"})
    return user


def measure(client: Client, url: str, runs: int) -> tuple[int, float, float, int]:
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries), statistics.median(times), max(times), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        start = time.perf_counter()
        build_tree(args.units)
        print(f"built {Unit.objects.count()} units in {time.perf_counter() - start:.1f} s")
    root = Unit.objects.get(depth=1)
    bureau = Unit.objects.filter(depth=2).first()
    deep = Unit.objects.filter(path__startswith=bureau.path).order_by("-depth", "-path").first()

    officer = person("bench-officer", root, PositionKind.OFFICER, Role.OFFICER)
    liaison = person("bench-liaison", bureau, PositionKind.LIAISON, Role.OFFICER)

    pages = [
        ("tree", reverse("responsibility:unit-tree")),
        ("tree search", reverse("responsibility:unit-tree") + "?q=第3所"),
        ("children (htmx)", reverse("responsibility:unit-children", args=[bureau.pk])),
        ("unit page (bureau)", reverse("responsibility:unit-detail", args=[bureau.pk])),
        ("unit page (depth 4)", reverse("responsibility:unit-detail", args=[deep.pk])),
        ("API unit list", reverse("api:unit-list")),
        ("API unit detail", reverse("api:unit-detail", args=[bureau.pk])),
        ("API public units", reverse("api:unit-public-list")),
        ("pledge coverage", reverse("responsibility:pledge-coverage")),
        ("pledge list", reverse("responsibility:pledge-list")),
        ("API pledges", reverse("api:pledge-list")),
    ]
    print(f"{Unit.objects.count()} units, {Position.objects.count()} positions, {connection.vendor}")
    print(f"{'page':<22}{'as':<10}{'queries':>8}{'median ms':>11}{'max ms':>9}{'bytes':>10}")
    for who, user in [("county", officer), ("bureau", liaison)]:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        for name, url in pages:
            queries, median, worst, size = measure(client, url, args.runs)
            print(f"{name:<22}{who:<10}{queries:>8}{median:>11.1f}{worst:>9.1f}{size:>10}")


if __name__ == "__main__":
    main()
