"""Answering an appraisal with an invitation code, and the officers' pages of codes and slips.

The answer pages need no account: the code is the permission (evaluations.codes). A code
printed on a slip is in the page's URL (the QR code opens it), so these pages are never
cached and never send their address on as a Referer (_private).
"""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from jiufeng.qr import qr_svg

from ..codes import CodeThrottled, InvitationNotFound, InvitationRefused, code_throttled_message, invitation_lookup
from ..forms.responding import AnswerForm, CodeForm, InvitationBatchForm, SlipsFilterForm
from ..models import Appraisal, AppraisalState
from ..permissions import can_run_appraisal
from ..services.responding import invitation_batch_create, response_submit
from ..services.responding_selectors import appraised_units_for, invitation_counts, slips_for

# Slips per page: ten A4 sheets of eight; each QR code costs a few milliseconds to draw.
SLIPS_PER_PAGE = 80


def _private(view):
    """Never cached, and never a Referer with this page's address: it may hold a working code.

    "strict-origin", not "no-referrer": under no-referrer a browser sends "Origin: null" with
    the page's own forms (the answers, the language and text-size switches), which Django's
    CSRF check refuses. strict-origin sends only the site's origin, never the path.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "strict-origin"
        return response

    return never_cache(wrapped)


def _refused(request, *, title: str, message: str, status: int, retry_after: int | None = None):
    response = render(
        request,
        "evaluations/responding/refused.html",
        {"title": title, "message": message, "throttled": retry_after is not None},
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _lookup_refused(request, error: Exception):
    """The page for a code that cannot answer: unknown 404, used or not open 409, guessing 429."""
    if isinstance(error, CodeThrottled):
        return _refused(
            request,
            title=_("Too many tries"),
            message=code_throttled_message(error),
            status=429,
            retry_after=error.retry_after,
        )
    if isinstance(error, InvitationRefused):
        title = _("This code has already been used") if error.used else _("Responses are not taken now")
        return _refused(request, title=title, message=error.message, status=409)
    return _refused(
        request,
        title=_("Code not found"),
        message=_("No invitation has this code. Check each letter and digit on your slip and try again."),
        status=404,
    )


# --- Answering (anyone holding a code) -----------------------------------------------------


@_private
@require_http_methods(["GET", "POST"])
def appraisal_code(request):
    """Type the code from a slip; a code that exists opens its questionnaire."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_lookup(request=request, code=form.cleaned_data["code"])
        except InvitationNotFound:
            form.add_error("code", _("No invitation has this code. Check each letter and digit on your slip."))
        except CodeThrottled as error:
            return _lookup_refused(request, error)
        except InvitationRefused as error:
            return _lookup_refused(request, error)
        else:
            return redirect("evaluations:appraisal-answer", code=invitation.code)
    return render(request, "evaluations/responding/code.html", {"form": form}, status=400 if form.errors else 200)


@_private
@require_http_methods(["GET", "POST"])
def appraisal_answer(request, code: str):
    """The questionnaire for one unit; answered once, then thanks."""
    try:
        invitation = invitation_lookup(request=request, code=code)
    except (InvitationNotFound, InvitationRefused, CodeThrottled) as error:
        return _lookup_refused(request, error)
    appraisal = invitation.appraisal
    items = list(appraisal.questionnaire.items.all())
    form = AnswerForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST" and form.is_valid():
        # Answered as nobody: the invitation's history (which takes the request's user) must
        # not name a signed-in person who answers a slip.
        request.user = AnonymousUser()
        try:
            response_submit(code=invitation.code, answers=form.answers(), comment=form.cleaned_data["comment"])
        except ValidationError as error:
            form.add_service_error(error)
        except (InvitationNotFound, InvitationRefused) as error:
            return _lookup_refused(request, error)
        else:
            return redirect("evaluations:appraisal-thanks")
    context = {"invitation": invitation, "appraisal": appraisal, "form": form}
    # Answers to correct are shown with 200, not 400: Django logs every 4xx with its path,
    # and this path holds a code that still works.
    return render(request, "evaluations/responding/answer.html", context)


@_private
@require_GET
def appraisal_thanks(request):
    return render(request, "evaluations/responding/thanks.html")


# --- Codes and slips (officers running the appraisal) -------------------------------------


def _appraisal_or_404(request, pk: int) -> Appraisal:
    return get_object_or_404(Appraisal.objects.visible_to(request.user).select_related("organiser"), pk=pk)


def _may_issue(user, appraisal: Appraisal) -> bool:
    return appraisal.state in (AppraisalState.DRAFT, AppraisalState.OPEN) and can_run_appraisal(user, appraisal)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request, pk: int):
    """Codes issued and used per unit and group; a batch of codes for slips."""
    appraisal = _appraisal_or_404(request, pk)
    units = appraised_units_for(appraisal)
    may_issue = _may_issue(request.user, appraisal)
    form = InvitationBatchForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied
        if form.is_valid():
            try:
                made = invitation_batch_create(
                    actor=request.user,
                    appraisal_id=appraisal.pk,
                    appraised_unit_id=form.cleaned_data["appraised_unit"],
                    group=form.cleaned_data["group"],
                    count=form.cleaned_data["count"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("%(count)d new codes are ready to print.") % {"count": len(made)})
                return redirect("evaluations:invitation-list", pk=appraisal.pk)
    context = {
        "appraisal": appraisal,
        "rows": invitation_counts(appraisal=appraisal, units=units),
        "form": form if may_issue else None,
        "may_print": can_run_appraisal(request.user, appraisal),
    }
    return render(request, "evaluations/responding/invitations.html", context, status=400 if form.errors else 200)


@_private
@login_required
@require_GET
def invitation_slips(request, pk: int):
    """Slips to cut out and hand to service users: unit, appraisal, code, link and its QR code."""
    appraisal = _appraisal_or_404(request, pk)
    if not can_run_appraisal(request.user, appraisal):
        raise PermissionDenied
    units = appraised_units_for(appraisal)
    form = SlipsFilterForm(request.GET, units=units)
    if not form.is_valid():
        context = {"appraisal": appraisal, "form": form, "page": None}
        return render(request, "evaluations/responding/slips.html", context, status=400)
    filters = form.cleaned_data
    page = Paginator(
        slips_for(appraisal=appraisal, appraised_unit_id=filters["unit"], group=filters["group"], used=filters["used"]),
        SLIPS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    for invitation in page.object_list:
        invitation.link = request.build_absolute_uri(
            reverse("evaluations:appraisal-answer", kwargs={"code": invitation.code})
        )
        # Made here from our own URL: nothing a user typed goes into it.
        invitation.qr = qr_svg(invitation.link, css_class="slip-qr")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "appraisal": appraisal,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "slip_language": settings.LANGUAGE_CODE,
    }
    return render(request, "evaluations/responding/slips.html", context)


urlpatterns = [
    path("appraisal/", appraisal_code, name="appraisal-code"),
    # Before the code's path, which would take "thanks" for a code.
    path("appraisal/thanks/", appraisal_thanks, name="appraisal-thanks"),
    path("appraisal/<str:code>/", appraisal_answer, name="appraisal-answer"),
    path("appraisals/<int:pk>/invitations/", invitation_list, name="invitation-list"),
    path("appraisals/<int:pk>/invitations/slips/", invitation_slips, name="invitation-slips"),
]
