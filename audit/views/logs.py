"""The auditors' logs: transitions, identity reads, exports, sign-ins and refused writes.

Each log is declared once (LOGS): its rows, its filters and its columns, which both the page
and the file read, so what an auditor sees and what they export cannot drift apart. One view
shows any of them (audit/urls.py routes each to it). Read-only, newest first, paged by key
(audit.keyset): a page is one query of its rows whatever the log's size.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import QuerySet
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from complaints.models import ComplaintStatus, IdentityAccess, TransitionLog
from complaints.workflow import EVENTS

from ..exports import Column, ExportRefused, export_requested, export_response, unpaged_query
from ..keyset import keyset_page
from ..log_filters import (
    LOGIN_KINDS,
    AuditEventFilter,
    CursorForm,
    IdentityAccessFilter,
    LogFilter,
    LoginEventFilter,
    TransitionLogFilter,
)
from ..models import AuditEvent, AuditEventKind

PAGE_SIZE = 50


@dataclass(frozen=True)
class LogColumn(Column):
    # Where the page links the cell to (the case page); the file has no links.
    link: Callable[[Any], str | None] | None = None


@dataclass(frozen=True)
class Log:
    # The URL's last segment; also the export's name in the export log.
    slug: str
    title: Promise
    description: Promise
    filterset: type[LogFilter]
    # The whole log with what its columns read (one query per page, whatever the rows).
    rows: Callable[[], QuerySet]
    columns: tuple[LogColumn, ...]

    @property
    def url_name(self) -> str:
        return f"log-{self.slug}"


def person(user) -> str:
    """A user as an auditor needs them: the name, and the account it belongs to."""
    if user is None:
        return ""
    username = user.get_username()
    return f"{user.display_name} ({username})" if user.display_name and user.display_name != username else username


def _labels(choices) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda value: str(labels.get(value, value)) if value else ""


def _case_link(row) -> str:
    return reverse("complaints:case-detail", args=[row.complaint_id])


_status = _labels(ComplaintStatus.choices)
_event = _labels((name, event.label) for name, event in EVENTS.items())
_via = _labels(IdentityAccess.Via.choices)
_kind = _labels(AuditEventKind.choices)

_AT = LogColumn(_("Time"), lambda row: row.at, width=20)
_ADDRESS = LogColumn(_("Address"), lambda row: row.address, width=18)
_CASE = LogColumn(_("Case"), lambda row: row.complaint.case_number, width=14, link=_case_link)


def _event_user(row: AuditEvent) -> str:
    # A failed sign-in may name no account: the username typed is all there is.
    return person(row.user) if row.user_id else row.username


def _filters_text(row: AuditEvent) -> str:
    return "; ".join(f"{label}: {value}" for label, value in row.detail.get("filters", {}).items())


def _detail_text(row: AuditEvent) -> str:
    return "; ".join(f"{key}: {value}" for key, value in row.detail.items())


def audit_events() -> QuerySet:
    """Events with the names of their users (not the rest of the account: its password hash)."""
    return AuditEvent.objects.select_related("user").only(
        "at", "kind", "username", "address", "method", "path", "detail", "user__username", "user__display_name"
    )


def _audit_events(*kinds: str) -> Callable[[], QuerySet]:
    return lambda: audit_events().filter(kind__in=kinds)


LOGS: tuple[Log, ...] = (
    Log(
        slug="transitions",
        title=_("Transition log"),
        description=_("Who moved which case from which status to which, when and why."),
        filterset=TransitionLogFilter,
        rows=lambda: TransitionLog.objects.select_related("complaint", "actor", "unit").only(
            "at",
            "name",
            "from_status",
            "to_status",
            "note",
            "complaint__case_number",
            "actor__username",
            "actor__display_name",
            "unit__name",
        ),
        columns=(
            _AT,
            _CASE,
            LogColumn(_("Transition"), lambda row: _event(row.name), width=24),
            LogColumn(_("Status before"), lambda row: _status(row.from_status), width=12),
            LogColumn(_("Status after"), lambda row: _status(row.to_status), width=12),
            # No actor: the system (a task) or the petitioner by tracking code.
            LogColumn(_("By"), lambda row: person(row.actor) or _("System or petitioner"), width=20),
            LogColumn(_("Unit"), lambda row: row.unit.name if row.unit_id else "", width=20),
            LogColumn(_("Note"), lambda row: row.note, width=40),
        ),
    ),
    Log(
        slug="identity-access",
        title=_("Identity access log"),
        description=_("Who was shown which case's petitioner identity, when, from where and how."),
        filterset=IdentityAccessFilter,
        # The case's number only: this log says that an identity was read, never whose.
        rows=lambda: IdentityAccess.objects.select_related("complaint", "user").only(
            "at", "via", "address", "complaint__case_number", "user__username", "user__display_name"
        ),
        columns=(
            _AT,
            _CASE,
            LogColumn(_("Read by"), lambda row: person(row.user), width=20),
            LogColumn(_("Via"), lambda row: _via(row.via), width=10),
            _ADDRESS,
        ),
    ),
    Log(
        slug="exports",
        title=_("Export log"),
        description=_("Who exported which list, with which filters, how many rows."),
        filterset=AuditEventFilter,
        rows=_audit_events(AuditEventKind.EXPORT),
        columns=(
            _AT,
            LogColumn(_("User"), _event_user, width=20),
            LogColumn(_("List"), lambda row: row.detail.get("title") or row.detail.get("name", ""), width=20),
            LogColumn(_("Format"), lambda row: row.detail.get("format", ""), width=8),
            LogColumn(_("Rows"), lambda row: row.detail.get("rows"), width=8),
            LogColumn(
                _("Complete"), lambda row: _("Yes") if row.detail.get("complete") else _("No (interrupted)"), width=10
            ),
            LogColumn(_("Filters"), _filters_text, width=40),
            _ADDRESS,
        ),
    ),
    Log(
        slug="logins",
        title=_("Sign-in log"),
        description=_("Sign-ins, failed attempts, lockouts and sign-outs, with the address they came from."),
        filterset=LoginEventFilter,
        rows=_audit_events(*LOGIN_KINDS),
        columns=(
            _AT,
            LogColumn(_("Event"), lambda row: _kind(row.kind), width=12),
            LogColumn(_("Username typed"), lambda row: row.username, width=18),
            LogColumn(_("Account"), lambda row: person(row.user), width=20),
            _ADDRESS,
        ),
    ),
    Log(
        slug="purges",
        title=_("Retention purges"),
        description=_(
            "Closed cases whose petitioner identity and files were removed after the retention period, "
            "and the addresses of messages sent before it."
        ),
        filterset=AuditEventFilter,
        rows=_audit_events(AuditEventKind.PURGE),
        columns=(
            _AT,
            LogColumn(_("Case"), lambda row: row.detail.get("case_number", ""), width=14),
            LogColumn(_("Identity"), lambda row: _("Removed") if row.detail.get("identity") else "", width=10),
            LogColumn(_("Files"), lambda row: len(row.detail.get("attachments", ())), width=8),
            LogColumn(_("Message addresses"), lambda row: row.detail.get("outbox_addresses", ""), width=10),
            LogColumn(_("Retention days"), lambda row: row.detail.get("retention_days"), width=10),
            LogColumn(_("By"), _event_user, width=20),
        ),
    ),
    Log(
        slug="refused-writes",
        title=_("Refused writes"),
        description=_("Changes refused to a user without the right to make them (an auditor's attempt, say)."),
        filterset=AuditEventFilter,
        rows=_audit_events(AuditEventKind.WRITE_REFUSED),
        columns=(
            _AT,
            LogColumn(_("User"), _event_user, width=20),
            LogColumn(_("Method"), lambda row: row.method, width=8),
            LogColumn(_("Path"), lambda row: row.path, width=40),
            LogColumn(_("Detail"), _detail_text, width=40),
            _ADDRESS,
        ),
    ),
)


@dataclass(frozen=True)
class Cell:
    text: str
    link: str | None = None


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i:s")
    return str(value)


def _cells(log: Log, row) -> list[Cell]:
    return [Cell(_shown(column.value(row)), column.link(row) if column.link else None) for column in log.columns]


@never_cache
@require_GET
@login_required
@permission_required("jiufeng.audit_history", raise_exception=True)
def log_page(request, log: Log):
    """One log, filtered, newest first, a page at a time; ``?format=xlsx|csv`` exports what the filters select."""
    filterset = log.filterset(request.GET, queryset=log.rows(), request=request)
    cursor = CursorForm(request.GET)
    context = {"log": log, "filter": filterset, "cursor": cursor, "page": None, "export_error": None}
    if not (filterset.is_valid() and cursor.is_valid()):
        return render(request, "audit/logs/log.html", context, status=400)
    if export_requested(request):
        try:
            return export_response(
                request,
                name=log.slug,
                title=log.title,
                columns=log.columns,
                rows=filterset.qs.order_by("-pk"),
                filters=filterset.used(),
            )
        except ExportRefused as refusal:
            context["export_error"] = str(refusal)
    page = keyset_page(filterset.qs, size=PAGE_SIZE, **cursor.cleaned_data)
    context |= {"page": page, "rows": [_cells(log, row) for row in page.rows], "query": unpaged_query(request)}
    return render(request, "audit/logs/log.html", context, status=400 if context["export_error"] else 200)
