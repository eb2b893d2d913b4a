"""An appointed evaluator's own page: their codes for open appraisals and, for conduct
supervisors, the observations they file and follow.

Their observations are followed on the petitioners' case page: opening one proves the case
in the session exactly as its tracking code would (complaints.views.public.case_prove).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints.filing_limit import FILING_THROTTLED, FilingThrottled, filing_limited
from complaints.views.public import case_prove

from .. import selectors
from ..forms.evaluators import ObservationForm
from ..services.observations import observation_file, observer_for

_EVALUATES = "jiufeng.evaluate_conduct"


def _evaluator(view):
    return login_required(permission_required(_EVALUATES, raise_exception=True)(view))


def answer_path(code: str) -> str:
    """Where a code is answered (evaluations:appraisal-answer): a fixed public path, printed on slips too."""
    return f"/appraisal/{code}/"


@require_GET
@_evaluator
def evaluator_home(request):
    unanswered, answered = selectors.evaluator_invitations(user=request.user)
    for invitation in unanswered:
        invitation.answer_url = answer_path(invitation.code)
    context = {
        "unanswered": unanswered,
        "answered": answered,
        "may_observe": observer_for(request.user) is not None,
        "observations": list(selectors.observations_of(user=request.user)),
    }
    return render(request, "evaluations/evaluators/home.html", context)


@require_http_methods(["GET", "POST"])
@_evaluator
def observation_create(request):
    evaluator = observer_for(request.user)
    if evaluator is None:
        raise PermissionDenied(_("Only conduct supervisors in their term file observations."))
    form = ObservationForm(request.POST or None, evaluator=evaluator)
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            # The public's limit per address: an account is no licence to flood the office.
            with filing_limited(request):
                observation = observation_file(actor=request.user, **form.cleaned_data)
        except FilingThrottled as error:
            form.add_error(None, FILING_THROTTLED)
            retry_after = error.retry_after
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Your observation has been filed as case %(number)s. Its handling shows on your page.")
                % {"number": observation.complaint.case_number},
            )
            return redirect("evaluations:evaluator-home")
    if retry_after is not None:
        response = render(request, "evaluations/evaluators/observation_form.html", {"form": form}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    return render(
        request, "evaluations/evaluators/observation_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
@_evaluator
def observation_open(request, pk: int):
    """Follow one's own observation on the case page petitioners use (404 for anyone else's)."""
    observation = get_object_or_404(selectors.observations_of(user=request.user), pk=pk)
    case_prove(request, observation.complaint_id)
    return redirect("complaints:complaint-track-detail", pk=observation.complaint_id)


urlpatterns = [
    path("", evaluator_home, name="evaluator-home"),
    path("observations/new/", observation_create, name="observation-create"),
    path("observations/<int:pk>/open/", observation_open, name="observation-open"),
]
