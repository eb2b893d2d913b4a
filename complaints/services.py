"""Writes on complaints other than state changes (those are in complaints.transitions).

complaint_file commits the case (and the identity, apart from it) before anyone sees
a tracking code, opens the acceptance deadline and logs the filing.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from responsibility.deadlines import deadline_due_at, deadline_open
from responsibility.models import DeadlineKind, Unit

from .models import Category, Channel, Complaint, ComplaintStatus, PetitionerIdentity, TransitionLog, triage_unit
from .tracking import tracking_code_hash, tracking_code_new

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


@transaction.atomic
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
) -> tuple[Complaint, str]:
    """File a complaint; returns it with its plain tracking code (never stored).

    ``actor`` is the officer entering a complaint received by another channel; None for
    a petitioner on the web. Caller has checked that an officer may record intake.
    Steps: validate everything (nothing is stored on bad input); store the case, then
    the identity unless anonymous; open the acceptance deadline at the triaging unit,
    counted from receipt; log the filing.
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
    if errors:
        raise ValidationError(errors)

    code = tracking_code_new()
    complaint = Complaint(
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
        tracking_code_hash=tracking_code_hash(code),
    )
    complaint._history_user = actor
    complaint._change_reason = "file"
    # Two equal 80-bit codes are practically impossible; the unique hash makes one a failed
    # filing rather than two cases behind one code.
    complaint.save()
    if identity is not None:
        identity.complaint = complaint
        identity._history_user = actor
        identity.save()
    due_at, provisional = deadline_due_at(
        kind=DeadlineKind.COMPLAINT_ACCEPT, start=received_at, days=settings.JIUFENG_COMPLAINT_ACCEPT_DAYS
    )
    deadline_open(
        target=complaint,
        kind=DeadlineKind.COMPLAINT_ACCEPT,
        unit=triage_unit(subject_unit),
        due_at=due_at,
        provisional=provisional,
    )
    TransitionLog.objects.create(
        complaint=complaint, name="file", from_status="", to_status=ComplaintStatus.SUBMITTED, actor=actor, at=now
    )
    # notify: the real-name petitioner's receipt (code by SMS/email) goes through the outbox on commit.
    return complaint, code
