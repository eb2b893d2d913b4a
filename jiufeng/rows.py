"""One row by a unique column, on the hot paths, without the ORM's query compiler.

``Model.objects.get`` compiles its SQL on every call: 0.3 to 0.5 ms, several times per
filing and tracking lookup. Here the SQL is built once per model and column and prepared
(jiufeng.bulk.execute_prepared); on PostgreSQL, whose driver gives every value its Python
type, the row becomes an instance directly (Model.from_db, as the ORM does) unless a field
converts what it reads (a ``from_db_value``); elsewhere a raw queryset applies the
backend's converters.
"""

import functools

from django.db import connection
from django.db.models import Model

from .bulk import execute_prepared


@functools.cache
def _row_sql(model: type[Model], column: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
    # Built from the model's own table and column names; the value travels as a parameter.
    return f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {quote(column)} = %s"  # noqa: S608


@functools.cache
def _as_read(model: type[Model]) -> bool:
    # PostgreSQL's driver gives every value its Python type; a field with from_db_value converts.
    return connection.vendor == "postgresql" and not any(
        hasattr(field, "from_db_value") for field in model._meta.concrete_fields
    )


def row_by(model: type[Model], field: str, value) -> Model | None:
    """The ``model`` row whose ``field`` (unique, of a plain type: no conversion) equals ``value``, or None.

    No manager's filters apply: for tables read whole, as ``Model.objects.get`` would.
    The caller passes a value of the field's type (an int for an id).
    """
    # Prepared (rows_from): planning a lookup by a unique column took PostgreSQL longer than running it.
    return next(iter(rows_from(model, _row_sql(model, model._meta.get_field(field).column), [value])), None)


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
