"""Visits and rectification items made through the services, for the visits tests."""

import datetime

from django.utils import timezone

from responsibility.models import RectificationItem, VisitKind, VisitMethod
from responsibility.services import visits as services

TODAY = timezone.localdate


def made_visit(actor, units, *, subject="走访窗口服务", days_ago=1, kind=VisitKind.VISIT, assignment=None):
    return services.visit_add(
        actor=actor,
        kind=kind,
        subject=subject,
        units=units,
        made_on=TODAY() - datetime.timedelta(days=days_ago),
        methods=[VisitMethod.LISTEN, VisitMethod.LOOK],
        people_met="窗口工作人员3名",
        findings="午休时段窗口无人值守。",
        leader_assignment=assignment,
    )


def item_for(visit, unit, *, actor=None, due_in=10, description="落实午间轮班值守制度"):
    return services.rectification_item_add(
        actor=actor or visit.leader,
        visit=visit,
        responsible_unit=unit,
        description=description,
        due_on=TODAY() + datetime.timedelta(days=due_in),
    )


def make_overdue(item: RectificationItem, days: int = 3) -> RectificationItem:
    """Let time pass: the due day is now ``days`` ago (not a state change, so no service)."""
    RectificationItem.objects.filter(pk=item.pk).update(due_on=TODAY() - datetime.timedelta(days=days))
    item.refresh_from_db()
    return item
