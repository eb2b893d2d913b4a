"""python manage.py sweep_deadlines [--at ISO-8601]: one sweep, exactly what beat runs."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from responsibility.models import AccountabilityRecord, Deadline, Escalation, PositionKind
from responsibility.services.escalations import deadlines_sweep


def _instant(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(value or "")
        except ValueError:
            moment = None
        if moment is None:
            raise CommandError(f"--at must be an ISO 8601 date and time, e.g. 2027-01-31T09:00:00+08:00, not {value!r}")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Run one deadline escalation sweep as of now or of --at, and print what it escalated."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="the instant to sweep as of (ISO 8601; default now)")

    def handle(self, *args, at=None, **options):
        moment = _instant(at) if at is not None else timezone.now()
        result = deadlines_sweep(at=moment)
        self.stdout.write(f"Sweep as of {timezone.localtime(moment).isoformat()}")
        escalations = (
            Escalation.objects.filter(pk__in=result.escalation_ids)
            .select_related("deadline__unit", "unit")
            .order_by("deadline_id")
        )
        for escalation in escalations.iterator(chunk_size=1000):
            deadline = escalation.deadline
            self.stdout.write(
                f"  deadline {deadline.pk} ({deadline.kind}, {deadline.unit.name}, due "
                f"{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}) → level {escalation.level}: "
                f"{PositionKind(escalation.notified_kind).label} of {escalation.unit.name}"
            )
        for deadline in Deadline.objects.filter(pk__in=result.warned_ids).select_related("unit").order_by("pk"):
            self.stdout.write(f"  deadline {deadline.pk} ({deadline.kind}, {deadline.unit.name}): early warning")
        records = AccountabilityRecord.objects.filter(pk__in=result.proposal_ids).select_related("user", "unit")
        for record in records.order_by("pk"):
            self.stdout.write(f"  accountability proposal {record.pk}: {record.user} of {record.unit.name}")
        self.stdout.write(
            f"escalated {len(result.escalation_ids)}, at the top {len(result.at_top_ids)}, "
            f"warned {len(result.warned_ids)}, notifications {result.notifications}, "
            f"accountability proposals {len(result.proposal_ids)}"
        )
