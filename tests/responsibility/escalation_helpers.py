"""A 4-level tree with a liaison and a principal in every unit, and a deadline opener."""

import datetime
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.management import call_command

from responsibility.deadlines import deadline_open
from responsibility.models import DeadlineKind, PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, unit_add

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE = datetime.datetime(2027, 1, 10, 17, 0, tzinfo=SHANGHAI)


def ladder_tree(units) -> SimpleNamespace:
    """county > bureau > school > grade office, each with a liaison and a principal."""
    grade = unit_add(parent=units.school, name="初一年级组", kind=UnitKind.SECTION)
    people = {}
    for key, unit in [("county", units.county), ("bureau", units.bureau), ("school", units.school), ("grade", grade)]:
        for kind in (PositionKind.LIAISON, PositionKind.PRINCIPAL):
            user = UserFactory(
                username=f"{key}-{kind}", email=f"{key}-{kind}@example.org", phone=f"1380000{len(people):04d}"
            )
            PositionFactory(user=user, unit=unit, kind=kind)
            people[(key, kind)] = user
    return SimpleNamespace(grade=grade, people=people, **vars(units))


def open_deadline(unit, *, due_at=DUE, kind=DeadlineKind.RECTIFICATION_ITEM, target=None):
    # Any row can be the obligation's target; the unit itself keeps the tests small.
    return deadline_open(target=target or unit, kind=kind, unit=unit, due_at=due_at)


def sweep(at: datetime.datetime) -> str:
    out = io.StringIO()
    call_command("sweep_deadlines", at=at.isoformat(), stdout=out)
    return out.getvalue()
