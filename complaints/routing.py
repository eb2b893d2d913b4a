"""Which unit handles a complaint by default (谁主管谁负责)."""

from jiufeng.bulk import in_ids
from responsibility.models import Unit

from .models import Category, RoutingRule


def handling_unit_default(*, category: Category, subject_unit: Unit | None) -> Unit | None:
    """The handling unit proposed on acceptance; the officer may choose another.

    Steps: the most specific routing rule an administrator set for the category or one of
    its ancestors (deepest category first, then the deepest subject-unit subtree, then a
    rule for any unit) whose handling unit is active; else the department supervising the
    subject unit; else the unit above it. None when nothing can be proposed (no unit named,
    or a root).

    One statement, in SQL: every acceptance and every new case's page asks, and the ORM
    spent more compiling the rules' query and then reading the unit than PostgreSQL took.
    """
    step = Category.steplen
    category_in, category_params = in_ids(
        "c.path", [category.path[:i] for i in range(step, len(category.path) + 1, step)]
    )
    subject_path = subject_unit.path if subject_unit is not None else None
    supervising = subject_unit.supervising_unit_id if subject_unit is not None else None
    # A root has no unit above it: no unit has the empty path.
    parent_path = subject_unit.path[: -Unit.steplen] if subject_unit is not None else ""
    units = Unit.objects.raw(
        # Assembled from code-defined fragments; every value travels as a parameter.
        f"SELECT u.* FROM {Unit._meta.db_table} u WHERE u.id = COALESCE(("  # noqa: S608
        f"SELECT r.handling_unit_id FROM {RoutingRule._meta.db_table} r "
        f"JOIN {Category._meta.db_table} c ON c.id = r.category_id "
        f"JOIN {Unit._meta.db_table} h ON h.id = r.handling_unit_id "
        f"LEFT JOIN {Unit._meta.db_table} s ON s.id = r.subject_unit_id "
        # A rule about a subtree matches a subject unit in it; a rule about any unit matches all.
        f"WHERE {category_in} AND h.is_active = %s AND (s.id IS NULL OR SUBSTR(%s, 1, LENGTH(s.path)) = s.path) "
        "ORDER BY c.depth DESC, COALESCE(s.depth, 0) DESC, r.id LIMIT 1"
        f"), %s, (SELECT p.id FROM {Unit._meta.db_table} p WHERE p.path = %s))",
        [*category_params, True, subject_path, supervising, parent_path],
    )
    return next(iter(units), None)


def unit_above(unit: Unit) -> Unit | None:
    """The unit one level above ``unit``, for a review of its decision; None where none exists.

    谁主管谁负责: its supervising unit when one is set (a village clinic's is the township
    health centre, not the village). A unit working on a wider remit acts for that unit
    (the county 纠风办 for the county): the level above it is the one above its remit.
    Else its parent in the tree.
    """
    if unit.supervising_unit_id is not None:
        return unit.supervising_unit
    if unit.remit_unit_id is not None:
        unit = unit.remit_unit
    if unit.depth == 1:
        return None
    return Unit.objects.get(path=unit.path[: -Unit.steplen])


def reviewing_unit_for(unit: Unit) -> tuple[Unit, bool]:
    """Who decides a review of ``unit``'s decision (复查 of the handling unit's, 复核 of the 复查's).

    (the unit one level above, False); where none exists above it, (the root of its tree,
    True): the root's leadership decides (docs/domain-rules.md, "Reviews").
    """
    above = unit_above(unit)
    if above is not None:
        return above, False
    return Unit.objects.get(path=unit.path[: Unit.steplen]), True
