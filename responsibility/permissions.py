"""Pure predicates: may this user do this to this object? Scope comes from selectors."""

from .models import Position, PositionKind, Unit
from .selectors import HANDLING, LEADING, capacities_on


def can_view_unit(user, unit: Unit) -> bool:
    return bool(capacities_on(user, unit))


def can_handle_in(user, unit: Unit) -> bool:
    """Record and edit day-to-day work (visits, items, records) for this unit."""
    return bool(capacities_on(user, unit) & HANDLING)


def can_lead_in(user, unit: Unit) -> bool:
    """Approve, issue, decide for this unit: its principal, leader in charge, assigned leader."""
    return bool(capacities_on(user, unit) & LEADING)


def can_draft_pledge(user, pledge) -> bool:
    """Prepare a pledge and its items before it is issued: anyone handling in the issuing unit."""
    return can_handle_in(user, pledge.issuer)


def can_issue_pledge(user, pledge) -> bool:
    """Issue, amend and assess a pledge: someone who may lead in the issuing unit."""
    return can_lead_in(user, pledge.issuer)


def can_sign_pledge(user, pledge) -> bool:
    """Only a current principal (主要负责人) of the pledging unit signs its pledge."""
    if not user.is_authenticated or not user.is_active:
        return False
    return Position.objects.current().filter(user=user, unit=pledge.unit_id, kind=PositionKind.PRINCIPAL).exists()


def can_complete_pledge_item(user, pledge) -> bool:
    """Report a pledge item done: anyone handling in the pledging unit."""
    return can_handle_in(user, pledge.unit)
