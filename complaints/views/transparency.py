"""The public transparency page (/public/) and its typical cases: no account, nothing identifying.

The figures and the lists come from complaints.public, cached there; these views only read
the month asked for and render. The monthly report (工作动态) is the staff's printable page.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from responsibility.models import Unit

from ..dashboard import Period
from ..public import CACHE_SECONDS, MonthRefused, month_parse, public_figures, public_lists, typical_cases_published
from ..report import monthly_report

PAGE_SIZE = 20


def _trend_chart(months: list[dict]) -> dict:
    """The county's months as static/js/dashboard.js draws its "trend" (the months table beside it has the numbers)."""
    return {
        "labels": [month["month"] for month in months],
        "names": [pgettext("count of cases", "Received"), pgettext("count of cases", "Resolved")],
        "received": [month["received"] for month in months],
        "decided": [month["resolved"] for month in months],
        "urls": [f"?month={month['month']}" for month in months],
    }


@require_GET
def public_page(request):
    """The figures of each department for a month (the last of twelve shown), typical cases, rules adopted."""
    today = timezone.localdate()
    month, month_error = today.replace(day=1), None
    if request.GET.get("month"):
        try:
            month = month_parse(request.GET["month"][:20], today=today)
        except MonthRefused as refusal:
            month_error = str(refusal)
    figures = public_figures(last_month=month)
    context = {
        "figures": figures,
        # The chosen month's column of each department (the last of the twelve).
        "rows": [(department["name"], department["months"][-1]) for department in figures["departments"]],
        "total": figures["total"]["months"][-1],
        "month": month,
        "month_error": month_error,
        "lists": public_lists(),
        "cache_minutes": CACHE_SECONDS // 60,
        "charts": {"trend": _trend_chart(figures["total"]["months"])},
    }
    return render(request, "complaints/transparency/index.html", context, status=400 if month_error else 200)


@require_GET
def public_typical_case_list(request):
    page = Paginator(typical_cases_published(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "complaints/transparency/typical_case_list.html", {"page": page, "query": ""})


@require_GET
def public_typical_case(request, pk: int):
    typical_case = get_object_or_404(typical_cases_published(), pk=pk)
    return render(request, "complaints/transparency/typical_case.html", {"typical_case": typical_case})


@require_GET
@login_required
def unit_monthly_report(request, pk: int, month: str):
    """工作动态 of a unit for a month (YYYY-MM): leaders and officers of the unit or above."""
    if not request.user.has_perm("jiufeng.view_dashboard"):
        raise PermissionDenied
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    try:
        first = month_parse(month, today=timezone.localdate())
    except MonthRefused as refusal:
        return render(request, "complaints/report/bad_month.html", {"message": str(refusal), "unit": unit}, status=400)
    report = monthly_report(user=request.user, unit=unit, period=Period.month(first.year, first.month))
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    context = {
        "report": report,
        "unit": unit,
        "previous_month": f"{first - datetime.timedelta(days=1):%Y-%m}",
        # No report of a month to come.
        "next_month": f"{following:%Y-%m}" if following <= timezone.localdate() else "",
    }
    return render(request, "complaints/report/unit_month.html", context)
