"""The responsibility system's models, one module per part of it."""

from .accountability import (
    AccountabilityDocument,
    AccountabilityMeasure,
    AccountabilityRecord,
    AccountabilityState,
    AccountabilitySweepRule,
)
from .calendar import CalendarDay, CalendarYear
from .campaigns import Campaign, CampaignState, CampaignTask, CampaignTaskStatus
from .deadlines import Deadline, DeadlineKind
from .escalations import Escalation
from .imports import OrgImport, UnitMove
from .pledges import Pledge, PledgeItem, PledgeSignature, PledgeState, PledgeTemplate, PledgeTemplateItem
from .units import LeaderAssignment, Position, PositionKind, Unit, UnitKind, VisitFrequency
from .visits import RectificationItem, RectificationStatus, Visit, VisitKind, VisitMethod

__all__ = [
    "AccountabilityDocument",
    "AccountabilityMeasure",
    "AccountabilityRecord",
    "AccountabilityState",
    "AccountabilitySweepRule",
    "Campaign",
    "CampaignState",
    "CampaignTask",
    "CampaignTaskStatus",
    "CalendarDay",
    "CalendarYear",
    "Deadline",
    "DeadlineKind",
    "Escalation",
    "LeaderAssignment",
    "OrgImport",
    "Pledge",
    "PledgeItem",
    "PledgeSignature",
    "PledgeState",
    "PledgeTemplate",
    "PledgeTemplateItem",
    "Position",
    "PositionKind",
    "RectificationItem",
    "RectificationStatus",
    "Unit",
    "UnitKind",
    "UnitMove",
    "Visit",
    "VisitFrequency",
    "VisitKind",
    "VisitMethod",
]
