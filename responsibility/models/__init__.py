"""The responsibility system's models, one module per part of it."""

from .deadlines import Deadline, DeadlineKind
from .imports import OrgImport, UnitMove
from .pledges import Pledge, PledgeItem, PledgeSignature, PledgeState, PledgeTemplate, PledgeTemplateItem
from .units import LeaderAssignment, Position, PositionKind, Unit, UnitKind, VisitFrequency
from .visits import RectificationItem, RectificationStatus, Visit, VisitKind, VisitMethod

__all__ = [
    "Deadline",
    "DeadlineKind",
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
