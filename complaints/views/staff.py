"""The staff lists and intake: the inbox of cases, the leaders' approval queue, recording a complaint."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audit.export_jobs import ledger_file
from jiufeng.pagination import CappedPaginator

from ..forms.staff import IntakeForm
from ..ledgers import case_ledger, case_list_filter, latest_ratings
from ..models import ExtensionRequest, ExtensionState
from ..selectors import complaint_extensions_to_decide_for_user, complaint_findings_to_approve_for_user
from ..services import complaint_file
from ..typical_cases import typical_cases_awaiting

PAGE_SIZE = 50


@require_GET
@login_required
def case_list(request):
    """The cases waiting for this user, or every case in their scope; filtered and paginated."""
    # 台帐: the list as the filters select it, as a file (complaints.ledgers).
    file, export_error = ledger_file(request, case_ledger)
    if file is not None:
        return file
    tab, filterset = case_list_filter(request)
    # A county-wide scope holds a million cases: counted up to a cap, not exactly.
    page = CappedPaginator(filterset.qs.prefetch_related(latest_ratings()), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {"filter": filterset, "page": page, "tab": tab, "query": query.urlencode(), "export_error": export_error}
    return render(request, "complaints/staff/case_list.html", context, status=400 if export_error else 200)


@require_GET
@login_required
def case_approvals(request):
    """What a leader may decide now: findings awaiting approval, then extension requests."""
    findings = complaint_findings_to_approve_for_user(user=request.user)
    page = CappedPaginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = ExtensionRequest.objects.filter(state=ExtensionState.PENDING).order_by("requested_at")
    # Few at a time (a stage is extended once); past a page, the most urgent are shown.
    extensions = list(
        complaint_extensions_to_decide_for_user(user=request.user).prefetch_related(
            Prefetch("extension_requests", queryset=pending, to_attr="pending_extensions")
        )[: PAGE_SIZE + 1]
    )
    context = {
        "page": page,
        "query": "",
        "extensions": extensions[:PAGE_SIZE],
        "extensions_more": len(extensions) > PAGE_SIZE,
        "typical_cases": typical_cases_awaiting(user=request.user),
    }
    return render(request, "complaints/staff/approvals.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def case_create(request):
    """An officer records a complaint received by hotline, letter, visit, mailbox, media or referral.

    The tracking code is shown once, in the answer to the POST, for the officer to pass on.
    """
    if not request.user.has_perm("jiufeng.handle_cases"):
        raise PermissionDenied
    form = IntakeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint, code = complaint_file(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return render(request, "complaints/staff/intake_done.html", {"complaint": complaint, "code": code})
    status = 400 if form.errors else 200
    return render(request, "complaints/staff/intake.html", {"form": form}, status=status)
