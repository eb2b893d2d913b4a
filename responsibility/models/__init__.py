"""The responsibility system's models, one module per part of it."""

from .calendar import CalendarDay, CalendarYear
from .deadlines import Deadline, DeadlineKind
from .escalations import Escalation
from .units import LeaderAssignment, Position, PositionKind, Unit, UnitKind, VisitFrequency

__all__ = [
    "CalendarDay",
    "CalendarYear",
    "Deadline",
    "DeadlineKind",
    "Escalation",
    "LeaderAssignment",
    "Position",
    "PositionKind",
    "Unit",
    "UnitKind",
    "VisitFrequency",
]
