"""Any list as a file: ``?format=xlsx`` or ``?format=csv``, streamed, bounded and logged.

Used by the auditors' logs and meant for the ledgers (台帐) of any scoped list: nothing here
knows what it exports. A caller gives the rows as an ordered QuerySet (already scoped and
filtered), the columns, and the filters it applied (shown above the header and logged):

    return export_response(request, name="transitions", title=_("Transition log"),
                           columns=COLUMNS, rows=queryset, filters=[(_("User"), "张三")])

Rows gathered from several tables (an object's history timeline) come as a lazy iterable
with their ``size`` counted by the caller up to ``export_limit(request) + 1``.

How the rows are read: the primary keys first, in the file's order (one query, at most
the format's limit + 1 of them: that is also the size check, before any byte is sent), then the rows by
CHUNK_SIZE keys at a time. A server-side cursor (``QuerySet.iterator()``) would stream too,
but behind PgBouncer in transaction mode they are disabled (settings.DATABASE_POOLER) and
``iterator()`` then loads the whole result at once; keys-then-chunks works the same on every
database, pooler or not, keeps any order and any ``select_related`` the caller chose, and holds
at most the keys (8 bytes each, 800 KB at 100,000) and one chunk of rows in memory.

Each export is one AuditEvent (kind "export") written when the stream ends, with the rows
written and whether the file went out whole: a client that disconnects mid-way closes the
response, the generator's ``finally`` runs, and the event says ``"complete": false`` with the
rows written so far. A process killed mid-stream records nothing (see docs/progress/audit-logs.md).
"""

import csv
import datetime
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from jiufeng.client_address import client_address

from .models import AuditEvent, AuditEventKind

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)
# The most rows one file holds, by format. A request must end well inside gunicorn's worker
# timeout (60 s, Dockerfile) on a busy machine, and a bigger extract is a database job, not a
# page's. Measured (docs/progress/audit-logs.md): 100,000 rows of five columns take about 6 s
# of one core as CSV, which streams from its first row, and 19 s as XLSX, which openpyxl
# assembles before the first byte (pure-Python XML: lxml is not installed); an eight-column
# log at 50,000 rows is some 15 s. Past these the user narrows the filters or takes the CSV.
LIMITS = {XLSX: 50_000, CSV: 100_000}
# Rows read per query: large enough that the queries cost little beside writing the rows.
CHUNK_SIZE = 1_000
# Bytes handed to the server per write of an XLSX file.
_FILE_CHUNK = 64 * 1024
# An XLSX is assembled in memory up to this size, then on disk.
_SPOOL_MAX = 8 * 1024 * 1024

_CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Column:
    """One column of a file: its header, and what a row shows in it.

    ``value`` answers a str, a number, a date, a datetime (aware; written in local time) or None.
    """

    label: str | Promise
    value: Callable[[Any], Any]
    # Excel's width in characters (a Chinese character counts about two).
    width: int = 14


def choice_label(choices, value: str) -> str:
    """A column's words for a stored choice (``choices``: its TextChoices); a value no longer listed shows as it is."""
    return str(choices(value).label) if value in choices.values else value


class ExportRefused(Exception):
    """No file: an unknown format, or more rows than the format's limit. The message is for the user."""


def unpaged_query(request) -> str:
    """The page's query string without its place (``before``/``after``) or file format: what its
    export links and paging links carry."""
    query = request.GET.copy()
    for name in ("before", "after", "format"):
        query.pop(name, None)
    return query.urlencode()


def export_requested(request) -> bool:
    """Whether the request asks for a file rather than the page."""
    return "format" in request.GET


def filters_used(form, *, skip: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The filters a valid ``form`` applied, as (label, value) for people: the file's heading and
    the export log. ``skip``: fields that are no filter (a page's cursor)."""
    used = []
    for name, value in form.cleaned_data.items():
        # An unticked box (False) filters nothing either.
        if value in (None, "") or value is False or name in skip:
            continue
        field = form.fields[name]
        if isinstance(value, datetime.date):
            shown = value.isoformat()
        elif isinstance(field, forms.ChoiceField):
            shown = str(dict(field.choices).get(value, value))
        else:
            shown = form.data.get(name, "").strip()
        used.append((str(field.label), shown))
    return used


def export_limit(request, file_format: str | None = None) -> int:
    """The most rows a file may hold, in ``file_format`` or else ``request.GET["format"]``.

    ExportRefused for an unknown format.
    """
    file_format = file_format or request.GET.get("format")
    if file_format not in FORMATS:
        raise ExportRefused(_("Choose a file format: Excel (xlsx) or CSV."))
    return LIMITS[file_format]


@dataclass(frozen=True)
class Ledger:
    """A list as a file (台帐): what ``export_response`` writes, built from a request by a ledger's builder."""

    # Stable, not translated: the export log's name and the key of LEDGERS.
    name: str
    title: str | Promise
    columns: Sequence[Column]
    # Ordered, already scoped and filtered.
    rows: QuerySet
    # (label, value) of the filters applied.
    filters: Sequence[tuple[str | Promise, str]]


# Builders of the ledgers a worker may write past the page's limits (audit.export_jobs): name →
# function of a request (its user and GET) → Ledger. Filled by register_ledger as each app's ledgers module is imported.
LEDGERS: dict[str, Callable[[Any], Ledger]] = {}


def register_ledger(name: str):
    """Register the decorated builder of the ledger ``name`` (its Ledger must carry the same name)."""

    def register(builder: Callable[[Any], Ledger]) -> Callable[[Any], Ledger]:
        LEDGERS[name] = builder
        return builder

    return register


class TooManyRows(ExportRefused):
    """More rows than the format's limit for a page's answer."""


def rows_counted(rows: QuerySet, limit: int) -> tuple[Iterator, int]:
    """The rows as read for a file (keys first, then chunks) and how many there are, counted up to ``limit`` + 1."""
    keys = array("q", rows.values_list("pk", flat=True)[: limit + 1])
    return _rows_by_keys(rows, keys), len(keys)


def file_name(title: str | Promise, file_format: str) -> str:
    return f"{title}-{timezone.localdate():%Y%m%d}.{file_format}"


def export_response(
    request,
    *,
    name: str,
    title: str | Promise,
    columns: Sequence[Column],
    rows: QuerySet | Iterable,
    filters: Sequence[tuple[str | Promise, str]],
    size: int | None = None,
    file_format: str | None = None,
) -> StreamingHttpResponse:
    """The file ``request.GET["format"]`` asks for, streamed; its export logged when the stream ends.

    ``file_format``: the format, for an address that serves one file only (``results.xlsx``).

    ``name`` names the list in the log (stable, not translated); ``title`` heads the sheet and
    names the file; ``rows`` is an ordered QuerySet the caller has scoped (this checks nothing),
    or rows built from several tables as a lazy iterable, whose ``size`` the caller has counted
    up to ``export_limit(request) + 1``; ``filters`` are (label, value) pairs of what the caller
    applied. Raises ExportRefused before anything is read when the format is unknown, and
    TooManyRows when the rows are more than the format's limit.
    """
    limit = export_limit(request, file_format)
    file_format = file_format or request.GET["format"]
    if isinstance(rows, QuerySet):
        rows, size = rows_counted(rows, limit)
    if size is None:
        raise TypeError("Rows that are not a QuerySet need their size counted by the caller.")
    if size > limit:
        raise TooManyRows(_too_many(file_format))
    filters = [(str(label), value) for label, value in filters]
    event = export_event(
        user=request.user,
        address=client_address(request),
        method=request.method,
        path=request.get_full_path(),
        detail={"name": name, "title": str(title), "format": file_format, "filters": dict(filters)},
    )
    stream = logged_stream(
        file_format,
        rows=rows,
        event=event,
        # The stream runs after the view returned: in the request's language and time zone.
        language=translation.get_language(),
        zone=timezone.get_current_timezone(),
        title=str(title),
        columns=columns,
        filters=filters,
    )
    response = StreamingHttpResponse(stream, content_type=_CONTENT_TYPES[file_format])
    response["Content-Disposition"] = content_disposition_header(True, file_name(title, file_format))
    response["Cache-Control"] = "no-store, private"
    return response


def export_event(*, user, address: str | None, method: str, path: str, detail: dict) -> dict:
    """The export's AuditEvent fields but the rows written (``_logged`` adds them)."""
    return {
        "user": user,
        "username": user.get_username(),
        "address": address,
        "method": method,
        "path": path[:500],
        "detail": detail,
    }


def logged_stream(file_format: str, **arguments) -> Iterator:
    """The file's pieces (bytes for XLSX, str for CSV); its AuditEvent written when they end (see ``_logged``)."""
    return _logged(_xlsx if file_format == XLSX else _csv, **arguments)


def _too_many(file_format: str) -> str:
    if file_format == XLSX:
        return _(
            "More than %(limit)s rows match, the most an Excel file holds here: narrow the filters "
            "(a shorter date range), or export CSV (up to %(csv_limit)s rows)."
        ) % {"limit": f"{LIMITS[XLSX]:,}", "csv_limit": f"{LIMITS[CSV]:,}"}
    return _("More than %(limit)s rows match: narrow the filters (a shorter date range) and export in parts.") % {
        "limit": f"{LIMITS[file_format]:,}"
    }


def _rows_by_keys(rows: QuerySet, keys: array) -> Iterator:
    """The rows of ``keys`` in their order, CHUNK_SIZE per query; a row gone since is skipped."""
    unordered = rows.order_by()
    for start in range(0, len(keys), CHUNK_SIZE):
        chunk = keys[start : start + CHUNK_SIZE]
        by_key = {row.pk: row for row in unordered.filter(pk__in=list(chunk))}
        yield from (by_key[key] for key in chunk if key in by_key)


class _Counter:
    """Counts the rows a writer has taken from its iterator."""

    def __init__(self, rows: Iterable):
        self.rows = iter(rows)
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self):
        row = next(self.rows)
        self.count += 1
        return row


def _logged(
    write: Callable[..., Iterator], *, rows: Iterable, event: dict, language: str, zone, **arguments
) -> Iterator:
    """Run a writer over the counted rows; write the export's AuditEvent however the stream ends."""
    counted = _Counter(rows)
    complete = False
    try:
        with translation.override(language), timezone.override(zone):
            yield from write(rows=counted, **arguments)
        complete = True
    finally:
        detail = {**event["detail"], "rows": counted.count, "complete": complete}
        AuditEvent.objects.create(kind=AuditEventKind.EXPORT, **{**event, "detail": detail})


def _local(value):
    """Excel has no time zones: an aware datetime becomes the local wall time."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _plain(value):
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, str | int | float | datetime.date):
        return value
    return str(value)


# --- XLSX ------------------------------------------------------------------------------


def _xlsx(*, title: str, columns: Sequence[Column], rows: Iterable, filters: Sequence[tuple[str, str]]) -> Iterator:
    """The workbook, one write-only sheet: the title, the filters, a blank row, the frozen header, the rows.

    Rows go to openpyxl's temporary file as they come; the zip is assembled at the end (a
    spooled file: in memory while small) and handed out in pieces.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    heading = [[title], [gettext("Exported at"), _local(timezone.now())]]
    heading += [[label, value] for label, value in filters] or [[gettext("Filters"), gettext("None")]]
    header_row = len(heading) + 2
    # Set before the first row: a write-only sheet writes its view settings first.
    sheet.freeze_panes = f"A{header_row + 1}"
    for line in [*heading, []]:
        sheet.append([_xlsx_value(sheet, value) for value in line])
    sheet.append([str(column.label) for column in columns])
    for row in rows:
        sheet.append([_xlsx_value(sheet, column.value(row)) for column in columns])
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX) as file:
        book.save(file)
        file.seek(0)
        while piece := file.read(_FILE_CHUNK):
            yield piece


def _sheet_title(title: str) -> str:
    # Excel's rule for sheet names: at most 31 characters, none of these.
    return "".join(" " if char in "[]:*?/\\" else char for char in title)[:31] or "Sheet"


# openpyxl reads these strings as a formula or an error value, not as text.
_NOT_TEXT = ("=", "#")


def _xlsx_value(sheet, value):
    """A cell's value; text that Excel would run as a formula stays text (a username typed at login)."""
    value = _local(_plain(value))
    if not isinstance(value, str):
        return value
    # Control characters are not allowed in the file's XML.
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if not value.startswith(_NOT_TEXT):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


# --- CSV -------------------------------------------------------------------------------

# Lines handed to the server per write.
_CSV_LINES = 500
# A cell starting with one of these runs as a formula when Excel opens the file (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """csv.writer's file: each row written comes back as its line."""

    def write(self, line: str) -> str:
        return line


def _csv(*, title: str, columns: Sequence[Column], rows: Iterable, filters: Sequence[tuple[str, str]]) -> Iterator:
    """A BOM (so Excel reads UTF-8, not the local code page), the header, the rows.

    Nothing above the header: a CSV is read by programs as much as by people, and the
    filters stay in the export log.
    """
    writer = csv.writer(_Line())
    lines = ["\ufeff" + writer.writerow([str(column.label) for column in columns])]
    for row in rows:
        lines.append(writer.writerow([_csv_value(column.value(row)) for column in columns]))
        if len(lines) >= _CSV_LINES:
            yield "".join(lines)
            lines = []
    yield "".join(lines)


def _csv_value(value) -> str:
    value = _local(_plain(value))
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return str(value)
