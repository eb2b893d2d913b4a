"""Pages of a log, newest first, that cost the same on the first page and the ten-thousandth.

Logs grow by a row per action and nobody reads them from the end: a page is the rows before
(older than) or after (newer than) a primary key, read along the primary key's index, one
query of ``size + 1`` rows whatever the table's size. Nothing is counted: a COUNT over a
log of millions of rows would cost more than the page, and "page 3 of 41,217" tells an
auditor nothing a date filter does not tell better. The key gives the order rows were
recorded in, which is the order of their ``at`` (each log stamps ``at`` as it writes the row).
"""

from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    # The key to pass as ``before`` for the next older page, ``after`` for the next newer; None at an end.
    older: int | None
    newer: int | None


def keyset_page(queryset: QuerySet, *, size: int, before: int | None = None, after: int | None = None) -> KeysetPage:
    """One page of ``queryset`` newest first: the newest rows, or those just before or just after a key."""
    if after is not None:
        rows = list(queryset.filter(pk__gt=after).order_by("pk")[: size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(rows=rows, older=rows[-1].pk if rows else None, newer=rows[0].pk if has_newer else None)
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset.order_by("-pk")[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        older=rows[-1].pk if has_older else None,
        newer=rows[0].pk if before is not None and rows else None,
    )
