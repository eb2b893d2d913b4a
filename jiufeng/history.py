"""django-simple-history's HistoricalRecords, with its ``Model.history`` manager class built once.

simple-history's descriptor builds a new manager class (``Manager.from_queryset``, which
walks the queryset class with ``inspect.getmembers``) on every access to ``Model.history``
and ``instance.history``, and its post_save handler reads that attribute on every save:
about a millisecond each, several times per filing or transition. Building the class once
per (manager, queryset) pair gives the same manager; every model declares its history
with this class.
"""

import functools

from simple_history.manager import HistoryManager as _HistoryManager
from simple_history.models import HistoricalRecords as _HistoricalRecords


class HistoryManager(_HistoryManager):
    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


class HistoricalRecords(_HistoricalRecords):
    def __init__(self, *args, history_manager=HistoryManager, **kwargs):
        super().__init__(*args, history_manager=history_manager, **kwargs)
