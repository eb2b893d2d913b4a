"""The deadline ledger: one row for everything a unit must do by a date.

Complaint stages, extensions, rectification items, pledge items and scheduled visits
all register here through responsibility.deadlines (deadline_open / deadline_meet);
the escalation sweep reads only this table.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiufeng.history import HistoricalRecords

from ..scoping import own_unit_paths, unit_in_scope
from .units import Unit


class DeadlineKind(models.TextChoices):
    COMPLAINT_ACCEPT = "complaint_accept", _("Decide whether to accept a complaint")
    COMPLAINT_RESOLVE = "complaint_resolve", _("Resolve a complaint")
    COMPLAINT_EXTENSION = "complaint_extension", _("Resolve a complaint (extended)")
    COMPLAINT_REVIEW = "complaint_review", _("Decide a review")
    RECTIFICATION_ITEM = "rectification_item", _("Complete a rectification item")
    PLEDGE_ITEM = "pledge_item", _("Complete a pledge item")
    VISIT = "visit", _("Make a scheduled visit")


def withheld_from_user(user, prefix: str = "") -> Q:
    """Deadlines (at ``prefix``, e.g. "deadline__") withheld from a unit the user is in; no query of its own."""
    own = own_unit_paths(user)
    if not own:
        return Q(pk__in=[])
    return Q(**{f"{prefix}withheld_from__in": Unit.objects.filter(path__in=own).values("pk")})


class DeadlineQuerySet(models.QuerySet):
    def open(self) -> "DeadlineQuerySet":
        return self.filter(met_at__isnull=True)

    def overdue(self, at) -> "DeadlineQuerySet":
        return self.filter(met_at__isnull=True, due_at__lt=at)

    def visible_to(self, user) -> "DeadlineQuerySet":
        return self.filter(unit_in_scope(user, "unit")).exclude(withheld_from_user(user))


class Deadline(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=DeadlineKind.choices)
    # What the deadline is for: a complaint, a pledge item, a rectification item...
    # Indexed by deadline_target, which leads with it.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="deadlines"
    )
    # The unit whose people (posts in it: Unit.objects.inside) neither see this deadline nor are
    # told of it: a complaint's subject unit (被投诉单位不得自查, docs/domain-rules.md). Never
    # filtered on by itself: no index.
    withheld_from = models.ForeignKey(
        Unit,
        verbose_name=_("withheld from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    due_at = models.DateTimeField(_("due at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    # -1 until the first escalation step; then 0 (liaison), 1 (principal), 2 (parent's
    # principal) ... (ARCHITECTURE.md, the deadline ledger).
    level = models.SmallIntegerField(_("escalation level"), default=-1)
    next_escalation_at = models.DateTimeField(_("next escalation at"), null=True, blank=True)
    # Counted in working days past the last year the holiday calendar knows.
    provisional = models.BooleanField(_("provisional"), default=False)
    # When the early warning (预警) went to the liaison: at most once per deadline.
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            # The escalation sweep: open rows whose next step is due. Its cost follows
            # what is due, not the size of history.
            models.Index(fields=["next_escalation_at"], name="deadline_open_due", condition=Q(met_at__isnull=True)),
            # Open obligations per unit subtree (unit pages, overdue boards).
            models.Index(fields=["unit", "due_at"], name="deadline_open_unit", condition=Q(met_at__isnull=True)),
            models.Index(fields=["content_type", "object_id"], name="deadline_target"),
            # The sweep's early warnings: open, not yet warned, due soon.
            models.Index(
                fields=["due_at"],
                name="deadline_unwarned_due",
                condition=Q(met_at__isnull=True, warned_at__isnull=True),
            ),
            # The escalated obligations of a subtree (the dashboard's count and first rows): the
            # few open rows the sweep has escalated, not every open one (at a million cases the
            # county's count read 185,651 open rows for 11,508 escalated: 194 -> 4.6 ms).
            models.Index(
                fields=["due_at"],
                name="deadline_escalated_due",
                condition=Q(met_at__isnull=True, level__gte=0),
            ),
        ]
        constraints = [
            # One open deadline per obligation and kind: opening twice is a no-op.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=Q(met_at__isnull=True),
                name="deadline_one_open_per_target_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit} · {self.due_at:%Y-%m-%d}"

    # Django's get_FOO_display hashes every lazy choice label (a translation lookup apiece) on
    # each call: a case page shows a kind per deadline. A kind no longer listed shows as it is.
    def get_kind_display(self) -> str:
        return str(DeadlineKind(self.kind).label) if self.kind in DeadlineKind.values else self.kind

    @property
    def is_overdue(self) -> bool:
        return self.met_at is None and self.due_at < timezone.now()
