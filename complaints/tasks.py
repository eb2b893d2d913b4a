"""Periodic work on complaints, run by Celery beat (jiufeng.celery)."""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from .models import Complaint, ComplaintStatus
from .recurring import recurring_recount
from .retention import retention_purge
from .tallies import case_tallies_rebuild, open_tallies_rebuild
from .transitions import complaint_close


@shared_task
def close_expired_cases_task() -> int:
    """Close resolved cases whose review window has passed; returns how many were closed.

    After the re-review too the case waits out the window: the petitioner may still rate
    the last reply. Each case is closed through complaint_close (actor None: the system),
    which locks it and refuses one that was closed, reviewed or rated meanwhile, so two
    runs at once, or one run twice, close each case once.
    """
    cutoff = timezone.now() - datetime.timedelta(days=settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS)
    expired = list(
        Complaint.objects.filter(status=ComplaintStatus.RESOLVED, replied_at__lt=cutoff).values_list("pk", flat=True)
    )
    closed = 0
    for complaint_id in expired:
        try:
            complaint_close(complaint_id=complaint_id, actor=None)
        except TransitionNotAllowed:
            continue
        closed += 1
    return closed


@shared_task
def refresh_case_tallies_task() -> str:
    """Count the dashboard's tallies again (complaints.tallies); safe to run twice, or two at once (they take turns)."""
    return case_tallies_rebuild().isoformat()


@shared_task
def refresh_open_tallies_task() -> str:
    """Count the cases open now per subject unit again (complaints.tallies); safe to run twice, or two at once."""
    return open_tallies_rebuild().isoformat()


@shared_task
def purge_expired_cases_task() -> int:
    """Purge the identities and files of cases ended longer ago than the retention period
    (complaints.retention); returns cases purged. Safe to run twice: a purged case is not found again."""
    return retention_purge()


@shared_task
def recount_recurring_task() -> int:
    """Count again the dashboard's 举一反三 blocks looked at in the last hour (complaints.recurring), so
    that no leader waits for them; returns how many. Safe to run twice: each count replaces the last."""
    return recurring_recount()
