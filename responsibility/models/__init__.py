"""The responsibility system's models, one module per part of it."""

from .accountability import (
    AccountabilityDocument,
    AccountabilityMeasure,
    AccountabilityRecord,
    AccountabilityState,
)
from .campaigns import Campaign, CampaignState, CampaignTask, CampaignTaskStatus
from .deadlines import Deadline, DeadlineKind
from .units import LeaderAssignment, Position, PositionKind, Unit, UnitKind, VisitFrequency

__all__ = [
    "AccountabilityDocument",
    "AccountabilityMeasure",
    "AccountabilityRecord",
    "AccountabilityState",
    "Campaign",
    "CampaignState",
    "CampaignTask",
    "CampaignTaskStatus",
    "Deadline",
    "DeadlineKind",
    "LeaderAssignment",
    "Position",
    "PositionKind",
    "Unit",
    "UnitKind",
    "VisitFrequency",
]
