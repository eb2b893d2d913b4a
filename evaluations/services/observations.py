"""A conduct supervisor's observation (行风监督员反映), filed into the complaint flow.

It becomes a real-name complaint of the channel ``supervisor``: triaged, handled, replied to
and counted in the unit's figures like any other case.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Category, Channel
from complaints.services import complaint_file
from responsibility.models import Unit

from ..models import Evaluator, EvaluatorGroup, Observation


def observer_for(user) -> Evaluator | None:
    """The user's appointment if they are a conduct supervisor in term today, else None.

    Only conduct supervisors file observations: deputies and CPPCC members supervise through
    their own statutory channels (建议, 提案), and counting their words as the supervisors'
    channel would misname where a case came from.
    """
    if not user.is_authenticated or not user.has_perm("jiufeng.evaluate_conduct"):
        return None
    return (
        Evaluator.objects.serving()
        .filter(user=user, group=EvaluatorGroup.SUPERVISOR)
        .select_related("appointed_by", "user")
        .first()
    )


def observable_units(evaluator: Evaluator):
    """The units a supervisor may report on: those they observe, or any active unit under who appointed them."""
    observed = evaluator.observes.filter(is_active=True)
    if observed.exists():
        return observed.order_by("path")
    return Unit.objects.filter(path__startswith=evaluator.appointed_by.path, is_active=True).order_by("path")


@transaction.atomic
def observation_file(
    *,
    actor,
    unit: Unit,
    category: Category,
    title: str,
    content: str,
    occurred_on: datetime.date | None,
    location: str,
    phone: str = "",
) -> Observation:
    """File the observation as a complaint in the supervisor's name; ``phone`` only when their account has none."""
    evaluator = observer_for(actor)
    if evaluator is None:
        raise PermissionDenied(_("Only conduct supervisors in their term file observations."))
    if not observable_units(evaluator).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("Choose one of the units you observe.")})
    user = evaluator.user
    # The supervisor is the petitioner here, as on the web (actor None): no officer entered it.
    complaint, _code = complaint_file(
        channel=Channel.SUPERVISOR,
        category=category,
        subject_unit=unit,
        title=title,
        content=content,
        occurred_on=occurred_on,
        location=location,
        anonymous=False,
        name=user.display_name or user.get_username(),
        phone=user.phone or phone,
        id_number="",
        email=user.email,
    )
    observation = Observation(evaluator=evaluator, complaint=complaint)
    observation._history_user = actor
    observation.save()
    return observation
