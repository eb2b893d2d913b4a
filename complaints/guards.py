"""What a case allows beyond its status: the review window, closing, a pending extension.

Pure reads of a case already read (the pending extension reads the case's requests unless
the caller has them), written once for everyone who asks: the services check them under
the row lock (through complaints.workflow), the case page and the API offer only what they
allow, the tracking pages show what the petitioner may still do.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from responsibility.models import DeadlineKind

from .models import MAX_REVIEW_ROUNDS, Complaint, ComplaintStatus, ExtensionRequest, ExtensionState

# The deadline an extension moves, by the stage the case is in (stage_deadline: in a review round,
# the review's deadline runs through its approval too).
STAGE_DEADLINE = {
    ComplaintStatus.SUBMITTED: DeadlineKind.COMPLAINT_ACCEPT,
    ComplaintStatus.ACCEPTED: DeadlineKind.COMPLAINT_RESOLVE,
    ComplaintStatus.INVESTIGATING: DeadlineKind.COMPLAINT_RESOLVE,
    ComplaintStatus.PENDING_APPROVAL: DeadlineKind.COMPLAINT_RESOLVE,
    ComplaintStatus.UNDER_REVIEW: DeadlineKind.COMPLAINT_REVIEW,
}


def stage_deadline(complaint: Complaint) -> DeadlineKind | None:
    """The kind of deadline the stage the case is in runs on, or None when none runs."""
    if complaint.review_round and complaint.status == ComplaintStatus.PENDING_APPROVAL:
        return DeadlineKind.COMPLAINT_REVIEW
    return STAGE_DEADLINE.get(complaint.status)


def review_until(complaint: Complaint) -> datetime.datetime | None:
    """Until when the petitioner may ask for a review of the reply (复查, then 复核).

    None when none can come: no reply is out, or both rounds are spent.
    """
    if complaint.replied_at is None or complaint.review_round >= MAX_REVIEW_ROUNDS:
        return None
    return complaint.replied_at + datetime.timedelta(days=settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS)


def review_refusal(complaint: Complaint, at: datetime.datetime | None = None) -> str | None:
    """Why the petitioner may not ask for a review at ``at`` (now), or None if they may."""
    if complaint.review_round >= MAX_REVIEW_ROUNDS:
        return _("This case has had its review and re-review; no further review is possible.")
    until = review_until(complaint)
    if until is None or (at or timezone.now()) > until:
        return _("A review must be asked within %(days)d days of the reply.") % {
            "days": settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS
        }
    return None


def close_refusal(complaint: Complaint) -> str | None:
    """Why staff or the sweep may not close the case yet, or None: no review can come any more.

    A satisfied petitioner closes it at once (complaints.services.rating_add), past this guard.
    """
    if review_refusal(complaint) is None:
        return _("The petitioner may still ask for a review; close the case after the window.")
    return None


def complaint_may_close(complaint: Complaint) -> bool:
    # No review can come any more: the window has passed, or both rounds are spent.
    return close_refusal(complaint) is None


def extension_pending(complaint: Complaint, requests=None) -> ExtensionRequest | None:
    """The request awaiting a leader for the stage the case is in now, if any.

    ``requests``: all of the case's, when the caller has read them already (no query then).
    """
    stage = stage_deadline(complaint)
    if stage is None:
        return None
    wanted = {"stage": stage, "review_round": complaint.review_round, "state": ExtensionState.PENDING}
    if requests is None:
        return complaint.extension_requests.filter(**wanted).first()
    return next((r for r in requests if all(getattr(r, k) == v for k, v in wanted.items())), None)
