"""The responsibility figures of a leader's dashboard: pledges, escalations and accountability of a subtree."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from ..models import AccountabilityRecord, AccountabilityState, Deadline, PledgeItem, Unit
from ..models.deadlines import withheld_from_user
from .pledges_selectors import SIGNED_STATES, pledge_coverage

ESCALATED_LIMIT = 10


@dataclass
class OversightFigures:
    year: int
    pledges_expected: int
    pledges_signed: int
    items: int
    items_completed: int
    # Open deadlines of the subtree past their due time that the sweep has escalated (level 0 and up).
    escalated: int
    escalated_first: list[Deadline]
    accountability_proposed: int
    accountability_decided: int

    @property
    def pledge_coverage_rate(self) -> float | None:
        return round(100 * self.pledges_signed / self.pledges_expected, 1) if self.pledges_expected else None

    @property
    def item_completion_rate(self) -> float | None:
        return round(100 * self.items_completed / self.items, 1) if self.items else None


def oversight_figures(*, user, unit: Unit, year: int, at: datetime.datetime | None = None) -> OversightFigures:
    """Pledge signing and item completion of ``year``, escalations and accountability of ``unit``'s subtree.

    Six queries whatever the tree's size: the coverage counts and (none listed) its
    unsigned units (pledge_coverage), the items, the escalated count, the first escalated
    deadlines, the accountability counts. Deadlines withheld from a unit the user is in are
    left out, as everywhere. Caller has checked scope.
    """
    at = at or timezone.now()
    levels = pledge_coverage(root=unit, year=year, limit=0)
    subtree = Unit.objects.subtree_of(unit).values("pk")
    items = PledgeItem.objects.filter(pledge__year=year, pledge__unit__in=subtree, pledge__state__in=SIGNED_STATES)
    item_counts = items.aggregate(total=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)))
    escalated = Deadline.objects.overdue(at).filter(unit__in=subtree, level__gte=0).exclude(withheld_from_user(user))
    records = AccountabilityRecord.objects.filter(unit__in=subtree).aggregate(
        proposed=Count("pk", filter=Q(state=AccountabilityState.PROPOSED)),
        decided=Count("pk", filter=Q(state=AccountabilityState.DECIDED)),
    )
    return OversightFigures(
        year=year,
        pledges_expected=sum(level.expected for level in levels),
        pledges_signed=sum(level.signed for level in levels),
        items=item_counts["total"],
        items_completed=item_counts["completed"],
        escalated=escalated.count(),
        escalated_first=list(
            escalated.select_related("unit", "content_type").order_by("-level", "due_at", "pk")[:ESCALATED_LIMIT]
        ),
        accountability_proposed=records["proposed"],
        accountability_decided=records["decided"],
    )
