"""The responsibility system's models, one module per part of it."""

from .deadlines import Deadline, DeadlineKind
from .pledges import Pledge, PledgeItem, PledgeSignature, PledgeState, PledgeTemplate, PledgeTemplateItem
from .units import LeaderAssignment, Position, PositionKind, Unit, UnitKind, VisitFrequency

__all__ = [
    "Deadline",
    "DeadlineKind",
    "LeaderAssignment",
    "Pledge",
    "PledgeItem",
    "PledgeSignature",
    "PledgeState",
    "PledgeTemplate",
    "PledgeTemplateItem",
    "Position",
    "PositionKind",
    "Unit",
    "UnitKind",
    "VisitFrequency",
]
