"""django-simple-history's HistoricalRecords: its manager class built once, only the indexes history is read by.

simple-history's descriptor builds a new manager class (``Manager.from_queryset``, which
walks the queryset class with ``inspect.getmembers``) on every access to ``Model.history``
and ``instance.history``, and its post_save handler reads that attribute on every save:
about a millisecond each, several times per filing or transition. Building the class once
per (manager, queryset) pair gives the same manager; every model declares its history
with this class.

History is read by object (the copied id) and by date, never by the other columns. simple-
history indexes every copied foreign key and unique column as well (eight indexes on the
case history alone, its tracking-code hash among them), and each costs every write: a
filing or a transition writes history rows into tables of millions. Only the copied id
keeps its index here, with history_date and history_user that simple-history adds itself.
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

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            if name != model._meta.pk.attname:
                field.db_index = False
        return fields
