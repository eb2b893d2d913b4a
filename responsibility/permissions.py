"""Pure predicates: may this user do this to this object? Scope comes from selectors."""

from .models import Unit
from .selectors import HANDLING, LEADING, capacities_on


def can_view_unit(user, unit: Unit) -> bool:
    return bool(capacities_on(user, unit))


def can_handle_in(user, unit: Unit) -> bool:
    """Record and edit day-to-day work (visits, items, records) for this unit."""
    return bool(capacities_on(user, unit) & HANDLING)


def can_lead_in(user, unit: Unit) -> bool:
    """Approve, issue, decide for this unit: its principal, leader in charge, assigned leader."""
    return bool(capacities_on(user, unit) & LEADING)


def can_acknowledge_escalation(user, escalation) -> bool:
    """Among the people the escalation reaches: the notified unit's liaison (level 0) or principal."""
    from .models import Position
    from .models.escalations import notified_kind

    return (
        Position.objects.current()
        .filter(user=user, unit=escalation.unit, kind=notified_kind(escalation.level))
        .exists()
    )
