"""The auditors' history pages: the search over all history and an object's timeline. Read-only."""

import itertools
from operator import itemgetter

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from jiufeng.filters import INT64_MAX

from .. import timeline
from ..diffs import tracked_model
from ..exports import (
    Column,
    ExportRefused,
    export_limit,
    export_requested,
    export_response,
    filters_used,
    unpaged_query,
)
from ..forms import HistorySearchForm, TimelinePageForm, field_choices
from ..search import history_search as history_entries
from ..timeline import cursor_encode, object_timeline, search_page

AUDIT = "jiufeng.audit_history"
TITLE = _("History of changes")
# The columns of a history file: TimelineRow.as_export's keys.
COLUMNS = [
    Column(_("Time"), itemgetter("at"), 18),
    Column(_("User"), itemgetter("user"), 18),
    Column(pgettext_lazy("history column", "Record"), itemgetter("record"), 28),
    Column(_("Action"), itemgetter("action"), 12),
    Column(pgettext_lazy("history column", "Reason"), itemgetter("reason"), 18),
    Column(pgettext_lazy("history column", "Changes"), itemgetter("changes"), 60),
    Column(_("Note"), itemgetter("note"), 30),
]


@require_GET
@login_required
@permission_required(AUDIT, raise_exception=True)
def history_search(request):
    """Every change of every tracked object, filtered, newest first, 50 a page with an "older" link.

    Filters that do not validate are named on the form and nothing is searched (400).
    """
    form = HistorySearchForm(request.GET)
    context = {"form": form, "rows": [], "older": None, "query": unpaged_query(request), "export_error": None}
    if not form.is_valid():
        return render(request, "audit/history_search.html", context, status=400)
    if export_requested(request):
        try:
            filters = form.filters()
            return export_response(
                request,
                name="history",
                title=TITLE,
                columns=COLUMNS,
                rows=timeline.search_export_rows(filters=filters),
                size=history_entries(**filters)[: export_limit(request) + 1].count(),
                filters=filters_used(form, skip=["before"]),
            )
        except ExportRefused as refusal:
            context["export_error"] = str(refusal)
    rows, after = search_page(filters=form.filters(), after=form.cleaned_data["before"], limit=timeline.PAGE_SIZE)
    context |= {"rows": rows, "older": cursor_encode((after.at, after.id)) if after else None}
    return render(request, "audit/history_search.html", context, status=400 if context["export_error"] else 200)


@require_GET
@login_required
@permission_required(AUDIT, raise_exception=True)
def history_fields(request):
    """The options of the "field changed" select for the chosen type (htmx swaps them in)."""
    return render(request, "audit/history_field_options.html", {"choices": field_choices(request.GET.get("type", ""))})


@require_GET
@login_required
@permission_required(AUDIT, raise_exception=True)
def object_timeline_page(request, label: str, object_id: str):
    """One object's every change, newest first; a complaint's with everything attached to it."""
    model = tracked_model(label)
    object_id = int(object_id)
    if model is None or object_id > INT64_MAX:
        raise Http404
    form = TimelinePageForm(request.GET)
    heading = {"form": form, "label": label, "object_id": object_id, "model_name": model._meta.verbose_name}
    if not form.is_valid():
        return render(request, "audit/timeline.html", heading, status=400)
    before = form.cleaned_data["before"]
    rows, older = object_timeline(label=label, object_id=object_id, before=before, limit=timeline.TIMELINE_PAGE_SIZE)
    current = model._default_manager.filter(pk=object_id).first()
    if current is None and not rows and before is None:
        raise Http404
    context = {
        **heading,
        "current": current,
        "rows": rows,
        "older": cursor_encode(older) if older else None,
        "query": unpaged_query(request),
        "export_error": None,
    }
    if export_requested(request):
        try:
            # One object's rows, from several tables: held to count them, never more than the limit.
            rows = list(
                itertools.islice(
                    timeline.timeline_export_rows(label=label, object_id=object_id), export_limit(request) + 1
                )
            )
            return export_response(
                request,
                name="timeline",
                title=TITLE,
                columns=COLUMNS,
                rows=rows,
                size=len(rows),
                filters=[(_("Object type"), str(model._meta.verbose_name)), (_("Object number"), str(object_id))],
            )
        except ExportRefused as refusal:
            context["export_error"] = str(refusal)
    return render(request, "audit/timeline.html", context, status=400 if context["export_error"] else 200)
