"""Demo deadlines: some near, some overdue at several levels, as a fortnight of sweeps left them.

Idempotent: deadlines are opened once per (unit, kind), and the replayed sweeps run at
fixed instants of today, so a second run finds nothing due.
"""

import datetime

from django.utils import timezone

from responsibility.deadlines import deadline_open
from responsibility.models import CalendarYear, DeadlineKind, Unit
from responsibility.services.calendar import CalendarUnavailable, calendar_load_year
from responsibility.services.escalations import deadlines_sweep

# (unit name, kind, due in days from the start of today: negative is overdue)
DEMO_DEADLINES = [
    ("县教育局", DeadlineKind.RECTIFICATION_ITEM, -9),
    ("县第一中学", DeadlineKind.RECTIFICATION_ITEM, -5),
    # Reaches the county on the replay's last step: its principal, its leader in charge and
    # leader-edu, whose 包片 covers 县卫生健康局, are told.
    ("县卫生健康局", DeadlineKind.RECTIFICATION_ITEM, -5),
    ("城关镇第一小学", DeadlineKind.PLEDGE_ITEM, -1),
    ("县实验小学", DeadlineKind.VISIT, 2),
    ("县人民医院", DeadlineKind.PLEDGE_ITEM, 20),
]


def _seed_calendar(out) -> None:
    year = timezone.localdate().year
    for wanted in (year, year + 1):
        if CalendarYear.objects.filter(year=wanted).exists():
            continue
        try:
            out.write(f"holiday calendar {wanted}: {calendar_load_year(year=wanted)} days")
        except CalendarUnavailable:
            out.write(f"holiday calendar {wanted}: not announced yet, weekends only")


def seed_escalation(out) -> None:
    _seed_calendar(out)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    units = {u.name: u for u in Unit.objects.filter(name__in=[name for name, _kind, _days in DEMO_DEADLINES])}
    deadlines = [
        deadline_open(target=units[name], kind=kind, unit=units[name], due_at=today + datetime.timedelta(days=days))
        for name, kind, days in DEMO_DEADLINES
    ]
    ids = [d.pk for d in deadlines]
    # Replay the sweeps beat would have run, one an hour after the first due date and
    # then every two days, so the overdue ones stand at different levels today.
    at = min(d.due_at for d in deadlines) + datetime.timedelta(hours=1)
    # 县教育局's deadline reaches the top (the county) and stays open: the replay leaves an
    # accountability proposal for its principal, once (the sweep never proposes twice).
    escalated = proposed = 0
    while at <= today:
        result = deadlines_sweep(at=at, among=ids)
        escalated, proposed = escalated + len(result.escalation_ids), proposed + len(result.proposal_ids)
        at += datetime.timedelta(days=2)
    result = deadlines_sweep(at=today, among=ids)
    out.write(
        f"deadlines: {len(ids)} demo deadlines, {escalated + len(result.escalation_ids)} escalations written, "
        f"{proposed + len(result.proposal_ids)} accountability proposals"
    )
