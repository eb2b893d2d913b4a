"""Reads on pledges for pages and the API; every list goes through ``Pledge.objects.visible_to``."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr

from ..models import Pledge, PledgeItem, PledgeState, PledgeTemplate, Unit
from ..scoping import HANDLING, outermost_paths, scope_roots, unit_ids_in_scope

SIGNED_STATES = [PledgeState.SIGNED, PledgeState.ASSESSED]


def pledge_list_for_user(*, user, year: int) -> QuerySet:
    """The year's pledges whose issuer or pledging unit is in the user's scope, in tree order."""
    return (
        Pledge.objects.visible_to(user)
        .filter(year=year)
        .select_related("issuer", "unit", "signed_by")
        .annotate(item_count=Count("items"))
        .order_by("issuer__path", "unit__path")
    )


def pledge_items_for_user(*, user, year: int) -> QuerySet:
    """Every item of the year's pledges the user may see, in the list's order: the pledge ledger's rows."""
    pledges = Pledge.objects.visible_to(user).filter(year=year).values("pk")
    return (
        PledgeItem.objects.filter(pledge__in=pledges)
        .select_related("pledge__issuer", "pledge__unit")
        .order_by("pledge__issuer__path", "pledge__unit__path", "position", "pk")
    )


def pledge_detail_queryset(*, user) -> QuerySet:
    """Pledges the user may open, with what the detail page and API show."""
    return (
        Pledge.objects.visible_to(user)
        .select_related("issuer", "unit", "signed_by", "assessed_by")
        .prefetch_related("items", "signatures__signed_by")
    )


def pledge_templates_for_user(*, user, year: int) -> QuerySet:
    """Templates of the year owned by units where the user handles work."""
    return (
        PledgeTemplate.objects.filter(year=year, issuer__in=unit_ids_in_scope(user, capacities=HANDLING))
        .select_related("issuer")
        .order_by("issuer__path", "name")
    )


def pledges_of_unit(*, unit: Unit, year: int) -> list[Pledge]:
    """The unit's pledge with the level above and those it issued, for its page; caller has checked scope."""
    return list(
        Pledge.objects.filter(Q(unit=unit) | Q(issuer=unit), year=year)
        .select_related("issuer", "unit", "signed_by")
        .order_by("unit__path")
    )


def coverage_root_for_user(*, user) -> Unit | None:
    """The top of the user's own area, where the coverage page starts when no unit is asked for."""
    paths = outermost_paths({r.path for r in scope_roots(user)})
    if not paths:
        return None
    return Unit.objects.filter(Q(depth=1) if "" in paths else Q(path__in=paths)).first()


@dataclass(frozen=True)
class CoverageLevel:
    level: int  # 1: the root's children, 2: their children ...
    expected: int
    signed: int
    unsigned: list[Unit]  # at most the listing limit, each with pledge_id, pledge_state, parent_name
    unlisted: int

    @property
    def percent(self) -> int:
        return round(100 * self.signed / self.expected) if self.expected else 100


def pledge_coverage(*, root: Unit, year: int, limit: int = 500) -> list[CoverageLevel]:
    """层层签订: per level under ``root``, how many active units signed their pledge with their parent.

    Two queries whatever the tree's size: the counts per depth, aggregated in the
    database, and the unsigned units (at most ``limit``). Caller has checked scope.
    """
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)
    with_parent = Pledge.objects.filter(unit=OuterRef("pk"), year=year, issuer__path=parent_path)
    units = Unit.objects.filter(path__startswith=root.path, depth__gt=root.depth, is_active=True).annotate(
        has_signed=Exists(with_parent.filter(state__in=SIGNED_STATES))
    )
    counts = list(
        units.order_by()
        .values("depth")
        .annotate(expected=Count("pk"), signed=Count("pk", filter=Q(has_signed=True)))
        .order_by("depth")
    )
    # The dashboard asks for the counts alone (limit 0): no listing to build.
    unsigned = (
        list(
            units.filter(has_signed=False)
            .annotate(
                pledge_id=Subquery(with_parent.values("pk")[:1]),
                pledge_state=Subquery(with_parent.values("state")[:1]),
                parent_name=Subquery(Unit.objects.filter(path=parent_path).order_by().values("name")[:1]),
            )
            .order_by("path")[:limit]
        )
        if limit
        else []
    )
    state_labels = dict(PledgeState.choices)
    for unit in unsigned:
        unit.pledge_state_display = state_labels.get(unit.pledge_state)
    levels = []
    for row in counts:
        listed = [u for u in unsigned if u.depth == row["depth"]]
        levels.append(
            CoverageLevel(
                level=row["depth"] - root.depth,
                expected=row["expected"],
                signed=row["signed"],
                unsigned=listed,
                unlisted=row["expected"] - row["signed"] - len(listed),
            )
        )
    return levels
