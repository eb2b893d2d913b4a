"""Visits and inspections (走访/督查) and the rectification items (整改事项) they find."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from jiufeng.history import HistoricalRecords

from ..scoping import unit_ids_in_scope
from .units import LeaderAssignment, Unit

# Longest texts a form or the API accepts; the services check them too.
SUBJECT_MAX = 200
PEOPLE_MET_MAX = 500
FINDINGS_MAX = 5000
DESCRIPTION_MAX = 2000
EVIDENCE_MAX = 5000
REASON_MAX = 500


class VisitKind(models.TextChoices):
    VISIT = "visit", _("Visit")  # 走访
    INSPECTION = "inspection", _("Inspection")  # 督查


class VisitMethod(models.TextChoices):
    """听 看 访 谈 查: the same codes as a complaint's investigation activities."""

    LISTEN = "listen", _("Listen")
    LOOK = "look", _("Look")
    VISIT = "visit", _("Visit and enquire")
    TALK = "talk", _("Talk")
    CHECK = "check", _("Check")


def validate_methods(value) -> None:
    """A list of distinct VisitMethod codes (a JSON list, so SQLite runs it too)."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Methods must be a list of method codes."), code="invalid")
    unknown = sorted(set(value) - set(VisitMethod.values))
    if unknown:
        raise ValidationError(
            _("Unknown method: %(codes)s."), code="invalid_choice", params={"codes": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each method may be given once."), code="duplicate")


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user) -> "VisitQuerySet":
        """Visits to any unit in the user's scope, or made on behalf of one."""
        scope = unit_ids_in_scope(user)
        # An id subquery rather than a join over the M2M: no duplicate rows, no DISTINCT.
        visited = Visit.units.through.objects.filter(unit__in=scope).values("visit_id")
        return self.filter(Q(pk__in=visited) | Q(organizing_unit__in=scope))

    def overdue(self, today) -> "VisitQuerySet":
        return self.filter(made_on__isnull=True, scheduled_for__lt=today)


class Visit(models.Model):
    """A visit (走访) or inspection (督查): planned with ``scheduled_for``, made once ``made_on`` is set."""

    kind = models.CharField(_("kind"), max_length=16, choices=VisitKind.choices, default=VisitKind.VISIT)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader or inspector"), on_delete=models.PROTECT, related_name="visits"
    )
    # The unit that answers for the visit being made: the leader's own unit. A scheduled
    # visit's deadline is registered against it, so escalation climbs the leader's line.
    organizing_unit = models.ForeignKey(
        Unit, verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="organised_visits"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units visited"), related_name="visits")
    leader_assignment = models.ForeignKey(
        LeaderAssignment,
        verbose_name=_("leader assignment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    scheduled_for = models.DateField(_("scheduled for"), null=True, blank=True)
    made_on = models.DateField(_("made on"), null=True, blank=True)
    people_met = models.CharField(_("people met"), max_length=PEOPLE_MET_MAX, blank=True)
    methods = models.JSONField(_("methods"), default=list, blank=True, validators=[validate_methods])
    findings = models.TextField(_("findings"), max_length=FINDINGS_MAX, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        verbose_name = _("visit or inspection")
        verbose_name_plural = _("visits and inspections")
        constraints = [
            # Either planned or made (or both): a visit with neither date means nothing.
            models.CheckConstraint(
                condition=Q(scheduled_for__isnull=False) | Q(made_on__isnull=False), name="visit_planned_or_made"
            ),
        ]
        indexes = [
            # "Visits due": a leader's made visits in a period.
            models.Index(fields=["leader", "made_on"], name="visit_leader_made"),
        ]

    def __str__(self) -> str:
        day = self.made_on or self.scheduled_for
        return f"{self.get_kind_display()} · {day:%Y-%m-%d} · {self.subject}"

    @property
    def is_made(self) -> bool:
        return self.made_on is not None

    @property
    def is_overdue(self) -> bool:
        return self.made_on is None and self.scheduled_for < timezone.localdate()

    def get_methods_display(self) -> list[str]:
        labels = dict(VisitMethod.choices)
        return [labels[code] for code in self.methods if code in labels]


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("To rectify")
    SUBMITTED = "submitted", _("Done, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class RectificationItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RectificationItemQuerySet":
        return self.filter(responsible_unit__in=unit_ids_in_scope(user))

    def overdue(self, today) -> "RectificationItemQuerySet":
        """Not yet confirmed and past the due day."""
        return self.exclude(status=RectificationStatus.CONFIRMED).filter(due_on__lt=today)


class RectificationItem(FSMModelMixin, models.Model):
    """整改事项: something a unit must correct by a date; the unit above confirms it is done.

    open -> submitted (done, with evidence) -> confirmed by the unit above, or sent back to open.
    Visits create items now; complaints will too, hence the nullable ``visit``.
    """

    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="rectification_items"
    )
    due_on = models.DateField(_("due on"))
    status = FSMField(
        _("status"),
        max_length=16,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
        protected=True,
    )
    evidence = models.TextField(_("evidence"), max_length=EVIDENCE_MAX, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Why the unit above last sent it back; kept when resubmitted, history has every one.
    send_back_reason = models.CharField(_("reason sent back"), max_length=REASON_MAX, blank=True)
    # 专项治理: the campaign this correction belongs to, when it comes out of one.
    campaign = models.ForeignKey(
        "responsibility.Campaign",
        verbose_name=_("rectification campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification_items",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit or inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification_items",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RectificationItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        indexes = [
            # The item list per unit subtree, filtered by status and overdue.
            models.Index(fields=["responsible_unit", "status", "due_on"], name="rectification_unit_status"),
        ]

    def __str__(self) -> str:
        return f"{self.responsible_unit} · {self.description[:30]}"

    @property
    def is_overdue(self) -> bool:
        return self.status != RectificationStatus.CONFIRMED and self.due_on < timezone.localdate()

    # Transitions: fired only by responsibility.services.visits.
    @transition(field=status, source=RectificationStatus.OPEN, target=RectificationStatus.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=RectificationStatus.SUBMITTED, target=RectificationStatus.CONFIRMED)
    def confirm(self) -> None:
        pass

    @transition(field=status, source=RectificationStatus.SUBMITTED, target=RectificationStatus.OPEN)
    def send_back(self) -> None:
        pass
