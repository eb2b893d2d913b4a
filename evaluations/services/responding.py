"""Writes for answering an appraisal: a response by invitation code, and batches of codes for slips."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..codes import InvitationNotFound, code_normalise, invitation_refusal
from ..models import Answer, Appraisal, AppraisalState, EvaluatorGroup, Invitation, QuestionItem, Response
from .invitations import invitations_create

COMMENT_MAX = Response._meta.get_field("comment").max_length
# Codes per batch: a service window's stack of slips, not a way to fill the table.
BATCH_MAX = 500
# Groups that get printed slips; supervisors get their codes on their accounts when the appraisal opens.
BATCH_GROUPS = (EvaluatorGroup.SERVICE_USER, EvaluatorGroup.REPRESENTATIVE)


def answer_field(item_id) -> str:
    """The key of an item's errors (and the answer page's field for it)."""
    return f"item_{item_id}"


def _is_integer(value) -> bool:
    # True is an int to Python and would count as the answer 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _score(items: list[QuestionItem], answers: dict[int, int]) -> Decimal:
    """Σ points × weight over the answered items, divided by their weights.

    An optional question left unanswered is left out, weight and all, rather than counted
    as 0 or as full marks: a person who could not judge (say) transparency says nothing
    about it, and the unit should neither lose nor gain for that. The score stays out of
    100 over what was judged. Caller has checked that the answered weights are not 0.
    """
    answered = [item for item in items if item.pk in answers]
    weights = sum(item.weight for item in answered)
    total = sum(item.points(answers[item.pk]) * item.weight for item in answered)
    return (Decimal(total) / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _answers_check(items: list[QuestionItem], answers: dict[int, int], comment: str) -> None:
    """Every required item answered, every value on its scale, nothing else: errors per field."""
    errors: dict[str, list[str]] = {}
    known = {item.pk for item in items}
    for key in answers:
        if key not in known:
            errors[answer_field(key)] = [_("This questionnaire has no such question.")]
    for item in items:
        value = answers.get(item.pk)
        if value is None:
            if item.required:
                errors[answer_field(item.pk)] = [_("Please answer this question.")]
        elif not _is_integer(value) or item.points(value) is None:
            errors[answer_field(item.pk)] = [
                _("Choose one of the answers offered: %(values)s.")
                % {"values": " / ".join(str(choice) for choice in item.values)}
            ]
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [
            _("Your comment is %(length)d characters long; please keep it within %(max)d.")
            % {"length": len(comment), "max": COMMENT_MAX}
        ]
    if not errors and not sum(item.weight for item in items if item.pk in answers):
        errors[NON_FIELD_ERRORS] = [_("Please answer at least one question.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def response_submit(*, code: str, answers: dict[int, int], comment: str) -> Response:
    """Take one anonymous response by invitation code; the code is used up.

    1. Lock the invitation (a second submission of the same code waits here, then sees it used).
    2. Refuse an unknown code (InvitationNotFound), a used one or an appraisal not open now
       (InvitationRefused), bad answers (ValidationError per field): nothing is stored.
    3. Store the response and its answers, with no link to the code, its holder or the time.
    4. Mark the invitation used.

    The caller limits guessing (evaluations.codes.invitation_lookup). A submission that read
    the appraisal open commits even if it is closed meanwhile: it was sent in time.
    """
    symbols = code_normalise(code)
    invitation = (
        None
        if symbols is None
        else Invitation.objects.select_for_update(of=("self",))
        .select_related("appraisal__questionnaire")
        .filter(code=symbols)
        .first()
    )
    if invitation is None:
        raise InvitationNotFound
    refusal = invitation_refusal(invitation)
    if refusal is not None:
        raise refusal
    comment = comment.strip()
    items = list(invitation.appraisal.questionnaire.items.all())
    _answers_check(items, answers, comment)
    response = Response.objects.create(
        appraisal_id=invitation.appraisal_id,
        appraised_unit_id=invitation.appraised_unit_id,
        group=invitation.group,
        score=_score(items, answers),
        comment=comment,
    )
    Answer.objects.bulk_create(
        [Answer(response=response, item=item, value=answers[item.pk]) for item in items if item.pk in answers]
    )
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return response


@transaction.atomic
def invitation_batch_create(
    *, actor, appraisal_id: int, appraised_unit_id: int, group: str, count: int
) -> list[Invitation]:
    """``count`` new codes for slips, for one unit and one group (service users or deputies).

    Caller has checked the appraisal is in the actor's scope; running it is checked here.
    """
    appraisal = Appraisal.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=appraisal_id)
    if not permissions.can_run_appraisal(actor, appraisal):
        raise PermissionDenied
    if appraisal.state not in (AppraisalState.DRAFT, AppraisalState.OPEN):
        raise ValidationError(
            _("This appraisal is “%(state)s”: codes are made only before and while it is open.")
            % {"state": appraisal.get_state_display()}
        )
    errors: dict[str, list[str]] = {}
    appraised = appraisal.appraised_units.filter(pk=appraised_unit_id).first()
    if appraised is None:
        errors["appraised_unit"] = [_("That unit is not under this appraisal.")]
    if group not in BATCH_GROUPS:
        errors["group"] = [
            _(
                "Slips are for service users and for deputies and CPPCC members; "
                "supervisors get their codes on their accounts."
            )
        ]
    if not _is_integer(count) or not 1 <= count <= BATCH_MAX:
        errors["count"] = [_("Make between 1 and %(max)d codes at a time.") % {"max": BATCH_MAX}]
    if errors:
        raise ValidationError(errors)
    new = [
        Invitation(appraisal=appraisal, appraised_unit=appraised, group=group, created_by=actor)
        for _slip in range(count)
    ]
    return invitations_create(new, actor=actor)
