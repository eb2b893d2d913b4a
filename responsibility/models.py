"""The organisation: a tree of units and the positions people hold in them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node


class UnitKind(models.TextChoices):
    ORGAN = "organ", _("Party or government organ")
    DEPARTMENT = "department", _("Government department")
    SECTION = "section", _("Internal section")
    INSTITUTION = "institution", _("Public-service institution")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village or community")


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
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class PositionKind(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")  # 主要负责人
    LEADER_IN_CHARGE = "leader_in_charge", _("Leader in charge")  # 分管领导
    LIAISON = "liaison", _("Liaison officer")  # 纠风专干
    OFFICER = "officer", _("Officer")


class Position(models.Model):
    """A post a user holds in a unit for a period; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="positions"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="positions")
    kind = models.CharField(_("position"), max_length=24, choices=PositionKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

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
