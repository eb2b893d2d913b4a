"""Officers' pages to run appraisals (民主评议), their questionnaires and the appointed evaluators.

Thin: scope (404 outside it), read the input with a form, call one service, respond. A
refusal from a service comes back on the form (400), or as a message: 403 for who may
not, 409 for what the appraisal's state does not allow.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from responsibility.scoping import HANDLING, units_in_scope

from .. import permissions, selectors
from ..forms.evaluators import EvaluatorAppointForm, EvaluatorTermEndForm, EvaluatorUpdateForm
from ..forms.running import (
    SETTINGS_FIELDS,
    AppraisalFilter,
    AppraisalForm,
    QuestionItemFormSet,
    QuestionnaireForm,
    UnitsAddForm,
    item_drafts,
)
from ..models import Appraisal, AppraisalState, Evaluator, Questionnaire
from ..services import appraisals as services
from ..services import evaluators as evaluator_services
from ..services import questionnaires as questionnaire_services
from ..workflow import APPRAISAL_TRANSITIONS

PAGE_SIZE = 50
_STAFF = "responsibility.view_unit"
_HANDLES = "jiufeng.handle_cases"


def _staff(view):
    """Staff pages: logged in and holding the staff read permission (evaluators and petitioners get 403)."""
    return login_required(permission_required(_STAFF, raise_exception=True)(view))


def _appraisal_or_404(request, pk: int) -> Appraisal:
    try:
        return selectors.appraisal_get_for_user(user=request.user, pk=pk)
    except Appraisal.DoesNotExist:
        raise Http404 from None


def _may_run(user) -> bool:
    return units_in_scope(user, capacities=HANDLING).filter(is_active=True).exists()


# --- Appraisals ---------------------------------------------------------------------------


@require_GET
@_staff
def appraisal_list(request):
    filters = AppraisalFilter(request.GET, queryset=selectors.appraisal_list_for_user(user=request.user))
    page = Paginator(filters.qs if filters.is_valid() else Appraisal.objects.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"filter": filters, "page": page, "may_create": _may_run(request.user)}
    return render(
        request, "evaluations/running/appraisal_list.html", context, status=200 if filters.is_valid() else 400
    )


@require_http_methods(["GET", "POST"])
@_staff
def appraisal_create(request):
    form = AppraisalForm(request.POST or None, user=request.user)
    if not form.fields["organiser"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            appraisal = services.appraisal_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The appraisal has been drafted. Choose its units, then open it."))
            return redirect("evaluations:appraisal-detail", appraisal.pk)
    return render(
        request, "evaluations/running/appraisal_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _detail(request, appraisal: Appraisal, *, status: int = 200, units_form=None):
    user = request.user
    may_run = permissions.can_run_appraisal(user, appraisal)
    draft = appraisal.state == AppraisalState.DRAFT
    context = {
        "appraisal": appraisal,
        "groups": selectors.appraised_units_with_counts(appraisal=appraisal),
        "items": list(appraisal.questionnaire.items.all()),
        "weights": [
            (Appraisal._meta.get_field(f"weight_{part}").verbose_name, weight)
            for part, weight in appraisal.weights.items()
        ],
        "may_edit": may_run and draft,
        "units_form": units_form or (UnitsAddForm(appraisal=appraisal) if may_run and draft else None),
        "problems": services.open_problems(appraisal) if draft else [],
        "transitions": [name for name, t in APPRAISAL_TRANSITIONS.items() if t.allowed(user, appraisal)],
    }
    return render(request, "evaluations/running/appraisal_detail.html", context, status=status)


@require_GET
@_staff
def appraisal_detail(request, pk: int):
    return _detail(request, _appraisal_or_404(request, pk))


@require_http_methods(["GET", "POST"])
@_staff
def appraisal_update(request, pk: int):
    appraisal = _appraisal_or_404(request, pk)
    if not permissions.can_run_appraisal(request.user, appraisal):
        raise PermissionDenied
    if request.method == "GET" and appraisal.state != AppraisalState.DRAFT:
        # No form that could not be saved; a POST still reaches the service, which refuses it.
        messages.error(request, _("Only a draft appraisal can be changed; this one is already open."))
        return redirect("evaluations:appraisal-detail", appraisal.pk)
    initial = {name: getattr(appraisal, name) for name in SETTINGS_FIELDS}
    form = AppraisalForm(request.POST or None, initial=initial, user=request.user, organiser=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.appraisal_update(actor=request.user, appraisal_id=appraisal.pk, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The appraisal's settings have been saved."))
            return redirect("evaluations:appraisal-detail", appraisal.pk)
    context = {"form": form, "appraisal": appraisal}
    return render(request, "evaluations/running/appraisal_form.html", context, status=400 if form.errors else 200)


@require_POST
@_staff
def appraisal_units_add(request, pk: int):
    appraisal = _appraisal_or_404(request, pk)
    if not permissions.can_run_appraisal(request.user, appraisal):
        raise PermissionDenied
    form = UnitsAddForm(request.POST, appraisal=appraisal)
    if form.is_valid():
        try:
            added = services.appraisal_units_add(
                actor=request.user,
                appraisal_id=appraisal.pk,
                units=form.units(),
                ranking_group=form.cleaned_data["ranking_group"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(count)s units added.") % {"count": len(added)})
            return redirect("evaluations:appraisal-detail", appraisal.pk)
    return _detail(request, appraisal, status=400, units_form=form)


@require_POST
@_staff
def appraisal_unit_remove(request, pk: int, appraised_pk: int):
    appraisal = _appraisal_or_404(request, pk)
    try:
        services.appraisal_unit_remove(actor=request.user, appraisal_id=appraisal.pk, appraised_unit_id=appraised_pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(request, appraisal, status=409)
    messages.success(request, _("The unit is no longer under appraisal."))
    return redirect("evaluations:appraisal-detail", appraisal.pk)


TRANSITION_DONE = {
    "open": gettext_lazy("The appraisal is open for responses; appointed evaluators have their codes."),
    "close": gettext_lazy("The appraisal is closed: it takes no more responses."),
    "score": gettext_lazy("The appraisal has been scored. Check the results, then ask a leader to approve them."),
    "publish": gettext_lazy(
        "The results are published. The units that must rectify have been given rectification items."
    ),
}
# Where each transition leads: scoring and publication to the results they make.
TRANSITION_NEXT = {"score": "evaluations:appraisal-results", "publish": "evaluations:appraisal-results"}


@require_POST
@_staff
def appraisal_transition(request, pk: int, transition: str):
    """Fire a declared transition (evaluations.workflow): 403 for who may not, 409 when the state or a check refuses."""
    appraisal = _appraisal_or_404(request, pk)
    declared = APPRAISAL_TRANSITIONS[transition]
    if not declared.permits(request.user, appraisal):
        raise PermissionDenied
    try:
        declared.service(actor=request.user, appraisal_id=appraisal.pk)
    except (TransitionNotAllowed, ValidationError) as error:
        for message in error.messages if isinstance(error, ValidationError) else [str(error)]:
            messages.error(request, message)
        return _detail(request, _appraisal_or_404(request, pk), status=409)
    messages.success(request, str(TRANSITION_DONE[transition]))
    return redirect(TRANSITION_NEXT.get(transition, "evaluations:appraisal-detail"), appraisal.pk)


# --- Questionnaires -------------------------------------------------------------------------


def _questionnaire_or_404(pk: int) -> Questionnaire:
    try:
        return selectors.questionnaire_get(pk=pk)
    except Questionnaire.DoesNotExist:
        raise Http404 from None


def _handles(view):
    """Questionnaires: staff who handle cases (any unit): they are templates shared by all appraisals."""
    return login_required(permission_required(_HANDLES, raise_exception=True)(view))


@require_GET
@_handles
def questionnaire_list(request):
    page = Paginator(selectors.questionnaire_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluations/running/questionnaire_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@_handles
def questionnaire_create(request):
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = questionnaire_services.questionnaire_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The questionnaire has been created. Add its questions."))
            return redirect("evaluations:questionnaire-detail", questionnaire.pk)
    return render(
        request, "evaluations/running/questionnaire_create.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@_handles
def questionnaire_detail(request, pk: int):
    """The questions; their author edits them here while no opened appraisal has frozen them."""
    questionnaire = _questionnaire_or_404(pk)
    items = list(questionnaire.items.all())
    may_edit = not questionnaire.is_frozen and permissions.can_edit_questionnaire(request.user, questionnaire)
    form = formset = None
    status = 200
    if request.method == "POST":
        if not permissions.can_edit_questionnaire(request.user, questionnaire):
            raise PermissionDenied
        form = QuestionnaireForm(request.POST)
        formset = QuestionItemFormSet(request.POST, prefix="items")
        status = 400
        try:
            if questionnaire.is_frozen:
                raise questionnaire_services.QuestionnaireFrozen
            if form.is_valid() and formset.is_valid():
                questionnaire_services.questionnaire_items_save(
                    actor=request.user,
                    questionnaire_id=questionnaire.pk,
                    items=item_drafts(formset),
                    **form.cleaned_data,
                )
                messages.success(request, _("The questions have been saved."))
                return redirect("evaluations:questionnaire-detail", questionnaire.pk)
        except questionnaire_services.QuestionnaireFrozen as error:
            # Shown read-only again, with why: nothing was changed.
            messages.error(request, error.messages[0])
            form = formset = None
            status = 409
        except ValidationError as error:
            form.add_service_error(error)
    elif may_edit:
        form = QuestionnaireForm(initial={"name": questionnaire.name, "introduction": questionnaire.introduction})
        formset = QuestionItemFormSet(
            prefix="items",
            initial=[
                {"text": i.text, "weight": i.weight, "scale": i.scale, "required": i.required, "ORDER": i.position}
                for i in items
            ],
        )
    context = {
        "questionnaire": questionnaire,
        "items": items,
        "problems": questionnaire_services.questionnaire_problems(questionnaire),
        "may_edit": may_edit,
        "form": form,
        "formset": formset,
    }
    return render(request, "evaluations/running/questionnaire_detail.html", context, status=status)


@require_POST
@_handles
def questionnaire_copy(request, pk: int):
    questionnaire = _questionnaire_or_404(pk)
    copy = questionnaire_services.questionnaire_copy(actor=request.user, questionnaire_id=questionnaire.pk)
    messages.success(request, _("This is an editable copy of “%(name)s”.") % {"name": questionnaire.name})
    return redirect("evaluations:questionnaire-detail", copy.pk)


# --- Appointed evaluators -------------------------------------------------------------------


def _evaluator_or_404(request, pk: int) -> Evaluator:
    return get_object_or_404(selectors.evaluator_list_for_user(user=request.user), pk=pk)


def _evaluator_initial(evaluator: Evaluator) -> dict:
    user = evaluator.user
    return {
        "display_name": user.display_name,
        "phone": user.phone,
        "email": user.email,
        "term_end": evaluator.term_end,
        "observes": list(evaluator.observes.all()),
        "background": evaluator.background,
    }


@require_GET
@_staff
def evaluator_list(request):
    page = Paginator(selectors.evaluator_list_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "may_appoint": _may_run(request.user)}
    return render(request, "evaluations/running/evaluator_list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@_staff
def evaluator_appoint(request):
    form = EvaluatorAppointForm(request.POST or None, user=request.user)
    if not form.fields["appointed_by"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluator, password = evaluator_services.evaluator_appoint(
                actor=request.user, **{**data, "observes": list(data["observes"])}
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            # Shown on this answer only, never stored in clear nor put in a URL or a message.
            return render(
                request, "evaluations/running/evaluator_appointed.html", {"evaluator": evaluator, "password": password}
            )
    return render(
        request, "evaluations/running/evaluator_appoint.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@_staff
def evaluator_update(request, pk: int):
    evaluator = _evaluator_or_404(request, pk)
    if not permissions.can_appoint_evaluator(request.user, evaluator.appointed_by):
        raise PermissionDenied
    form = EvaluatorUpdateForm(request.POST or None, initial=_evaluator_initial(evaluator), evaluator=evaluator)
    end_form = EvaluatorTermEndForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluator_services.evaluator_update(
                actor=request.user, evaluator_id=evaluator.pk, **{**data, "observes": list(data["observes"])}
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The appointment has been saved."))
            return redirect("evaluations:evaluator-list")
    context = {"evaluator": evaluator, "form": form, "end_form": end_form}
    return render(request, "evaluations/running/evaluator_update.html", context, status=400 if form.errors else 200)


@require_POST
@_staff
def evaluator_term_end(request, pk: int):
    evaluator = _evaluator_or_404(request, pk)
    if not permissions.can_appoint_evaluator(request.user, evaluator.appointed_by):
        raise PermissionDenied
    end_form = EvaluatorTermEndForm(request.POST)
    if end_form.is_valid():
        try:
            evaluator_services.evaluator_term_end(
                actor=request.user, evaluator_id=evaluator.pk, **end_form.cleaned_data
            )
        except ValidationError as error:
            end_form.add_service_error(error)
        else:
            messages.success(request, _("The term has been ended."))
            return redirect("evaluations:evaluator-list")
    form = EvaluatorUpdateForm(initial=_evaluator_initial(evaluator), evaluator=evaluator)
    context = {"evaluator": evaluator, "form": form, "end_form": end_form}
    return render(request, "evaluations/running/evaluator_update.html", context, status=400)


urlpatterns = [
    path("", appraisal_list, name="appraisal-list"),
    path("new/", appraisal_create, name="appraisal-create"),
    path("<int:pk>/", appraisal_detail, name="appraisal-detail"),
    path("<int:pk>/edit/", appraisal_update, name="appraisal-update"),
    path("<int:pk>/units/", appraisal_units_add, name="appraisal-units-add"),
    path("<int:pk>/units/<int:appraised_pk>/remove/", appraisal_unit_remove, name="appraisal-unit-remove"),
    re_path(
        rf"^(?P<pk>[0-9]+)/(?P<transition>{'|'.join(APPRAISAL_TRANSITIONS)})/$",
        appraisal_transition,
        name="appraisal-transition",
    ),
    path("questionnaires/", questionnaire_list, name="questionnaire-list"),
    path("questionnaires/new/", questionnaire_create, name="questionnaire-create"),
    path("questionnaires/<int:pk>/", questionnaire_detail, name="questionnaire-detail"),
    path("questionnaires/<int:pk>/copy/", questionnaire_copy, name="questionnaire-copy"),
    path("evaluators/", evaluator_list, name="evaluator-list"),
    path("evaluators/new/", evaluator_appoint, name="evaluator-appoint"),
    path("evaluators/<int:pk>/", evaluator_update, name="evaluator-update"),
    path("evaluators/<int:pk>/end/", evaluator_term_end, name="evaluator-term-end"),
]
