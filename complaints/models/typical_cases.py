"""典型案例: a closed, substantiated case retold without anyone who could be recognised, for the public.

An officer who handles the case writes the account in their own words (never the petitioner's
name, phone, ID number or email, the tracking code, the case number or the complaint's own
text); a leader of the handling unit publishes it or returns it with a reason. Only the
title, the account, the unit complained about, the category and the day of publication
ever reach the public page (complaints.public). The transitions are fired only by
complaints.typical_cases after complaints.workflow's TYPICAL_CASE_TRANSITIONS check.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from jiufeng.history import HistoricalRecords
from responsibility.models import Unit

from .cases import Complaint
from .categories import Category

TITLE_MAX = 100
ACCOUNT_MAX = 5000


class TypicalCaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting a leader")
    PUBLISHED = "published", _("Published")
    RETURNED = "returned", _("Returned for changes")


class TypicalCaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TypicalCaseQuerySet":
        """Typical cases of the cases the user may see (Complaint.objects.visible_to, the subject-unit rule too)."""
        return self.filter(complaint__in=Complaint.objects.visible_to(user).values("pk"))

    def published(self) -> "TypicalCaseQuerySet":
        return self.filter(state=TypicalCaseState.PUBLISHED)


class TypicalCase(FSMModelMixin, models.Model):
    # One per case: a returned account is changed and submitted again, never written twice.
    complaint = models.OneToOneField(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="typical_case"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    account = models.TextField(_("anonymised account"))
    # What the public sees of the case besides the account, copied when it is written, so that
    # the public pages never read the case itself.
    subject_unit = models.ForeignKey(Unit, verbose_name=_("subject unit"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    state = FSMField(
        _("state"), max_length=16, choices=TypicalCaseState.choices, default=TypicalCaseState.DRAFT, protected=True
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)

    objects = TypicalCaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")
        indexes = [
            # The public list, newest first (complaints.public.typical_cases_published).
            models.Index(fields=["-published_at"], name="typicalcase_published", condition=models.Q(state="published")),
        ]

    def __str__(self) -> str:
        return self.title

    # Fired only by complaints.typical_cases.

    @transition(field=state, source=[TypicalCaseState.DRAFT, TypicalCaseState.RETURNED], target=TypicalCaseState.DRAFT)
    def edit(self) -> None: ...

    @transition(
        field=state, source=[TypicalCaseState.DRAFT, TypicalCaseState.RETURNED], target=TypicalCaseState.SUBMITTED
    )
    def submit(self) -> None: ...

    @transition(field=state, source=TypicalCaseState.SUBMITTED, target=TypicalCaseState.PUBLISHED)
    def publish(self) -> None: ...

    @transition(field=state, source=TypicalCaseState.SUBMITTED, target=TypicalCaseState.RETURNED)
    def return_for_changes(self) -> None: ...

    # Taken off the public page (a fact since found wrong, a unit recognisable after all): back to
    # its writer with the reason, as a returned one, to be changed and sent again or left.
    @transition(field=state, source=TypicalCaseState.PUBLISHED, target=TypicalCaseState.RETURNED)
    def withdraw(self) -> None: ...
