"""What auditors read beside the history tables: the chain heads, a search index over every
history row, and the event log (logins, refused writes, exports)."""

from .chain import Chained, ChainHead, unsealed_index
from .events import AuditEvent, AuditEventKind
from .index import HistoryEntry, HistoryFieldChange
from .jobs import ExportJob, ExportJobState

__all__ = [
    "AuditEvent",
    "AuditEventKind",
    "ChainHead",
    "ExportJob",
    "ExportJobState",
    "Chained",
    "HistoryEntry",
    "HistoryFieldChange",
    "unsealed_index",
]
