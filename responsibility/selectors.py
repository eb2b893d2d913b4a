"""Reads of the organisation for pages and the API: the tree, a unit's page, who answers for a unit.

Which units a user may act on is responsibility.scoping's to answer; everything here that
reads for a user goes through it.
"""

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .models import (
    AccountabilityRecord,
    CampaignTask,
    Deadline,
    Position,
    PositionKind,
    Unit,
)
from .models.deadlines import withheld_from_user
from .scoping import outermost_paths, scope_roots, units_containing
from .services.pledges_selectors import pledges_of_unit
from .services.visits_selectors import unit_visits_and_items


@dataclass(frozen=True)
class NearestPosition:
    """A post held by someone who should hear of work owed by a unit (positions_nearest)."""

    user_id: int
    kind: str
    unit_name: str
    # The path the post answers for: its unit's, or its unit's remit's.
    at_path: str
    # Where the holder's notification copies go (jiufeng.notifications).
    email: str
    phone: str

    @property
    def kind_label(self) -> str:
        return str(PositionKind(self.kind).label)


def positions_nearest(
    *, unit: Unit, kinds: set[str], on: datetime.date | None = None, outside: Unit | None = None
) -> list[NearestPosition]:
    """Today's positions of these kinds nearest to the unit: held in the unit itself, else in
    the closest unit above it that has any (一级抓一级: the level above answers for a unit
    without such a post). Who should hear of work owed by the unit.

    A post in a unit with a wider remit (the county 纠风办) counts at its remit, as in
    scoping; holders have the capacity the post gives on the unit. Active users only, one
    position per user. One query.
    ``outside``: posts in this unit (scoping.units_containing) are passed over, as if not
    held: the unit a complaint is about never hears of it, and the level above answers instead.
    """
    step = Unit.steplen
    paths = [unit.path[:end] for end in range(step, len(unit.path) + 1, step)]
    rows = (
        Position.objects.current(on)
        .filter(kind__in=kinds, user__is_active=True)
        .filter(Q(unit__remit_unit__isnull=True, unit__path__in=paths) | Q(unit__remit_unit__path__in=paths))
        .order_by()
        .values_list(
            "user_id", "kind", "unit__name", "unit__path", "unit__remit_unit__path", "user__email", "user__phone"
        )
    )
    # The few posts on the unit's line are sorted and sifted here rather than in SQL: a
    # subquery for ``outside`` and an ORDER BY on an expression cost more to build per call
    # than the Python below (filing: issue 15's notes).
    positions = sorted(
        (
            NearestPosition(user_id, kind, name, remit_path or path, email, phone)
            for user_id, kind, name, path, remit_path, email, phone in rows
            if outside is None or outside.path not in units_containing(path, remit_path)
        ),
        key=lambda position: (-len(position.at_path), position.user_id, position.kind),
    )
    nearest, seen = [], set()
    for position in positions:
        if nearest and position.at_path != nearest[0].at_path:
            break
        if position.user_id not in seen:
            seen.add(position.user_id)
            nearest.append(position)
    return nearest


def unit_children(*, unit: Unit) -> QuerySet:
    """The unit's direct children with their parent id; caller has checked scope."""
    return Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).with_parent_id()


def unit_move_preview(*, unit: Unit) -> tuple[Unit | None, int]:
    """The unit's parent (None at the root) and how many units lie below it: what a move
    carries away, for its confirmation. Caller has checked scope."""
    parent = Unit.objects.filter(path=unit.path[: -Unit.steplen]).first() if unit.depth > 1 else None
    return parent, Unit.objects.all().subtree_of(unit).exclude(pk=unit.pk).count()


def unit_page(*, unit: Unit, user) -> Unit:
    """Attach what a unit's page shows ``user``, in a fixed number of queries; caller has checked scope."""

    unit.ancestors = list(Unit.objects.all().ancestors_of(unit))
    unit.current_positions = list(
        Position.objects.current().filter(unit=unit).select_related("user").order_by("kind", "starts_on")
    )
    unit.children = list(unit_children(unit=unit))
    obligations = Deadline.objects.open().filter(unit=unit).exclude(withheld_from_user(user))
    unit.open_obligations = list(obligations.order_by("due_at"))
    unit.recent_visits, unit.open_rectification_items = unit_visits_and_items(unit=unit)
    # This year's pledges: the unit's own with its parent, and those it issued below.
    unit.year_pledges = pledges_of_unit(unit=unit, year=timezone.localdate().year)
    unit.accountability_list = list(
        AccountabilityRecord.objects.filter(unit=unit).select_related("user").order_by("-proposed_at", "-pk")[:20]
    )
    unit.campaign_task_list = list(
        CampaignTask.objects.filter(unit=unit).select_related("campaign").order_by("status", "due_on", "pk")[:50]
    )
    return unit


def with_principal(units: QuerySet) -> QuerySet:
    """Annotate ``principal_name``: who is the unit's principal today (one subquery)."""
    principal = (
        Position.objects.current()
        .filter(unit=OuterRef("pk"), kind=PositionKind.PRINCIPAL)
        .order_by("starts_on")
        .values("user__display_name")[:1]
    )
    return units.annotate(principal_name=Subquery(principal))


def unit_tree_roots(*, user) -> list[Unit]:
    """The top units of the user's scope, each with ``tree_children`` attached.

    A fixed number of queries whatever the tree's size: scope, the roots, their children.
    """
    paths = outermost_paths({r.path for r in scope_roots(user)})
    if not paths:
        return []
    roots_filter = Q(depth=1) if "" in paths else Q(path__in=paths)
    roots = list(with_principal(Unit.objects.filter(roots_filter)))
    children_filter = reduce(or_, (Q(path__startswith=r.path, depth=r.depth + 1) for r in roots), Q(pk__in=[]))
    children = list(with_principal(Unit.objects.filter(children_filter)))
    for root in roots:
        root.tree_children = [c for c in children if c.path.startswith(root.path)]
    return roots


def unit_search(*, user, query: str, limit: int) -> tuple[list[Unit], bool]:
    """Units in scope whose name contains ``query``, each with ``ancestor_names`` attached.

    Returns (results, truncated): at most ``limit`` results, and whether there were more.
    """
    found = list(with_principal(Unit.objects.visible_to(user).filter(name__icontains=query))[: limit + 1])
    truncated = len(found) > limit
    found = found[:limit]
    step = Unit.steplen
    wanted = {u.path[:end] for u in found for end in range(step, len(u.path), step)}
    names = dict(Unit.objects.filter(path__in=wanted).values_list("path", "name"))
    for unit in found:
        unit.ancestor_names = [names[unit.path[:end]] for end in range(step, len(unit.path), step)]
    return found, truncated
