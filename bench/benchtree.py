"""The benchmarks' organisation: a county of about N units, built with bulk inserts.

One county, BUREAUS bureaus, SECTIONS sections in each, and the rest spread evenly below
the sections as stations, using treebeard's path scheme directly (the figures are about
reading, and add_child one by one would take minutes). Call after django.setup().
"""

from jiufeng.models import User
from responsibility.models import Position, Unit, UnitKind


def tree_build(*, total: int, bureaus: int, sections: int) -> list[Unit]:
    """Insert the units; returns them in tree order."""
    leaves = max(0, -(-(total - 1 - bureaus - bureaus * sections) // (bureaus * sections)))
    rows: list[Unit] = []

    def add(parent_path: str, depth: int, position: int, name: str, kind: str, children: int) -> str:
        path = Unit._get_path(parent_path or None, depth, position)
        rows.append(Unit(path=path, depth=depth, numchild=children, name=name, kind=kind))
        return path

    root = add("", 1, 1, "基准县", UnitKind.ORGAN, bureaus)
    for b in range(1, bureaus + 1):
        bureau = add(root, 2, b, f"县第{b}局", UnitKind.DEPARTMENT, sections)
        for s in range(1, sections + 1):
            section = add(bureau, 3, s, f"县第{b}局第{s}所", UnitKind.SECTION, leaves)
            for v in range(1, leaves + 1):
                add(section, 4, v, f"县第{b}局第{s}所第{v}站", UnitKind.INSTITUTION, 0)
    Unit.objects.bulk_create(rows, batch_size=2000)
    return list(Unit.objects.order_by("path"))


def staff_place(*, units: list[Unit], kind: str) -> list[User]:
    """One new user holding ``kind`` in every unit (with email and phone for notifications)."""
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench-{kind}-{i}",
                display_name=f"{kind}{i}",
                email=f"{kind}{i}@example.org",
                phone=f"139{i:08d}",
            )
            for i in range(len(units))
        ],
        batch_size=2000,
    )
    Position.objects.bulk_create(
        [
            Position(user=user, unit=unit, kind=kind, starts_on="2026-01-01")
            for user, unit in zip(users, units, strict=True)
        ],
        batch_size=2000,
    )
    return users
