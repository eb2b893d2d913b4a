"""Questionnaires: what must hold before one is used."""

from django.utils.translation import gettext as _

from ..models import Questionnaire


def questionnaire_problems(questionnaire: Questionnaire) -> list[str]:
    """Why this questionnaire cannot be put to evaluators yet; empty when it can."""
    weights = [item.weight for item in questionnaire.items.all()]
    if not weights:
        return [_("The questionnaire has no questions yet.")]
    if sum(weights) != 100:
        return [_("The questions' weights add up to %(total)s%%; they must add up to 100%%.") % {"total": sum(weights)}]
    return []
