"""Escalation pages: my escalations, one escalation, acknowledging it, a unit's overdue board."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.export_jobs import ledger_file

from ..ledgers import ESCALATION_TABS, escalation_ledger, escalation_list_tab
from ..models import Escalation, Unit
from ..services.escalations import escalation_acknowledge
from ..services.escalations_selectors import overdue_board

PAGE_SIZE = 50


@require_GET
@login_required
def escalation_list(request):
    """The escalations that reached the user, or every one in their scope; either as a file (台帐)."""
    file, export_error = ledger_file(request, escalation_ledger)
    if file is not None:
        return file
    tab, escalations = escalation_list_tab(request)
    context = {
        "page": Paginator(escalations, PAGE_SIZE).get_page(request.GET.get("page")),
        "tab": tab,
        "tabs": ESCALATION_TABS,
        "query": urlencode({"tab": tab}),
        "export_error": export_error,
    }
    return render(
        request, "responsibility/escalations/escalation_list.html", context, status=400 if export_error else 200
    )


@require_GET
@login_required
def escalation_detail(request, pk: int):
    escalation = get_object_or_404(
        Escalation.objects.visible_to(request.user).select_related("deadline__unit", "unit", "acknowledged_by"), pk=pk
    )
    ladder = escalation.deadline.escalations.select_related("unit", "acknowledged_by").order_by("level")
    return render(
        request, "responsibility/escalations/escalation_detail.html", {"escalation": escalation, "ladder": ladder}
    )


@require_POST
@login_required
def escalation_acknowledge_view(request, pk: int):
    escalation = get_object_or_404(Escalation.objects.visible_to(request.user), pk=pk)
    try:
        escalation_acknowledge(escalation_id=escalation.pk, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Acknowledged. The deadline stays open until it is met."))
    return redirect("responsibility:escalation-list")


@require_GET
@login_required
def unit_overdue(request, pk: int):
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    page = Paginator(overdue_board(unit=unit, user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "responsibility/escalations/unit_overdue.html", {"unit": unit, "page": page})
