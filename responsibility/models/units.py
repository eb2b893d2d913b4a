"""The organisation: a tree of units, the positions people hold, leaders' areas."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from jiufeng.history import HistoricalRecords


class UnitKind(models.TextChoices):
    ORGAN = "organ", _("Party or government organ")
    DEPARTMENT = "department", _("Government department")
    SECTION = "section", _("Internal section")
    INSTITUTION = "institution", _("Public-service institution")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village or community")


class UnitQuerySet(MP_NodeQuerySet):
    def visible_to(self, user) -> "UnitQuerySet":
        # Imported here, the one model that must: scoping builds on this module's Unit and Position.
        from ..scoping import unit_ids_in_scope

        return self.filter(pk__in=unit_ids_in_scope(user))

    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        """The unit and everything below it: one prefix match on the path index."""
        return self.filter(path__startswith=unit.path)

    def inside(self, unit: "Unit") -> "UnitQuerySet":
        """The units in ``unit``: its subtree, less those whose remit is ``unit`` or above it.

        responsibility.scoping.units_containing's rule as a filter: the county 纠风办 (remit:
        the county) is filed under the county but works on it from outside.
        """
        return self.filter(path__startswith=unit.path).exclude(remit_unit__path__startswith=unit.path)

    def with_parent_id(self) -> "UnitQuerySet":
        """Annotate ``parent_id``: the unit whose path is this path less its last step."""
        parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)
        return self.annotate(parent_id=Subquery(Unit.objects.filter(path=parent_path).order_by().values("pk")[:1]))

    def ancestors_of(self, unit: "Unit") -> "UnitQuerySet":
        """The unit's ancestors, root first, in one query on the unique path."""
        step = Unit.steplen
        return self.filter(path__in=[unit.path[:end] for end in range(step, len(unit.path), step)])


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):
    def get_queryset(self) -> UnitQuerySet:
        # treebeard's manager builds its own queryset class; keep its tree order.
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(MP_Node):
    """A node of the organisation tree (单位).

    The materialised path makes "this unit and everything below it" one indexed
    prefix match: Unit.objects.filter(path__startswith=unit.path).
    """

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    # 谁主管谁负责: the department that answers for this unit's conduct, when it is not
    # the parent (a township clinic sits under its township but the health bureau
    # supervises it).
    supervising_unit = models.ForeignKey(
        "self",
        verbose_name=_("supervising unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_units",
    )
    # The unit whose subtree this unit's staff act on, when wider than its own: the
    # county 纠风办 sits under the discipline commission but works on the whole county.
    remit_unit = models.ForeignKey(
        "self",
        verbose_name=_("remit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            # Subtree filters (path LIKE 'prefix%') under any PostgreSQL collation;
            # used by scoping on every list. Other databases ignore the opclass.
            models.Index(fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name


class PositionKind(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")  # 主要负责人
    LEADER_IN_CHARGE = "leader_in_charge", _("Leader in charge")  # 分管领导
    LIAISON = "liaison", _("Liaison officer")  # 纠风专干
    OFFICER = "officer", _("Officer")


def held_on(day: datetime.date | None = None) -> Q:
    """Rows with starts_on/ends_on in force on a day (today by default)."""
    day = day or timezone.localdate()
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class PositionQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> "PositionQuerySet":
        """Positions held on a day in active units: a post in a closed unit gives nothing."""
        return self.filter(held_on(on), unit__is_active=True)


class Position(models.Model):
    """A post a user holds in a unit for a period; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="positions"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="positions")
    kind = models.CharField(_("position"), max_length=24, choices=PositionKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    objects = PositionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="position_ends_after_start",
            ),
            models.UniqueConstraint(fields=["user", "unit", "kind", "starts_on"], name="position_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_kind_display()}"


class VisitFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every half year")
    YEARLY = "yearly", _("Yearly")


class LeaderAssignmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> "LeaderAssignmentQuerySet":
        return self.filter(held_on(on))


class LeaderAssignment(models.Model):
    """领导包片: a leader is given units to supervise and visit for a period.

    The leader sees each assigned unit's subtree, whether or not it lies under the
    unit where they hold a position.
    """

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.CASCADE,
        related_name="leader_assignments",
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units"), related_name="leader_assignments")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    visit_frequency = models.CharField(
        _("visit frequency"), max_length=16, choices=VisitFrequency.choices, default=VisitFrequency.QUARTERLY
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = LeaderAssignmentQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        verbose_name = _("leader assignment")
        verbose_name_plural = _("leader assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} · {self.get_visit_frequency_display()}"
