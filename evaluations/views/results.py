"""Results of an appraisal: the ranking and charts, a unit's report, the Excel file, and the public
pages of published results. Scoring and publication are transitions (views.running)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from audit.exports import XLSX, Column, export_response

from ..models import PARTS, Appraisal, EvaluatorGroup, Grade
from ..services import results_selectors as selectors
from ..workflow import APPRAISAL_TRANSITIONS


def _appraisal_or_404(request, pk: int) -> Appraisal:
    try:
        return selectors.appraisal_get_for_user(user=request.user, pk=pk)
    except Appraisal.DoesNotExist:
        raise Http404 from None


def _ranking(appraisal: Appraisal) -> list:
    # The ranking shows no part of the explanation: its JSON is left unread.
    return selectors.results_by_group(selectors.results_rows(appraisal).defer("parts"))


def _results(request, appraisal: Appraisal, *, status: int = 200):
    groups = _ranking(appraisal)
    context = {
        "appraisal": appraisal,
        "groups": groups,
        "charts": [group.chart for group in groups],
        "may_score": APPRAISAL_TRANSITIONS["score"].allowed(request.user, appraisal),
        "may_publish": APPRAISAL_TRANSITIONS["publish"].allowed(request.user, appraisal),
    }
    return render(request, "evaluations/results/results.html", context, status=status)


@require_GET
@login_required
def appraisal_results(request, pk: int):
    return _results(request, _appraisal_or_404(request, pk))


@require_GET
@login_required
def appraised_unit_report(request, pk: int, appraised_unit_id: int):
    appraisal = _appraisal_or_404(request, pk)
    appraised = get_object_or_404(selectors.results_rows(appraisal), pk=appraised_unit_id)
    appraised.appraisal = appraisal
    context = {
        "appraisal": appraisal,
        "appraised": appraised,
        "parts": selectors.parts_explained(appraised.parts),
        # By the group's name, as the page heads them.
        "item_averages": _by_label(selectors.unit_item_averages(appraised)),
        "comments": _by_label(selectors.unit_comments(appraised)),
    }
    return render(request, "evaluations/results/unit_report.html", context)


def _by_label(by_group: dict) -> dict:
    return {EvaluatorGroup(group).label: value for group, value in by_group.items()}


def _part_column(part: str, key: str, label) -> Column:
    return Column(label, lambda row: _decimal((row.parts.get(part) or {}).get(key)), width=12)


def _decimal(value: str | None) -> float | None:
    # Excel sums numbers, not text.
    return None if value is None else float(value)


def _columns() -> list[Column]:
    columns = [
        Column(gettext_lazy("Ranking group"), lambda row: row.ranking_group, width=12),
        Column(gettext_lazy("Rank"), lambda row: row.rank, width=8),
        Column(gettext_lazy("Unit"), lambda row: row.unit.name, width=28),
        Column(gettext_lazy("Score"), lambda row: None if row.score is None else float(row.score), width=10),
        Column(gettext_lazy("Grade"), lambda row: Grade(row.grade).label if row.grade else "", width=12),
        Column(gettext_lazy("Must rectify"), lambda row: _("Yes") if row.to_rectify else "", width=10),
    ]
    for part in PARTS:
        columns.append(_part_column(part, "score", selectors.part_heading(part, gettext_lazy("score"))))
        columns.append(_part_column(part, "contribution", selectors.part_heading(part, gettext_lazy("points added"))))
    return columns


@require_GET
@login_required
def appraisal_results_xlsx(request, pk: int):
    appraisal = _appraisal_or_404(request, pk)
    rows = list(selectors.results_rows(appraisal))
    # An appraisal's units are far fewer than an Excel file's limit: nothing to refuse.
    return export_response(
        request,
        name="appraisal_results",
        title=_("%(appraisal)s: results") % {"appraisal": appraisal.name},
        columns=_columns(),
        rows=rows,
        size=len(rows),
        filters=[(_("Organising unit"), appraisal.organiser.name), (_("State"), appraisal.get_state_display())],
        file_format=XLSX,
    )


@require_GET
def appraisal_public_list(request):
    return render(request, "evaluations/results/public_list.html", {"appraisals": selectors.appraisal_public_list()})


@require_GET
def appraisal_public(request, pk: int):
    try:
        appraisal = selectors.appraisal_get_public(pk=pk)
    except Appraisal.DoesNotExist:
        raise Http404 from None
    groups = _ranking(appraisal)
    context = {"appraisal": appraisal, "groups": groups, "charts": [group.chart for group in groups]}
    return render(request, "evaluations/results/public.html", context)


urlpatterns = [
    path("appraisals/<int:pk>/results/", appraisal_results, name="appraisal-results"),
    path("appraisals/<int:pk>/results/<int:appraised_unit_id>/", appraised_unit_report, name="appraisal-unit-report"),
    path("appraisals/<int:pk>/results.xlsx", appraisal_results_xlsx, name="appraisal-results-xlsx"),
    path("public/appraisals/", appraisal_public_list, name="appraisal-public-list"),
    path("public/appraisals/<int:pk>/", appraisal_public, name="appraisal-public"),
]
