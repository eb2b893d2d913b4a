"""Writes for accountability (问责): propose, decide, dismiss, and the record's documents.

The FSM transitions of AccountabilityRecord are fired only here, after the check their
declarations in responsibility.workflow say (who decides, from which state).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from jiufeng.uploads import DOCX, upload_type

from .. import permissions
from ..models import (
    AccountabilityDocument,
    AccountabilityMeasure,
    AccountabilityRecord,
    Deadline,
    Position,
    Unit,
)
from ..scoping import in_scope_or_404
from ..workflow import ACCOUNTABILITY_TRANSITIONS

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# Detected content type -> extension the stored file gets. Judged by the bytes, never
# by the name or the type the browser claims.
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/msword": "doc",
    DOCX: "docx",
}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str


def document_file_check(file: UploadedFile | None) -> CheckedFile:
    """Refuse a missing, empty, oversized file or one whose content is not an allowed type."""
    if file is None:
        raise ValidationError(_("Choose a file to upload."), code="required")
    if not file.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if file.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size).1f MB; at most 10 MB is accepted.") % {"size": file.size / 1024 / 1024},
            code="too_large",
        )
    content_type = upload_type(file)
    if content_type not in DOCUMENT_TYPES:
        raise ValidationError(
            _("Only PDF, JPEG, PNG, DOC and DOCX files are accepted; the content of this file is not one of them."),
            code="type",
        )
    return CheckedFile(content_type=content_type, extension=DOCUMENT_TYPES[content_type])


def linkable_obligations(*, unit: Unit, at: datetime.datetime | None = None):
    """Deadlines a record against this unit may name: its subtree's, overdue at ``at`` (now) or met late."""
    return Deadline.objects.filter(unit__path__startswith=unit.path).filter(
        Q(met_at__isnull=True, due_at__lt=at or timezone.now()) | Q(met_at__gt=F("due_at"))
    )


# The change reason of records the escalation sweep proposes (services.accountability_proposals).
SWEEP_CHANGE_REASON = "proposed by the escalation sweep"


@transaction.atomic
def accountability_propose(
    *,
    actor,
    position: Position,
    reason: str,
    obligations: Iterable[Deadline] = (),
    measure: str = "",
    at: datetime.datetime | None = None,
    sweep_rule: str = "",
) -> AccountabilityRecord:
    """Propose holding a position holder to account; ``actor=None`` is the escalation sweep,
    which proposes as of its own instant ``at`` and names its ``sweep_rule``."""
    position = Position.objects.select_related("unit", "user").get(pk=position.pk)
    if actor is not None:
        in_scope_or_404(actor, position.unit)
    if actor is not None and (
        actor.pk == position.user_id or not permissions.can_propose_accountability(actor, position.unit)
    ):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the position holder is held to account.")})
    if measure and measure not in AccountabilityMeasure.values:
        raise ValidationError({"measure": _("Choose one of the measures offered.")})
    obligation_ids = {d.pk for d in obligations}
    allowed = set(
        linkable_obligations(unit=position.unit, at=at).filter(pk__in=obligation_ids).values_list("pk", flat=True)
    )
    if obligation_ids - allowed:
        raise ValidationError(
            {"obligations": _("Only overdue obligations of this unit or the units below it can be linked.")}
        )
    record = AccountabilityRecord(
        position=position,
        user=position.user,
        unit=position.unit,
        reason=reason,
        measure=measure,
        proposed_by=actor,
        proposed_at=at or timezone.now(),
        sweep_rule=sweep_rule,
    )
    # History names the actor outside requests too (the sweep, seed_demo); no actor is the system.
    record._history_user = actor
    if actor is None:
        record._change_reason = SWEEP_CHANGE_REASON
    record.save()
    record.obligations.set(obligation_ids)
    return record


def _locked_record(record_id: int) -> AccountabilityRecord:
    return AccountabilityRecord.objects.select_for_update(of=("self",)).select_related("unit").get(pk=record_id)


@transaction.atomic
def accountability_decide(*, record_id: int, actor, measure: str, note: str) -> AccountabilityRecord:
    record = _locked_record(record_id)
    ACCOUNTABILITY_TRANSITIONS["decide"].check(record, actor)
    if measure not in AccountabilityMeasure.values:
        raise ValidationError({"measure": _("Choose one of the measures offered.")})
    record.decide()
    record._history_user = actor
    record.measure = measure
    record.decided_by = actor
    record.decided_on = timezone.localdate()
    record.decision_note = note.strip()
    record.save(update_fields=["state", "measure", "decided_by", "decided_on", "decision_note"])
    return record


@transaction.atomic
def accountability_dismiss(*, record_id: int, actor, reason: str) -> AccountabilityRecord:
    record = _locked_record(record_id)
    ACCOUNTABILITY_TRANSITIONS["dismiss"].check(record, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposal is dismissed.")})
    record.dismiss()
    record._history_user = actor
    record.decided_by = actor
    record.decided_on = timezone.localdate()
    record.decision_note = reason
    record.save(update_fields=["state", "decided_by", "decided_on", "decision_note"])
    return record


@transaction.atomic
def accountability_document_add(*, record_id: int, actor, file: UploadedFile | None) -> AccountabilityDocument:
    """Attach a document in any state: decision documents arrive after the decision."""
    record = _locked_record(record_id)
    if not permissions.can_document_accountability(actor, record):
        raise PermissionDenied
    checked = document_file_check(file)
    name = get_valid_filename(file.name.rsplit("/", 1)[-1])[-200:] or f"document.{checked.extension}"
    document = AccountabilityDocument(
        record=record,
        original_name=name,
        content_type=checked.content_type,
        extension=checked.extension,
        size=file.size,
        uploaded_by=actor,
    )
    document._history_user = actor
    document.file.save(name, file, save=False)
    # A row that fails to save must not leave an orphan file in private storage.
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def accountability_document_remove(*, document_id: int, actor) -> AccountabilityDocument:
    """Hide a document from the record; the file and its history stay (evidence is not destroyed)."""
    document = (
        AccountabilityDocument.objects.select_for_update(of=("self",))
        .select_related("record__unit")
        .get(pk=document_id)
    )
    if not permissions.can_document_accountability(actor, document.record):
        raise PermissionDenied
    if document.removed_at is not None:
        raise ValidationError(_("This document has already been removed."))
    document._history_user = actor
    document.removed_at = timezone.now()
    document.removed_by = actor
    document.save(update_fields=["removed_at", "removed_by"])
    return document
