"""Appointed evaluators (行风监督员, 人大代表/政协委员): their accounts, terms and the units they observe.

An appointment makes the citizen's account: nothing is sent by SMS; the officer is shown a
one-time initial password to hand over in person (it is stored only as its hash).
"""

import datetime
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.services import NAME_MAX, PHONE_RE
from jiufeng.roles import Role
from responsibility.models import Unit
from responsibility.scoping import in_scope_or_404

from .. import permissions
from ..models import Evaluator, EvaluatorGroup

BACKGROUND_MAX = 200
# Letters and digits that cannot be misread when read out or copied by hand.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12
APPOINTED_GROUPS = (EvaluatorGroup.SUPERVISOR, EvaluatorGroup.REPRESENTATIVE)


def password_new() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def _person(errors: dict, *, display_name: str, phone: str, email: str) -> tuple[str, str, str]:
    display_name, phone, email = (display_name or "").strip(), (phone or "").strip(), (email or "").strip()
    if not display_name:
        errors["display_name"] = _("This field is required.")
    elif len(display_name) > NAME_MAX:
        errors["display_name"] = _("At most %(max)s characters.") % {"max": NAME_MAX}
    # Observations are real-name complaints: the handling officers must be able to call back.
    if not phone:
        errors["phone"] = _("This field is required.")
    elif not PHONE_RE.match(phone):
        errors["phone"] = _("Enter a mobile number (11 digits) or a landline with its area code.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    return display_name, phone, email


def _term_and_units(errors: dict, *, appointed_by: Unit, term_start, term_end, observes, background: str) -> str:
    if term_start and term_end and term_end < term_start:
        errors["term_end"] = _("The term cannot end before it starts.")
    outside = [unit for unit in observes if not unit.path.startswith(appointed_by.path) or not unit.is_active]
    if outside:
        errors["observes"] = _("%(unit)s is not an active unit under %(organiser)s.") % {
            "unit": outside[0],
            "organiser": appointed_by,
        }
    background = (background or "").strip()
    if len(background) > BACKGROUND_MAX:
        errors["background"] = _("At most %(max)s characters.") % {"max": BACKGROUND_MAX}
    return background


@transaction.atomic
def evaluator_appoint(
    *,
    actor,
    username: str,
    display_name: str,
    phone: str,
    email: str = "",
    group: str,
    appointed_by: Unit,
    term_start: datetime.date,
    term_end: datetime.date,
    observes: list[Unit],
    background: str = "",
) -> tuple[Evaluator, str]:
    """Make the account and the appointment; returns the evaluator and the initial password (shown once)."""
    in_scope_or_404(actor, appointed_by)
    if not permissions.can_appoint_evaluator(actor, appointed_by):
        raise PermissionDenied
    User = get_user_model()
    errors: dict[str, str] = {}
    username = (username or "").strip()
    try:
        User._meta.get_field("username").run_validators(username)
        if not username:
            raise ValidationError(_("This field is required."))
    except ValidationError as error:
        errors["username"] = error.messages[0]
    else:
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = _("This username is taken; choose another.")
    display_name, phone, email = _person(errors, display_name=display_name, phone=phone, email=email)
    if group not in APPOINTED_GROUPS:
        errors["group"] = _("Choose one of the listed groups.")
    background = _term_and_units(
        errors,
        appointed_by=appointed_by,
        term_start=term_start,
        term_end=term_end,
        observes=observes,
        background=background,
    )
    if errors:
        raise ValidationError(errors)
    password = password_new()
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    user.set_password(password)
    user._history_user = actor
    user.save()
    user.groups.add(Group.objects.get(name=Role.EVALUATOR))
    evaluator = Evaluator(
        user=user,
        group=group,
        appointed_by=appointed_by,
        term_start=term_start,
        term_end=term_end,
        background=background,
    )
    evaluator._history_user = actor
    evaluator.save()
    evaluator.observes.set(observes)
    return evaluator, password


def _locked(evaluator_id: int, actor) -> Evaluator:
    evaluator = (
        Evaluator.objects.select_for_update(of=("self",)).select_related("appointed_by", "user").get(pk=evaluator_id)
    )
    if not permissions.can_appoint_evaluator(actor, evaluator.appointed_by):
        raise PermissionDenied
    return evaluator


@transaction.atomic
def evaluator_update(
    *,
    actor,
    evaluator_id: int,
    display_name: str,
    phone: str,
    email: str = "",
    term_end: datetime.date,
    observes: list[Unit],
    background: str = "",
) -> Evaluator:
    """Change an appointment: the person's name and contacts, the end of the term, the units observed.

    Codes already issued for an open appraisal stay as they are: they were given for the
    units observed when it opened.
    """
    evaluator = _locked(evaluator_id, actor)
    errors: dict[str, str] = {}
    display_name, phone, email = _person(errors, display_name=display_name, phone=phone, email=email)
    background = _term_and_units(
        errors,
        appointed_by=evaluator.appointed_by,
        term_start=evaluator.term_start,
        term_end=term_end,
        observes=observes,
        background=background,
    )
    if errors:
        raise ValidationError(errors)
    user = evaluator.user
    user.display_name, user.phone, user.email = display_name, phone, email
    user._history_user = actor
    user.save(update_fields=["display_name", "phone", "email"])
    evaluator.term_end, evaluator.background = term_end, background
    evaluator._history_user = actor
    evaluator.save(update_fields=["term_end", "background"])
    evaluator.observes.set(observes)
    return evaluator


@transaction.atomic
def evaluator_term_end(*, actor, evaluator_id: int, last_day: datetime.date | None = None) -> Evaluator:
    """End a term early: ``last_day`` (today) is the last day they serve.

    From the next day they are given no codes and file no observations; codes already
    issued for an open appraisal stay theirs to answer (the appraisal counted them in).
    """
    evaluator = _locked(evaluator_id, actor)
    last_day = last_day or timezone.localdate()
    if last_day < evaluator.term_start:
        raise ValidationError(
            {
                "last_day": _("The term cannot end before it starts (%(start)s).")
                % {"start": evaluator.term_start.isoformat()}
            }
        )
    if last_day >= evaluator.term_end:
        raise ValidationError(
            {
                "last_day": _("The term already ends on %(end)s; an early end must come before.")
                % {"end": evaluator.term_end.isoformat()}
            }
        )
    evaluator.term_end = last_day
    evaluator._history_user = actor
    evaluator.save(update_fields=["term_end"])
    return evaluator
