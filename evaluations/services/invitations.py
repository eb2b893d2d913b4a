"""Invitation codes (邀请码): made in batches for slips, and one per unit for each appointed evaluator."""

import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiufeng.history import bulk_create_recorded

from ..models import CODE_ALPHABET, CODE_LENGTH, AppraisedUnit, Evaluator, Invitation


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def invitations_create(invitations: list[Invitation], *, actor) -> list[Invitation]:
    """Store new invitations, giving each a fresh code; a code already taken (about one in
    10^14 per pair) draws the whole batch again."""
    for _attempt in range(3):
        for invitation in invitations:
            invitation.code = code_new()
        try:
            with transaction.atomic():
                return bulk_create_recorded(invitations, batch_size=1000, user=actor)
        except IntegrityError:
            continue
    raise IntegrityError("invitation codes kept colliding")


def invitations_for_evaluators(appraisal, units: Iterable[AppraisedUnit], *, actor) -> list[Invitation]:
    """One code per unit under appraisal for each evaluator appointed by the organiser and
    serving when it opens: the units they observe, or every unit when they observe none."""
    units = list(units)
    evaluators = (
        Evaluator.objects.filter(appointed_by=appraisal.organiser)
        .serving(timezone.localdate(appraisal.opens_at))
        .prefetch_related("observes")
    )
    invitations = []
    for evaluator in evaluators:
        observed = {unit.pk for unit in evaluator.observes.all()}
        invitations += [
            Invitation(
                appraisal=appraisal,
                appraised_unit=appraised,
                group=evaluator.group,
                issued_to_id=evaluator.user_id,
                created_by=actor,
            )
            for appraised in units
            if not observed or appraised.unit_id in observed
        ]
    return invitations_create(invitations, actor=actor)
