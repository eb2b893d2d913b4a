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
def _row_sql(model: type[Model], column: str) -> tuple[str, list[str], bool]:
    """(the SELECT, the attribute each column fills, whether the rows can be built as read)."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    # Built from the model's own table and column names; the value travels as a parameter.
    sql = f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {quote(column)} = %s"  # noqa: S608
    as_read = connection.vendor == "postgresql" and not any(hasattr(field, "from_db_value") for field in fields)
    return sql, [field.attname for field in fields], as_read


def row_by(model: type[Model], field: str, value) -> Model | None:
    """The ``model`` row whose ``field`` (unique, of a plain type: no conversion) equals ``value``, or None.

    No manager's filters apply: for tables read whole, as ``Model.objects.get`` would.
    The caller passes a value of the field's type (an int for an id).
    """
    sql, names, as_read = _row_sql(model, model._meta.get_field(field).column)
    if not as_read:
        return next(iter(model.objects.raw(sql, [value])), None)
    with connection.cursor() as cursor:
        # Prepared: planning a lookup by a unique column took PostgreSQL longer than running it.
        execute_prepared(cursor, sql, [value])
        row = cursor.fetchone()
    return model.from_db(cursor.db.alias, names, row) if row is not None else None
