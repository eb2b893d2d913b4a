"""Pure predicates: may this user do this to this object? Scope comes from selectors."""

from .models import Unit
from .selectors import HANDLING, LEADING, capacities_on, scope_roots


def can_view_unit(user, unit: Unit) -> bool:
    return bool(capacities_on(user, unit))


def can_handle_in(user, unit: Unit) -> bool:
    """Record and edit day-to-day work (visits, items, records) for this unit."""
    return bool(capacities_on(user, unit) & HANDLING)


def can_lead_in(user, unit: Unit) -> bool:
    """Approve, issue, decide for this unit: its principal, leader in charge, assigned leader."""
    return bool(capacities_on(user, unit) & LEADING)


def can_manage_unit(user, unit: Unit) -> bool:
    """Rename, move, (de)activate a unit and change who holds its positions.

    一级抓一级: whoever handles the unit's parent manages it; a top-level unit is
    managed by whoever handles the whole tree below it.
    """
    path = unit.path[: -Unit.steplen] or unit.path
    return any(path.startswith(r.path) and r.capacity in HANDLING for r in scope_roots(user))


def can_import_units(user) -> bool:
    """Open the import page: whoever handles some subtree. Each row is checked on its own."""
    return any(r.capacity in HANDLING for r in scope_roots(user))
