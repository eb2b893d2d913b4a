"""Rows read on the hot paths without the ORM's query compiler.

``Model.objects.get`` compiles its SQL on every call: 0.3 to 0.5 ms, several times per
filing and tracking lookup, up to 1 ms with ``select_related``. Here the SQL is built once
per model and shape and prepared (jiufeng.bulk.execute_prepared); on PostgreSQL, whose
driver gives every value its Python type, each row becomes an instance directly
(Model.from_db, as the ORM does) unless a field converts what it reads (a
``from_db_value``); elsewhere the ORM or a raw queryset applies the backend's converters.
"""

import functools

from django.db import connection
from django.db.models import Model

from .bulk import execute_prepared


@functools.cache
def _as_read(model: type[Model]) -> bool:
    # PostgreSQL's driver gives every value its Python type; a field with from_db_value converts.
    return connection.vendor == "postgresql" and not any(
        hasattr(field, "from_db_value") for field in model._meta.concrete_fields
    )


def row_by(model: type[Model], field: str, value, related: tuple[str, ...] = ()) -> Model | None:
    """The ``model`` row whose ``field`` (unique, of a plain type: no conversion) equals ``value``, or None,
    with the rows of its foreign keys ``related`` (as rows_joined reads them).

    No manager's filters apply: for tables read whole, as ``Model.objects.get`` would.
    The caller passes a value of the field's type (an int for an id).
    """
    # Prepared: planning a lookup by a unique column took PostgreSQL longer than running it.
    return next(iter(rows_joined(model, related, {field: value})), None)


@functools.cache
def _joined_sql(model: type[Model], related: tuple[str, ...], where: tuple[str, ...], order: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    meta = model._meta
    tables = [model, *(meta.get_field(name).related_model for name in related)]
    columns = ", ".join(
        f"t{index}.{quote(field.column)}" for index, table in enumerate(tables) for field in table._meta.concrete_fields
    )
    joins = "".join(
        f" LEFT JOIN {quote(table._meta.db_table)} t{index} ON t{index}.{quote(table._meta.pk.column)}"
        f" = t0.{quote(meta.get_field(name).column)}"
        for index, (name, table) in enumerate(zip(related, tables[1:], strict=True), start=1)
    )
    conditions = " AND ".join(f"t0.{quote(meta.get_field(name).column)} = %s" for name in where)
    ordering = ", ".join(f"t0.{quote(meta.get_field(name).column)}" for name in order)
    # Built from the models' own table and column names; the values travel as parameters.
    return (
        f"SELECT {columns} FROM {quote(meta.db_table)} t0{joins} WHERE {conditions}"  # noqa: S608
        + (f" ORDER BY {ordering}" if ordering else "")
    )


def rows_joined(model: type[Model], related: tuple[str, ...], where: dict, order: tuple[str, ...] = ()) -> list[Model]:
    """``model.objects.select_related(*related).filter(**where).order_by(*order)``, read in SQL
    written once per shape and prepared.

    ``related``: foreign keys of ``model`` (nullable ones come back as None, as select_related
    gives them); ``where``: equality on ``model``'s own fields, by name; no manager's filters
    apply. Other databases, or a field that converts what it reads: that very queryset.
    """
    tables = [model, *(model._meta.get_field(name).related_model for name in related)]
    if not all(map(_as_read, tables)):
        return list(model.objects.select_related(*related).filter(**where).order_by(*order))
    sql = _joined_sql(model, related, tuple(where), order)
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, list(where.values()))
        fetched = cursor.fetchall()
        alias = cursor.db.alias
    names = [[field.attname for field in table._meta.concrete_fields] for table in tables]
    keys = [columns.index(table._meta.pk.attname) for table, columns in zip(tables, names, strict=True)]
    fields = [model._meta.get_field(name) for name in related]
    rows = []
    for values in fetched:
        start = len(names[0])
        row = model.from_db(alias, names[0], values[:start])
        for field, table, columns, key in zip(fields, tables[1:], names[1:], keys[1:], strict=True):
            part = values[start : start + len(columns)]
            start += len(columns)
            # The joined row's key is None only where the foreign key is (the LEFT JOIN found nothing).
            field.set_cached_value(row, None if part[key] is None else table.from_db(alias, columns, part))
        rows.append(row)
    return rows


def rows_from(model: type[Model], sql: str, params: list, *, extra: tuple[str, ...] = ()) -> list[Model]:
    """Instances of ``model`` from ``sql``, a SELECT of its concrete columns in order then the
    columns ``extra`` names (set on each instance as attributes of those names), prepared.

    As a raw queryset gives them, without its per-call resolution of columns and converters
    on PostgreSQL (elsewhere it is one).
    """
    if not _as_read(model):
        return list(model.objects.raw(sql, params))
    names = [field.attname for field in model._meta.concrete_fields]
    width = len(names)
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        fetched = cursor.fetchall()
        alias = cursor.db.alias
    rows = []
    for values in fetched:
        row = model.from_db(alias, names, values[:width])
        for name, value in zip(extra, values[width:], strict=True):
            setattr(row, name, value)
        rows.append(row)
    return rows
