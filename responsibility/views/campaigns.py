"""Rectification campaign (专项治理) pages: list, detail with progress per unit, create, tasks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from ..forms import initial_from_query
from ..forms.campaigns import CampaignFilterForm, CampaignForm, CampaignTaskCompleteForm, CampaignTaskForm
from ..models import Campaign, CampaignState, CampaignTaskStatus, RectificationItem
from ..permissions import can_handle_in
from ..scoping import HANDLING, LEADING, units_in_scope
from ..services import campaigns as services
from ..services.campaigns_selectors import (
    campaign_get_for_user,
    campaign_list_for_user,
    campaign_progress_attach,
    campaign_tasks_for_user,
)
from ..workflow import CAMPAIGN_TRANSITIONS

PAGE_SIZE = 50


def _campaign_or_404(request, pk: int) -> Campaign:
    try:
        return campaign_get_for_user(user=request.user, pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


# Tagged rectification items shown on a campaign's page; the item list filters for all.
RECTIFICATION_ITEMS_SHOWN = 50


def _detail(request, campaign: Campaign, *, status: int = 200, task_form=None, complete_errors=None):
    user = request.user
    may_add_tasks = campaign.state != CampaignState.CLOSED and can_handle_in(user, campaign.lead_unit)
    if campaign.state == CampaignState.ACTIVE:
        # One scope lookup for the whole table, not one per task.
        open_units = {t.unit_id for t in campaign.visible_tasks if t.status == CampaignTaskStatus.OPEN}
        handled = set(units_in_scope(user, capacities=HANDLING).filter(pk__in=open_units).values_list("pk", flat=True))
    else:
        handled = set()
    for task in campaign.visible_tasks:
        task.may_complete = task.status == CampaignTaskStatus.OPEN and task.unit_id in handled
        task.complete_errors = (complete_errors or {}).get(task.pk)
    context = {
        "campaign": campaign,
        # Starting and closing, as their declarations allow (responsibility.workflow).
        **{f"may_{name}": transition.allowed(user, campaign) for name, transition in CAMPAIGN_TRANSITIONS.items()},
        "may_add_tasks": may_add_tasks,
        # A link may suggest the task (a dashboard warning: the unit concerned and what to do).
        "task_form": task_form
        or (
            CampaignTaskForm(user=user, initial=initial_from_query(request.GET, ["unit", "description", "due_on"]))
            if may_add_tasks
            else None
        ),
        "today": timezone.localdate(),
        "rectification_items": list(
            RectificationItem.objects.visible_to(user)
            .filter(campaign=campaign)
            .select_related("responsible_unit")
            .order_by("status", "due_on", "pk")[:RECTIFICATION_ITEMS_SHOWN]
        ),
    }
    return render(request, "responsibility/campaigns/detail.html", context, status=status)


@require_GET
@login_required
def campaign_list(request):
    form = CampaignFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(campaign_list_for_user(user=request.user, state=filters.get("state", "")), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = campaign_progress_attach(campaigns=list(page.object_list), user=request.user)
    may_create = units_in_scope(request.user, capacities=LEADING).exists()
    return render(
        request, "responsibility/campaigns/list.html", {"filter_form": form, "page": page, "may_create": may_create}
    )


@require_GET
@login_required
def campaign_detail(request, pk: int):
    return _detail(request, _campaign_or_404(request, pk))


@require_http_methods(["GET", "POST"])
@login_required
def campaign_create(request):
    initial = initial_from_query(request.GET, ["name", "problem", "starts_on", "ends_on", "lead_unit"])
    form = CampaignForm(request.POST or None, user=request.user, initial=initial)
    if not form.fields["lead_unit"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The campaign has been created. Give its units their tasks, then start it."))
            return redirect("responsibility:campaign-detail", campaign.pk)
    status = 400 if form.errors else 200
    return render(request, "responsibility/campaigns/create.html", {"form": form}, status=status)


def _transition(request, pk: int, name: str, success: str):
    """Make the declared transition ``name``: 403 for who may not, 409 with the page for a wrong state."""
    campaign = _campaign_or_404(request, pk)
    transition = CAMPAIGN_TRANSITIONS[name]
    if not transition.permits(request.user, campaign):
        raise PermissionDenied
    try:
        transition.service(campaign_id=campaign.pk, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return _detail(request, campaign, status=409)
    messages.success(request, success)
    return redirect("responsibility:campaign-detail", campaign.pk)


@require_POST
@login_required
def campaign_start(request, pk: int):
    return _transition(request, pk, "start", _("The campaign has started."))


@require_POST
@login_required
def campaign_close(request, pk: int):
    return _transition(request, pk, "close", _("The campaign has been closed."))


@require_POST
@login_required
def campaign_task_add(request, pk: int):
    campaign = _campaign_or_404(request, pk)
    form = CampaignTaskForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.campaign_task_add(campaign_id=campaign.pk, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return _detail(request, campaign, status=409)
        else:
            messages.success(request, _("The task has been added."))
            return redirect("responsibility:campaign-detail", campaign.pk)
    return _detail(request, campaign, status=400, task_form=form)


@require_POST
@login_required
def campaign_task_complete(request, pk: int, task_pk: int):
    task = get_object_or_404(campaign_tasks_for_user(user=request.user), campaign_id=pk, pk=task_pk)
    form = CampaignTaskCompleteForm(request.POST)
    if form.is_valid():
        try:
            services.campaign_task_complete(task_id=task.pk, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return _detail(request, _campaign_or_404(request, pk), status=409)
        else:
            messages.success(request, _("The task has been reported done."))
            return redirect("responsibility:campaign-detail", pk)
    return _detail(request, _campaign_or_404(request, pk), status=400, complete_errors={task.pk: form.errors})
