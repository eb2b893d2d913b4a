"""Helpers for the set-based SQL statements that replace loops over many rows (the escalation
sweep, the scoping query): parameters and values portable between PostgreSQL (production,
tests) and SQLite (``make run``).
"""

# Column names come from the caller's code; every value travels as a parameter.
# ruff: noqa: S608

import datetime
import json

from django.db import connection


def in_ids(column: str, ids: list) -> tuple[str, list]:
    """A predicate ``column IN ids`` (ids or other plain values) with one parameter, however many there are."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    # SQLite caps the number of parameters per statement; one JSON array has no cap.
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def db_datetime(value: datetime.datetime):
    """A datetime as the backend stores it (SQLite keeps UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)
