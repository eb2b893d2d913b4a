"""Which unit handles a complaint by default (谁主管谁负责)."""

from responsibility.models import Unit

from .models import Category, RoutingRule


def handling_unit_default(*, category: Category, subject_unit: Unit | None) -> Unit | None:
    """The handling unit proposed on acceptance; the officer may choose another.

    Steps: the most specific routing rule an administrator set for the category or one of
    its ancestors (deepest category first, then the deepest subject-unit subtree, then a
    rule for any unit); else the department supervising the subject unit; else the unit
    above it. None when nothing can be proposed (no unit named, or a root).
    """
    category_paths = [category.path[:i] for i in range(Category.steplen, len(category.path) + 1, Category.steplen)]
    rules = RoutingRule.objects.filter(category__path__in=category_paths).select_related(
        "category", "subject_unit", "handling_unit"
    )
    matching = [
        rule
        for rule in rules
        if rule.handling_unit.is_active
        and (
            rule.subject_unit is None
            or (subject_unit is not None and subject_unit.path.startswith(rule.subject_unit.path))
        )
    ]
    if matching:
        best = max(matching, key=lambda r: (r.category.depth, r.subject_unit.depth if r.subject_unit else 0))
        return best.handling_unit
    if subject_unit is None:
        return None
    if subject_unit.supervising_unit_id:
        return subject_unit.supervising_unit
    if subject_unit.depth == 1:
        return None
    return Unit.objects.get(path=subject_unit.path[: -Unit.steplen])
