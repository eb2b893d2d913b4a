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

Every history row takes its user and reason from audit.actors, whichever way it is written
(a save, history_record, bulk_create_recorded): the request's user, or the system with
the task's or command's name, where the code names no one.
"""

# Table and column names come from the models' _meta; every value travels as a parameter.
# ruff: noqa: S608

import functools

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from simple_history.manager import HistoricalQuerySet
from simple_history.manager import HistoryManager as _HistoryManager
from simple_history.models import HistoricalRecords as _HistoricalRecords

from audit.actors import acting_user, change_reason
from audit.models.chain import AppendOnlyQuerySet, Chained, unsealed_index

from .bulk import db_datetime, in_ids

# What history_record writes beside the tracked columns, in its statement's order.
HISTORY_COLUMNS = ("history_date", "history_type", "history_user", "history_change_reason")


class AppendOnlyHistoricalQuerySet(AppendOnlyQuerySet, HistoricalQuerySet):
    """simple-history's queryset, refusing update() and delete(): history is never rewritten."""


class HistoryManager(_HistoryManager):
    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


class HistoricalRecords(_HistoricalRecords):
    """Every history table is hash-chained and append-only (audit.models.chain), links too, with
    the partial index the sealer finds its unsealed rows by."""

    def __init__(self, *args, history_manager=HistoryManager, **kwargs):
        kwargs.setdefault("historical_queryset", AppendOnlyHistoricalQuerySet)
        kwargs.setdefault("bases", (Chained,))
        kwargs.setdefault("m2m_bases", (Chained,))
        super().__init__(*args, history_manager=history_manager, **kwargs)

    def post_save(self, instance, created, using=None, **kwargs):
        # A save of untracked columns only (a sign-in's last_login) changes nothing history keeps.
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
            return
        # Changed from the other side (group.user_set.add(user)): simple-history would record
        # the group, which has no history. Record each row of ours the change touched instead;
        # a clear names none, so those linked are read before it.
        if action == "pre_clear":
            linked = self.cls._default_manager.filter(**{attr: instance})
            instance._history_cleared = set(linked.values_list("pk", flat=True))
            return
        if action == "post_clear":
            pk_set = instance.__dict__.pop("_history_cleared", set())
        elif action not in ("post_add", "post_remove"):
            return
        for row in self.cls._default_manager.filter(pk__in=pk_set or ()):
            super().m2m_changed(row, action, attr, pk_set, False, **kwargs)

    def get_history_user(self, instance):
        # A service's actor (``_history_user``) wins; None there means whoever acts now.
        return getattr(instance, "_history_user", None) or acting_user()

    def get_change_reason_for_object(self, instance, history_type, using):
        return change_reason(super().get_change_reason_for_object(instance, history_type, using))

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        unsealed = unsealed_index(table=f"{model._meta.label}.history", pk="history_id")
        options["indexes"] = (*options.get("indexes", ()), unsealed)
        return options

    def get_meta_options_m2m(self, through_model):
        options = super().get_meta_options_m2m(through_model)
        options["indexes"] = (unsealed_index(table=f"{through_model._meta.label}.history", pk="m2m_history_id"),)
        return options

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            if name != model._meta.pk.attname:
                field.db_index = False
        return fields


def history_record(
    model,
    ids,
    *,
    update: bool,
    reason: str = "",
    user=None,
    at=None,
) -> None:
    """Record a history row for each row of ``model`` whose id is in ``ids``, as now stored,
    after a bulk write or a set-based statement changed them without Model.save.

    The one way such history is written: one INSERT … SELECT from the rows themselves, whatever
    their number. simple-history's bulk_history_create built a model instance per row and
    prepared each of its values again: 20,000 rows were most of the escalation sweep's time
    (docs/progress/one-way.md). The rows carry what every history row carries, from the same
    place a save's do (audit.actors): ``update``: "~" rows, else "+"; ``user`` None: whoever
    acts now (the request's user, the system in a task or command); ``reason`` names the job or
    action, the run's name added; ``at`` None: now. Columns history does not track
    (``excluded_fields``) are left out, as a save leaves them.
    """
    if not ids:
        return
    history = model.history.model
    quote = connection.ops.quote_name
    tracked = history.tracked_fields
    columns = [history._meta.get_field(name).column for name in [f.name for f in tracked] + list(HISTORY_COLUMNS)]
    sources = ", ".join(f"s.{quote(field.column)}" for field in tracked)
    pk = f"s.{quote(model._meta.pk.column)}"
    user = user if user is not None else acting_user()
    where, params = in_ids(pk, ids)
    with connection.cursor() as cursor:
        # Raw SQL: Django has no INSERT ... SELECT, and this one statement replaces building a
        # history instance per row (the sweep: 6.2 -> 2.0 s for 10,000 deadlines, commit 8d62553).
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "
            f"SELECT {sources}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} s WHERE {where} ORDER BY {pk}",
            [
                db_datetime(at or timezone.now()),
                "~" if update else "+",
                user.pk if user is not None else None,
                change_reason(reason) or None,
                *params,
            ],
        )


def bulk_create_recorded(rows: list, *, reason: str = "", user=None, at=None, batch_size: int | None = None) -> list:
    """``bulk_create`` new rows of one model and record their history by history_record: what
    simple-history's bulk_create_with_history does, without preparing every value a second
    time for the history rows (an address encrypted twice, a digest's texts serialised twice).
    Returns the rows, with their ids."""
    if not rows:
        return rows
    model = type(rows[0])
    created = model.objects.bulk_create(rows, batch_size=batch_size)
    history_record(model, [row.pk for row in created], update=False, reason=reason, user=user, at=at)
    return created


def history_links_record(records: list, field: str) -> None:
    """Record the links of the many-to-many ``field`` of ``records`` on each record's newest
    history row, as simple-history's m2m tracking (``m2m_fields``) does on a save; for records
    whose history bulk_create_recorded or history_record has just written.
    """
    if not records:
        return
    model = type(records[0])
    relation = model._meta.get_field(field)
    through, source = relation.remote_field.through, relation.m2m_field_name()
    # simple-history's table of the links' history, one per tracked many-to-many field.
    link_history = next(
        related.related_model
        for related in model.history.model._meta.related_objects
        if getattr(related.related_model, "instance_type", None) is through
    )
    newest = dict(
        model.history.filter(id__in=[record.pk for record in records])
        .values("id")
        .annotate(newest=Max("history_id"))
        .values_list("id", "newest")
    )
    columns = [f.attname for f in through._meta.concrete_fields]
    link_history.objects.bulk_create(
        [
            link_history(history_id=newest[getattr(link, f"{source}_id")], **{c: getattr(link, c) for c in columns})
            for link in through.objects.filter(**{f"{source}__in": records})
        ]
    )
