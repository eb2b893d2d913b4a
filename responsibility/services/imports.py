"""Importing the tree and its positions from the spreadsheet county offices keep.

One row per unit: name, parent name, kind, principal, liaison, phone (联系电话: the
liaison's number, or the principal's when no liaison is named; two numbers separated
by "/" are the principal's then the liaison's). People are matched by phone.

``org_import_preview`` reads and checks everything and writes nothing;
``org_import_apply`` checks again under lock and applies all of it in one
transaction, or nothing.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiufeng.history import bulk_create_recorded, history_links_record, history_record

from ..models import OrgImport, Position, PositionKind, Unit, UnitKind
from ..scoping import HANDLING, scope_roots
from .units import (
    MAX_DEPTH,
    ROLE_OF_POSITION,
    phone_clean,
    phone_digits,
    username_for,
    users_with_phones,
)

User = get_user_model()

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024

COLUMNS = ("name", "parent", "kind", "principal", "liaison", "phone")
CHINESE_HEADERS = {
    "单位名称": "name",
    "上级单位": "parent",
    "单位类型": "kind",
    "主要负责人": "principal",
    "纠风专干": "liaison",
    "联系电话": "phone",
}
COLUMN_LABELS = {
    "name": gettext_lazy("Unit name"),
    "parent": gettext_lazy("Parent unit"),
    "kind": gettext_lazy("Kind"),
    "principal": gettext_lazy("Principal"),
    "liaison": gettext_lazy("Liaison officer"),
    "phone": gettext_lazy("Phone"),
}
KIND_LABELS = {
    "党政机关": UnitKind.ORGAN,
    "政府部门": UnitKind.DEPARTMENT,
    "内设机构": UnitKind.SECTION,
    "事业单位": UnitKind.INSTITUTION,
    "乡镇": UnitKind.TOWNSHIP,
    "村（社区）": UnitKind.VILLAGE,
    "村(社区)": UnitKind.VILLAGE,
}
MAX_LENGTHS = {"name": 128, "parent": 128, "principal": 64, "liaison": 64, "phone": 64}
PHONE_SEPARATORS = re.compile(r"[/／、,，;；]")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
# The columns read from a worksheet: enough for ours and a few extra, never a whole row of 16,384.
MAX_COLUMNS = 20


class ImportFileError(Exception):
    """The file as a whole cannot be read: nothing row by row to say."""


class ImportRejected(ValidationError):
    """Apply refused: the preview carries every error found."""

    def __init__(self, preview: "ImportPreview"):
        super().__init__(_("The file has errors: nothing was imported."))
        self.preview = preview


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass
class PersonPlan:
    kind: str
    name: str
    phone: str
    user: "User | None" = None  # an existing account, or None for a new one
    unchanged: bool = False  # already holds this post in this unit


@dataclass
class ImportRow:
    number: int  # the row number the spreadsheet shows
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    action: str = ""
    changes: list[str] = field(default_factory=list)
    kind: str = ""
    people: list[PersonPlan] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)

    @property
    def cells(self) -> list[tuple[str, str, list[str]]]:
        """(column, value, errors) in column order, for the preview table."""
        return [(c, self.values.get(c, ""), self.errors.get(c, [])) for c in COLUMNS]


@dataclass
class ImportPreview:
    file_name: str
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def rows_with_errors(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.file_errors and not self.rows_with_errors

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def to_create(self) -> int:
        return self.count(Action.CREATE)

    @property
    def to_update(self) -> int:
        return self.count(Action.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(Action.UNCHANGED)

    @property
    def columns(self) -> list[tuple[str, str]]:
        return [(c, COLUMN_LABELS[c]) for c in COLUMNS]


# --- Reading the file -----------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores a typed-in phone number as a float.
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_lines(data: bytes):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ImportFileError(_("The file is not a spreadsheet we can read: save it as .xlsx or CSV.")) from error
    if unpacked > MAX_UNPACKED_BYTES:
        # A small zip can unpack to gigabytes: refuse before openpyxl inflates it.
        raise ImportFileError(_("The spreadsheet unpacks to more than 50 MB: split it into smaller files."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportFileError(_("The file is not a spreadsheet we can read: save it as .xlsx or CSV.")) from error
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    # Offices' Excel saves CSV as UTF-8 with a BOM or in the local GB18030 code page.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is neither UTF-8 nor GB18030 text: save it as .xlsx or CSV."))


def _csv_lines(data: bytes):
    if b"\x00" in data:
        raise ImportFileError(_("The file is not a spreadsheet we can read: save it as .xlsx or CSV."))
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        for values in csv.reader(io.StringIO(text), delimiter=delimiter):
            yield [v.strip() for v in values[:MAX_COLUMNS]]
    except csv.Error as error:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": error}) from error


def _header_columns(header: list[str]) -> dict[int, str]:
    english = {c: c for c in COLUMNS}
    columns = {}
    for index, text in enumerate(header):
        key = text.strip().lstrip("\ufeff").rstrip("*＊").strip()
        column = CHINESE_HEADERS.get(key) or english.get(key.lower())
        if column and column not in columns.values():
            columns[index] = column
    if not {"name", "parent"} <= set(columns.values()):
        raise ImportFileError(
            _(
                "Row %(row)d: the first row must name the columns: 单位名称, 上级单位, 单位类型, 主要负责人, "
                "纠风专干, 联系电话 (or name, parent, kind, principal, liaison, phone)."
            )
            % {"row": 1}
        )
    return columns


def _read_rows(data: bytes) -> list[ImportRow]:
    """The data rows as ImportRows numbered as the spreadsheet shows them; blank rows skipped."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB: split it into smaller files."))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(_("Old .xls files cannot be read: save it as .xlsx or CSV."))
    lines = _xlsx_lines(data) if data.startswith(XLSX_MAGIC) else _csv_lines(data)
    columns = None
    rows: list[ImportRow] = []
    for number, values in enumerate(lines, start=1):
        if not any(values):
            continue
        if columns is None:
            columns = _header_columns(values)
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(_("The file has more than %(max)d rows: split it.") % {"max": MAX_ROWS})
        cells = {column: values[index] if index < len(values) else "" for index, column in columns.items()}
        rows.append(ImportRow(number=number, values={c: cells.get(c, "") for c in COLUMNS}))
    if columns is None:
        raise ImportFileError(_("The file is empty."))
    if not rows:
        raise ImportFileError(_("The file has column headings but no units."))
    return rows


# --- Checking the rows ----------------------------------------------------------------


def _kinds() -> dict[str, str]:
    kinds = {**KIND_LABELS, **{k.value: k.value for k in UnitKind}}
    with translation.override("en"):
        kinds.update({str(k.label).lower(): k.value for k in UnitKind})
    return kinds


def _check_cells(row: ImportRow, kinds: dict[str, str]) -> None:
    values = row.values
    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            row.error(column, _("Too long: at most %(limit)d characters.") % {"limit": limit})
    if not values["name"]:
        row.error("name", _("The unit's name is missing."))
    if values["kind"]:
        row.kind = kinds.get(values["kind"]) or kinds.get(values["kind"].lower(), "")
        if not row.kind:
            row.error(
                "kind",
                _("Unknown kind “%(kind)s”: use one of %(kinds)s.")
                % {"kind": values["kind"], "kinds": "、".join(k for k in KIND_LABELS if k != "村(社区)")},
            )


def _phones(row: ImportRow) -> dict[str, str]:
    """Each named person's phone: {"principal": ..., "liaison": ...}, errors on the row."""
    named = [kind for kind in ("principal", "liaison") if row.values[kind]]
    raw = [p for p in PHONE_SEPARATORS.split(row.values["phone"]) if p.strip()]
    phones = []
    for text in raw:
        try:
            phones.append(phone_clean(text))
        except ValidationError as error:
            row.error("phone", error.messages[0])
    if len(raw) > 2:
        row.error("phone", _("At most two numbers: the principal's, then the liaison's."))
    elif raw and not named:
        row.error("phone", _("Name the principal or the liaison this number belongs to."))
    elif len(raw) == 2 and len(named) < 2:
        row.error("phone", _("Two numbers need both a principal and a liaison."))
    if row.errors.get("phone") or not phones:
        return {}
    if len(phones) == 2:
        return {"principal": phones[0], "liaison": phones[1]}
    return {"liaison" if row.values["liaison"] else "principal": phones[0]}


@dataclass(frozen=True)
class _Scope:
    visible: list[str]
    handled: list[str]
    is_admin: bool

    def sees(self, unit: Unit) -> bool:
        return any(unit.path.startswith(p) for p in self.visible)

    def handles(self, unit: Unit) -> bool:
        return any(unit.path.startswith(p) for p in self.handled)


ROOT = ("root", 0)


class _Resolver:
    """Finds each row's parent and whether the row is an existing unit or a new one.

    A row's target is ("unit", pk) when it names an existing unit under the same parent,
    else ("row", index). A parent name may be an existing unit in scope or another row,
    earlier or later; it must name exactly one of them. Rows are resolved depth first,
    so a chain that comes back to a row on the way is a cycle.
    """

    def __init__(self, rows: list[ImportRow], existing: list[Unit], scope: _Scope):
        self.rows = rows
        self.scope = scope
        self.units = {u.pk: u for u in existing}
        self.rows_named: dict[str, list[int]] = {}
        for index, row in enumerate(rows):
            self.rows_named.setdefault(row.values["name"], []).append(index)
        self.units_named: dict[str, list[Unit]] = {}
        for unit in existing:
            self.units_named.setdefault(unit.name, []).append(unit)
        self.children: dict[str, dict[str, Unit]] = {}  # parent path -> name -> unit
        for unit in existing:
            self.children.setdefault(unit.path[: -Unit.steplen], {})[unit.name] = unit
        self.target: dict[int, tuple | None] = {}
        self.parent: dict[int, tuple] = {}
        self.depth: dict[int, int] = {}
        self.stack: list[int] = []

    def run(self) -> None:
        for index in range(len(self.rows)):
            self.resolve(index)

    def unit_of(self, target: tuple) -> Unit | None:
        return self.units.get(target[1]) if target[0] == "unit" else None

    def describe(self, target: tuple) -> str:
        if target[0] == "row":
            return _("row %(row)d") % {"row": self.rows[target[1]].number}
        return str(self.units[target[1]])

    def resolve(self, index: int) -> tuple | None:
        if index in self.target:
            return self.target[index]
        row = self.rows[index]
        if row.errors.get("name") or row.errors.get("parent"):
            self.target[index] = None
            return None
        if index in self.stack:
            self._cycle(self.stack[self.stack.index(index) :])
            return None
        if len(self.stack) > MAX_DEPTH:
            row.error("parent", _("The tree would be more than %(max)d levels deep.") % {"max": MAX_DEPTH})
            self.target[index] = None
            return None
        self.stack.append(index)
        try:
            parent = self._parent(index)
        finally:
            self.stack.pop()
        if index in self.target:  # marked while resolving its parent: part of a cycle
            return self.target[index]
        if parent is None:
            self.target[index] = None
            return None
        self.parent[index] = parent
        parent_unit = self.unit_of(parent)
        parent_depth = 0 if parent == ROOT else parent_unit.depth if parent_unit else self.depth[parent[1]]
        self.depth[index] = parent_depth + 1
        if self.depth[index] > MAX_DEPTH:
            row.error("parent", _("The tree would be more than %(max)d levels deep.") % {"max": MAX_DEPTH})
            self.target[index] = None
            return None
        existing = None
        if parent == ROOT or parent_unit is not None:
            existing = self.children.get("" if parent == ROOT else parent_unit.path, {}).get(row.values["name"])
        self.target[index] = ("unit", existing.pk) if existing is not None else ("row", index)
        if existing is None and parent == ROOT and not self.scope.is_admin:
            row.error("parent", _("Only an administrator may add a top-level unit: name its parent."))
        elif existing is not None and not self.scope.sees(existing):
            row.error("name", _("This unit is outside your scope."))
        elif existing is not None and not existing.is_active:
            row.error("name", _("“%(name)s” is inactive: reactivate it on its page first.") % {"name": existing})
        return self.target[index]

    def _cycle(self, indexes: list[int]) -> None:
        names = " → ".join([self.rows[i].values["name"] for i in indexes] + [self.rows[indexes[0]].values["name"]])
        numbers = ", ".join(str(self.rows[i].number) for i in indexes)
        for i in indexes:
            self.rows[i].error("parent", _("Cycle: %(names)s (rows %(rows)s).") % {"names": names, "rows": numbers})
            self.target[i] = None

    def _parent(self, index: int) -> tuple | None:
        row = self.rows[index]
        name = row.values["parent"]
        if not name:
            return ROOT
        candidates: set[tuple] = set()
        failed: list[int] = []
        for other in self.rows_named.get(name, []):
            target = self.resolve(other)
            if index in self.target:  # this row turned out to be on a cycle
                return None
            if target is None:
                failed.append(other)
            else:
                candidates.add(target)
        outside = []
        for unit in self.units_named.get(name, []):
            (candidates.add(("unit", unit.pk)) if self.scope.sees(unit) else outside.append(unit))
        if failed:
            rows = ", ".join(str(self.rows[i].number) for i in failed)
            row.error("parent", _("The parent “%(name)s” on row %(rows)s has errors.") % {"name": name, "rows": rows})
            return None
        if len(candidates) > 1:
            places = "; ".join(sorted(self.describe(c) for c in candidates))
            row.error(
                "parent",
                _("“%(name)s” names more than one unit (%(places)s): make the names unique.")
                % {"name": name, "places": places},
            )
            return None
        if not candidates:
            if outside:
                row.error("parent", _("The parent “%(name)s” is outside your scope.") % {"name": name})
            else:
                row.error(
                    "parent",
                    _("Unknown parent “%(name)s”: it is neither an existing unit nor a row of this file.")
                    % {"name": name},
                )
            return None
        return candidates.pop()


def _scope_of(user) -> _Scope:
    roots = scope_roots(user)
    return _Scope(
        visible=[r.path for r in roots],
        handled=[r.path for r in roots if r.capacity in HANDLING],
        is_admin=user.is_superuser,
    )


def _check_structure(rows: list[ImportRow], scope: _Scope, *, lock: bool) -> _Resolver:
    names = {r.values["name"] for r in rows} | {r.values["parent"] for r in rows}
    existing = Unit.objects.filter(name__in=names - {""})
    if lock:
        existing = existing.select_for_update()
    resolver = _Resolver(rows, list(existing), scope)
    resolver.run()
    siblings: dict[tuple, list[int]] = {}
    for index, row in enumerate(rows):
        if resolver.target.get(index) is not None:
            siblings.setdefault((resolver.parent[index], row.values["name"]), []).append(index)
    for indexes in siblings.values():
        if len(indexes) > 1:
            numbers = ", ".join(str(rows[i].number) for i in indexes)
            for i in indexes:
                rows[i].error(
                    "name",
                    _("Duplicate: rows %(rows)s name the same unit under the same parent.") % {"rows": numbers},
                )
    return resolver


def _check_permission(row: ImportRow, index: int, resolver: _Resolver) -> None:
    """Changes need a handling capacity on the parent (on the unit itself, for a top-level one)."""
    if row.errors or row.action == Action.UNCHANGED:
        return
    parent = resolver.parent[index]
    governing = resolver.unit_of(resolver.target[index] if parent == ROOT else parent)
    if governing is not None and not resolver.scope.handles(governing) and not resolver.scope.is_admin:
        row.error("parent", _("You may not add or change units under “%(name)s”.") % {"name": governing})


def _plan_people(rows: list[ImportRow], resolver: _Resolver) -> None:
    """Who each row names, matched to the post they hold, an account with their phone, or a new account."""
    phones_by_row = {index: _phones(row) for index, row in enumerate(rows)}
    by_phone = users_with_phones({p for phones in phones_by_row.values() for p in phones.values()})
    existing_units = [t[1] for i in range(len(rows)) if (t := resolver.target.get(i)) is not None and t[0] == "unit"]
    holders: dict[tuple[int, str], list] = {}
    for position in (
        Position.objects.current()
        .filter(unit__in=existing_units, kind__in=[PositionKind.PRINCIPAL, PositionKind.LIAISON])
        .select_related("user")
    ):
        holders.setdefault((position.unit_id, position.kind), []).append(position.user)
    named_in_file: dict[str, tuple[str, int]] = {}  # phone digits -> (name, row number)
    for index, row in enumerate(rows):
        target = resolver.target.get(index)
        for kind in (PositionKind.PRINCIPAL, PositionKind.LIAISON):
            name = row.values[kind.value]
            if not name:
                continue
            phone = phones_by_row[index].get(kind.value, "")
            plan = PersonPlan(kind=kind, name=name, phone=phone)
            if target is not None and target[0] == "unit":
                plan.unchanged = any(
                    u.display_name == name and (not phone or phone_digits(u.phone) in ("", phone_digits(phone)))
                    for u in holders.get((target[1], kind), [])
                )
            if phone and not plan.unchanged:
                digits = phone_digits(phone)
                first = named_in_file.setdefault(digits, (name, row.number))
                plan.user = by_phone.get(digits)
                if plan.user is not None and plan.user.display_name != name:
                    row.error("phone", _("%(phone)s belongs to another person's account.") % {"phone": phone})
                elif first[0] != name:
                    row.error(
                        "phone",
                        _("%(phone)s is also given for %(name)s on row %(row)d.")
                        % {"phone": phone, "name": first[0], "row": first[1]},
                    )
            row.people.append(plan)


def _describe_changes(rows: list[ImportRow], resolver: _Resolver) -> None:
    for index, row in enumerate(rows):
        target = resolver.target.get(index)
        if target is None:
            continue
        unit = resolver.unit_of(target)
        if unit is None:
            if not row.kind and not row.errors.get("kind"):
                row.error("kind", _("A new unit needs a kind."))
            row.action = Action.CREATE
            row.changes.append(_("new unit under %(parent)s") % {"parent": _parent_label(resolver, index)})
        elif row.kind and row.kind != unit.kind:
            row.changes.append(
                _("kind: %(old)s → %(new)s") % {"old": unit.get_kind_display(), "new": UnitKind(row.kind).label}
            )
        for plan in row.people:
            if plan.unchanged:
                continue
            label = PositionKind(plan.kind).label
            if plan.user is None:
                row.changes.append(_("%(post)s: %(name)s (new account)") % {"post": label, "name": plan.name})
            else:
                row.changes.append(_("%(post)s: %(name)s") % {"post": label, "name": plan.name})
        if unit is not None:
            row.action = Action.UPDATE if row.changes else Action.UNCHANGED


def _parent_label(resolver: _Resolver, index: int) -> str:
    parent = resolver.parent[index]
    if parent == ROOT:
        return _("the top level")
    return resolver.rows[parent[1]].values["name"] if parent[0] == "row" else resolver.units[parent[1]].name


def _build(*, user, data: bytes, file_name: str, lock: bool = False) -> tuple[ImportPreview, _Resolver | None]:
    preview = ImportPreview(file_name=file_name)
    try:
        preview.rows = _read_rows(data)
    except ImportFileError as error:
        preview.file_errors.append(str(error))
        return preview, None
    kinds = _kinds()
    for row in preview.rows:
        _check_cells(row, kinds)
    resolver = _check_structure(preview.rows, _scope_of(user), lock=lock)
    _plan_people(preview.rows, resolver)
    _describe_changes(preview.rows, resolver)
    for index, row in enumerate(preview.rows):
        _check_permission(row, index, resolver)
    return preview, resolver


def _file_bytes(file) -> tuple[bytes, str]:
    # One byte more than allowed is enough to refuse an oversized file without reading it all.
    file.seek(0)
    return file.read(MAX_BYTES + 1), getattr(file, "name", "") or ""


def org_import_preview(*, user, file) -> ImportPreview:
    """Read and check the file; write nothing. The preview lists every row's action and errors."""
    data, name = _file_bytes(file)
    return _build(user=user, data=data, file_name=name)[0]


@transaction.atomic
def org_import_apply(*, user, file) -> OrgImport:
    """Check the file again with the units it names locked, then apply every row, or nothing.

    Steps: build the preview under lock (the parents named in the file are locked, so a
    concurrent import or move waits), refuse it whole if any row has an error; create
    the new units and update the changed ones; find or create each person's account and
    give them the post; record the import. Any failure rolls the whole transaction back.
    Writes are in bulk, with their history rows: a 5,000-row file is one request.
    """
    data, name = _file_bytes(file)
    preview, resolver = _build(user=user, data=data, file_name=name, lock=True)
    if not preview.is_valid:
        raise ImportRejected(preview)
    order = sorted(range(len(preview.rows)), key=lambda i: resolver.depth[i])
    units, created = _units_create(preview, resolver, order, actor=user)
    updated = _units_update(preview, resolver, actor=user)
    positions, people = _positions_create(preview, resolver, units, actor=user)
    record = OrgImport(
        file_name=name[:255],
        imported_by=user,
        rows=len(preview.rows),
        units_created=created,
        units_updated=updated,
        positions_created=positions,
        users_created=people,
    )
    record._history_user = user
    record.save()
    return record


def _last_step(parent_path: str) -> int:
    depth = len(parent_path) // Unit.steplen + 1
    last = (
        Unit.objects.filter(path__startswith=parent_path, depth=depth)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return Unit._str2int(last[-Unit.steplen :]) if last else 0


def _units_create(preview: ImportPreview, resolver: _Resolver, order: list[int], *, actor) -> tuple[dict, int]:
    """Create the new units, parents first, as treebeard's add_child would place them.

    add_child costs four queries a unit; here each new unit takes the next free step
    under its parent (one query per existing parent), the rows go in with
    bulk_create_recorded, and each existing parent's child count grows once.
    """
    units: dict[tuple, Unit] = {}
    next_step: dict[str, int] = {}
    grown: dict[int, int] = {}  # existing parent pk -> new children
    new_units = []
    for index in order:
        target = resolver.target[index]
        existing = resolver.unit_of(target)
        if existing is not None:
            units[target] = existing
            continue
        parent_ref = resolver.parent[index]
        parent = None if parent_ref == ROOT else units.get(parent_ref) or resolver.unit_of(parent_ref)
        parent_path = parent.path if parent is not None else ""
        if parent_path not in next_step:
            next_step[parent_path] = 1 if parent is not None and parent.pk is None else _last_step(parent_path) + 1
        step = next_step[parent_path]
        next_step[parent_path] += 1
        if len(Unit._int2str(step)) > Unit.steplen:
            preview.rows[index].error("parent", _("Too many units under one parent."))
            raise ImportRejected(preview)
        depth = len(parent_path) // Unit.steplen + 1
        unit = Unit(
            name=preview.rows[index].values["name"],
            kind=preview.rows[index].kind,
            path=Unit._get_path(parent_path, depth, step),
            depth=depth,
            numchild=0,
        )
        if parent is not None and parent.pk is None:
            parent.numchild += 1
        elif parent is not None:
            grown[parent.pk] = grown.get(parent.pk, 0) + 1
        units[target] = unit
        new_units.append(unit)
    bulk_create_recorded(new_units, batch_size=500, user=actor)
    for pk, count in grown.items():
        # Tree bookkeeping, as treebeard's add_child does it: no history row.
        Unit.objects.filter(pk=pk).update(numchild=F("numchild") + count)
    return units, len(new_units)


def _units_update(preview: ImportPreview, resolver: _Resolver, *, actor) -> int:
    updated = 0
    for index, row in enumerate(preview.rows):
        unit = resolver.unit_of(resolver.target[index])
        if unit is None or row.action != Action.UPDATE:
            continue
        updated += 1
        if row.kind and row.kind != unit.kind:
            unit.kind = row.kind
            unit._history_user = actor
            unit.save(update_fields=["kind"])
    return updated


def _positions_create(preview: ImportPreview, resolver: _Resolver, units: dict, *, actor) -> tuple[int, int]:
    """Give each named person their post, creating accounts for new people (matched by phone)."""
    accounts: dict[str, User] = {}  # phone digits -> the account created in this import
    new_people: list[User] = []
    positions: list[Position] = []
    roles: list[tuple[User, str]] = []
    today = timezone.localdate()
    taken = _usernames_taken(preview)
    for index, row in enumerate(preview.rows):
        for plan in row.people:
            if plan.unchanged:
                continue
            person = plan.user
            if person is None and plan.phone:
                person = accounts.get(phone_digits(plan.phone))
            if person is None:
                person = User(username=_username(plan.phone, taken), display_name=plan.name, phone=plan.phone)
                person.set_unusable_password()
                new_people.append(person)
                if plan.phone:
                    accounts[phone_digits(plan.phone)] = person
            positions.append(Position(user=person, unit=units[resolver.target[index]], kind=plan.kind, starts_on=today))
            roles.append((person, ROLE_OF_POSITION[plan.kind]))
    bulk_create_recorded(new_people, batch_size=500, user=actor)
    for position in positions:
        position.user_id = position.user.pk  # the accounts got their ids just now
    bulk_create_recorded(positions, batch_size=500, user=actor)
    _roles_give(roles, actor=actor)
    return len(positions), len(new_people)


def _roles_give(roles: list[tuple[User, str]], *, actor) -> None:
    """Give each person the role (group name) paired with them, in one statement, and record
    the roles on the history of those whose roles changed, as a save of their groups would."""
    groups = dict(Group.objects.filter(name__in={role for _person, role in roles}).values_list("name", "pk"))
    memberships = {(person.pk, groups[role]) for person, role in roles}
    Membership = User.groups.through
    held = set(
        Membership.objects.filter(
            user_id__in={user_id for user_id, _group in memberships}, group_id__in=groups.values()
        ).values_list("user_id", "group_id")
    )
    Membership.objects.bulk_create(
        [Membership(user_id=user_id, group_id=group_id) for user_id, group_id in memberships - held],
        ignore_conflicts=True,
    )
    changed = {user_id for user_id, _group in memberships - held}
    people = [person for person in {person.pk: person for person, _role in roles}.values() if person.pk in changed]
    history_record(User, [person.pk for person in people], update=True, reason="roles", user=actor)
    for tracked in ("groups", "user_permissions"):
        history_links_record(people, tracked)


def _usernames_taken(preview: ImportPreview) -> set[str]:
    wanted = {f"p{phone_digits(plan.phone)}" for row in preview.rows for plan in row.people if plan.phone}
    return set(User.objects.filter(username__in=wanted).values_list("username", flat=True))


def _username(phone: str, taken: set[str]) -> str:
    """A username from the phone, unique among accounts and those of this import."""
    username = f"p{phone_digits(phone)}" if phone else ""
    if not username or username in taken:
        username = username_for(phone)
    taken.add(username)
    return username
