"""One service per state change of a complaint: the only code that fires its FSM methods.

Each service, in one transaction: locks the row (select_for_update: of two officers acting
at once one wins and the other is refused, nothing is lost), checks who may act
(PermissionDenied) and the state and guards (TransitionNotAllowed -> 409) as the
transition's declaration in complaints.workflow says, checks its input (ValidationError ->
400), fires the transition, saves the changed fields with a history row, writes one
TransitionLog row, and opens or meets deadlines in the ledger.
``version``, when given, is the version the caller's form was made from: a case moved
meanwhile is refused.

Who must hear of the change is told through complaints.notifications, in the same
transaction: the outbox rows commit with the change, and delivery starts on commit.
"""

import datetime
import decimal
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from responsibility.deadlines import deadline_due_at, deadline_meet, deadline_move, deadline_open, deadlines_of
from responsibility.models import DeadlineKind, Unit
from responsibility.scoping import in_scope_or_404, units_containing
from responsibility.services.visits import rectification_item_add

from .models import (
    ENDED_STATUSES,
    Complaint,
    ComplaintStatus,
    ExtensionState,
    Finding,
    Measure,
    MeasureKind,
    Rating,
    TransitionLog,
)
from .notifications import petitioner_notify, staff_notify
from .routing import handling_unit_default, reviewing_unit_for
from .time_limits import time_limit_days
from .workflow import transition_check

REASON_MAX = 2000
TEXT_MAX = 10_000
TRANSFER_TO_MAX = 128


def complaint_lock(complaint_id: int, version: int | None) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("category", "subject_unit", "handling_unit", "reviewing_unit")
        .get(pk=complaint_id)
    )
    if version is not None and version != complaint.version:
        raise TransitionNotAllowed(_("This case was changed by someone else meanwhile; reload it and try again."))
    return complaint


def _required(field: str, value: str, *, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": max_length}})
    return value


def _record(
    complaint: Complaint, *, name: str, from_status: str, actor, note: str, fields: list[str], unit: Unit | None = None
) -> None:
    complaint.version += 1
    # due_at as _stage_open/_stage_meet left it: the row is locked, so it is current either way.
    complaint._history_user, complaint._change_reason = actor, name
    complaint.save(update_fields=["status", "version", "due_at", *fields])
    TransitionLog.objects.create(
        complaint=complaint,
        name=name,
        from_status=from_status,
        to_status=complaint.status,
        actor=actor,
        note=note,
        unit=unit,
    )


def _stage_open(complaint: Complaint, *, kind: DeadlineKind, unit: Unit, start: datetime.datetime) -> None:
    """Open the deadline of the stage the case enters, and keep its due time on the case (saved by _record).

    Only entering a stage opens its deadline (acceptance the handling stage, a review request
    its round's review), and leaving one meets it: the locked case has none of ``kind`` open.
    """
    days = time_limit_days(category=complaint.category, kind=kind)
    due_at, provisional = deadline_due_at(kind=kind, start=start, days=days)
    deadline_open(
        target=complaint,
        kind=kind,
        unit=unit,
        due_at=due_at,
        provisional=provisional,
        none_open=True,
        withheld_from=complaint.subject_unit,
    )
    complaint.due_at = due_at


def _stage_meet(complaint: Complaint, *, kind: DeadlineKind, at: datetime.datetime | None = None) -> None:
    """Meet the deadline of the stage the case leaves; a case runs one stage at a time, so none runs after."""
    deadline_meet(target=complaint, kind=kind, at=at)
    complaint.due_at = None


# --- Intake: the triaging unit decides ------------------------------------------------


def _remit_path(unit: Unit) -> str | None:
    # A query only for a unit with a remit (the county 纠风办): most have none.
    return unit.remit_unit.path if unit.remit_unit_id is not None else None


@transaction.atomic
def complaint_accept(
    *, complaint_id: int, actor, handling_unit: Unit | None = None, note: str = "", version: int | None = None
) -> Complaint:
    """submitted → accepted; the handling unit defaults to the one responsible for the subject unit.

    Never a unit in the unit complained about (the subject or a unit under it, less a unit
    whose remit covers the subject: the county 纠风办 handles complaints about the county):
    a unit does not investigate itself.
    """
    complaint = complaint_lock(complaint_id, version)
    # A unit out of the actor's scope is not found, whatever they may do on the case.
    in_scope_or_404(actor, handling_unit)
    transition_check("accept", complaint, actor)
    handling_unit = handling_unit or handling_unit_default(
        category=complaint.category, subject_unit=complaint.subject_unit
    )
    if handling_unit is None:
        raise ValidationError({"handling_unit": _("Choose the unit that will handle this case.")})
    if not handling_unit.is_active:
        raise ValidationError({"handling_unit": _("This unit is no longer active.")})
    subject = complaint.subject_unit
    # Only a unit filed under the subject can be in it: the others need not read a remit.
    below_subject = subject is not None and handling_unit.path.startswith(subject.path)
    if below_subject and subject.path in units_containing(handling_unit.path, _remit_path(handling_unit)):
        raise ValidationError(
            {"handling_unit": _("The unit complained about cannot handle the case itself; choose the unit above it.")}
        )
    note = (note or "").strip()[:REASON_MAX]
    now = timezone.now()
    complaint.accept()
    complaint.handling_unit = handling_unit
    _stage_meet(complaint, kind=DeadlineKind.COMPLAINT_ACCEPT, at=now)
    _stage_open(complaint, kind=DeadlineKind.COMPLAINT_RESOLVE, unit=handling_unit, start=now)
    _record(
        complaint,
        name="accept",
        from_status=ComplaintStatus.SUBMITTED,
        actor=actor,
        note=note,
        fields=["handling_unit"],
        unit=handling_unit,
    )
    petitioner_notify(complaint=complaint, event="accepted")
    staff_notify(complaint=complaint, event="accepted", actor=actor)
    return complaint


@transaction.atomic
def complaint_reject(*, complaint_id: int, actor, reason: str, version: int | None = None) -> Complaint:
    """submitted → rejected (不予受理); the reason is what the petitioner is told."""
    complaint = complaint_lock(complaint_id, version)
    transition_check("reject", complaint, actor)
    reason = _required("reason", reason, max_length=REASON_MAX)
    complaint.reject()
    _stage_meet(complaint, kind=DeadlineKind.COMPLAINT_ACCEPT)
    _record(complaint, name="reject", from_status=ComplaintStatus.SUBMITTED, actor=actor, note=reason, fields=[])
    petitioner_notify(complaint=complaint, event="rejected")
    return complaint


@transaction.atomic
def complaint_transfer(*, complaint_id: int, actor, to: str, reason: str, version: int | None = None) -> Complaint:
    """submitted → transferred to the authority that has jurisdiction (named, outside our tree)."""
    complaint = complaint_lock(complaint_id, version)
    transition_check("transfer", complaint, actor)
    to = _required("to", to, max_length=TRANSFER_TO_MAX)
    reason = _required("reason", reason, max_length=REASON_MAX)
    complaint.transfer()
    complaint.transferred_to = to
    _stage_meet(complaint, kind=DeadlineKind.COMPLAINT_ACCEPT)
    _record(
        complaint,
        name="transfer",
        from_status=ComplaintStatus.SUBMITTED,
        actor=actor,
        note=reason,
        fields=["transferred_to"],
    )
    petitioner_notify(complaint=complaint, event="transferred")
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
    complaint = complaint_lock(complaint_id, version)
    primary = locked[primary_id]
    transition_check("merge", complaint, actor)
    if primary.status in ENDED_STATUSES or not Complaint.objects.visible_to(actor).filter(pk=primary.pk).exists():
        raise ValidationError({"primary": _("Choose an open case you may see as the primary case.")})
    complaint.merge()
    complaint.merged_into = primary
    _stage_meet(complaint, kind=DeadlineKind.COMPLAINT_ACCEPT)
    _record(
        complaint,
        name="merge",
        from_status=ComplaintStatus.SUBMITTED,
        actor=actor,
        note=_("Merged into case #%(id)s.") % {"id": primary.pk},
        fields=["merged_into"],
    )
    petitioner_notify(complaint=complaint, event="merged")
    return complaint


# --- Investigation and approval: the handling unit ---------------------------------


@transaction.atomic
def complaint_start_investigation(*, complaint_id: int, actor, version: int | None = None) -> Complaint:
    complaint = complaint_lock(complaint_id, version)
    transition_check("start_investigation", complaint, actor)
    complaint.start_investigation()
    _record(
        complaint, name="start_investigation", from_status=ComplaintStatus.ACCEPTED, actor=actor, note="", fields=[]
    )
    return complaint


def _decision(finding: str, disposition: str, reply: str) -> tuple[str, str, str]:
    if finding not in Finding.values:
        raise ValidationError({"finding": _("Choose one of the listed findings.")})
    return finding, _required("disposition", disposition), _required("reply", reply)


def _measures_replace(complaint: Complaint, measures: Sequence[dict], actor) -> None:
    """Replace the measures proposed for the current decision (a resubmission proposes anew).

    Each measure: ``kind`` (MeasureKind), ``description``, ``amount`` (refunds, yuan),
    ``responsible_unit`` and ``due_on`` together (needed by a rectification, kept for any
    measure: a unit under the handling unit or the subject unit, due today or later).
    Errors name the measure by its position.
    """
    rows, errors = [], {}
    for index, data in enumerate(measures, start=1):
        try:
            rows.append(_measure(complaint, data, actor))
        except ValidationError as error:
            errors[f"measures[{index}]"] = error.messages
    if errors:
        raise ValidationError(errors)
    for old in complaint.measures.filter(review_round=complaint.review_round, rectification_item__isnull=True):
        old._history_user = actor
        old.delete()
    for row in rows:
        row._history_user = actor
        row.save()


def _measure(complaint: Complaint, data: dict, actor) -> Measure:
    kind = data.get("kind")
    if kind not in MeasureKind.values:
        raise ValidationError(_("Choose one of the listed measures."))
    description = (data.get("description") or "").strip()
    if len(description) > REASON_MAX:
        raise ValidationError(_("At most %(max)d characters.") % {"max": REASON_MAX})
    measure = Measure(
        complaint=complaint, kind=kind, description=description, review_round=complaint.review_round, created_by=actor
    )
    if kind == MeasureKind.REFUND:
        try:
            measure.amount = decimal.Decimal(str(data.get("amount"))).quantize(decimal.Decimal("0.01"))
        except (decimal.InvalidOperation, ValueError):
            measure.amount = None
        if measure.amount is None or not measure.amount.is_finite() or not 0 < measure.amount < 10**10:
            raise ValidationError(_("Give the amount refunded, in yuan."))
    unit, due_on = data.get("responsible_unit"), data.get("due_on")
    if kind == MeasureKind.RECTIFICATION:
        if not description:
            raise ValidationError(_("Say what is to be corrected."))
        if unit is None:
            raise ValidationError(_("A rectification needs the unit responsible for it."))
    if kind == MeasureKind.RULE:
        if not description:
            raise ValidationError(_("Say what the rule is."))
        if unit is None:
            raise ValidationError(_("A rule needs the unit that adopts it."))
    # Any measure may name the unit that carries it out and its due day (a refund, who pays
    # back by when); the two go together.
    if unit is not None:
        if isinstance(unit, Unit):
            in_scope_or_404(actor, unit)
        if not isinstance(unit, Unit) or not unit.is_active or not _may_rectify(complaint, unit):
            raise ValidationError(_("Choose the unit that must correct it: the unit complained about or one below."))
        if not isinstance(due_on, datetime.date) or due_on < timezone.localdate():
            raise ValidationError(_("Give a due date, today or later."))
        measure.responsible_unit, measure.due_on = unit, due_on
    elif due_on is not None:
        raise ValidationError(_("A due date needs the unit responsible for it."))
    return measure


def _may_rectify(complaint: Complaint, unit: Unit) -> bool:
    roots = [u for u in (complaint.subject_unit, complaint.handling_unit) if u is not None]
    return any(unit.path.startswith(root.path) for root in roots)


def _measures_enforce(complaint: Complaint, actor) -> None:
    """On approval, each proposed rectification becomes an item in the deadline ledger that outlives the case."""
    pending = complaint.measures.filter(
        review_round=complaint.review_round, kind=MeasureKind.RECTIFICATION, rectification_item__isnull=True
    ).select_related("responsible_unit")
    for measure in pending:
        try:
            item = rectification_item_add(
                actor=actor,
                responsible_unit=measure.responsible_unit,
                description=_("Case #%(id)s: %(text)s") % {"id": complaint.pk, "text": measure.description},
                due_on=max(measure.due_on, timezone.localdate()),
            )
        # Out of the approver's scope (Http404) or not theirs to give: the case they see goes back.
        except (PermissionDenied, Http404) as error:
            raise ValidationError(
                {
                    "measures": _("You may not give %(unit)s a rectification item; send the case back.")
                    % {"unit": measure.responsible_unit}
                }
            ) from error
        measure.rectification_item = item
        measure._history_user = actor
        measure.save(update_fields=["rectification_item"])


@transaction.atomic
def complaint_submit_for_approval(
    *,
    complaint_id: int,
    actor,
    finding: str,
    disposition: str,
    reply: str,
    measures: Sequence[dict] = (),
    version: int | None = None,
) -> Complaint:
    """investigating → pending_approval with the finding, disposition, measures and reply to the petitioner."""
    complaint = complaint_lock(complaint_id, version)
    transition_check("submit_for_approval", complaint, actor)
    complaint.finding, complaint.disposition, complaint.reply = _decision(finding, disposition, reply)
    _measures_replace(complaint, measures, actor)
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
    staff_notify(complaint=complaint, event="submitted_for_approval", actor=actor)
    return complaint


@transaction.atomic
def complaint_approve(*, complaint_id: int, actor, note: str = "", version: int | None = None) -> Complaint:
    """pending_approval → resolved by a leader (not the submitter): the reply goes out, the review window opens.

    A first finding meets the handling stage's deadline; a review decision (复查, 复核)
    meets the review's, and the petitioner is told which round was decided.
    """
    complaint = complaint_lock(complaint_id, version)
    transition_check("approve", complaint, actor)
    now = timezone.now()
    complaint.approve()
    complaint.replied_at = now
    stage = DeadlineKind.COMPLAINT_REVIEW if complaint.review_round else DeadlineKind.COMPLAINT_RESOLVE
    _stage_meet(complaint, kind=stage, at=now)
    _record(
        complaint,
        name="approve",
        from_status=ComplaintStatus.PENDING_APPROVAL,
        actor=actor,
        note=(note or "").strip()[:REASON_MAX],
        fields=["replied_at"],
    )
    _measures_enforce(complaint, actor)
    petitioner_notify(complaint=complaint, event="review_decided" if complaint.review_round else "replied")
    return complaint


@transaction.atomic
def complaint_send_back(*, complaint_id: int, actor, reason: str, version: int | None = None) -> Complaint:
    """pending_approval → investigating, with the leader's reasons; the resolve deadline runs on."""
    complaint = complaint_lock(complaint_id, version)
    transition_check("send_back", complaint, actor)
    reason = _required("reason", reason, max_length=REASON_MAX)
    complaint.send_back()
    _record(
        complaint, name="send_back", from_status=ComplaintStatus.PENDING_APPROVAL, actor=actor, note=reason, fields=[]
    )
    return complaint


# --- After the reply: review and closure ----------------------------------------------


@transaction.atomic
def complaint_review(*, complaint_id: int, reason: str, actor=None, version: int | None = None) -> Complaint:
    """resolved → under_review at the petitioner's request: 复查, then 复核, never a third.

    Each round is decided one level up (信访工作条例 arts. 35–36): the 复查 by the unit above
    the handling unit, the 复核 by the unit above the 复查's (complaints.routing.reviewing_unit_for),
    which owes the review's deadline. The petitioner acts by tracking code (``actor`` None);
    caller has matched the code.
    """
    complaint = complaint_lock(complaint_id, version)
    # The guard: a round left, within the window (complaints.guards.review_refusal).
    transition_check("review", complaint, actor)
    now = timezone.now()
    reason = _required("reason", reason, max_length=REASON_MAX)
    reviewed = complaint.reviewing_unit if complaint.review_round else complaint.handling_unit
    complaint.review()
    complaint.review_round += 1
    complaint.reviewing_unit, complaint.review_by_leaders = reviewing_unit_for(reviewed)
    # The reply under review stays the petitioner's until the reviewing unit proposes its own.
    complaint.approval_requested_by = None
    _stage_open(complaint, kind=DeadlineKind.COMPLAINT_REVIEW, unit=complaint.reviewing_unit, start=now)
    _record(
        complaint,
        name="review",
        from_status=ComplaintStatus.RESOLVED,
        actor=actor,
        note=reason,
        fields=["review_round", "reviewing_unit", "review_by_leaders", "approval_requested_by"],
    )
    staff_notify(complaint=complaint, event="review_requested", actor=actor)
    petitioner_notify(complaint=complaint, event="review_requested")
    return complaint


@transaction.atomic
def complaint_decide_review(
    *,
    complaint_id: int,
    actor,
    finding: str,
    disposition: str,
    reply: str,
    measures: Sequence[dict] = (),
    version: int | None = None,
) -> Complaint:
    """under_review → pending_approval with the reviewing unit's finding, measures and new reply.

    Recorded by the reviewing unit's staff (never the unit reviewed: permissions.can_decide_review);
    a leader of the reviewing unit approves it (complaint_approve) before the petitioner sees
    it, as a first finding. The review's deadline runs on until then.
    """
    complaint = complaint_lock(complaint_id, version)
    transition_check("decide_review", complaint, actor)
    complaint.finding, complaint.disposition, complaint.reply = _decision(finding, disposition, reply)
    _measures_replace(complaint, measures, actor)
    complaint.decide_review()
    complaint.approval_requested_by = actor
    _record(
        complaint,
        name="decide_review",
        from_status=ComplaintStatus.UNDER_REVIEW,
        actor=actor,
        note="",
        fields=["finding", "disposition", "reply", "approval_requested_by"],
    )
    staff_notify(complaint=complaint, event="submitted_for_approval", actor=actor)
    return complaint


@transaction.atomic
def complaint_close(
    *, complaint_id: int, actor=None, version: int | None = None, rating: Rating | None = None
) -> Complaint:
    """resolved → closed when the petitioner is satisfied, or once no review can come.

    ``actor`` None: the system (the periodic sweep) or, with ``rating`` (满意 or 基本满意),
    the petitioner's rating (complaints.services.rating_add, which has matched the tracking code).
    """
    complaint = complaint_lock(complaint_id, version)
    # The guard (no review can come any more: complaints.guards.close_refusal) yields to satisfaction.
    transition_check("close", complaint, actor, guarded=rating is None)
    complaint.close()
    # The rating as given: 基本满意 is not 满意.
    note = _("The petitioner rated the result: %(rating)s.") % {"rating": rating.get_rating_display()} if rating else ""
    _record(complaint, name="close", from_status=ComplaintStatus.RESOLVED, actor=actor, note=note, fields=[])
    return complaint


# --- Extension (延期): once per stage, decided by a leader -------------------------------


def _extension_decide(complaint_id: int, actor, version: int | None, *, approve: bool):
    complaint = complaint_lock(complaint_id, version)
    name = "approve_extension" if approve else "refuse_extension"
    # The guard: a request awaits a decision for this stage (complaints.guards.extension_pending).
    case = transition_check(name, complaint, actor)
    return complaint, case.pending_extension, getattr(complaint, name)


@transaction.atomic
def complaint_approve_extension(*, complaint_id: int, actor, note: str = "", version: int | None = None) -> Complaint:
    """Approve the pending extension: the stage's deadline moves by its days; the petitioner is told why."""
    complaint, request, method = _extension_decide(complaint_id, actor, version, approve=True)
    open_deadline = complaint_deadlines_open(complaint).filter(kind=request.stage).first()
    if open_deadline is None:
        raise TransitionNotAllowed(_("This stage has no running deadline to extend."))
    method()
    now = timezone.now()
    request.state, request.decided_by, request.decided_at = ExtensionState.APPROVED, actor, now
    request.decision_note = (note or "").strip()[:REASON_MAX]
    request._history_user = actor
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    new_due = open_deadline.due_at + datetime.timedelta(days=request.days)
    deadline_move(target=complaint, kind=request.stage, due_at=new_due)
    complaint.due_at = new_due
    _record(
        complaint,
        name="approve_extension",
        from_status=complaint.status,
        actor=actor,
        note=_("Extended by %(days)d days to %(due)s: %(reason)s")
        % {"days": request.days, "due": timezone.localtime(new_due).strftime("%Y-%m-%d"), "reason": request.reason},
        fields=[],
    )
    petitioner_notify(complaint=complaint, event="extension_approved")
    return complaint


@transaction.atomic
def complaint_refuse_extension(*, complaint_id: int, actor, note: str, version: int | None = None) -> Complaint:
    """Refuse the pending extension, with reasons; the deadline stands and a new request may be made."""
    complaint, request, method = _extension_decide(complaint_id, actor, version, approve=False)
    note = _required("note", note, max_length=REASON_MAX)
    method()
    request.state, request.decided_by, request.decided_at = ExtensionState.REFUSED, actor, timezone.now()
    request.decision_note = note
    request._history_user = actor
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    _record(complaint, name="refuse_extension", from_status=complaint.status, actor=actor, note=note, fields=[])
    return complaint


def complaint_deadlines_open(complaint: Complaint):
    return deadlines_of(target=complaint).filter(met_at__isnull=True)
