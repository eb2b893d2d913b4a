"""Readable differences between history rows, as auditors read them.

A history row is compared with the previous row of the same object (simple-history's
``diff_against``); a created row with nothing (the values it was created with). Values are
rendered for people: names of units, users and categories instead of ids (read in one query
per related model for a whole page), choice labels instead of codes, times in local time,
是/否 for booleans. Personal data (PERSONAL_FIELDS) is never shown: its change is named,
without values.

Many-to-many links (a visit's units) are compared from their link history, read in one query
per linked field for a whole page.
"""

import datetime
import decimal
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model, get_m2m_reverse_field_name

# Personal data and secrets, by model label and field name: never shown to auditors, only that
# they changed. A petitioner's identity; the addresses messages were sent to (a petitioner's
# phone or email); the phone and email of accounts, which petitioners may open too; the hash
# standing in for a tracking code. The one list: the pages, the API and exports read it here.
PERSONAL_FIELDS: dict[str, frozenset[str]] = {
    "complaints.petitioneridentity": frozenset({"name", "phone", "id_number", "email"}),
    "complaints.complaint": frozenset({"tracking_code_hash"}),
    "jiufeng.outboxmessage": frozenset({"address"}),
    "jiufeng.user": frozenset({"email", "phone"}),
}

# JSON lists of choice codes, by "model label.field": each code shown by its label.
_LIST_CHOICES = {"complaints.activity.checked": "complaints.models.CheckedItem"}


@dataclass(frozen=True)
class Change:
    """One field of a history row: its name, verbose name, old and new values as text, and as
    JSON holds them (ids, codes, ISO times) for the API.

    Empty values are "". ``masked``: personal data that changed, values withheld (None as JSON).
    """

    field: str
    label: str
    old: str
    new: str
    old_value: object = None
    new_value: object = None
    masked: bool = False


@functools.cache
def _tracked() -> dict[str, type[models.Model]]:
    # Read once the app registry is ready: models do not come and go while a process runs.
    tracked = {}
    for model in apps.get_models():
        try:
            get_history_model_for_model(model)
        except NotHistoricalModelError:
            continue
        tracked[model._meta.label_lower] = model
    return tracked


def tracked_models() -> list[type[models.Model]]:
    """Every model with django-simple-history rows, in the order of their verbose names."""
    return sorted(_tracked().values(), key=lambda model: str(model._meta.verbose_name))


def tracked_model(label: str) -> type[models.Model] | None:
    """The tracked model of this lower-case label ("complaints.complaint"), or None."""
    return _tracked().get(label)


@functools.cache
def compared_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    """The fields of ``model``'s history rows that a difference shows, in the model's order.

    What simple-history's diff_against compares (tracked, editable), less the id and the
    many-to-many links.
    """
    history = get_history_model_for_model(model)
    return tuple(
        field for field in history.tracked_fields if field.editable and not field.primary_key and not field.many_to_many
    )


def rows_with_previous(model: type[models.Model], rows: models.QuerySet, limit: int | None = None) -> list:
    """The history rows of ``model`` that ``rows`` selects (the first ``limit``), each with the
    object's row before it as ``previous`` (None for its first).

    One query, which also reads each row's previous id; a second only for previous rows not
    among them (the oldest row of a page, a row found by the search). "Before" is by time,
    then by history id (rows written in one bulk share their time).
    """
    history = get_history_model_for_model(model)
    pk = model._meta.pk.attname
    before = (
        history.objects.filter(**{pk: OuterRef(pk)})
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    found = rows.annotate(previous_history_id=Subquery(before))
    found = list(found if limit is None else found[:limit])
    known = {row.history_id: row for row in found}
    missing = {row.previous_history_id for row in found} - known.keys() - {None}
    if missing:
        known |= {row.history_id: row for row in history.objects.filter(history_id__in=missing)}
    for row in found:
        row.previous = known.get(row.previous_history_id)
    return found


def _raw_changes(row) -> list[tuple[models.Field, object, object]]:
    """(field, old, new) of the fields ``row`` changed: all set ones for a created row."""
    fields = compared_fields(row.instance_type)
    if row.history_type == "-":
        return []
    previous = getattr(row, "previous", None)
    if row.history_type == "+" or previous is None:
        return [
            (field, None, getattr(row, field.attname))
            for field in fields
            if getattr(row, field.attname) not in (None, "", [], {})
        ]
    m2m = [field.name for field in row._history_m2m_fields]
    delta = row.diff_against(previous, excluded_fields=m2m, included_fields=[field.name for field in fields])
    changed = {change.field: change for change in delta.changes}
    return [(field, changed[field.name].old, changed[field.name].new) for field in fields if field.name in changed]


def _related_labels(wanted: dict[type[models.Model], set]) -> dict[tuple[type[models.Model], object], str]:
    """Names of the related rows: one query per related model, its own foreign keys joined
    (what the rows' names read); content types (a deadline's target) from Django's own cache of
    them, without a query."""
    labels = {}
    for model, ids in wanted.items():
        if model is ContentType:
            found = {pk: _content_type(pk) for pk in ids - {None}}
            found = {pk: kind for pk, kind in found.items() if kind is not None}
        else:
            found = model._default_manager.select_related().in_bulk(ids - {None})
        for pk, obj in found.items():
            labels[(model, pk)] = str(obj)
    return labels


def _content_type(pk) -> ContentType | None:
    try:
        return ContentType.objects.get_for_id(pk)
    except ContentType.DoesNotExist:
        return None


def local_minute(value: datetime.datetime) -> str:
    """A time as auditors read it, to the minute in local time: "2027-01-31 09:05".

    strftime rather than Django's date filter: a fixed format needs no localisation, and a long
    timeline formats a few hundred times (23 µs each by the filter, 8 by this, localtime included).
    """
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _format(field: models.Field, model_label: str, value, labels: dict) -> str:
    if value is None or value == "":
        return ""
    if field.many_to_many:
        return "、".join(labels.get((field.related_model, pk)) or _("#%(id)s (removed)") % {"id": pk} for pk in value)
    if field.is_relation:
        return labels.get((field.related_model, value)) or _("#%(id)s (removed)") % {"id": value}
    if field.choices:
        return str(_choice_labels(field).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return local_minute(value)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "Y-m-d")
    if isinstance(value, list):
        choices = _LIST_CHOICES.get(f"{model_label}.{field.name}")
        shown = dict(import_string(choices).choices) if choices else {}
        return "、".join(str(shown.get(item, item)) for item in value)
    if isinstance(value, decimal.Decimal):
        return f"{value:f}"
    return str(value)


@functools.cache
def _link_histories(model: type[models.Model]) -> tuple[tuple[models.Field, type[models.Model]], ...]:
    """(many-to-many field, its link history model) for each tracked link of ``model``.

    simple-history keeps each tracked link table's history in a model of its own, pointing at
    the history row it belongs to (``history``) and holding the through table's columns.
    """
    history = get_history_model_for_model(model)
    links = {
        related.related_model.instance_type: related.related_model
        for related in history._meta.related_objects
        if hasattr(related.related_model, "instance_type")
    }
    return tuple(
        (field, links[field.remote_field.through])
        for field in model._meta.many_to_many
        if field.remote_field.through in links
    )


def _link_changes(rows: list) -> dict[tuple[str, int], list[tuple[models.Field, list, list]]]:
    """The links each row changed against its previous row, by (model label, history id):
    (field, old ids, new ids). One query per linked field of the models on the page."""
    by_model = defaultdict(list)
    for row in rows:
        if row.history_type != "-" and _link_histories(row.instance_type):
            by_model[row.instance_type].append(row)
    changed = defaultdict(list)
    for model, model_rows in by_model.items():
        previous = {row.history_id: getattr(row, "previous", None) for row in model_rows}
        ids = set(previous) | {row.history_id for row in previous.values() if row is not None}
        for field, link_history in _link_histories(model):
            target = get_m2m_reverse_field_name(field)
            held = defaultdict(set)
            for history_id, target_id in link_history.objects.filter(history_id__in=ids).values_list(
                "history_id", target
            ):
                held[history_id].add(target_id)
            for row in model_rows:
                before = held[previous[row.history_id].history_id] if previous[row.history_id] else set()
                after = held[row.history_id]
                if before != after:
                    changed[(model._meta.label_lower, row.history_id)].append((field, sorted(before), sorted(after)))
    return changed


@functools.cache
def _generic_parts(label: str) -> dict[str, str]:
    """The columns of a generic link (a deadline's target: content type and id), by name, with
    the words they are shown under: Django gives them no verbose names of their own."""
    parts = {}
    for field in tracked_model(label)._meta.private_fields:
        if isinstance(field, GenericForeignKey):
            parts[field.ct_field] = _("object type")
            parts[field.fk_field] = _("object")
    return parts


def _label(label: str, field: models.Field) -> str:
    return str(_generic_parts(label).get(field.name, field.verbose_name))


@functools.cache
def _choice_labels(field: models.Field) -> dict:
    # Lazy labels, translated where shown; Field.flatchoices flattens the choices anew each time.
    return dict(field.flatchoices)


def row_changes(rows: Iterable) -> dict[tuple[str, int], list[Change]]:
    """The readable changes of each history row (of any models), keyed by (model label, history id).

    Each row needs ``previous`` (rows_with_previous gives it). Related rows are named in one
    query per related model, links read in one per linked field, whatever the number of rows.
    """
    rows = list(rows)
    links = _link_changes(rows)
    raw = {}
    wanted = defaultdict(set)
    for row in rows:
        label = row.instance_type._meta.label_lower
        hidden = PERSONAL_FIELDS.get(label, frozenset())
        changes = _raw_changes(row) + links.get((label, row.history_id), [])
        raw[(label, row.history_id)] = (hidden, changes)
        for field, old, new in changes:
            if field.many_to_many:
                wanted[field.related_model] |= {*old, *new}
            elif field.is_relation and field.name not in hidden:
                wanted[field.related_model] |= {old, new}
    labels = _related_labels(wanted)
    names = {}

    def name(label: str, field: models.Field) -> str:
        # Each field's name translated once a page, not once a change.
        if (label, field.name) not in names:
            names[(label, field.name)] = _label(label, field)
        return names[(label, field.name)]

    readable = {}
    for (label, history_id), (hidden, changes) in raw.items():
        readable[(label, history_id)] = [
            Change(field.name, name(label, field), "", "", masked=True)
            if field.name in hidden
            else Change(
                field.name,
                name(label, field),
                _format(field, label, old, labels),
                _format(field, label, new, labels),
                _json(old),
                _json(new),
            )
            for field, old, new in changes
        ]
    return readable


def _json(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value
