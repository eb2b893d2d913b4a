"""Writes for appraisals (民主评议): create, choose units, open, close.

Transitions are fired only here and in services.scoring, after evaluations.workflow's check
on the locked appraisal.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiufeng.history import bulk_create_recorded
from responsibility.models import Unit
from responsibility.scoping import in_scope_or_404

from .. import permissions
from ..models import PARTS, Appraisal, AppraisalState, AppraisedUnit, Questionnaire
from ..workflow import APPRAISAL_TRANSITIONS
from .invitations import invitations_for_evaluators
from .questionnaires import questionnaire_problems


def _weights_error(fields: dict) -> str | None:
    total = sum(int(fields.get(f"weight_{part}", 0) or 0) for part in PARTS)
    if total != 100:
        return _("The parts' weights add up to %(total)s%%; they must add up to 100%%.") % {"total": total}
    return None


def _clean(appraisal: Appraisal) -> None:
    """The model's own checks, the weights' sum first: a clear message per field, nothing stored."""
    errors = {}
    weights = _weights_error({f"weight_{part}": getattr(appraisal, f"weight_{part}") for part in PARTS})
    if weights:
        errors["weight_supervisor"] = [weights]
    try:
        appraisal.full_clean(exclude=["state", "created_by", "organiser", "questionnaire"], validate_constraints=False)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if appraisal.opens_at and appraisal.closes_at and appraisal.closes_at <= appraisal.opens_at:
        errors.setdefault("closes_at", []).append(_("Responses must close after they open."))
    if appraisal.period_start and appraisal.period_end and appraisal.period_end < appraisal.period_start:
        errors.setdefault("period_end", []).append(_("The period cannot end before it starts."))
    basic, satisfied = appraisal.grade_basic_from, appraisal.grade_satisfied_from
    if basic is not None and satisfied is not None and basic > satisfied:
        errors.setdefault("grade_basic_from", []).append(_("“Basically satisfied” cannot start above “satisfied”."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def appraisal_create(*, actor, organiser: Unit, questionnaire: Questionnaire, **fields) -> Appraisal:
    """A draft appraisal organised by ``organiser``; ``fields`` are Appraisal's editable fields."""
    in_scope_or_404(actor, organiser)
    appraisal = Appraisal(organiser=organiser, questionnaire=questionnaire, created_by=actor, **fields)
    if not permissions.can_run_appraisal(actor, appraisal):
        raise PermissionDenied
    _clean(appraisal)
    appraisal._history_user = actor
    appraisal.save()
    return appraisal


def _locked(appraisal_id: int) -> Appraisal:
    return (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("organiser", "questionnaire")
        .get(pk=appraisal_id)
    )


def _locked_draft(appraisal_id: int, actor) -> Appraisal:
    appraisal = _locked(appraisal_id)
    if not permissions.can_run_appraisal(actor, appraisal):
        raise PermissionDenied
    if appraisal.state != AppraisalState.DRAFT:
        raise ValidationError(_("Only a draft appraisal can be changed; this one is already open."))
    return appraisal


@transaction.atomic
def appraisal_update(*, actor, appraisal_id: int, questionnaire: Questionnaire | None = None, **fields) -> Appraisal:
    """Change a draft's settings: name, dates, weights, grades, questionnaire."""
    appraisal = _locked_draft(appraisal_id, actor)
    for name, value in fields.items():
        setattr(appraisal, name, value)
    if questionnaire is not None:
        appraisal.questionnaire = questionnaire
    _clean(appraisal)
    appraisal._history_user = actor
    appraisal.save()
    return appraisal


@transaction.atomic
def appraisal_units_add(*, actor, appraisal_id: int, units: list[Unit], ranking_group: str = "") -> list[AppraisedUnit]:
    """Put units of the organiser's subtree under appraisal; those already under it are left as they are."""
    appraisal = _locked_draft(appraisal_id, actor)
    outside = [unit for unit in units if not unit.path.startswith(appraisal.organiser.path)]
    if outside:
        raise ValidationError(
            _("%(unit)s is not under %(organiser)s.") % {"unit": outside[0], "organiser": appraisal.organiser}
        )
    present = set(appraisal.appraised_units.values_list("unit_id", flat=True))
    new = [
        AppraisedUnit(appraisal=appraisal, unit=unit, ranking_group=ranking_group.strip())
        for unit in units
        if unit.pk not in present
    ]
    return bulk_create_recorded(new, user=actor)


@transaction.atomic
def appraisal_unit_remove(*, actor, appraisal_id: int, appraised_unit_id: int) -> None:
    appraisal = _locked_draft(appraisal_id, actor)
    appraised = appraisal.appraised_units.filter(pk=appraised_unit_id).first()
    if appraised is None:
        raise ValidationError(_("That unit is not under this appraisal."))
    appraised._history_user = actor
    appraised.delete()


def open_problems(appraisal: Appraisal) -> list[str]:
    """Why the appraisal cannot open yet; empty when it can."""
    problems = questionnaire_problems(appraisal.questionnaire)
    if not appraisal.appraised_units.exists():
        problems.append(_("Choose the units under appraisal first."))
    if appraisal.closes_at <= timezone.now():
        problems.append(_("Its response period is already over; change the dates first."))
    return problems


@transaction.atomic
def appraisal_open(*, actor, appraisal_id: int) -> Appraisal:
    """Open for responses: the questionnaire freezes, appointed evaluators get their codes."""
    appraisal = _locked(appraisal_id)
    APPRAISAL_TRANSITIONS["open"].check(appraisal, actor)
    problems = open_problems(appraisal)
    if problems:
        raise ValidationError(problems)
    questionnaire = appraisal.questionnaire
    if questionnaire.frozen_at is None:
        questionnaire.frozen_at = timezone.now()
        questionnaire._history_user = actor
        questionnaire.save(update_fields=["frozen_at"])
    appraisal.open()
    appraisal._history_user = actor
    appraisal.save(update_fields=["state"])
    invitations_for_evaluators(appraisal, appraisal.appraised_units.all(), actor=actor)
    return appraisal


@transaction.atomic
def appraisal_close(*, actor, appraisal_id: int) -> Appraisal:
    """No more responses; unused codes stay unused."""
    appraisal = _locked(appraisal_id)
    APPRAISAL_TRANSITIONS["close"].check(appraisal, actor)
    appraisal.close()
    appraisal._history_user = actor
    appraisal.save(update_fields=["state"])
    return appraisal
