"""Pledge pages: the year's list, a pledge with its items, drafting, issuing, signing,
amending, assessing, and the signing coverage level by level."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from audit.exports import ExportRefused, export_requested, export_response

from .. import permissions
from ..forms.pledges import (
    IssueFromTemplateForm,
    PledgeItemCompleteForm,
    PledgeItemForm,
    PledgeItemFormSet,
    amended_items,
    item_initial,
    year_from,
)
from ..ledgers import PLEDGE_ITEM_COLUMNS
from ..models import Pledge, PledgeItem, PledgeState, Unit
from ..services import pledges as services
from ..services.pledges_selectors import (
    coverage_root_for_user,
    pledge_coverage,
    pledge_detail_queryset,
    pledge_items_for_user,
    pledge_list_for_user,
    pledge_templates_for_user,
)
from ..workflow import PLEDGE_TRANSITIONS

PAGE_SIZE = 100


def _run(request, action: Callable[[], object], success: str) -> bool:
    """Call one service; refusals become messages. PermissionDenied goes on to a 403 page."""
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return False
    messages.success(request, success)
    return True


def _pledge(request, pk: int) -> Pledge:
    return get_object_or_404(pledge_detail_queryset(user=request.user), pk=pk)


def _item(request, pk: int, item_pk: int) -> PledgeItem:
    visible = PledgeItem.objects.filter(pledge__in=Pledge.objects.visible_to(request.user))
    return get_object_or_404(visible.select_related("pledge__issuer", "pledge__unit"), pk=item_pk, pledge=pk)


def _to_detail(pledge_id: int):
    return redirect("responsibility:pledge-detail", pk=pledge_id)


def _transition(request, pledge: Pledge, name: str):
    """The declared transition ``name`` (responsibility.workflow); 403 before any input for who may not make it."""
    transition = PLEDGE_TRANSITIONS[name]
    if not transition.permits(request.user, pledge):
        raise PermissionDenied(transition.denied(pledge) if transition.denied else None)
    return transition


@require_GET
@login_required
def pledge_list(request):
    year = year_from(request.GET.get("year"))
    if export_requested(request):
        # 台帐: every item of the year's pledges the page lists, one row each (responsibility.ledgers).
        try:
            return export_response(
                request,
                name="pledge_items",
                title=_("Pledge ledger %(year)s") % {"year": year},
                columns=PLEDGE_ITEM_COLUMNS,
                rows=pledge_items_for_user(user=request.user, year=year),
                filters=[(_("Year"), str(year))],
            )
        except ExportRefused as refusal:
            messages.error(request, str(refusal))
    templates = pledge_templates_for_user(user=request.user, year=year)
    context = {
        "year": year,
        # The export links' query: the year shown.
        "export_query": urlencode({"year": year}),
        "years": [year - 1, year, year + 1],
        "page": Paginator(pledge_list_for_user(user=request.user, year=year), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "template_form": IssueFromTemplateForm(templates=templates),
        "has_templates": templates.exists(),
    }
    return render(request, "responsibility/pledges/pledge_list.html", context)


@require_POST
@login_required
def pledge_issue_from_template(request):
    year = year_from(request.POST.get("year"))
    form = IssueFromTemplateForm(request.POST, templates=pledge_templates_for_user(user=request.user, year=year))
    if not form.is_valid():
        messages.error(request, _("Choose one of the templates offered."))
    else:
        template_id = form.cleaned_data["template"].pk
        _run(
            request,
            lambda: services.pledge_issue_from_template(template_id=template_id, actor=request.user),
            _("Draft pledges were prepared for the units below that had none."),
        )
    return redirect(f"{reverse('responsibility:pledge-list')}?year={year}")


@require_GET
@login_required
def pledge_detail(request, pk: int):
    pledge = _pledge(request, pk)
    user = request.user
    may_draft = pledge.state == PledgeState.DRAFT and permissions.can_draft_pledge(user, pledge)
    # The transitions the user may make now, as their declarations say (responsibility.workflow).
    may = {f"may_{name}": transition.allowed(user, pledge) for name, transition in PLEDGE_TRANSITIONS.items()}
    context = {
        "pledge": pledge,
        "items": list(pledge.items.all()),
        "signatures": list(pledge.signatures.all()),
        "may_draft": may_draft,
        **may,
        "may_complete": pledge.state in (PledgeState.ISSUED, PledgeState.SIGNED)
        and permissions.can_complete_pledge_item(user, pledge),
        "item_form": PledgeItemForm() if may_draft else None,
        "sign_form": PLEDGE_TRANSITIONS["sign"].form() if may["may_sign"] else None,
        "complete_form": PledgeItemCompleteForm(),
    }
    return render(request, "responsibility/pledges/pledge_detail.html", context)


@require_POST
@login_required
def pledge_item_add(request, pk: int):
    pledge = _pledge(request, pk)
    form = PledgeItemForm(request.POST)
    if form.is_valid() and _run(
        request,
        lambda: services.pledge_item_add(pledge_id=pledge.pk, actor=request.user, data=form.to_data()),
        _("The item was added."),
    ):
        return _to_detail(pledge.pk)
    return render(request, "responsibility/pledges/pledge_item_form.html", {"pledge": pledge, "form": form}, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def pledge_item_edit(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk)
    if request.method == "POST":
        form = PledgeItemForm(request.POST)
        if form.is_valid() and _run(
            request,
            lambda: services.pledge_item_update(item_id=item.pk, actor=request.user, data=form.to_data()),
            _("The item was changed."),
        ):
            return _to_detail(pk)
        status = 400
    else:
        form = PledgeItemForm(initial=item_initial(item))
        status = 200
    context = {"pledge": item.pledge, "item": item, "form": form}
    return render(request, "responsibility/pledges/pledge_item_form.html", context, status=status)


@require_POST
@login_required
def pledge_item_remove(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk)
    _run(request, lambda: services.pledge_item_remove(item_id=item.pk, actor=request.user), _("The item was removed."))
    return _to_detail(pk)


@require_POST
@login_required
def pledge_issue(request, pk: int):
    pledge = _pledge(request, pk)
    transition = _transition(request, pledge, "issue")
    _run(
        request,
        lambda: transition.service(pledge_id=pledge.pk, actor=request.user),
        _("The pledge was issued and awaits the signature of %(unit)s.") % {"unit": pledge.unit},
    )
    return _to_detail(pledge.pk)


@require_POST
@login_required
def pledge_sign(request, pk: int):
    pledge = _pledge(request, pk)
    transition = _transition(request, pledge, "sign")
    form = transition.form(request.POST)
    if not form.is_valid():
        for message in form.errors["confirm"]:
            messages.error(request, message)
    else:
        _run(
            request,
            lambda: transition.service(pledge_id=pledge.pk, actor=request.user),
            _("You signed the pledge."),
        )
    return _to_detail(pledge.pk)


@require_POST
@login_required
def pledge_item_complete(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk)
    form = PledgeItemCompleteForm(request.POST)
    if not form.is_valid():
        for message in form.errors["evidence"]:
            messages.error(request, message)
    else:
        _run(
            request,
            lambda: services.pledge_item_complete(
                item_id=item.pk, actor=request.user, evidence=form.cleaned_data["evidence"]
            ),
            _("The item was reported done."),
        )
    return _to_detail(pk)


@require_http_methods(["GET", "POST"])
@login_required
def pledge_amend(request, pk: int):
    pledge = _pledge(request, pk)
    transition = _transition(request, pledge, "amend")
    if request.method == "POST":
        form = transition.form(request.POST)
        formset = PledgeItemFormSet(request.POST, prefix="items")
        if (
            form.is_valid()
            and formset.is_valid()
            and _run(
                request,
                lambda: transition.service(
                    pledge_id=pledge.pk,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    items=amended_items(formset),
                ),
                _("The pledge was amended and must be signed again."),
            )
        ):
            return _to_detail(pledge.pk)
        status = 400
    else:
        form = transition.form()
        formset = PledgeItemFormSet(initial=[item_initial(item) for item in pledge.items.all()], prefix="items")
        status = 200
    context = {"pledge": pledge, "form": form, "formset": formset}
    return render(request, "responsibility/pledges/pledge_amend.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def pledge_assess(request, pk: int):
    pledge = _pledge(request, pk)
    transition = _transition(request, pledge, "assess")
    items = list(pledge.items.all())
    form = transition.form(request.POST or None, items=items)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _run(
            request,
            lambda: transition.service(pledge_id=pledge.pk, actor=request.user, scores=form.scores()),
            _("The pledge was assessed."),
        ):
            return _to_detail(pledge.pk)
        status = 400
    return render(request, "responsibility/pledges/pledge_assess.html", {"pledge": pledge, "form": form}, status=status)


@require_GET
@login_required
def pledge_coverage_page(request):
    year = year_from(request.GET.get("year"))
    visible = Unit.objects.visible_to(request.user)
    root_id = request.GET.get("unit", "")
    if root_id.isdigit():
        root = get_object_or_404(visible, pk=int(root_id))
    else:
        root = coverage_root_for_user(user=request.user)
    context = {
        "year": year,
        # The export links' query: the year shown.
        "export_query": urlencode({"year": year}),
        "years": [year - 1, year, year + 1],
        "root": root,
        "levels": pledge_coverage(root=root, year=year) if root else [],
    }
    return render(request, "responsibility/pledges/pledge_coverage.html", context)
