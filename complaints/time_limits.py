"""How many days each stage of a complaint has: per category, else the settings' defaults (DOMAIN.md)."""

from django.conf import settings

from responsibility.models import DeadlineKind

from .models import Category

_FIELD = {
    DeadlineKind.COMPLAINT_ACCEPT: "accept_days",
    DeadlineKind.COMPLAINT_RESOLVE: "resolve_days",
    DeadlineKind.COMPLAINT_REVIEW: "review_days",
}
_DEFAULT = {
    DeadlineKind.COMPLAINT_ACCEPT: "JIUFENG_COMPLAINT_ACCEPT_DAYS",
    DeadlineKind.COMPLAINT_RESOLVE: "JIUFENG_COMPLAINT_RESOLVE_DAYS",
    DeadlineKind.COMPLAINT_REVIEW: "JIUFENG_COMPLAINT_REVIEW_DAYS",
}


def time_limit_days(*, category: Category, kind: DeadlineKind) -> int:
    """The category's own limit, else its nearest ancestor's, else the deployment's default.

    An administrator sets a limit on 乱收费 and every sub-category follows it unless it has its own.
    """
    field = _FIELD[kind]
    value = getattr(category, field)
    if value is None and category.depth > 1:
        step = Category.steplen
        ancestors = [category.path[:i] for i in range(step, len(category.path), step)]
        value = (
            Category.objects.filter(path__in=ancestors, **{f"{field}__isnull": False})
            .order_by("-depth")
            .values_list(field, flat=True)
            .first()
        )
    return value if value is not None else getattr(settings, _DEFAULT[kind])
