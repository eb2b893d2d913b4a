"""The organisation pages: the tree with search, a unit's page, children on demand."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..models import Unit
from ..permissions import can_handle_in, can_import_units, can_manage_unit, can_propose_accountability
from ..selectors import unit_children, unit_page, unit_search, unit_tree_roots, with_principal

SEARCH_LIMIT = 100


@require_GET
@login_required
def unit_tree(request):
    query = request.GET.get("q", "").strip()[:64]
    context = {"query": query, "may_import": can_import_units(request.user)}
    if query:
        context["results"], context["truncated"] = unit_search(user=request.user, query=query, limit=SEARCH_LIMIT)
    else:
        context["roots"] = unit_tree_roots(user=request.user)
    return render(request, "responsibility/unit_tree.html", context)


@require_GET
@login_required
def unit_children_partial(request, pk: int):
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    return render(request, "responsibility/_unit_rows.html", {"units": with_principal(unit_children(unit=unit))})


@require_GET
@login_required
def unit_detail(request, pk: int):
    unit = get_object_or_404(Unit.objects.visible_to(request.user).with_parent_id(), pk=pk)
    context = {
        "unit": unit_page(unit=unit, user=request.user),
        "may_manage": can_manage_unit(request.user, unit),
        "may_add_units": can_handle_in(request.user, unit),
        "may_propose_accountability": can_propose_accountability(request.user, unit),
        "today": timezone.localdate(),
    }
    return render(request, "responsibility/unit_detail.html", context)
