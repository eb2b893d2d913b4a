"""Writes on complaints other than state changes (those are in complaints.transitions).

Every write here checks who may make it (PermissionDenied -> 403), whether the case is in
a state that takes it (TransitionNotAllowed -> 409) and the input (ValidationError -> 400).

complaint_file commits the case (and the identity, apart from it) before anyone sees
a tracking code, opens the acceptance deadline and logs the filing.
"""

import datetime
import re
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from responsibility.deadlines import deadline_due_at, deadline_open
from responsibility.models import DeadlineKind, Unit

from . import permissions
from .attachments import attachment_store, attachments_check
from .duplicates import complaint_duplicate_id, content_sketch
from .guards import stage_deadline
from .models import (
    EXTENSION_MAX_DAYS,
    Activity,
    ActivityKind,
    CaseNumberCounter,
    Category,
    Channel,
    CheckedItem,
    Complaint,
    ComplaintStatus,
    ExtensionRequest,
    ExtensionState,
    IdentityAccess,
    InternalNote,
    Message,
    PetitionerIdentity,
    Rating,
    RatingValue,
    TransitionLog,
    case_number_format,
    triage_unit,
)
from .notifications import petitioner_notify, staff_notify
from .time_limits import time_limit_days
from .tracking import tracking_code_hash, tracking_code_new
from .transitions import REASON_MAX, complaint_close, complaint_deadlines_open, complaint_lock

TITLE_MAX = 200
CONTENT_MAX = 10_000
LOCATION_MAX = 200
NAME_MAX = 64
# Mainland mobile (optionally +86), or a landline with its area code and an optional extension.
PHONE_RE = re.compile(r"^(?:(?:\+?86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _id_number_valid(id_number: str) -> bool:
    # GB 11643: the 18th symbol is a checksum of the first 17 digits.
    if not ID_NUMBER_RE.match(id_number):
        return False
    total = sum(int(d) * w for d, w in zip(id_number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == id_number[17]


def _text(errors: dict, field: str, value: str, *, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > max_length:
        errors[field] = _("At most %(max)d characters.") % {"max": max_length}
    return value


def _attachments_into(errors: dict, attachments: Sequence[UploadedFile]) -> None:
    # Reported with the other fields' errors: one submission shows every problem.
    try:
        attachments_check(attachments)
    except ValidationError as error:
        errors.update(error.message_dict)


def case_number_next(*, received_at: datetime.datetime) -> str:
    """The next public case number of the year of receipt, claimed by a conditional update.

    Steps: read the year's last number (the year's first filing makes its counter row); set
    it one higher only where it still is what was read (one UPDATE, its own statement: in
    autocommit it commits at once); if another filing took that number first (no row
    updated), read again. Concurrent filings so get consecutive numbers, and each waits for
    another only for the instant of that UPDATE: no transaction of its own to begin and
    commit, and no lock held for the rest of the filing (which would queue every filing of
    the year behind the one before, more so the more web processes file at once).
    The price: a filing that fails after its input was checked leaves a gap in the year's
    numbers (inside a caller's own transaction the number goes back with it).
    """
    year = timezone.localtime(received_at).year
    counter = CaseNumberCounter.objects.filter(year=year)
    while True:
        last = counter.values_list("last", flat=True).first()
        if last is None:
            # Two first filings at once meet on the primary key; the second reads the first's row.
            last = CaseNumberCounter.objects.get_or_create(year=year)[0].last
        if counter.filter(last=last).update(last=last + 1):
            return case_number_format(year=year, number=last + 1)


def complaint_file(
    *,
    channel: str,
    category: Category,
    subject_unit: Unit | None,
    title: str,
    content: str,
    occurred_on: datetime.date | None,
    location: str,
    anonymous: bool,
    name: str,
    phone: str,
    id_number: str,
    email: str,
    received_at: datetime.datetime | None = None,
    actor=None,
    attachments: Sequence[UploadedFile] = (),
    duplicate_screened: bool = False,
) -> tuple[Complaint, str]:
    """File a complaint; returns it with its plain tracking code (never stored).

    ``actor`` is the officer entering a complaint received by another channel; None for
    a petitioner on the web. Caller has checked that an officer may record intake.
    ``duplicate_screened``: the caller has just run complaint_duplicate_id on this
    complaint and found nothing (the web form asks first), so the hint is not sought again.
    Steps: validate everything, attachments included (nothing is stored on bad input);
    store the case with its duplicate hint, its identity unless anonymous, its acceptance
    deadline at the triaging unit (counted from receipt) and the log of its filing; then
    the attachments; tell the petitioner (their code, by SMS/email) and the triaging staff.
    """
    now = timezone.now()
    received_at = received_at or now
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose one of the listed channels.")
    if not category.is_active:
        errors["category"] = _("This category is no longer in use; choose another.")
    if subject_unit is not None and not subject_unit.is_active:
        errors["subject_unit"] = _("This unit no longer exists; choose another or “I don't know”.")
    title = _text(errors, "title", title, max_length=TITLE_MAX, required=True)
    content = _text(errors, "content", content, max_length=CONTENT_MAX, required=True)
    location = _text(errors, "location", location, max_length=LOCATION_MAX, required=False)
    if received_at > now:
        errors["received_at"] = _("The date of receipt cannot be in the future.")
    if occurred_on is not None and occurred_on > timezone.localdate(received_at):
        errors["occurred_on"] = _("The date it happened cannot be in the future.")
    identity = None
    if not anonymous:
        name = _text(errors, "name", name, max_length=NAME_MAX, required=True)
        phone = re.sub(r"[\s()]", "", phone or "")
        if not phone:
            errors["phone"] = _("This field is required.")
        elif not PHONE_RE.match(phone):
            errors["phone"] = _("Enter a mobile number (11 digits) or a landline with its area code.")
        id_number = (id_number or "").strip().upper()
        if id_number and not _id_number_valid(id_number):
            errors["id_number"] = _("Enter a valid 18-character ID number.")
        email = (email or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = _("Enter a valid email address.")
        identity = PetitionerIdentity(name=name, phone=phone, id_number=id_number, email=email)
    _attachments_into(errors, attachments)
    if errors:
        raise ValidationError(errors)

    code = tracking_code_new()
    due_at, provisional = deadline_due_at(
        kind=DeadlineKind.COMPLAINT_ACCEPT,
        start=received_at,
        days=time_limit_days(category=category, kind=DeadlineKind.COMPLAINT_ACCEPT),
    )
    duplicate_of = None
    if not duplicate_screened:
        duplicate_of = complaint_duplicate_id(
            subject_unit=subject_unit, content=content, phone=phone if identity is not None else "", now=now
        )
    case_number = case_number_next(received_at=received_at)
    with transaction.atomic():
        return _complaint_write(
            Complaint(
                category=category,
                subject_unit=subject_unit,
                channel=channel,
                title=title,
                content=content,
                occurred_on=occurred_on,
                location=location,
                anonymous=anonymous,
                received_at=received_at,
                submitted_at=now,
                due_at=due_at,
                tracking_code_hash=tracking_code_hash(code),
                case_number=case_number,
                possible_duplicate_of_id=duplicate_of,
                content_sketch=content_sketch(content),
            ),
            code=code,
            identity=identity,
            provisional=provisional,
            attachments=attachments,
            actor=actor,
        )


def _complaint_write(complaint: Complaint, *, code, identity, provisional, attachments, actor):
    """complaint_file's writes, in one transaction: the case, its identity, deadline, log, files, notices."""
    subject_unit, now = complaint.subject_unit, complaint.submitted_at
    # Two equal 80-bit codes are practically impossible; the unique hash makes one a failed
    # filing rather than two cases behind one code.
    complaint._history_user, complaint._change_reason = actor, "file"
    complaint.save()
    if identity is not None:
        identity.complaint = complaint
        identity._history_user = actor
        identity.save()
    # The intake deadline runs at the triaging unit, counted from receipt.
    triaging = triage_unit(subject_unit)
    deadline_open(
        target=complaint,
        kind=DeadlineKind.COMPLAINT_ACCEPT,
        unit=triaging,
        due_at=complaint.due_at,
        provisional=provisional,
        none_open=True,
        actor=actor,
        withheld_from=subject_unit,
    )
    TransitionLog.objects.create(
        complaint=complaint, name="file", from_status="", to_status=ComplaintStatus.SUBMITTED, actor=actor, at=now
    )
    for file in attachments:
        attachment_store(complaint=complaint, file=file, uploaded_by=actor)
    petitioner_notify(complaint=complaint, event="filed", code=code)
    staff_notify(complaint=complaint, event="submitted", actor=actor, unit=triaging)
    return complaint, code


MESSAGE_MAX = 5000
PARTICIPANTS_MAX = 500
COMMENT_MAX = 2000
# A case that takes no more messages: its file is shut (a merged case still does: its petitioner writes on).
_SHUT = {ComplaintStatus.CLOSED, ComplaintStatus.REJECTED, ComplaintStatus.TRANSFERRED}


def _body(field: str, value: str, max_length: int) -> str:
    errors: dict[str, str] = {}
    value = _text(errors, field, value if isinstance(value, str) else "", max_length=max_length, required=True)
    if errors:
        raise ValidationError(errors)
    return value


@transaction.atomic
def message_add(*, complaint_id: int, body: str, actor=None, attachments: Sequence[UploadedFile] = ()) -> Message:
    """A message on the case both sides see: the petitioner (``actor`` None) or the handling staff.

    For the petitioner, caller has matched the tracking code. The other side is told.
    """
    complaint = complaint_lock(complaint_id, None)
    if actor is not None and not permissions.can_work_on(actor, complaint):
        raise PermissionDenied(_("You may not do this on this case."))
    if complaint.status in _SHUT:
        raise TransitionNotAllowed(_("This case is closed; it takes no more messages."))
    errors: dict[str, str] = {}
    body = _text(errors, "body", body if isinstance(body, str) else "", max_length=MESSAGE_MAX, required=True)
    _attachments_into(errors, attachments)
    if errors:
        raise ValidationError(errors)
    message = Message(complaint=complaint, author=actor, body=body)
    message._history_user = actor
    message.save()
    for file in attachments:
        attachment_store(complaint=complaint, file=file, uploaded_by=actor, message=message)
    if actor is None:
        staff_notify(complaint=complaint, event="petitioner_message")
    else:
        petitioner_notify(complaint=complaint, event="question")
    return message


@transaction.atomic
def internal_note_add(*, complaint_id: int, actor, body: str) -> InternalNote:
    """A note for staff only: never on the tracking page, the public API or Open311."""
    complaint = complaint_lock(complaint_id, None)
    if not permissions.can_work_on(actor, complaint):
        raise PermissionDenied(_("You may not do this on this case."))
    note = InternalNote(complaint=complaint, author=actor, body=_body("body", body, CONTENT_MAX))
    note._history_user = actor
    note.save()
    return note


# Activities are recorded, corrected and voided while the facts are being established.
_INVESTIGATING = {ComplaintStatus.INVESTIGATING, ComplaintStatus.UNDER_REVIEW}


def activity_time_error(complaint: Complaint, occurred_at) -> str:
    """What is wrong with an activity's time on this case, or "" (also the page form's check).

    Not before the complaint was received (to the minute: the form gives no seconds), not
    in the future.
    """
    if not isinstance(occurred_at, datetime.datetime):
        return _("Give the date and time.")
    if occurred_at > timezone.now():
        return _("The time cannot be in the future.")
    if occurred_at < complaint.received_at.replace(second=0, microsecond=0):
        received = timezone.localtime(complaint.received_at).strftime("%Y-%m-%d %H:%M")
        return _("The time cannot be before the complaint was received (%(received)s).") % {"received": received}
    return ""


def activity_checked_error(kind: str, checked, *, required: bool = False) -> str:
    """What is wrong with what an activity says it checked, or "" (also the page form's check).

    ``required``: a 查 must name what it checked. The page asks it; the API's activities
    predate the field (API.md: extend, never break), so there a 查 without it is taken.
    """
    if required and kind == ActivityKind.CHECK and not checked:
        return _("Say what was checked.")
    if kind != ActivityKind.CHECK and checked:
        return _("Only a 查 (check) activity says what was checked.")
    return ""


def _activity_fields(
    complaint: Complaint, errors: dict[str, str], *, kind, occurred_at, participants, summary, checked
) -> dict:
    """The activity's fields, cleaned; what is wrong with them goes into ``errors`` (the caller
    raises once, with its own fields' errors too)."""
    if kind not in ActivityKind.values:
        errors["kind"] = _("Choose one of the listed activities.")
    if error := activity_time_error(complaint, occurred_at):
        errors["occurred_at"] = error
    if not isinstance(checked, list | tuple) or not set(checked) <= set(CheckedItem.values):
        errors["checked"] = _("Choose among the listed items.")
    elif error := activity_checked_error(kind, checked):
        errors["checked"] = error
    participants = _text(
        errors,
        "participants",
        participants if isinstance(participants, str) else "",
        max_length=PARTICIPANTS_MAX,
        required=False,
    )
    summary = _text(
        errors, "summary", summary if isinstance(summary, str) else "", max_length=CONTENT_MAX, required=True
    )
    if errors:
        return {}
    # In the declared order, once each, whatever order they came in.
    checked = [value for value in CheckedItem.values if value in checked]
    return {
        "kind": kind,
        "occurred_at": occurred_at,
        "participants": participants,
        "summary": summary,
        "checked": checked,
    }


def activity_changeable(user, complaint: Complaint, activity: Activity | None = None) -> bool:
    """May ``user`` record (no ``activity``), correct or void (``activity``, not void) an activity now."""
    if activity is not None and activity.voided:
        return False
    return complaint.status in _INVESTIGATING and permissions.can_investigate(user, complaint)


def _activity_open(complaint: Complaint, actor) -> None:
    if not permissions.can_investigate(actor, complaint):
        raise PermissionDenied(_("You may not do this on this case."))
    if complaint.status not in _INVESTIGATING:
        raise TransitionNotAllowed(_("Activities are recorded while a case is investigated or reviewed."))


@transaction.atomic
def activity_record(
    *,
    complaint_id: int,
    actor,
    kind: str,
    occurred_at: datetime.datetime | None,
    participants: str,
    summary: str,
    checked: Sequence[str] = (),
    attachments: Sequence[UploadedFile] = (),
) -> Activity:
    """Record one of 听 看 访 谈 查 on a case under investigation or review, with its files.

    A 查 names what was checked (``checked``: CheckedItem values); the time lies between
    the complaint's receipt and now.
    """
    complaint = complaint_lock(complaint_id, None)
    _activity_open(complaint, actor)
    errors: dict[str, str] = {}
    fields = _activity_fields(
        complaint,
        errors,
        kind=kind,
        occurred_at=occurred_at,
        participants=participants,
        summary=summary,
        checked=checked,
    )
    _attachments_into(errors, attachments)
    if errors:
        raise ValidationError(errors)
    activity = Activity(complaint=complaint, recorded_by=actor, **fields)
    activity._history_user = actor
    activity.save()
    for file in attachments:
        attachment_store(complaint=complaint, file=file, uploaded_by=actor, activity=activity)
    return activity


def _activity_lock(complaint_id: int, activity_id: int, actor) -> tuple[Complaint, Activity]:
    """The case and its activity, both locked; Activity.DoesNotExist (404) for another case's."""
    complaint = complaint_lock(complaint_id, None)
    activity = Activity.objects.select_for_update().get(pk=activity_id, complaint=complaint)
    _activity_open(complaint, actor)
    if activity.voided:
        raise TransitionNotAllowed(_("This activity is void; it can no longer be changed."))
    return complaint, activity


@transaction.atomic
def activity_correct(
    *,
    complaint_id: int,
    activity_id: int,
    actor,
    kind: str,
    occurred_at: datetime.datetime | None,
    participants: str,
    summary: str,
    checked: Sequence[str] = (),
    reason: str,
) -> Activity:
    """Correct a mistaken activity, with the reason; the version before stays in its history.

    Same rules as recording it; a void activity is not corrected (409). Caller has checked
    that the case is in scope; who may handle it may correct it.
    """
    complaint, activity = _activity_lock(complaint_id, activity_id, actor)
    errors: dict[str, str] = {}
    fields = _activity_fields(
        complaint,
        errors,
        kind=kind,
        occurred_at=occurred_at,
        participants=participants,
        summary=summary,
        checked=checked,
    )
    reason = _text(errors, "reason", reason if isinstance(reason, str) else "", max_length=REASON_MAX, required=True)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.corrected_at, activity.correction_reason = timezone.now(), reason
    activity._history_user, activity._change_reason = actor, "correct"
    activity.save(update_fields=[*fields, "corrected_at", "correction_reason"])
    return activity


@transaction.atomic
def activity_void(*, complaint_id: int, activity_id: int, actor, reason: str) -> Activity:
    """Void a mistaken activity, with the reason: it stays on the timeline, struck through, and counts for nothing.

    Never deleted; voiding twice is refused (409). Caller has checked that the case is in scope.
    """
    _complaint, activity = _activity_lock(complaint_id, activity_id, actor)
    activity.void_reason = _body("reason", reason, REASON_MAX)
    activity.voided_at, activity.voided_by = timezone.now(), actor
    activity._history_user, activity._change_reason = actor, "void"
    activity.save(update_fields=["void_reason", "voided_at", "voided_by"])
    return activity


@transaction.atomic
def rating_add(*, complaint_id: int, rating: str, comment: str) -> Rating:
    """The petitioner rates the latest reply, once; satisfied (or basically) closes the case.

    Caller has matched the tracking code. A dissatisfied petitioner may then ask for a review.
    """
    complaint = complaint_lock(complaint_id, None)
    if complaint.status != ComplaintStatus.RESOLVED:
        raise TransitionNotAllowed(_("There is no reply to rate yet."))
    if complaint.ratings.filter(review_round=complaint.review_round).exists():
        raise TransitionNotAllowed(_("You have already rated this reply."))
    errors: dict[str, str] = {}
    if rating not in RatingValue.values:
        errors["rating"] = _("Choose one of the listed ratings.")
    comment = _text(
        errors, "comment", comment if isinstance(comment, str) else "", max_length=COMMENT_MAX, required=False
    )
    if errors:
        raise ValidationError(errors)
    row = Rating(complaint=complaint, review_round=complaint.review_round, rating=rating, comment=comment)
    row.save()
    if rating != RatingValue.DISSATISFIED:
        complaint_close(complaint_id=complaint.pk, rating=row)
    return row


def identity_read(*, complaint_id: int, actor, via: str, address: str | None = None) -> PetitionerIdentity | None:
    """Who filed, for staff allowed to know; every read is logged, also of an anonymous case,
    with the client address it came from (None: read outside a request, as the demo does).

    Raises Complaint.DoesNotExist outside the actor's scope (404), PermissionDenied without the right.
    """
    complaint = Complaint.objects.visible_to(actor).select_related("subject_unit", "handling_unit").get(pk=complaint_id)
    if not permissions.can_view_identity(actor, complaint):
        raise PermissionDenied(_("You may not see who filed this complaint."))
    IdentityAccess.objects.create(complaint=complaint, user=actor, via=via, address=address)
    return PetitionerIdentity.objects.filter(complaint=complaint).first()


@transaction.atomic
def extension_request(*, complaint_id: int, actor, days: int, reason: str) -> ExtensionRequest:
    """An officer asks for up to 30 more days for the running stage, once per stage (DOMAIN.md)."""
    complaint = complaint_lock(complaint_id, None)
    if not permissions.can_investigate(actor, complaint):
        raise PermissionDenied(_("You may not do this on this case."))
    stage = stage_deadline(complaint)
    if stage is None or not complaint_deadlines_open(complaint).filter(kind=stage).exists():
        raise TransitionNotAllowed(_("This stage has no running deadline to extend."))
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= EXTENSION_MAX_DAYS:
        raise ValidationError({"days": _("An extension is 1 to %(max)d days.") % {"max": EXTENSION_MAX_DAYS}})
    reason = _body("reason", reason, REASON_MAX)
    used = complaint.extension_requests.filter(stage=stage, review_round=complaint.review_round).exclude(
        state=ExtensionState.REFUSED
    )
    if used.exists():
        raise TransitionNotAllowed(_("This stage has already been extended once, or a request awaits a decision."))
    request = ExtensionRequest(
        complaint=complaint,
        stage=stage,
        review_round=complaint.review_round,
        days=days,
        reason=reason,
        requested_by=actor,
    )
    request._history_user = actor
    request.save()
    staff_notify(complaint=complaint, event="extension_requested", actor=actor)
    return request
