"""The retention period: closed cases' identities and files are purged once it has passed, as GlobaLeaks does.

A case has ended when it is closed, rejected or transferred: no later step reads who filed it
or its files. ``JIUFENG_RETENTION_DAYS`` after that transition (0: never), the daily task
(complaints.tasks.purge_expired_cases_task) calls case_purge for each such case:

- the identity's columns are emptied, its history rows' too: they hold the same name and
  phone. Each column keeps only its commitment (complaints.identity), so every sealed link
  of the chain still verifies, and the commitment cannot be tried against guesses;
- each attachment's file is deleted from storage and its row marked ``purged_at``: pages
  say the file was removed after the retention period; the file name, type and size stay;
- one AuditEvent (kind ``purge``) by the system names the case, what was removed and when.

The case itself, its text, its history and logs stay (its text names no petitioner: the
identity is kept apart from it for that reason).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from audit.actors import system_user
from audit.models import AuditEvent, AuditEventKind
from jiufeng.encrypted import Purged, tokens_purge

from .identity import IDENTITY_FIELDS
from .models import Attachment, Complaint, ComplaintStatus, PetitionerIdentity, TransitionLog

ENDED = (ComplaintStatus.CLOSED, ComplaintStatus.REJECTED, ComplaintStatus.TRANSFERRED)
REASON = "retention period"


def cases_past_retention(*, now: datetime.datetime) -> QuerySet:
    """Ended cases whose last transition (the one that ended them) is older than the retention
    period and that still hold an identity or a file; none when retention is off (0 days)."""
    days = settings.JIUFENG_RETENTION_DAYS
    if not days:
        return Complaint.objects.none()
    cutoff = now - datetime.timedelta(days=days)
    ended_before = TransitionLog.objects.filter(complaint=OuterRef("pk"), to_status=OuterRef("status"), at__lt=cutoff)
    unpurged = Q(identity__isnull=False, identity__purged_at__isnull=True) | Exists(
        Attachment.objects.filter(complaint=OuterRef("pk"), purged_at__isnull=True)
    )
    return Complaint.objects.filter(Exists(ended_before), unpurged, status__in=ENDED)


@transaction.atomic
def case_purge(*, complaint_id: int, now: datetime.datetime) -> AuditEvent | None:
    """Purge one ended case's identity and files (see the module); None if nothing was left to purge.

    Caller has found the case past retention (cases_past_retention). Files are deleted before
    the rows are marked: a failure after a deletion leaves rows that the next run marks
    (deleting a missing file is nothing), never a file that a purged row no longer points to.
    """
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    system = system_user()
    identity = PetitionerIdentity.objects.select_for_update().filter(complaint=complaint, purged_at=None).first()
    history_rows = 0
    if identity is not None:
        for field in IDENTITY_FIELDS:
            setattr(identity, field, Purged(getattr(identity, field).chain_form))
        identity.purged_at = now
        identity._history_user, identity._change_reason = system, REASON
        identity.save(update_fields=[*IDENTITY_FIELDS, "phone_index", "purged_at"])
        history_rows = tokens_purge(PetitionerIdentity.history.filter(id=identity.pk), IDENTITY_FIELDS)
    files = list(Attachment.objects.select_for_update().filter(complaint=complaint, purged_at=None))
    for attachment in files:
        attachment.file.storage.delete(attachment.file.name)
        attachment.purged_at = now
        attachment._history_user, attachment._change_reason = system, REASON
        attachment.save(update_fields=["purged_at"])
    if identity is None and not files:
        return None
    return AuditEvent.objects.create(
        kind=AuditEventKind.PURGE,
        at=now,
        user=system,
        username=system.get_username(),
        detail={
            "complaint": complaint.pk,
            "case_number": complaint.case_number,
            "identity": identity is not None,
            "identity_history_rows": history_rows,
            "attachments": [attachment.pk for attachment in files],
            "retention_days": settings.JIUFENG_RETENTION_DAYS,
        },
    )


def retention_purge(*, now: datetime.datetime | None = None) -> int:
    """Purge every case past the retention period, one transaction each; returns cases purged.

    Safe to run twice or side by side: each case is locked, and what is purged is not found again.
    """
    now = now or timezone.now()
    purged = 0
    # Ids first (no server-side cursor behind PgBouncer); each case is then its own transaction.
    for complaint_id in list(cases_past_retention(now=now).values_list("pk", flat=True)):
        purged += case_purge(complaint_id=complaint_id, now=now) is not None
    return purged
