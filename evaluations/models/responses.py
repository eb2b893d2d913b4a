"""Invitations (one-time codes) and the anonymous responses they let in.

A code answers once. The response keeps no path back to whoever held the code: no
invitation, no user, no time, a random key (so its order tells nothing either), and no
history (simple-history would record the request's user). The invitation records only
that, and when, it was used.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiufeng.history import HistoricalRecords

from .appraisals import Appraisal, AppraisedUnit, EvaluatorGroup
from .questionnaires import QuestionItem

# 10 characters from 31 that cannot be misread on a printed slip (no 0/O, 1/I/L): ~2^49 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10

# Groups that answer with invitation codes; petitioners' ratings come from their cases.
INVITED_GROUPS = (EvaluatorGroup.SUPERVISOR, EvaluatorGroup.REPRESENTATIVE, EvaluatorGroup.SERVICE_USER)


class Invitation(models.Model):
    """邀请码: lets one evaluator of a group rate one unit of an appraisal, once."""

    appraisal = models.ForeignKey(
        Appraisal, verbose_name=_("appraisal"), on_delete=models.PROTECT, related_name="invitations"
    )
    appraised_unit = models.ForeignKey(
        AppraisedUnit, verbose_name=_("unit rated"), on_delete=models.PROTECT, related_name="invitations"
    )
    group = models.CharField(_("evaluator group"), max_length=24, choices=EvaluatorGroup.choices)
    # Kept in clear: it is printed on slips and may be reprinted. Who may print slips may
    # issue new codes anyway, so a hash would protect nothing from them.
    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, editable=False)
    # A supervisor's or deputy's own code, shown on their page; null for printed slips.
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisal_invitations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["appraisal", "appraised_unit", "pk"]
        indexes = [
            models.Index(fields=["appraisal", "appraised_unit", "group"], name="invitation_unit_group"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__in=[group.value for group in INVITED_GROUPS]), name="invitation_invited_group"
            ),
            # A person gets one code per unit of an appraisal.
            models.UniqueConstraint(
                fields=["appraised_unit", "issued_to"],
                condition=Q(issued_to__isnull=False),
                name="invitation_one_per_person_and_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appraised_unit} · {self.get_group_display()}"


class Response(models.Model):
    """One evaluator's answers about one unit: anonymous by construction (see the module)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appraisal = models.ForeignKey(
        Appraisal, verbose_name=_("appraisal"), on_delete=models.PROTECT, related_name="responses"
    )
    appraised_unit = models.ForeignKey(
        AppraisedUnit, verbose_name=_("unit rated"), on_delete=models.PROTECT, related_name="responses"
    )
    group = models.CharField(_("evaluator group"), max_length=24, choices=EvaluatorGroup.choices)
    # The questionnaire's weighted score of these answers, out of 100, fixed at submission
    # (the questionnaire is frozen): scoring averages it per unit and group.
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["appraised_unit", "group"], name="response_unit_group"),
        ]

    def __str__(self) -> str:
        return f"{self.appraised_unit} · {self.get_group_display()}"


class Answer(models.Model):
    response = models.ForeignKey(Response, verbose_name=_("response"), on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(QuestionItem, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("answer"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_once_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.value}"
