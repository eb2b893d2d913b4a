"""Scoping: which units a user may act on, and in which capacity.

The one place that answers it. Every list, detail, export, dashboard and API view
filters through ``unit_ids_in_scope`` (usually via a queryset's ``visible_to``); no view
builds its own permission query.

A user's scope is the union of subtrees rooted at:
  - the unit of each position they hold today in an active unit, or that unit's
    remit (the county 纠风办 works on the whole county);
  - each unit of a leader assignment (领导包片) in force today.
Auditors and superusers see every unit, read-only for auditors. Subtree membership
is a prefix match on the materialised path: one indexed query, no recursion.
"""

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jiufeng.bulk import db_date, in_ids

from .models import (
    AccountabilityRecord,
    CampaignTask,
    Deadline,
    Position,
    PositionKind,
    Unit,
    position_current_sql,
)


class Capacity:
    """How a user acts on a subtree: a position kind, or one of these."""

    ASSIGNED_LEADER = "assigned_leader"  # 领导包片
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class ScopeRoot:
    path: str
    capacity: str


def scope_roots(user, *, on: datetime.date | None = None) -> list[ScopeRoot]:
    """The subtrees a user may act on, each with the capacity it is held in.

    Today's answer is kept on the user object: one request asks several times (the
    list, then each permission predicate) and should pay once. The user object lives
    for one request (the authentication middleware loads it afresh), so nothing is kept
    from one request to the next.
    """
    if on is None:
        cached = getattr(user, "_scope_roots_today", None)
        if cached is not None:
            return cached
    roots, posts = _scope_roots(user, on=on)
    if on is None and user.is_authenticated:
        user._scope_roots_today = roots
        if posts is not None:
            user._post_paths_today = posts
    return roots


def _scope_roots(user, *, on: datetime.date | None) -> tuple[list[ScopeRoot], list[str] | None]:
    """The roots, and the paths of the units the user holds a post in (None when not read)."""
    if not user.is_authenticated or not user.is_active:
        return [], None
    if user.is_superuser:
        return [ScopeRoot(path="", capacity=Capacity.ADMINISTRATOR)], None
    # Posts and leader assignments in one statement, as (capacity, the post's unit, the wider
    # root): a post's root is its unit's remit if any, an assignment has no post. In SQL, as
    # positions_nearest: every staff request asks, and the ORM spent about 3 ms compiling
    # the union each time. The posts are PositionQuerySet.current() (position_current_sql,
    # whose active-holder test this user passed above), the assignments
    # LeaderAssignmentQuerySet.current(). No ORDER BY: SQLite refuses one inside a union.
    day = on or timezone.localdate()
    held, held_params = position_current_sql("p", "u", "usr", day)
    with connection.cursor() as cursor:
        cursor.execute(
            # Assembled from code-defined fragments; every value travels as a parameter.
            "SELECT p.kind, u.path, r.path "  # noqa: S608
            "FROM responsibility_position p "
            "JOIN responsibility_unit u ON u.id = p.unit_id "
            "LEFT JOIN responsibility_unit r ON r.id = u.remit_unit_id "
            "JOIN jiufeng_user usr ON usr.id = p.user_id "
            f"WHERE p.user_id = %s AND {held} "
            "UNION ALL "
            "SELECT %s, NULL, u.path "
            "FROM responsibility_leaderassignment a "
            "JOIN responsibility_leaderassignment_units au ON au.leaderassignment_id = a.id "
            "JOIN responsibility_unit u ON u.id = au.unit_id "
            "WHERE a.leader_id = %s AND a.starts_on <= %s AND (a.ends_on IS NULL OR a.ends_on >= %s)",
            [user.pk, *held_params, Capacity.ASSIGNED_LEADER, user.pk, db_date(day), db_date(day)],
        )
        rows = cursor.fetchall()
    roots, post_paths = [], []
    for capacity, post_path, wider_path in rows:
        roots.append(ScopeRoot(path=wider_path or post_path, capacity=capacity))
        if post_path is not None:
            post_paths.append(post_path)
    # A permission, not a group name: has_perm's cache is shared with the navigation.
    if user.has_perm("jiufeng.audit_history"):
        roots.append(ScopeRoot(path="", capacity=Capacity.AUDITOR))
    return roots, post_paths


def post_paths_today(user) -> list[str]:
    """Paths of the units where the user holds a post today (the post's own unit, not its remit).

    Read with the scope when the scope needs the posts (one query for both), else now;
    kept on the user object for the request, as scope_roots is.
    """
    scope_roots(user)
    cached = getattr(user, "_post_paths_today", None)
    if cached is None:
        cached = list(Position.objects.current().filter(user=user).values_list("unit__path", flat=True))
        if user.is_authenticated:
            user._post_paths_today = cached
    return cached


def _outermost(paths: set[str]) -> list[str]:
    # A path inside another subtree adds nothing: keep the outermost ones only.
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))


def _subtrees(paths: set[str]) -> Q | None:
    outermost = _outermost(paths)
    if not outermost:
        return None
    return reduce(or_, (Q(path__startswith=p) for p in outermost))


def units_in_scope(user, *, capacities: set[str] | None = None, on: datetime.date | None = None) -> QuerySet:
    """Units the user may act on (optionally only in some capacities), as a queryset."""
    paths = {r.path for r in scope_roots(user, on=on) if capacities is None or r.capacity in capacities}
    condition = _subtrees(paths)
    if condition is None:
        return Unit.objects.none()
    return Unit.objects.filter(condition)


def unit_ids_in_scope(user, *, capacities: set[str] | None = None, on: datetime.date | None = None) -> QuerySet:
    """The same as an id subquery, for ``unit__in=`` filters on other models."""
    return units_in_scope(user, capacities=capacities, on=on).values("pk")


def capacities_on(user, unit: Unit | str, *, on: datetime.date | None = None) -> set[str]:
    """The capacities in which the user may act on this unit, or the unit at this path (empty: out of scope)."""
    path = unit if isinstance(unit, str) else unit.path
    return {r.capacity for r in scope_roots(user, on=on) if path.startswith(r.path)}


# Capacities that may lead (approve, sign, issue) rather than only handle.
LEADING = {PositionKind.PRINCIPAL, PositionKind.LEADER_IN_CHARGE, Capacity.ASSIGNED_LEADER, Capacity.ADMINISTRATOR}
# Capacities that may handle cases and records day to day.
HANDLING = {PositionKind.LIAISON, PositionKind.OFFICER, *LEADING}


@dataclass(frozen=True)
class NearestPosition:
    """A post held by someone who should hear of work owed by a unit (positions_nearest)."""

    user_id: int
    kind: str
    unit_name: str
    # The path the post answers for: its unit's, or its unit's remit's.
    at_path: str

    @property
    def kind_label(self) -> str:
        return str(PositionKind(self.kind).label)


def positions_nearest(*, unit: Unit, kinds: set[str], on: datetime.date | None = None) -> list[NearestPosition]:
    """Today's positions of these kinds nearest to the unit: held in the unit itself, else in
    the closest unit above it that has any (一级抓一级: the level above answers for a unit
    without such a post). Who should hear of work owed by the unit.

    A post in a unit with a wider remit (the county 纠风办) counts at its remit, as in
    scoping; holders have the capacity the post gives on the unit. Active users only, one
    position per user. One query, in SQL: every filing and most transitions ask, and the
    ORM spent about 3 ms building it each time (PositionQuerySet.current() is its rule:
    position_current_sql).
    """
    step = Unit.steplen
    paths = [unit.path[:end] for end in range(step, len(unit.path) + 1, step)]
    held, held_params = position_current_sql("p", "u", "usr", on or timezone.localdate())
    kind_in, kind_params = in_ids("p.kind", sorted(kinds))
    own_in, own_params = in_ids("u.path", paths)
    remit_in, remit_params = in_ids("r.path", paths)
    with connection.cursor() as cursor:
        cursor.execute(
            # Assembled from code-defined fragments; every value travels as a parameter.
            "SELECT p.user_id, p.kind, u.name, COALESCE(r.path, u.path) "  # noqa: S608
            "FROM responsibility_position p "
            "JOIN responsibility_unit u ON u.id = p.unit_id "
            "LEFT JOIN responsibility_unit r ON r.id = u.remit_unit_id "
            "JOIN jiufeng_user usr ON usr.id = p.user_id "
            f"WHERE {kind_in} AND {held} AND ((u.remit_unit_id IS NULL AND {own_in}) OR {remit_in}) "
            "ORDER BY LENGTH(COALESCE(r.path, u.path)) DESC, p.user_id, p.kind",
            [*kind_params, *held_params, *own_params, *remit_params],
        )
        positions = [NearestPosition(*row) for row in cursor.fetchall()]
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


def unit_page(*, unit: Unit) -> Unit:
    """Attach what a unit's page shows, in a fixed number of queries; caller has checked scope."""

    unit.ancestors = list(Unit.objects.all().ancestors_of(unit))
    unit.current_positions = list(
        Position.objects.current().filter(unit=unit).select_related("user").order_by("kind", "starts_on")
    )
    unit.children = list(unit_children(unit=unit))
    unit.open_obligations = list(Deadline.objects.open().filter(unit=unit).order_by("due_at"))
    # Imported here: the visits selectors build on this module.
    from .services.visits_selectors import unit_visits_and_items

    unit.recent_visits, unit.open_rectification_items = unit_visits_and_items(unit=unit)
    # This year's pledges: the unit's own with its parent, and those it issued below.
    # Imported here because the pledge selectors build on this module.
    from .services.pledges_selectors import pledges_of_unit

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
    paths = _outermost({r.path for r in scope_roots(user)})
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
