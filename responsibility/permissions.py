"""Pure predicates: may this user do this to this object? Scope comes from selectors."""

from .models import Position, PositionKind, Unit
from .scoping import HANDLING, LEADING, SUPERVISING, Capacity, capacities_on, scope_roots


def can_view_unit(user, unit: Unit) -> bool:
    return bool(capacities_on(user, unit))


def can_handle_in(user, unit: Unit | str) -> bool:
    """Record and edit day-to-day work (visits, items, records) for this unit (or the unit at this path)."""
    return bool(capacities_on(user, unit) & HANDLING)


def can_lead_in(user, unit: Unit | str) -> bool:
    """Approve, issue, decide for this unit (or the unit at this path).

    Its principal or leader in charge, or one above it; never a leader assigned the area
    (领导包片 is oversight, not leadership of the unit's work).
    """
    return bool(capacities_on(user, unit) & LEADING)


def can_supervise_in(user, unit: Unit | str) -> bool:
    """Visit or inspect this unit and record what was found: who handles there, or a leader assigned the area."""
    return bool(capacities_on(user, unit) & SUPERVISING)


# --- Leader assignments, visits and rectification items --------------------------------


def can_manage_leader_assignment(user, units) -> bool:
    """Give or end an assignment over these units: administrators, or who leads in each of them."""
    if user.has_perm("responsibility.add_leaderassignment"):
        return True
    units = list(units)
    return bool(units) and all(can_lead_in(user, unit) for unit in units)


def leader_assignment_manager(user):
    """A predicate ``may_manage(assignment)`` that reads the user's scope once, for lists.

    The same answer as can_manage_leader_assignment; the assignment's units are prefetched.
    """
    if user.has_perm("responsibility.add_leaderassignment"):
        return lambda assignment: True
    paths = [root.path for root in scope_roots(user) if root.capacity in LEADING]

    def may_manage(assignment) -> bool:
        units = assignment.units.all()
        return bool(units) and all(any(unit.path.startswith(p) for p in paths) for unit in units)

    return may_manage


def can_visit_units(user, units) -> bool:
    """Schedule or record a visit to these units: who may supervise in every one of them."""
    units = list(units)
    return bool(units) and all(can_supervise_in(user, unit) for unit in units)


def can_record_visit(user, visit) -> bool:
    """The leader who makes the visit, or the staff of the unit it is made for."""
    return visit.leader_id == user.pk or can_handle_in(user, visit.organizing_unit)


def can_submit_rectification_item(user, item) -> bool:
    """The responsible unit reports its own item done."""
    return can_handle_in(user, item.responsible_unit)


def can_confirm_rectification_item(user, item, *, parent: Unit | None) -> bool:
    """The unit above the responsible unit confirms (or sends back), never the one who submitted it.

    ``parent`` is the responsible unit's parent (None at the root, where only
    administrators confirm); the caller fetches it once.
    """
    if item.submitted_by_id == user.pk:
        return False
    if parent is None:
        return user.is_superuser
    return can_handle_in(user, parent)


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


def can_acknowledge_escalation(user, escalation) -> bool:
    """Among the people the escalation reaches: the notified unit's liaison (level 0) or
    principal; at the root also its leaders in charge and the leaders assigned to a unit at
    or above the responsible one (models.escalations). ``escalation.unit`` is loaded."""
    from .models.escalations import TOP_ALSO_KINDS, notified_kind, reaches_the_top

    kinds = [notified_kind(escalation.level)]
    top = reaches_the_top(level=escalation.level, unit_depth=escalation.unit.depth)
    if top:
        kinds += TOP_ALSO_KINDS
    if Position.objects.current().filter(user=user, unit=escalation.unit, kind__in=kinds).exists():
        return True
    responsible = escalation.deadline.unit.path
    return top and any(
        r.capacity == Capacity.ASSIGNED_LEADER and responsible.startswith(r.path) for r in scope_roots(user)
    )
