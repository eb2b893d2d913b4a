"""The auditors' history pages: the search over all history and an object's timeline. Read-only."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiufeng.filters import INT64_MAX

from .. import timeline
from ..diffs import tracked_model
from ..forms import HistorySearchForm, TimelinePageForm, field_choices
from ..timeline import cursor_encode, object_timeline, search_page

AUDIT = "jiufeng.audit_history"


@require_GET
@login_required
@permission_required(AUDIT, raise_exception=True)
def history_search(request):
    """Every change of every tracked object, filtered, newest first, 50 a page with an "older" link.

    Filters that do not validate are named on the form and nothing is searched (400).
    """
    form = HistorySearchForm(request.GET)
    rows, older = [], None
    if form.is_valid():
        rows, after = search_page(filters=form.filters(), after=form.cleaned_data["before"], limit=timeline.PAGE_SIZE)
        older = cursor_encode((after.at, after.id)) if after else None
    context = {"form": form, "rows": rows, "older": older}
    return render(request, "audit/history_search.html", context, status=400 if form.errors else 200)


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
    }
    return render(request, "audit/timeline.html", context)
