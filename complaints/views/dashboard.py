"""The leader's dashboard (看): a unit's figures for a period, each leading to the list behind it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from responsibility.models import Unit

from ..dashboard import (
    CHILD_ORDERS,
    Period,
    children_ordered,
    dashboard_charts,
    dashboard_for_unit,
    dashboard_trend_rows,
    dashboard_unit_for_user,
)
from ..forms.dashboard import PeriodForm
from ..recurring import (
    FIX_WINDOW_DAYS,
    REPEAT_MIN,
    SPIKE_MIN_COUNT,
    SPIKE_TRAILING_WEEKS,
    WARNINGS_SHOWN,
    recurring_for_unit,
    warning_actions,
)


def _may_see_dashboards(user) -> None:
    if not user.has_perm("jiufeng.view_dashboard"):
        raise PermissionDenied


@require_GET
@login_required
def dashboard_home(request):
    """The dashboard of the top of the user's own area, for the period asked (kept in the redirect)."""
    _may_see_dashboards(request.user)
    unit = dashboard_unit_for_user(user=request.user)
    if unit is None:
        # A leader's landing page: say why it is empty rather than "not found".
        return render(request, "complaints/dashboard/no_area.html")
    url = reverse("complaints:unit-dashboard", args=[unit.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@require_GET
@login_required
def unit_dashboard(request, pk: int):
    _may_see_dashboards(request.user)
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    form = PeriodForm(request.GET or None)
    period = form.period_or_default()
    dashboard = dashboard_for_unit(user=request.user, unit=unit, period=period)
    # The child table worst first, if asked; an order not offered keeps the tree's, saying so.
    order = request.GET.get("order", "")
    order_error = order != "" and order not in CHILD_ORDERS
    if order_error:
        order = ""
    dashboard.cases.children = children_ordered(dashboard.cases.children, order)
    # 举一反三: early warnings with what the user may do about each, recurring problems, fixes checked.
    recurring = recurring_for_unit(user=request.user, unit=unit, period=period)
    context = {
        "dashboard": dashboard,
        "charts": dashboard_charts(dashboard),
        "trend_rows": dashboard_trend_rows(dashboard),
        "period_shortcuts": Period.shortcuts(timezone.localdate()),
        "period_errors": form.error_messages() if form.is_bound else [],
        "order": order,
        "order_error": order_error,
        "recurring": recurring,
        "warning_rows": warning_actions(user=request.user, unit=unit, warnings=recurring.warnings[:WARNINGS_SHOWN]),
        "warnings_more": max(0, len(recurring.warnings) - WARNINGS_SHOWN),
        "rules": {
            "spike_min": SPIKE_MIN_COUNT,
            "trailing_weeks": SPIKE_TRAILING_WEEKS,
            "repeat_min": REPEAT_MIN,
            "fix_window": FIX_WINDOW_DAYS,
        },
    }
    return render(request, "complaints/dashboard/unit.html", context)
