"""The staff pages of typical cases (典型案例): writing one from a case, reading it, its decisions.

Scope first (404 for a case or typical case the user may not see), a form, one service;
a refusal shows the page again with the reason: 400 bad input, 403 not theirs, 409 not now.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from ..forms.typical_cases import TypicalCaseForm, TypicalCaseReturnForm
from ..models import TypicalCase
from ..permissions import can_write_typical_case
from ..selectors import complaint_get_for_user
from ..typical_cases import (
    TYPICAL_CASE_TRANSITIONS,
    typical_case_publish,
    typical_case_refusal,
    typical_case_return,
    typical_case_submit,
    typical_case_withdraw,
    typical_case_write,
)

SUBMIT = "submit"


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def case_typical_case(request, pk: int):
    """Write the typical case of a case (or change a draft or returned one); "submit" sends it to a leader."""
    complaint = complaint_get_for_user(user=request.user, pk=pk)
    if not can_write_typical_case(request.user, complaint):
        raise PermissionDenied
    existing = TypicalCase.objects.filter(complaint=complaint).first()
    initial = {"title": existing.title, "account": existing.account} if existing else {}
    form = TypicalCaseForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                typical_case = typical_case_write(actor=request.user, complaint_id=complaint.pk, **form.cleaned_data)
                if request.POST.get("action") == SUBMIT:
                    typical_case_submit(actor=request.user, typical_case_id=typical_case.pk)
            except ValidationError as error:
                form.add_service_error(error)
            except TransitionNotAllowed as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, _("The typical case is saved."))
                return redirect("complaints:typical-case-detail", typical_case.pk)
    context = {
        "complaint": complaint,
        "form": form,
        "typical_case": existing,
        "refusal": typical_case_refusal(complaint),
        # Sent or published: read on its own page, no longer changed here.
        "editable": existing is None or TYPICAL_CASE_TRANSITIONS["edit"].allowed(request.user, existing),
    }
    return render(request, "complaints/typical_cases/write.html", context, status=status)


def _detail(request, typical_case: TypicalCase, *, status: int = 200, return_form=None):
    user = request.user
    context = {
        "typical_case": typical_case,
        "may_edit": TYPICAL_CASE_TRANSITIONS["edit"].allowed(user, typical_case),
        "may_submit": TYPICAL_CASE_TRANSITIONS["submit"].allowed(user, typical_case),
        "may_decide": TYPICAL_CASE_TRANSITIONS["publish"].allowed(user, typical_case),
        "may_withdraw": TYPICAL_CASE_TRANSITIONS["withdraw"].allowed(user, typical_case),
        "return_form": return_form or TypicalCaseReturnForm(),
    }
    return render(request, "complaints/typical_cases/detail.html", context, status=status)


def _visible(request, pk: int) -> TypicalCase:
    typical_cases = TypicalCase.objects.visible_to(request.user).select_related(
        "complaint__handling_unit", "complaint__subject_unit", "subject_unit", "category", "written_by", "decided_by"
    )
    return get_object_or_404(typical_cases, pk=pk)


@require_GET
@login_required
def typical_case_detail(request, pk: int):
    return _detail(request, _visible(request, pk))


@require_POST
@login_required
def typical_case_decide(request, pk: int, action: str):
    """Submit (the writer's side), publish, return or withdraw (a leader's) a typical case."""
    typical_case = _visible(request, pk)
    return_form = None
    try:
        if action == "submit":
            typical_case_submit(actor=request.user, typical_case_id=pk)
        elif action == "publish":
            typical_case_publish(actor=request.user, typical_case_id=pk)
        elif action in ("return", "withdraw"):
            return_form = TypicalCaseReturnForm(request.POST)
            if not return_form.is_valid():
                return _detail(request, typical_case, status=400, return_form=return_form)
            service = typical_case_return if action == "return" else typical_case_withdraw
            service(actor=request.user, typical_case_id=pk, **return_form.cleaned_data)
        else:
            raise Http404
    except ValidationError as error:
        return_form = return_form or TypicalCaseReturnForm()
        return_form.add_service_error(error)
        return _detail(request, typical_case, status=400, return_form=return_form)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return _detail(request, typical_case, status=409)
    done = {
        "submit": _("Sent to a leader."),
        "publish": _("Published on the public page."),
        "return": _("Returned to be changed."),
        "withdraw": _("Taken off the public page and returned to be changed."),
    }
    messages.success(request, done[action])
    return redirect("complaints:typical-case-detail", pk)
