"""Scoping: which units a user may act on, and in which capacity.

The one place that answers it. Every list, detail, export, dashboard and API view
filters through ``unit_ids_in_scope`` (usually via a queryset's ``visible_to``), and every
write checks the units it is handed with ``in_scope_or_404``; no view builds its own
permission query. A leaf module: it imports only the unit and position models, so every
other model's ``visible_to`` imports it at the top (Unit's own, whose module this one
builds on, imports it in the method).

A user's scope is the union of subtrees rooted at:
  - the unit of each position they hold today in an active unit, or that unit's
    remit (the county 纠风办 works on the whole county);
  - each unit of a leader assignment (领导包片) in force today: oversight only (see, visit,
    inspect, be told), never handling or leading that area's work.
Auditors and superusers see every unit, read-only for auditors. Subtree membership
is a prefix match on the materialised path: one indexed query, no recursion.

The units a user is *in* (``own_unit_paths``) are read with the scope too: a complaint
about one of them is kept from the user whatever the scope gives (docs/domain-rules.md).
"""

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import CharField, F, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from .models.units import LeaderAssignment, Position, PositionKind, Unit


class Capacity:
    """How a user acts on a subtree: a position kind, or one of these."""

    ASSIGNED_LEADER = "assigned_leader"  # 领导包片
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


# Capacities that may lead a unit's work (approve, sign, issue, decide) rather than only handle it.
LEADING = {PositionKind.PRINCIPAL, PositionKind.LEADER_IN_CHARGE, Capacity.ADMINISTRATOR}
# Capacities that may handle cases and records day to day.
HANDLING = {PositionKind.LIAISON, PositionKind.OFFICER, *LEADING}
# Capacities that may supervise on the spot (visit, inspect, record what they found): whoever
# handles, and a leader in an assigned area (领导包片 is oversight: it is in neither set above).
SUPERVISING = {*HANDLING, Capacity.ASSIGNED_LEADER}


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
    roots, own, tree_roots = _scope_roots(user, on=on)
    if on is None and user.is_authenticated:
        user._scope_roots_today = roots
        if own is not None:
            user._own_unit_paths_today = own
            user._tree_roots = tree_roots
    return roots


def units_containing(path: str, remit_path: str | None) -> set[str]:
    """Paths of the units a unit (and a post in it) is in: itself and every unit above it,
    except its remit (``remit_path``) and the units above that.

    A unit with a remit (the county 纠风办, remit: the county) works on that subtree from
    outside it: it is not in the remit unit, nor above it, though the tree files it under
    it. One definition for scoping and for the complaints' subject-unit rule.
    """
    step = Unit.steplen
    above = {path[:end] for end in range(step, len(path) + 1, step)}
    return {p for p in above if remit_path is None or not remit_path.startswith(p)}


# Marks the rows of the scope's statement that are root units of the tree, not scope roots.
_TREE_ROOT = "tree_root"


def _scope_roots(user, *, on: datetime.date | None) -> tuple[list[ScopeRoot], list[str] | None, set[str]]:
    """The roots, the paths of the units the user is in (units_containing; None when not read),
    and the paths of the tree's root units (covers_every_unit)."""
    if not user.is_authenticated or not user.is_active:
        return [], None, set()
    if user.is_superuser:
        # The system administrator holds no post to be kept out by.
        return [ScopeRoot(path="", capacity=Capacity.ADMINISTRATOR)], [], set()
    # Posts and leader assignments in one statement, as (capacity, the post's unit, the wider
    # root): a post's root is its unit's remit if any, an assignment has no post. The posts
    # are held in an active unit (PositionQuerySet.current()); their holder, this user, is
    # active (above). No ORDER BY: SQLite refuses one inside a union.
    day = on or timezone.localdate()
    posts = (
        Position.objects.current(day)
        .filter(user=user)
        .order_by()
        .annotate(capacity=F("kind"), post_path=F("unit__path"), wider_path=F("unit__remit_unit__path"))
        .values_list("capacity", "post_path", "wider_path")
    )
    assigned = (
        LeaderAssignment.objects.current(day)
        .filter(leader=user)
        .order_by()
        .annotate(
            capacity=Value(Capacity.ASSIGNED_LEADER, output_field=CharField()),
            post_path=Value(None, output_field=CharField()),
            wider_path=F("units__path"),
        )
        .values_list("capacity", "post_path", "wider_path")
    )
    tree_roots = (
        Unit.objects.filter(depth=1)
        .order_by()
        .annotate(
            capacity=Value(_TREE_ROOT, output_field=CharField()),
            post_path=Value(None, output_field=CharField()),
            wider_path=F("path"),
        )
        .values_list("capacity", "post_path", "wider_path")
    )
    rows = posts.union(assigned, tree_roots, all=True)
    roots, own, trees = [], set(), set()
    for capacity, post_path, wider_path in rows:
        if capacity == _TREE_ROOT:
            trees.add(wider_path)
            continue
        roots.append(ScopeRoot(path=wider_path or post_path, capacity=capacity))
        if post_path is not None:
            own |= units_containing(post_path, wider_path)
    # A permission, not a group name: has_perm's cache is shared with the navigation.
    if user.has_perm("jiufeng.audit_history"):
        roots.append(ScopeRoot(path="", capacity=Capacity.AUDITOR))
    return roots, sorted(own), trees


def own_unit_paths(user) -> list[str]:
    """Paths of the units the user is in today through a post (units_containing), sorted.

    Read with the scope (one query for both) and kept on the user object for the request,
    as scope_roots is. A complaint about one of these units is kept from the user
    (被投诉单位不得自查): complaints.models.ComplaintQuerySet.visible_to.
    """
    scope_roots(user)
    return getattr(user, "_own_unit_paths_today", [])


def own_unit_paths_within(user, unit) -> list[str]:
    """The units the user is in (own_unit_paths) that lie in ``unit``'s subtree.

    A subtree's figures and lists withhold only these: a unit the user is in outside the
    subtree names none of its cases, so when there are none no condition needs adding.
    """
    return [path for path in own_unit_paths(user) if path.startswith(unit.path)]


def outermost_paths(paths: set[str]) -> list[str]:
    """The paths not inside another one's subtree, sorted: a path inside another subtree adds nothing."""
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))


def _subtrees(paths: set[str]) -> Q | None:
    outermost = outermost_paths(paths)
    if not outermost:
        return None
    return reduce(or_, (Q(path__startswith=p) for p in outermost))


def _scope_paths(user, capacities: set[str] | None, on: datetime.date | None = None) -> set[str]:
    return {r.path for r in scope_roots(user, on=on) if capacities is None or r.capacity in capacities}


def units_in_scope(user, *, capacities: set[str] | None = None, on: datetime.date | None = None) -> QuerySet:
    """Units the user may act on (optionally only in some capacities), as a queryset."""
    condition = _subtrees(_scope_paths(user, capacities, on))
    if condition is None:
        return Unit.objects.none()
    return Unit.objects.filter(condition)


def unit_ids_in_scope(user, *, capacities: set[str] | None = None, on: datetime.date | None = None) -> QuerySet:
    """The same as an id subquery, for ``unit__in=`` filters on other models."""
    return units_in_scope(user, capacities=capacities, on=on).values("pk")


def covers_every_unit(user, *, capacities: set[str] | None = None) -> bool:
    """Does the scope (in these capacities, today) take in every unit: every root's subtree?

    The county 纠风办 and its leaders, auditors and administrators do. A condition "the unit is
    in scope" then holds for any unit, and unit_in_scope leaves it out of the query. The tree's
    root units are read with the scope, in its one statement.
    """
    paths = _scope_paths(user, capacities)
    if "" in paths:
        return True
    trees = getattr(user, "_tree_roots", set())
    return bool(trees) and trees <= paths


def unit_in_scope(user, field: str, *, capacities: set[str] | None = None) -> Q:
    """A condition on another model: its foreign key ``field`` names a unit in the user's scope.

    Never the unit subquery, which tells PostgreSQL nothing it can estimate or look up in an
    index. Where the scope covers every unit, "a unit is named" (``field`` is not null): the
    subquery planned the county officer's inbox as if 57 of 13,506 waiting cases matched,
    reading and sorting them all (128 ms at 100,000 cases) where walking the due-time index
    stops at the first 50 (2 ms). Otherwise the units' ids as a list (scope_unit_ids), which
    the planner estimates from its statistics and looks up in the units' indexes: a bureau
    officer's capped inbox count filtered every waiting case by the subquery (17.5 ms at
    100,000 cases), and reads only the bureau's with the list (2.9 ms).
    """
    if covers_every_unit(user, capacities=capacities):
        return Q(**{f"{field}__isnull": False})
    return Q(**{f"{field}__in": scope_unit_ids(user, capacities=capacities)})


def scope_unit_ids(user, *, capacities: set[str] | None = None) -> list[int]:
    """The ids of the units in the user's scope today (in these capacities), read once per
    request and kept on the user object, as scope_roots is."""
    kept = getattr(user, "_scope_unit_ids_today", None)
    if kept is None:
        kept = user._scope_unit_ids_today = {}
    key = None if capacities is None else frozenset(capacities)
    if key not in kept:
        kept[key] = list(units_in_scope(user, capacities=capacities).values_list("pk", flat=True))
    return kept[key]


def scope_holds_a_root(user) -> bool:
    """Does the user's scope take in a root unit (a subtree rooted at depth 1 or above)? No query beyond the scope."""
    return any(len(root.path) <= Unit.steplen for root in scope_roots(user))


def capacities_on(user, unit: Unit | str, *, on: datetime.date | None = None) -> set[str]:
    """The capacities in which the user may act on this unit, or the unit at this path (empty: out of scope)."""
    path = unit if isinstance(unit, str) else unit.path
    return {r.capacity for r in scope_roots(user, on=on) if path.startswith(r.path)}


def in_scope_or_404(user, *units: Unit | None) -> None:
    """Http404 unless each unit given (None: none given) is in the user's scope, in any capacity.

    For the units a write is handed (a handling unit, a responsible unit, the units of a
    visit): one out of the actor's scope is not found, as any object they may not see,
    never "forbidden", which would tell them it exists. The capacity the write needs is
    the service's own permission check, made after this one. No query beyond the scope.
    """
    if not all(capacities_on(user, unit) for unit in units if unit is not None):
        raise Http404
