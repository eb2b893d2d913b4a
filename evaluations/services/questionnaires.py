"""Questionnaires: what must hold before one is used, and the writes that draft, change and copy one.

Questionnaires are templates shared by every appraisal: anyone who handles cases may draft
one or copy any; only its author changes its questions, and nobody once an appraisal using
it has opened (it is frozen: every response must be scored against the same questions).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiufeng.history import bulk_create_recorded

from .. import permissions
from ..models import QuestionItem, Questionnaire, Scale

NAME_MAX = 128
INTRODUCTION_MAX = 2000
TEXT_MAX = 300
ITEMS_MAX = 50


def questionnaire_problems(questionnaire: Questionnaire) -> list[str]:
    """Why this questionnaire cannot be put to evaluators yet; empty when it can."""
    weights = [item.weight for item in questionnaire.items.all()]
    if not weights:
        return [_("The questionnaire has no questions yet.")]
    if sum(weights) != 100:
        return [_("The questions' weights add up to %(total)s%%; they must add up to 100%%.") % {"total": sum(weights)}]
    return []


@dataclass(frozen=True)
class ItemDraft:
    """One question as typed, in the order it is asked."""

    text: str
    weight: int
    scale: str
    required: bool = True


class QuestionnaireFrozen(ValidationError):
    """Its questions were to change after an appraisal using it opened (a 409 on the pages)."""

    def __init__(self):
        super().__init__(
            _(
                "This questionnaire is in use by an appraisal that has opened: its questions can no longer change. "
                "Copy it and edit the copy."
            )
        )


def _header(errors: dict, name: str, introduction: str) -> tuple[str, str]:
    name = (name or "").strip()
    introduction = (introduction or "").strip()
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("At most %(max)s characters.") % {"max": NAME_MAX}
    if len(introduction) > INTRODUCTION_MAX:
        errors["introduction"] = _("At most %(max)s characters.") % {"max": INTRODUCTION_MAX}
    return name, introduction


@transaction.atomic
def questionnaire_create(*, actor, name: str, introduction: str = "") -> Questionnaire:
    """A new questionnaire without questions yet, written by ``actor``."""
    if not permissions.can_write_questionnaire(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    name, introduction = _header(errors, name, introduction)
    if errors:
        raise ValidationError(errors)
    questionnaire = Questionnaire(name=name, introduction=introduction, created_by=actor)
    questionnaire._history_user = actor
    questionnaire.save()
    return questionnaire


def _items_errors(items: list[ItemDraft]) -> list[str]:
    errors = []
    if len(items) > ITEMS_MAX:
        errors.append(_("At most %(max)s questions.") % {"max": ITEMS_MAX})
    for number, item in enumerate(items, start=1):
        if not item.text.strip() or len(item.text.strip()) > TEXT_MAX:
            errors.append(
                _("Question %(number)s needs a text of at most %(max)s characters.")
                % {"number": number, "max": TEXT_MAX}
            )
        if not 0 <= item.weight <= 100:
            errors.append(_("Question %(number)s: a weight is from 0 to 100%%.") % {"number": number})
        if item.scale not in Scale.values:
            errors.append(_("Question %(number)s: choose one of the listed scales.") % {"number": number})
    return errors


@transaction.atomic
def questionnaire_items_save(
    *, actor, questionnaire_id: int, name: str, introduction: str, items: list[ItemDraft]
) -> Questionnaire:
    """Replace the questions (and the name and introduction) of a questionnaire not yet frozen.

    The questions are replaced rather than matched one by one: nobody has answered them
    (answers come only once an appraisal opens, which freezes it), so nothing refers to
    them. Weights that do not add up to 100 are kept (a draft may be half done); the
    appraisal refuses to open with them (open_problems).
    """
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire_id)
    if not permissions.can_edit_questionnaire(actor, questionnaire):
        raise PermissionDenied
    if questionnaire.is_frozen:
        raise QuestionnaireFrozen
    errors: dict[str, object] = {}
    name, introduction = _header(errors, name, introduction)
    item_errors = _items_errors(items)
    if item_errors:
        errors["items"] = item_errors
    if errors:
        raise ValidationError(errors)
    questionnaire.name, questionnaire.introduction = name, introduction
    questionnaire._history_user = actor
    questionnaire.save(update_fields=["name", "introduction"])
    for old in questionnaire.items.all():
        old._history_user = actor
        old.delete()
    bulk_create_recorded(
        [
            QuestionItem(
                questionnaire=questionnaire,
                position=position,
                text=item.text.strip(),
                weight=item.weight,
                scale=item.scale,
                required=item.required,
            )
            for position, item in enumerate(items, start=1)
        ],
        user=actor,
    )
    return questionnaire


@transaction.atomic
def questionnaire_copy(*, actor, questionnaire_id: int) -> Questionnaire:
    """An unfrozen copy of any questionnaire, with its questions, written by ``actor``: how a frozen one is changed."""
    if not permissions.can_write_questionnaire(actor):
        raise PermissionDenied
    source = Questionnaire.objects.get(pk=questionnaire_id)
    suffix = _(" (copy)")
    copy = Questionnaire(
        name=source.name[: NAME_MAX - len(suffix)] + suffix, introduction=source.introduction, created_by=actor
    )
    copy._history_user = actor
    copy.save()
    bulk_create_recorded(
        [
            QuestionItem(
                questionnaire=copy,
                position=item.position,
                text=item.text,
                weight=item.weight,
                scale=item.scale,
                required=item.required,
            )
            for item in source.items.all()
        ],
        user=actor,
    )
    return copy
