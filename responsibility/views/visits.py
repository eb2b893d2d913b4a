"""Pages for leader assignments (领导包片), visits and inspections (走访/督查), rectification items (整改事项).

Scope first (404 for the rest), validate with a form, call one service, redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from audit.exports import ExportRefused, export_requested, export_response

from .. import permissions
from ..forms import initial_from_query
from ..forms.visits import (
    LeaderAssignmentEndForm,
    LeaderAssignmentForm,
    RectificationItemAddForm,
    VisitAddForm,
    VisitRecordForm,
    VisitScheduleForm,
)
from ..ledgers import RECTIFICATION_ITEM_COLUMNS, VISIT_COLUMNS
from ..models import RectificationItem, RectificationStatus, Visit, VisitKind
from ..scoping import LEADING, units_in_scope
from ..services import visits as services
from ..services.visits_selectors import (
    leader_assignments_managed,
    leader_assignments_visible_to,
    rectification_item_list_for_user,
    visit_detail,
    visit_list_for_user,
    visits_due_for_leader,
)
from ..workflow import RECTIFICATION_ITEM_TRANSITIONS

PAGE_SIZE = 50
VISIT_STATES = {"scheduled", "made", "overdue"}


def _form_page(request, form, *, title: str, back_url: str, submit_label: str, intro: str = ""):
    context = {"form": form, "title": title, "back_url": back_url, "submit_label": submit_label, "intro": intro}
    return render(request, "responsibility/visits/form.html", context, status=400 if form.errors else 200)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Leader assignments ----------------------------------------------------------------


@require_GET
@login_required
def leader_assignment_list(request):
    user = request.user
    may_manage = permissions.leader_assignment_manager(user)
    managed = list(leader_assignments_managed(user=user))
    for assignment in managed:
        assignment.may_end = may_manage(assignment)
    context = {
        "assignments": visits_due_for_leader(leader=user),
        "managed": managed,
        "may_create": user.has_perm("responsibility.add_leaderassignment")
        or units_in_scope(user, capacities=LEADING).exists(),
        "today": timezone.localdate(),
    }
    return render(request, "responsibility/visits/assignment_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def leader_assignment_create(request):
    form = LeaderAssignmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.leader_assignment_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The assignment was made."))
            return redirect("responsibility:leader-assignment-list")
    return _form_page(
        request,
        form,
        title=_("Assign units to a leader"),
        back_url="responsibility:leader-assignment-list",
        submit_label=_("Assign"),
    )


@require_POST
@login_required
def leader_assignment_end(request, pk: int):
    assignment = get_object_or_404(leader_assignments_visible_to(user=request.user), pk=pk)
    form = LeaderAssignmentEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day the assignment ends."))
        return redirect("responsibility:leader-assignment-list")
    try:
        services.leader_assignment_end(actor=request.user, assignment_id=assignment.pk, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The assignment ends on %(day)s.") % {"day": form.cleaned_data["ends_on"]})
    return redirect("responsibility:leader-assignment-list")


# --- Visits ----------------------------------------------------------------------------


@require_GET
@login_required
def visit_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in VisitKind.values else ""
    state = request.GET.get("state", "")
    state = state if state in VISIT_STATES else ""
    visits = visit_list_for_user(user=request.user, kind=kind, state=state)
    export_error = None
    if export_requested(request):
        filters = [(_("Kind"), str(VisitKind(kind).label))] if kind else []
        filters += [(_("State"), state)] if state else []
        try:
            return export_response(
                request,
                name="visits",
                title=_("Visit and inspection ledger"),
                columns=VISIT_COLUMNS,
                rows=visits.select_related("leader", "organizing_unit").prefetch_related("units"),
                filters=filters,
            )
        except ExportRefused as refusal:
            export_error = str(refusal)
    context = {
        "page": _page(request, visits),
        "kind": kind,
        "state": state,
        "kinds": VisitKind.choices,
        "query": urlencode({"kind": kind, "state": state}),
        "export_error": export_error,
    }
    return render(request, "responsibility/visits/visit_list.html", context, status=400 if export_error else 200)


@require_GET
@login_required
def visit_detail_page(request, pk: int):
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user).select_related("leader", "organizing_unit", "leader_assignment"),
        pk=pk,
    )
    visit = visit_detail(visit=visit)
    may_record = permissions.can_record_visit(request.user, visit)
    context = {
        "visit": visit,
        "may_record": may_record and not visit.is_made,
        "may_add_item": may_record and visit.is_made,
    }
    if context["may_add_item"]:
        context["item_form"] = RectificationItemAddForm(user=request.user, visit=visit)
    return render(request, "responsibility/visits/visit_detail.html", context)


def _visit_create(request, form_class, service, *, done: str, title: str, submit_label: str):
    # A link may suggest what to fill in (a dashboard warning: inspect the unit concerned).
    initial = initial_from_query(request.GET, ["kind", "subject", "scheduled_for"], lists=["units"])
    form = form_class(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = service(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, done)
            return redirect("responsibility:visit-detail", visit.pk)
    return _form_page(request, form, title=title, back_url="responsibility:visit-list", submit_label=submit_label)


@require_http_methods(["GET", "POST"])
@login_required
def visit_schedule(request):
    return _visit_create(
        request,
        VisitScheduleForm,
        services.visit_schedule,
        done=_("The visit is scheduled."),
        title=_("Schedule a visit or inspection"),
        submit_label=_("Schedule"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def visit_add(request):
    return _visit_create(
        request,
        VisitAddForm,
        services.visit_add,
        done=_("The visit is recorded."),
        title=_("Record a visit or inspection"),
        submit_label=_("Record"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def visit_record(request, pk: int):
    visit = get_object_or_404(Visit.objects.visible_to(request.user), pk=pk)
    form = VisitRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(actor=request.user, visit_id=visit.pk, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("responsibility:visit-detail", visit.pk)
    return _form_page(
        request,
        form,
        title=_("Record the visit made"),
        back_url="responsibility:visit-list",
        submit_label=_("Record"),
        intro=str(visit),
    )


@require_http_methods(["GET", "POST"])
@login_required
def rectification_item_add(request, pk: int):
    visit = visit_detail(visit=get_object_or_404(Visit.objects.visible_to(request.user), pk=pk))
    form = RectificationItemAddForm(request.POST or None, user=request.user, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.rectification_item_add(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The rectification item is added."))
            return redirect("responsibility:rectification-item-detail", item.pk)
    return _form_page(
        request,
        form,
        title=_("Add a rectification item"),
        back_url="responsibility:visit-list",
        submit_label=_("Add"),
        intro=str(visit),
    )


@require_http_methods(["GET", "POST"])
@login_required
def rectification_item_create(request):
    """Give a unit an item to correct outside any visit (from a dashboard warning, say); prefilled by the link."""
    initial = initial_from_query(request.GET, ["responsible_unit", "description", "due_on"])
    form = RectificationItemAddForm(request.POST or None, user=request.user, visit=None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.rectification_item_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The rectification item is added."))
            return redirect("responsibility:rectification-item-detail", item.pk)
    return _form_page(
        request,
        form,
        title=_("Add a rectification item"),
        back_url="responsibility:rectification-item-list",
        submit_label=_("Add"),
    )


# --- Rectification items ---------------------------------------------------------------


@require_GET
@login_required
def rectification_item_list(request):
    status = request.GET.get("status", "")
    status = status if status in RectificationStatus.values else ""
    overdue = request.GET.get("overdue") in {"1", "true"}
    items = rectification_item_list_for_user(user=request.user, status=status, overdue=overdue or None)
    export_error = None
    if export_requested(request):
        # 台帐 of the items the page lists (responsibility.ledgers).
        filters = [(_("Status"), str(RectificationStatus(status).label))] if status else []
        filters += [(_("Overdue only"), _("Yes"))] if overdue else []
        try:
            return export_response(
                request,
                name="rectification_items",
                title=_("Rectification item ledger"),
                columns=RECTIFICATION_ITEM_COLUMNS,
                rows=items.select_related("campaign"),
                filters=filters,
            )
        except ExportRefused as refusal:
            export_error = str(refusal)
    context = {
        "page": _page(request, items),
        "status": status,
        "overdue": overdue,
        "query": urlencode({"status": status, "overdue": "1" if overdue else ""}),
        "statuses": RectificationStatus.choices,
        "export_error": export_error,
    }
    return render(request, "responsibility/visits/item_list.html", context, status=400 if export_error else 200)


def _item_in_scope(request, pk: int) -> RectificationItem:
    return get_object_or_404(
        RectificationItem.objects.visible_to(request.user).select_related(
            "responsible_unit", "visit", "submitted_by", "confirmed_by", "created_by"
        ),
        pk=pk,
    )


@require_GET
@login_required
def rectification_item_detail(request, pk: int):
    item = _item_in_scope(request, pk)
    # What the user may do now, as each transition's declaration says (responsibility.workflow).
    submit, confirm, send_back = (RECTIFICATION_ITEM_TRANSITIONS[n] for n in ("submit", "confirm", "send_back"))
    context = {
        "item": item,
        "may_confirm": confirm.allowed(request.user, item),
        "submit_form": submit.form(initial={"evidence": item.evidence}) if submit.allowed(request.user, item) else None,
        "send_back_form": send_back.form() if send_back.allowed(request.user, item) else None,
    }
    return render(request, "responsibility/visits/item_detail.html", context)


def _item_action(request, pk: int, *, name: str, done: str):
    """Make the item transition ``name`` from a POSTed form, as its declaration says.

    Who may not make it is refused (403) before the form is read; refusals of the input
    or the state come back as messages on the item page.
    """
    item = _item_in_scope(request, pk)
    transition = RECTIFICATION_ITEM_TRANSITIONS[name]
    if not transition.permits(request.user, item):
        raise PermissionDenied
    data = {}
    if transition.form_path is not None:
        form = transition.form(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("responsibility:rectification-item-detail", item.pk)
        data = form.cleaned_data
    try:
        transition.service(actor=request.user, item_id=item.pk, **data)
    except (ValidationError, TransitionNotAllowed) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("responsibility:rectification-item-detail", item.pk)


@require_POST
@login_required
def rectification_item_submit(request, pk: int):
    return _item_action(request, pk, name="submit", done=_("Submitted: the unit above will confirm it."))


@require_POST
@login_required
def rectification_item_confirm(request, pk: int):
    return _item_action(request, pk, name="confirm", done=_("Confirmed as rectified."))


@require_POST
@login_required
def rectification_item_send_back(request, pk: int):
    return _item_action(request, pk, name="send_back", done=_("Sent back to the responsible unit."))
