"""The case page of the staff side, and every write made from it.

Scope first (complaint_get_for_user: 404 for what the user may not see), validate with a
form, call one service, then redirect; a refusal re-shows the case with the form and its
errors. Services decide who may act: PermissionDenied becomes 403. Every form carries the
version of the case it was made from; a case changed meanwhile refuses it (409) and
nothing is written.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_fsm import TransitionNotAllowed

from jiufeng.client_address import client_address

from .. import services
from ..attachments import attachment_response
from ..forms.staff import (
    ActivityCorrectForm,
    ActivityForm,
    ActivityVoidForm,
    CaseForm,
    ExtensionRequestForm,
    InternalNoteForm,
    MessageForm,
)
from ..letters import letter_context
from ..models import Complaint
from ..permissions import can_handle
from ..selectors import complaint_get_for_user
from ..workflow import Situation, UnknownTransition, staff_transition
from .case_page import case_context

STALE = _("This case was changed by someone else meanwhile; reload it and try again.")


def _case(request, pk: int) -> Complaint:
    return complaint_get_for_user(user=request.user, pk=pk)


def case_page(request, complaint: Complaint, *, status: int = 200, forms: dict | None = None, **extra):
    context = {**case_context(user=request.user, complaint=complaint, forms=forms or {}), **extra}
    return render(request, "complaints/staff/case_detail.html", context, status=status)


def _stale(form: CaseForm, complaint: Complaint) -> bool:
    return form.cleaned_data["version"] != complaint.version


def _refreshed(request, form: CaseForm, complaint: Complaint) -> CaseForm:
    """The user's input again on a fresh copy of the case: they see what changed, and may resend."""
    data = request.POST.copy()
    data[form.add_prefix("version")] = complaint.version
    return type(form)(data, complaint=complaint, user=request.user)


@require_GET
@login_required
def case_detail(request, pk: int):
    return case_page(request, _case(request, pk))


@require_POST
@login_required
def case_transition(request, pk: int, name: str):
    """Fire a staff transition through its declared form and service (complaints.workflow).

    Who may not fire it is refused (403) before the form is read; the service checks
    permission, state and guard again under the row lock.
    """
    complaint = _case(request, pk)
    try:
        transition = staff_transition(name)
    except UnknownTransition as error:
        raise Http404 from error
    if not transition.permits(request.user, Situation(complaint)):
        raise PermissionDenied(transition.denied(complaint))
    form = transition.form(request.POST, complaint=complaint, user=request.user)
    if not form.is_valid():
        return case_page(request, complaint, status=400, forms={name: form})
    try:
        transition.service(
            complaint_id=complaint.pk,
            actor=request.user,
            version=form.cleaned_data["version"],
            **form.data_for_service(),
        )
    except ValidationError as error:
        form.add_service_error(error)
        return case_page(request, complaint, status=400, forms={name: form})
    except TransitionNotAllowed as error:
        # Changed meanwhile, or no longer in a state that allows it: show the case as it is now.
        messages.error(request, str(error))
        complaint = _case(request, pk)
        return case_page(request, complaint, status=409, forms={name: _refreshed(request, form, complaint)})
    messages.success(request, form.done)
    return redirect("complaints:case-detail", complaint.pk)


def _record(request, pk: int, form_class: type[CaseForm], service):
    """Add a record (activity, message, note, extension request) to the case.

    With htmx the answer is the form again (blank once saved) and the timeline, swapped in
    place; without JavaScript, a redirect to the case or the page with the errors.
    """
    complaint = _case(request, pk)
    form = form_class(request.POST, request.FILES, complaint=complaint, user=request.user)
    status = 400
    if form.is_valid():
        if _stale(form, complaint):
            form = _refreshed(request, form, complaint)
            form.add_error(None, STALE)
            status = 409
        else:
            try:
                service(complaint_id=complaint.pk, actor=request.user, **form.data_for_service())
            except ValidationError as error:
                form.add_service_error(error)
            except TransitionNotAllowed as error:
                form.add_error(None, str(error))
                status = 409
            else:
                if not request.htmx:
                    messages.success(request, form.done)
                    return redirect(reverse("complaints:case-detail", args=[complaint.pk]) + "#timeline")
                form = form_class(complaint=complaint, user=request.user)
                form.saved = True
                status = 200
    if request.htmx:
        # htmx swaps only 2xx answers: the errors travel in a 200 and show in the form.
        context = case_context(user=request.user, complaint=complaint, forms={form.prefix_name: form})
        context["form"] = form
        return render(request, "complaints/staff/_record_response.html", context)
    return case_page(request, complaint, status=status, forms={form.prefix_name: form})


@require_POST
@login_required
def case_activity_add(request, pk: int):
    return _record(request, pk, ActivityForm, services.activity_record)


def _activity_page(request, complaint: Complaint, activity, *, status: int = 200, form=None):
    """The page correcting or voiding one activity: both forms, one of them as the user sent it."""
    forms = {
        "correct": ActivityCorrectForm(complaint=complaint, user=request.user, activity=activity),
        "void": ActivityVoidForm(complaint=complaint, user=request.user, activity=activity),
    }
    if form is not None:
        forms[form.prefix_name] = form
    context = {
        "complaint": complaint,
        "activity": activity,
        "forms": list(forms.values()) if services.activity_changeable(request.user, complaint, activity) else [],
    }
    return render(request, "complaints/staff/activity_edit.html", context, status=status)


def _activity(request, pk: int, activity_pk: int):
    """The case in scope and one of its activities, for who handles the case (404, 403).

    Whether it may still change (the case under investigation, the activity not void) the
    service says under the row lock (409).
    """
    complaint = _case(request, pk)
    activity = get_object_or_404(complaint.activities.all(), pk=activity_pk)
    if not can_handle(request.user, complaint):
        raise PermissionDenied
    return complaint, activity


@require_GET
@login_required
def case_activity_edit(request, pk: int, activity_pk: int):
    complaint, activity = _activity(request, pk, activity_pk)
    return _activity_page(request, complaint, activity)


def _activity_change(request, pk: int, activity_pk: int, form_class: type[CaseForm], service):
    complaint, activity = _activity(request, pk, activity_pk)
    form = form_class(request.POST, complaint=complaint, user=request.user, activity=activity)
    if form.is_valid():
        try:
            service(complaint_id=complaint.pk, activity_id=activity.pk, actor=request.user, **form.data_for_service())
        except ValidationError as error:
            form.add_service_error(error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
            return _activity_page(request, complaint, activity, status=409, form=form)
        else:
            messages.success(request, form.done)
            return redirect(reverse("complaints:case-detail", args=[complaint.pk]) + "#timeline")
    return _activity_page(request, complaint, activity, status=400, form=form)


@require_POST
@login_required
def case_activity_correct(request, pk: int, activity_pk: int):
    return _activity_change(request, pk, activity_pk, ActivityCorrectForm, services.activity_correct)


@require_POST
@login_required
def case_activity_void(request, pk: int, activity_pk: int):
    return _activity_change(request, pk, activity_pk, ActivityVoidForm, services.activity_void)


@require_POST
@login_required
def case_message_add(request, pk: int):
    return _record(request, pk, MessageForm, services.message_add)


@require_POST
@login_required
def case_note_add(request, pk: int):
    return _record(request, pk, InternalNoteForm, services.internal_note_add)


@require_POST
@login_required
def case_extension_request(request, pk: int):
    return _record(request, pk, ExtensionRequestForm, services.extension_request)


@never_cache
@require_POST
@login_required
def case_identity(request, pk: int):
    """Show the petitioner's identity once, in this answer only; identity_read logs the read."""
    complaint = _case(request, pk)
    identity = services.identity_read(
        complaint_id=complaint.pk, actor=request.user, via="page", address=client_address(request)
    )
    if request.htmx:
        context = {"complaint": complaint, "identity": identity, "identity_shown": True}
        return render(request, "complaints/staff/_identity.html", context)
    return case_page(request, complaint, identity=identity, identity_shown=True)


@require_GET
@login_required
def case_attachment(request, pk: int, attachment_pk: int):
    """A file of a case the user may see; 404 for every other file."""
    complaint = _case(request, pk)
    return attachment_response(get_object_or_404(complaint.attachments.all(), pk=attachment_pk), request=request)


@require_GET
@login_required
def case_reply_letter(request, pk: int):
    """The printable reply (答复意见书); none before a reply is written."""
    complaint = _case(request, pk)
    if not complaint.reply:
        raise Http404
    context = {"complaint": complaint, **letter_context(case=complaint, decision=complaint)}
    return render(request, "complaints/staff/reply_letter.html", context)
