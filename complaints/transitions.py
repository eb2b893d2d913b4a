"""One service per state change of a complaint: the only code that fires its FSM methods.

Each service, in one transaction: locks the row (select_for_update: of two officers acting
at once one wins and the other is refused, nothing is lost), checks who may act
(PermissionDenied), checks the state and guards (TransitionNotAllowed -> 409, or
ValidationError for bad input -> 400), fires the transition, saves the changed fields with
a history row, writes one TransitionLog row, and opens or meets deadlines in the ledger.
``version``, when given, is the version the caller's form was made from: a case moved
meanwhile is refused.

# notify: petitioner and staff notifications (issue 4/5, later) are written to the outbox
# from ``_record`` with transaction.on_commit, keyed by the transition name.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from responsibility.deadlines import deadline_due_at, deadline_meet, deadline_open
from responsibility.models import DeadlineKind, Unit

from . import permissions
from .models import ENDED_STATUSES, MAX_REVIEW_ROUNDS, Complaint, ComplaintStatus, Finding, TransitionLog

REASON_MAX = 2000
TEXT_MAX = 10_000
TRANSFER_TO_MAX = 128


def _lock(complaint_id: int, version: int | None) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("subject_unit", "handling_unit")
        .get(pk=complaint_id)
    )
    if version is not None and version != complaint.version:
        raise TransitionNotAllowed(_("This case was changed by someone else meanwhile; reload it and try again."))
    return complaint


def _check(complaint: Complaint, method, allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this on this case."))
    if not can_proceed(method):
        raise TransitionNotAllowed(
            _("This case is “%(status)s”: that cannot be done now.") % {"status": complaint.get_status_display()}
        )


def _required(field: str, value: str, *, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": max_length}})
    return value


def _record(complaint: Complaint, *, name: str, from_status: str, actor, note: str, fields: list[str]) -> None:
    complaint.version += 1
    complaint._history_user = actor
    complaint._change_reason = name
    complaint.save(update_fields=["status", "version", *fields])
    TransitionLog.objects.create(
        complaint=complaint, name=name, from_status=from_status, to_status=complaint.status, actor=actor, note=note
    )


def _due(kind: DeadlineKind, start: datetime.datetime, days: int) -> dict:
    due_at, provisional = deadline_due_at(kind=kind, start=start, days=days)
    return {"due_at": due_at, "provisional": provisional}


# --- Intake: the triaging unit decides ------------------------------------------------


def _default_handling_unit(subject_unit: Unit | None) -> Unit | None:
    # 谁主管谁负责: the department supervising the subject unit, else the level above it.
    if subject_unit is None:
        return None
    if subject_unit.supervising_unit_id:
        return subject_unit.supervising_unit
    if subject_unit.depth == 1:
        return None
    return Unit.objects.get(path=subject_unit.path[: -Unit.steplen])


@transaction.atomic
def complaint_accept(
    *, complaint_id: int, actor, handling_unit: Unit | None = None, note: str = "", version: int | None = None
) -> Complaint:
    """submitted → accepted; the handling unit defaults to the one responsible for the subject unit.

    Never the subject unit or a unit under it: a unit does not investigate itself.
    """
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.accept, permissions.can_triage(actor, complaint))
    handling_unit = handling_unit or _default_handling_unit(complaint.subject_unit)
    if handling_unit is None:
        raise ValidationError({"handling_unit": _("Choose the unit that will handle this case.")})
    if not handling_unit.is_active:
        raise ValidationError({"handling_unit": _("This unit is no longer active.")})
    subject = complaint.subject_unit
    if subject is not None and handling_unit.path.startswith(subject.path):
        raise ValidationError(
            {"handling_unit": _("The unit complained about cannot handle the case itself; choose the unit above it.")}
        )
    note = (note or "").strip()[:REASON_MAX]
    now = timezone.now()
    complaint.accept()
    complaint.handling_unit = handling_unit
    _record(
        complaint,
        name="accept",
        from_status=ComplaintStatus.SUBMITTED,
        actor=actor,
        note=note,
        fields=["handling_unit"],
    )
    deadline_meet(target=complaint, kind=DeadlineKind.COMPLAINT_ACCEPT, at=now)
    deadline_open(
        target=complaint,
        kind=DeadlineKind.COMPLAINT_RESOLVE,
        unit=handling_unit,
        **_due(DeadlineKind.COMPLAINT_RESOLVE, now, settings.JIUFENG_COMPLAINT_RESOLVE_DAYS),
    )
    return complaint


@transaction.atomic
def complaint_reject(*, complaint_id: int, actor, reason: str, version: int | None = None) -> Complaint:
    """submitted → rejected (不予受理); the reason is what the petitioner is told."""
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.reject, permissions.can_triage(actor, complaint))
    reason = _required("reason", reason, max_length=REASON_MAX)
    complaint.reject()
    _record(complaint, name="reject", from_status=ComplaintStatus.SUBMITTED, actor=actor, note=reason, fields=[])
    deadline_meet(target=complaint, kind=DeadlineKind.COMPLAINT_ACCEPT)
    return complaint


@transaction.atomic
def complaint_transfer(*, complaint_id: int, actor, to: str, reason: str, version: int | None = None) -> Complaint:
    """submitted → transferred to the authority that has jurisdiction (named, outside our tree)."""
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.transfer, permissions.can_triage(actor, complaint))
    to = _required("to", to, max_length=TRANSFER_TO_MAX)
    reason = _required("reason", reason, max_length=REASON_MAX)
    complaint.transfer()
    complaint.transferred_to = to
    _record(
        complaint,
        name="transfer",
        from_status=ComplaintStatus.SUBMITTED,
        actor=actor,
        note=reason,
        fields=["transferred_to"],
    )
    deadline_meet(target=complaint, kind=DeadlineKind.COMPLAINT_ACCEPT)
    return complaint


@transaction.atomic
def complaint_merge(*, complaint_id: int, actor, primary_id: int, version: int | None = None) -> Complaint:
    """submitted → merged (重复件) into a live primary case, whose progress the petitioner then follows."""
    if primary_id == complaint_id:
        raise ValidationError({"primary": _("A case cannot be merged into itself.")})
    # Both rows locked in id order, so two merges of the same pair cannot deadlock.
    locked = {c.pk: c for c in Complaint.objects.select_for_update().filter(pk__in=sorted([complaint_id, primary_id]))}
    if primary_id not in locked:
        raise ValidationError({"primary": _("No such case.")})
    complaint = _lock(complaint_id, version)
    primary = locked[primary_id]
    _check(complaint, complaint.merge, permissions.can_triage(actor, complaint))
    if primary.status in ENDED_STATUSES or not Complaint.objects.visible_to(actor).filter(pk=primary.pk).exists():
        raise ValidationError({"primary": _("Choose an open case you may see as the primary case.")})
    complaint.merge()
    complaint.merged_into = primary
    _record(
        complaint,
        name="merge",
        from_status=ComplaintStatus.SUBMITTED,
        actor=actor,
        note=_("Merged into case #%(id)s.") % {"id": primary.pk},
        fields=["merged_into"],
    )
    deadline_meet(target=complaint, kind=DeadlineKind.COMPLAINT_ACCEPT)
    return complaint


# --- Investigation and approval: the handling unit ---------------------------------


@transaction.atomic
def complaint_start_investigation(*, complaint_id: int, actor, version: int | None = None) -> Complaint:
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.start_investigation, permissions.can_handle(actor, complaint))
    complaint.start_investigation()
    _record(
        complaint, name="start_investigation", from_status=ComplaintStatus.ACCEPTED, actor=actor, note="", fields=[]
    )
    return complaint


def _decision(finding: str, disposition: str, reply: str) -> tuple[str, str, str]:
    if finding not in Finding.values:
        raise ValidationError({"finding": _("Choose one of the listed findings.")})
    return finding, _required("disposition", disposition), _required("reply", reply)


@transaction.atomic
def complaint_submit_for_approval(
    *, complaint_id: int, actor, finding: str, disposition: str, reply: str, version: int | None = None
) -> Complaint:
    """investigating → pending_approval with the finding, disposition and reply to the petitioner."""
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.submit_for_approval, permissions.can_handle(actor, complaint))
    complaint.finding, complaint.disposition, complaint.reply = _decision(finding, disposition, reply)
    complaint.submit_for_approval()
    complaint.approval_requested_by = actor
    _record(
        complaint,
        name="submit_for_approval",
        from_status=ComplaintStatus.INVESTIGATING,
        actor=actor,
        note="",
        fields=["finding", "disposition", "reply", "approval_requested_by"],
    )
    return complaint


@transaction.atomic
def complaint_approve(*, complaint_id: int, actor, note: str = "", version: int | None = None) -> Complaint:
    """pending_approval → resolved by a leader (not the submitter): the reply goes out, the review window opens."""
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.approve, permissions.can_approve(actor, complaint))
    now = timezone.now()
    complaint.approve()
    complaint.replied_at = now
    _record(
        complaint,
        name="approve",
        from_status=ComplaintStatus.PENDING_APPROVAL,
        actor=actor,
        note=(note or "").strip()[:REASON_MAX],
        fields=["replied_at"],
    )
    deadline_meet(target=complaint, kind=DeadlineKind.COMPLAINT_RESOLVE, at=now)
    return complaint


@transaction.atomic
def complaint_send_back(*, complaint_id: int, actor, reason: str, version: int | None = None) -> Complaint:
    """pending_approval → investigating, with the leader's reasons; the resolve deadline runs on."""
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.send_back, permissions.can_approve(actor, complaint))
    reason = _required("reason", reason, max_length=REASON_MAX)
    complaint.send_back()
    _record(
        complaint, name="send_back", from_status=ComplaintStatus.PENDING_APPROVAL, actor=actor, note=reason, fields=[]
    )
    return complaint


# --- After the reply: review and closure ----------------------------------------------


def _review_window_open(complaint: Complaint, at: datetime.datetime) -> bool:
    window = datetime.timedelta(days=settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS)
    return complaint.replied_at is not None and at <= complaint.replied_at + window


@transaction.atomic
def complaint_review(*, complaint_id: int, reason: str, actor=None, version: int | None = None) -> Complaint:
    """resolved → under_review at the petitioner's request: 复查, then 复核, never a third.

    The petitioner acts by tracking code (``actor`` None); caller has matched the code.
    """
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.review, True)
    now = timezone.now()
    if complaint.review_round >= MAX_REVIEW_ROUNDS:
        raise TransitionNotAllowed(_("This case has had its review and re-review; no further review is possible."))
    if not _review_window_open(complaint, now):
        raise TransitionNotAllowed(
            _("A review must be asked within %(days)d days of the reply.")
            % {"days": settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS}
        )
    reason = _required("reason", reason, max_length=REASON_MAX)
    complaint.review()
    complaint.review_round += 1
    _record(
        complaint,
        name="review",
        from_status=ComplaintStatus.RESOLVED,
        actor=actor,
        note=reason,
        fields=["review_round"],
    )
    deadline_open(
        target=complaint,
        kind=DeadlineKind.COMPLAINT_REVIEW,
        unit=complaint.handling_unit,
        **_due(DeadlineKind.COMPLAINT_REVIEW, now, settings.JIUFENG_COMPLAINT_REVIEW_DAYS),
    )
    return complaint


@transaction.atomic
def complaint_decide_review(
    *, complaint_id: int, actor, finding: str, disposition: str, reply: str, version: int | None = None
) -> Complaint:
    """under_review → resolved with the review's finding and a new reply; the next window opens."""
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.decide_review, permissions.can_handle(actor, complaint))
    complaint.finding, complaint.disposition, complaint.reply = _decision(finding, disposition, reply)
    now = timezone.now()
    complaint.decide_review()
    complaint.replied_at = now
    _record(
        complaint,
        name="decide_review",
        from_status=ComplaintStatus.UNDER_REVIEW,
        actor=actor,
        note="",
        fields=["finding", "disposition", "reply", "replied_at"],
    )
    deadline_meet(target=complaint, kind=DeadlineKind.COMPLAINT_REVIEW, at=now)
    return complaint


@transaction.atomic
def complaint_close(*, complaint_id: int, actor=None, version: int | None = None) -> Complaint:
    """resolved → closed once no review can come: the window has passed, or both rounds are spent.

    ``actor`` None: the system (a periodic sweep). Closing on the petitioner's
    satisfaction comes with ratings (issue 4).
    """
    complaint = _lock(complaint_id, version)
    _check(complaint, complaint.close, actor is None or permissions.can_handle(actor, complaint))
    if complaint.review_round < MAX_REVIEW_ROUNDS and _review_window_open(complaint, timezone.now()):
        raise TransitionNotAllowed(_("The petitioner may still ask for a review; close the case after the window."))
    complaint.close()
    _record(complaint, name="close", from_status=ComplaintStatus.RESOLVED, actor=actor, note="", fields=[])
    return complaint
