"""Reads for the invitation pages: codes issued and used per unit and group, and the slips to print."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from ..models import INVITED_GROUPS, Appraisal, AppraisedUnit, EvaluatorGroup, Invitation


@dataclass
class GroupCount:
    group: EvaluatorGroup
    issued: int = 0
    used: int = 0


@dataclass
class UnitCounts:
    appraised: AppraisedUnit
    groups: list[GroupCount] = field(default_factory=list)


def appraised_units_for(appraisal: Appraisal) -> list[AppraisedUnit]:
    """The appraisal's units with their units' names, in the order of the tree."""
    return list(appraisal.appraised_units.select_related("unit").order_by("ranking_group", "unit__path"))


def invitation_counts(*, appraisal: Appraisal, units: list[AppraisedUnit]) -> list[UnitCounts]:
    """Per unit under appraisal and invited group: codes issued and used, in one query. Caller has checked scope."""
    counted = {
        (row["appraised_unit"], row["group"]): row
        for row in Invitation.objects.filter(appraisal=appraisal)
        .values("appraised_unit", "group")
        .annotate(issued=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False)))
    }
    rows = []
    for appraised in units:
        groups = []
        for group in INVITED_GROUPS:
            row = counted.get((appraised.pk, group.value), {})
            groups.append(GroupCount(group=group, issued=row.get("issued", 0), used=row.get("used", 0)))
        rows.append(UnitCounts(appraised=appraised, groups=groups))
    return rows


def slips_for(*, appraisal: Appraisal, appraised_unit_id: int | None, group: str, used: bool) -> QuerySet[Invitation]:
    """The printable codes: never an appointed evaluator's own (those are on their page); unused
    ones unless ``used``. Caller has checked the user may run the appraisal."""
    slips = Invitation.objects.filter(appraisal=appraisal, issued_to__isnull=True)
    if appraised_unit_id:
        slips = slips.filter(appraised_unit_id=appraised_unit_id)
    if group:
        slips = slips.filter(group=group)
    if not used:
        slips = slips.filter(used_at__isnull=True)
    return slips.select_related("appraised_unit__unit").order_by("appraised_unit__unit__path", "group", "pk")
