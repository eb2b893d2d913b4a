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


# --- Accountability (问责) and rectification campaigns (专项治理) ---------------------------
# The level above holds a unit to account (一级抓一级): proposing, documenting and deciding
# need a capacity on the unit's parent, so a unit's own people never act on their own
# records. The root unit has no level above: only administrators act on it.


def _on_level_above(user, unit: Unit, capacities: set[str]) -> bool:
    if user.is_superuser:
        return True
    if unit.depth <= 1:
        return False
    parent_path = unit.path[: -Unit.steplen]
    return any(parent_path.startswith(r.path) and r.capacity in capacities for r in scope_roots(user))


def can_propose_accountability(user, unit: Unit) -> bool:
    """Propose a record against a position holder of this unit."""
    return _on_level_above(user, unit, HANDLING)


def can_document_accountability(user, record) -> bool:
    """Add or remove a record's documents: the people who propose, never its subject."""
    return user.pk != record.user_id and _on_level_above(user, record.unit, HANDLING)


def can_decide_accountability(user, record) -> bool:
    """Decide or dismiss a record: a leader of the level above, never its subject."""
    return user.pk != record.user_id and _on_level_above(user, record.unit, LEADING)


def can_run_campaign(user, lead_unit: Unit) -> bool:
    """Create, start and close a campaign led by this unit."""
    return can_lead_in(user, lead_unit)
