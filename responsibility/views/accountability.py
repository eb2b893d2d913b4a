"""Accountability (问责) pages: the scoped list, a record with its documents, propose, decide, dismiss."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from audit.exports import ExportRefused, export_requested, export_response, filters_used
from jiufeng.file_responses import stored_file_response

from ..forms.accountability import (
    AccountabilityDocumentForm,
    AccountabilityFilterForm,
    AccountabilityProposeForm,
)
from ..ledgers import ACCOUNTABILITY_COLUMNS
from ..models import AccountabilityDocument, AccountabilityRecord, Unit
from ..permissions import can_document_accountability, can_propose_accountability
from ..services import accountability as services
from ..services.accountability_selectors import (
    accountability_document_get_for_user,
    accountability_get_for_user,
    accountability_list_for_user,
)
from ..workflow import ACCOUNTABILITY_TRANSITIONS

PAGE_SIZE = 50


def _record_or_404(request, pk: int) -> AccountabilityRecord:
    try:
        return accountability_get_for_user(user=request.user, pk=pk)
    except AccountabilityRecord.DoesNotExist:
        raise Http404 from None


def _detail(request, record: AccountabilityRecord, *, status: int = 200, **forms):
    user = request.user
    # Deciding and dismissing share who may and from which state (responsibility.workflow).
    decide, dismiss = ACCOUNTABILITY_TRANSITIONS["decide"], ACCOUNTABILITY_TRANSITIONS["dismiss"]
    may_decide = decide.allowed(user, record)
    may_document = can_document_accountability(user, record)
    context = {
        "record": record,
        "may_decide": may_decide,
        "may_document": may_document,
        "decide_form": forms.get("decide_form") or (decide.form() if may_decide else None),
        "dismiss_form": forms.get("dismiss_form") or (dismiss.form() if may_decide else None),
        "document_form": forms.get("document_form") or (AccountabilityDocumentForm() if may_document else None),
    }
    return render(request, "responsibility/accountability/detail.html", context, status=status)


@require_GET
@login_required
def accountability_list(request):
    form = AccountabilityFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    records = accountability_list_for_user(
        user=request.user, state=filters.get("state", ""), measure=filters.get("measure", "")
    )
    export_error = None
    if export_requested(request):
        try:
            return export_response(
                request,
                name="accountability",
                title=_("Accountability ledger"),
                columns=ACCOUNTABILITY_COLUMNS,
                rows=records,
                filters=filters_used(form) if form.is_valid() else [],
            )
        except ExportRefused as refusal:
            export_error = str(refusal)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    context = {"filter_form": form, "page": page, "query": query.urlencode(), "export_error": export_error}
    return render(request, "responsibility/accountability/list.html", context, status=400 if export_error else 200)


@require_GET
@login_required
def accountability_detail(request, pk: int):
    return _detail(request, _record_or_404(request, pk))


@require_http_methods(["GET", "POST"])
@login_required
def accountability_propose(request, unit_pk: int):
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=unit_pk)
    if not can_propose_accountability(request.user, unit):
        raise PermissionDenied
    form = AccountabilityProposeForm(request.POST or None, unit=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.accountability_propose(
                actor=request.user,
                position=form.cleaned_data["position"],
                reason=form.cleaned_data["reason"],
                obligations=form.cleaned_data["obligations"],
                measure=form.cleaned_data["measure"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The accountability record has been proposed."))
            return redirect("responsibility:accountability-detail", record.pk)
    status = 400 if form.errors else 200
    return render(request, "responsibility/accountability/propose.html", {"unit": unit, "form": form}, status=status)


def _act(request, record: AccountabilityRecord, form_name: str, form, action, success: str):
    """Run one service for a posted form; re-show the record with the errors otherwise."""
    if not form.is_valid():
        return _detail(request, record, status=400, **{form_name: form})
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _detail(request, record, status=400, **{form_name: form})
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return _detail(request, _record_or_404(request, record.pk), status=409)
    messages.success(request, success)
    return redirect("responsibility:accountability-detail", record.pk)


def _transition(request, pk: int, name: str, success: str):
    """Make the declared transition ``name`` (responsibility.workflow) with its form and service.

    Who may not make it is refused (403) before the form is read.
    """
    record = _record_or_404(request, pk)
    transition = ACCOUNTABILITY_TRANSITIONS[name]
    if not transition.permits(request.user, record):
        raise PermissionDenied
    return _act(
        request,
        record,
        f"{name}_form",
        transition.form(request.POST),
        lambda data: transition.service(record_id=record.pk, actor=request.user, **data),
        success,
    )


@require_POST
@login_required
def accountability_decide(request, pk: int):
    return _transition(request, pk, "decide", _("The decision has been recorded."))


@require_POST
@login_required
def accountability_dismiss(request, pk: int):
    return _transition(request, pk, "dismiss", _("The proposal has been dismissed."))


@require_POST
@login_required
def accountability_document_add(request, pk: int):
    record = _record_or_404(request, pk)
    if not can_document_accountability(request.user, record):
        raise PermissionDenied
    return _act(
        request,
        record,
        "document_form",
        AccountabilityDocumentForm(request.POST, request.FILES),
        lambda data: services.accountability_document_add(record_id=record.pk, actor=request.user, file=data["file"]),
        _("The document has been attached."),
    )


@require_POST
@login_required
def accountability_document_remove(request, pk: int, document_pk: int):
    try:
        document = accountability_document_get_for_user(user=request.user, record_pk=pk, pk=document_pk)
    except AccountabilityDocument.DoesNotExist:
        raise Http404 from None
    services.accountability_document_remove(document_id=document.pk, actor=request.user)
    messages.success(request, _("The document has been removed."))
    return redirect("responsibility:accountability-detail", pk)


@require_GET
@login_required
def accountability_document_download(request, pk: int, document_pk: int):
    """Stream a document to someone whose scope holds the record; 404 for everyone else."""
    try:
        document = accountability_document_get_for_user(user=request.user, record_pk=pk, pk=document_pk)
    except AccountabilityDocument.DoesNotExist:
        raise Http404 from None
    return stored_file_response(
        request, document.file, filename=document.original_name, content_type=document.content_type, as_attachment=True
    )
