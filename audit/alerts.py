"""Tell administrators when a history chain breaks: once per break, not every night."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_noop

from jiufeng.notifications import notify
from jiufeng.roles import Role
from jiufeng.texts import message

from .models import ChainHead
from .verify import Break, TableReport

logger = logging.getLogger(__name__)


def _administrators():
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(Q(groups__name=Role.ADMINISTRATOR) | Q(is_superuser=True)).distinct()


def chain_breaks_alert(reports: list[TableReport]) -> list[Break]:
    """Log every break as an error; notify administrators (inbox and email) of those not alerted before.

    A break is claimed by a conditional update of its table's head (``alerted``), so a second
    run, or two at once, alert once. A chain that holds again clears the mark: should it break
    again later, that is a new alert. A table whose head was deleted has nowhere to keep the
    mark and is alerted on every run. Returns the breaks alerted now.
    """
    new = []
    with transaction.atomic():
        for report in reports:
            said = str(report.broken)[:500] if report.broken else ""
            claimed = ChainHead.objects.filter(table=report.table).exclude(alerted=said).update(alerted=said)
            if report.broken is None:
                continue
            logger.error("History chain broken: %s", report.broken)
            if claimed or not ChainHead.objects.filter(table=report.table).exists():
                new.append(report.broken)
        if new:
            notify(
                users=_administrators(),
                subject=message(gettext_noop("History chains broken: %(count)s"), count=len(new)),
                body=[
                    message(
                        gettext_noop("%(table)s, chain number %(seq)s (row %(pk)s): %(problem)s"),
                        table=item.table,
                        seq=item.seq,
                        pk="-" if item.pk is None else str(item.pk),
                        problem=item.problem,
                    )
                    for item in new
                ],
                link=reverse("admin:audit_chainhead_changelist"),
                why=message(
                    gettext_noop(
                        "You are an administrator: the nightly check found history rows changed or "
                        "deleted directly in the database."
                    )
                ),
            )
    return new
