"""How many days each stage of a complaint has: per category, else the settings' defaults (DOMAIN.md)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy, ngettext

from responsibility.models import DeadlineKind

from .models import MAX_REVIEW_ROUNDS, Category

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
    if value is None:
        value = category.inherited_time_limits[field]
    return value if value is not None else getattr(settings, _DEFAULT[kind])


@dataclass(frozen=True)
class TimePromise:
    """How long a stage may take, as the pages, the receipt and the SMS promise it to petitioners.

    ``at_most``: the general promise, made before a category is chosen: the longest limit of
    any category in use, so that no petitioner is promised less time than their case may take.
    """

    kind: str
    days: int
    working_days: bool
    at_most: bool

    def __str__(self) -> str:
        # "7 days", "at most 15 working days": the petitioner's words for the limit.
        if self.at_most and self.working_days:
            text = ngettext("at most %(days)d working day", "at most %(days)d working days", self.days)
        elif self.at_most:
            text = ngettext("at most %(days)d day", "at most %(days)d days", self.days)
        elif self.working_days:
            text = ngettext("%(days)d working day", "%(days)d working days", self.days)
        else:
            text = ngettext("%(days)d day", "%(days)d days", self.days)
        return text % {"days": self.days}


def _longest_limit_days(kind: DeadlineKind) -> int:
    """The longest limit any category in use has for ``kind``, its own or inherited (one query).

    An inactive category still hands its limit down to active ones below it.
    """
    field, default = _FIELD[kind], getattr(settings, _DEFAULT[kind])
    rows = list(Category.objects.values_list("path", "is_active", field))
    own = {path: days for path, _active, days in rows}
    longest = None
    for path, active, _days in rows:
        if not active:
            continue
        # The nearest of the category itself and its ancestors that sets a limit.
        prefixes = [path[:i] for i in range(len(path), 0, -Category.steplen)]
        days = next((own[p] for p in prefixes if own.get(p) is not None), default)
        longest = days if longest is None else max(longest, days)
    return default if longest is None else longest


def time_promise(*, kind: DeadlineKind, category: Category | None = None) -> TimePromise:
    """The time limit promised to petitioners for a stage: the category's, else the longest in use.

    The one place the promise is computed: the home page (no category yet: "at most"), the
    receipt, the SMS at filing and acceptance and the tracking page all state what it returns.
    Calendar or working days as the deadline ledger counts them (settings.JIUFENG_WORKING_DAY_KINDS).
    """
    working = kind in settings.JIUFENG_WORKING_DAY_KINDS
    if category is None:
        return TimePromise(kind=kind, days=_longest_limit_days(kind), working_days=working, at_most=True)
    return TimePromise(
        kind=kind, days=time_limit_days(category=category, kind=kind), working_days=working, at_most=False
    )


# What the running stage's deadline promises the petitioner, in one sentence with its day.
_DUE_SENTENCE = {
    DeadlineKind.COMPLAINT_ACCEPT: gettext_lazy("Decision on acceptance within %(limit)s of receipt, by %(day)s."),
    DeadlineKind.COMPLAINT_RESOLVE: gettext_lazy("Answer within %(limit)s of acceptance, by %(day)s."),
    DeadlineKind.COMPLAINT_REVIEW: gettext_lazy("Review decision within %(limit)s of your request, by %(day)s."),
}
_EXTENDED = gettext_lazy("Answer due by %(day)s (the time was extended).")
_RE_REVIEW = gettext_lazy("Re-review decision within %(limit)s of your request, by %(day)s.")


def due_sentence(*, kind: str, category: Category, due_at: datetime.datetime, review_round: int = 0) -> str:
    """The promise of the stage running on a case, with the day it falls due ("" for other deadlines).

    The receipt, the SMS and the tracking page all say it in these words; a review stage in
    its last round (``review_round``) is the re-review (复核).
    """
    day = date_format(timezone.localtime(due_at), "Y-m-d")
    if kind == DeadlineKind.COMPLAINT_EXTENSION:
        return _EXTENDED % {"day": day}
    if kind not in _DUE_SENTENCE:
        return ""
    sentence = _DUE_SENTENCE[kind]
    if kind == DeadlineKind.COMPLAINT_REVIEW and review_round >= MAX_REVIEW_ROUNDS:
        sentence = _RE_REVIEW
    return sentence % {"limit": time_promise(kind=kind, category=category), "day": day}
