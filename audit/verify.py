"""Recompute the hash chains and name the first broken link of each table.

A table's chain is read by chain_seq in chunks by keyset (``chain_seq > last``), not by a
server-side cursor: PgBouncer's transaction mode has none. Each row must carry the next
number and the hash of its values linked to the row before; the last row must be the one
the table's head records. The verified prefix is recorded in the head as it goes, so an
interrupted run can resume there.

What each break means:
- a hash that does not match: the row was edited after sealing (or the row before it was
  replaced by one with the same number);
- a number missing: a row was deleted;
- the last row short of the head: rows were deleted at the end;
- rows numbered beyond the head, or a head with no chain: the head was rewound or deleted,
  and the sealer would give out numbers again.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from django.db import connection, connections
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from jiufeng.texts import Text, message, text_render

from .chain import GENESIS, Table, chained_tables
from .models import ChainHead

CHUNK = 10_000
# Tables verified at once by default (history_verify's ``jobs``): one per processor.
JOBS = os.cpu_count() or 1

CHANGED = gettext_noop("its hash does not match its values: the row was changed after it was sealed")
MISSING = gettext_noop("rows %(first)s to %(last)s of the chain are missing: deleted")
HEAD_MISMATCH = gettext_noop("the last row does not match the chain head: it was changed or replaced")
HEAD_MISSING = gettext_noop("the table has sealed rows but no chain head: the head was deleted")
BEYOND_HEAD = gettext_noop("numbered beyond the chain head: the head was rewound, numbers would be given out again")
RESUME_CHANGED = gettext_noop("the row where the last verification stopped was changed or deleted")


def _missing(first: int, last: int) -> Text:
    return message(MISSING, first=first, last=last)


@dataclass(frozen=True)
class Break:
    table: str
    seq: int
    pk: object
    # What is wrong, as a text (jiufeng.texts): the alert renders it in its reader's language.
    problem: Text

    def __str__(self) -> str:
        where = f"#{self.seq}" + (f" (row {self.pk})" if self.pk is not None else "")
        return f"{self.table} {where}: {text_render(self.problem)}"


@dataclass
class TableReport:
    table: str
    verified: int = 0
    unsealed: int = 0
    broken: Break | None = None
    # The number verification started after (0: from the first row).
    start: int = 0


def _walk(table: Table, head: ChainHead, report: TableReport, *, start: int, start_hash: str, chunk: int) -> None:
    """Check rows start+1 .. head.seq in order, recording progress in the head after each chunk."""
    pk = table.model._meta.pk.attname
    expected, previous = start, start_hash
    # Only up to the head as read before the walk: rows sealed meanwhile are the next run's.
    while expected < head.seq:
        rows = list(
            table.rows.filter(chain_seq__gt=expected, chain_seq__lte=head.seq)
            .order_by("chain_seq")
            .values_list("chain_seq", "chain_hash", *table.columns)[:chunk]
        )
        if not rows:
            break
        for seq, stored, *values in rows:
            row_pk = values[table.columns.index(pk)]
            if seq != expected + 1:
                report.broken = Break(table.label, seq, row_pk, _missing(expected + 1, seq - 1))
                return
            if table.link(previous, tuple(values)) != stored:
                report.broken = Break(table.label, seq, row_pk, message(CHANGED))
                return
            expected, previous = seq, stored
            report.verified += 1
        ChainHead.objects.filter(table=table.label).update(
            verified_seq=expected, verified_hash=previous, verified_at=timezone.now()
        )
    if expected < head.seq:
        report.broken = Break(table.label, expected + 1, None, _missing(expected + 1, head.seq))
    elif previous != (head.hash or GENESIS):
        report.broken = Break(table.label, expected, None, message(HEAD_MISMATCH))


def table_verify(table: Table, *, resume: bool = False, chunk: int = CHUNK) -> TableReport:
    """Verify one table's chain from its first row, or from where the last run stopped (``resume``)."""
    report = TableReport(table=table.label)
    report.unsealed = table.rows.filter(chain_seq__isnull=True).count()
    head = ChainHead.objects.filter(table=table.label).first()
    if head is None:
        first = table.rows.filter(chain_seq__isnull=False).order_by("chain_seq").values_list("chain_seq", "pk").first()
        if first is not None:
            report.broken = Break(table.label, first[0], first[1], message(HEAD_MISSING))
        return report
    # In one statement, so a sealer committing meanwhile cannot make the head look rewound.
    beyond = (
        table.rows.filter(chain_seq__gt=Subquery(ChainHead.objects.filter(table=table.label).values("seq")))
        .order_by("chain_seq")
        .values_list("chain_seq", "pk")
        .first()
    )
    if beyond is not None:
        report.broken = Break(table.label, beyond[0], beyond[1], message(BEYOND_HEAD))
        return report
    start, start_hash = 0, GENESIS
    if resume and 0 < head.verified_seq <= head.seq:
        at = table.rows.filter(chain_seq=head.verified_seq).values_list("chain_hash", flat=True).first()
        if at != head.verified_hash:
            pk = table.rows.filter(chain_seq=head.verified_seq).values_list("pk", flat=True).first()
            report.broken = Break(table.label, head.verified_seq, pk, message(RESUME_CHANGED))
            return report
        start, start_hash = head.verified_seq, head.verified_hash
    report.start = start
    _walk(table, head, report, start=start, start_hash=start_hash, chunk=chunk)
    return report


def _table_verify_apart(label: str, resume: bool, chunk: int) -> TableReport:
    """table_verify in a worker process, on a connection of its own, closed when done."""
    try:
        table = next(table for table in chained_tables() if table.label == label)
        return table_verify(table, resume=resume, chunk=chunk)
    finally:
        connections.close_all()


def history_verify(*, tables: list[Table] | None = None, resume: bool = False, chunk: int = CHUNK, jobs: int = 1):
    """Verify every chained table (or ``tables``); yields one TableReport per table as it finishes.

    ``jobs`` > 1 verifies that many tables at once in worker processes: a row's link is
    Python work (JSON and SHA-256, about 30 µs a row), so threads would wait on one another;
    the tables' chains are independent. The largest tables go first, so that one is not
    left to run alone at the end. Inside a transaction the tables are verified here, one
    after the other: other processes would not see what it has written.
    """
    tables = list(tables if tables is not None else chained_tables())
    if jobs <= 1 or len(tables) <= 1 or connection.in_atomic_block:
        for table in tables:
            yield table_verify(table, resume=resume, chunk=chunk)
        return
    sizes = dict(ChainHead.objects.values_list("table", "seq"))
    tables.sort(key=lambda table: sizes.get(table.label, 0), reverse=True)
    # Forked workers inherit the settings as they are (a test's database too); each opens
    # its own connection, so none may inherit this process's.
    connections.close_all()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(_table_verify_apart, table.label, resume, chunk) for table in tables]
        for future in as_completed(futures):
            yield future.result()
