"""Changing units and positions from the unit page: one form page per action.

Each view scopes first (404 outside the user's scope), answers 403 to someone who may
see the unit but not change it, validates a form and calls one service.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..forms.imports import (
    PositionAssignForm,
    PositionEndForm,
    UnitCreateForm,
    UnitMoveForm,
    UnitNameForm,
    UnitSupervisionForm,
)
from ..models import Position, Unit
from ..permissions import can_handle_in, can_manage_unit
from ..scoping import HANDLING, units_in_scope
from ..services import units as services


def _unit(request, pk: int, *, may=can_manage_unit) -> Unit:
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    if not may(request.user, unit):
        raise PermissionDenied
    return unit


def _form_page(request, *, unit: Unit, form, title: str, apply, done: str):
    """Render the form; on a valid POST run ``apply(cleaned_data)``, turning refusals into form errors."""
    if request.method == "POST" and form.is_valid():
        try:
            apply(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("responsibility:unit-detail", pk=unit.pk)
    context = {"unit": unit, "form": form, "title": title}
    status = 400 if request.method == "POST" else 200
    return render(request, "responsibility/imports/unit_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def unit_create(request, pk: int):
    parent = _unit(request, pk, may=can_handle_in)
    return _form_page(
        request,
        unit=parent,
        form=UnitCreateForm(request.POST or None),
        title=_("Add a unit under %(name)s") % {"name": parent},
        apply=lambda data: services.unit_create(
            actor=request.user, parent_id=parent.pk, name=data["name"], kind=data["kind"]
        ),
        done=_("The unit was added."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def unit_rename(request, pk: int):
    unit = _unit(request, pk)
    return _form_page(
        request,
        unit=unit,
        form=UnitNameForm(request.POST or None, initial={"name": unit.name}),
        title=_("Rename %(name)s") % {"name": unit},
        apply=lambda data: services.unit_rename(actor=request.user, unit_id=unit.pk, name=data["name"]),
        done=_("The unit was renamed."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def unit_move(request, pk: int):
    unit = _unit(request, pk)
    # Units the user may place units under, less the unit's own subtree.
    targets = units_in_scope(request.user, capacities=HANDLING).exclude(path__startswith=unit.path)
    return _form_page(
        request,
        unit=unit,
        form=UnitMoveForm(request.POST or None, targets=targets),
        title=_("Move %(name)s and the units below it") % {"name": unit},
        apply=lambda data: services.unit_move(actor=request.user, unit_id=unit.pk, new_parent_id=data["parent"].pk),
        done=_("The unit was moved."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def unit_supervise(request, pk: int):
    unit = _unit(request, pk)
    initial = {"supervising_unit": unit.supervising_unit_id, "remit_unit": unit.remit_unit_id}
    form = UnitSupervisionForm(
        request.POST or None,
        initial=initial,
        supervisors=Unit.objects.visible_to(request.user).exclude(pk=unit.pk),
        remits=units_in_scope(request.user, capacities=HANDLING).ancestors_of(unit),
    )
    return _form_page(
        request,
        unit=unit,
        form=form,
        title=_("Supervision and remit of %(name)s") % {"name": unit},
        apply=lambda data: services.unit_set_supervision(
            actor=request.user,
            unit_id=unit.pk,
            supervising_unit=data["supervising_unit"],
            remit_unit=data["remit_unit"],
        ),
        done=_("Saved."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def position_assign(request, pk: int):
    unit = _unit(request, pk)
    return _form_page(
        request,
        unit=unit,
        form=PositionAssignForm(request.POST or None),
        title=_("Add a position in %(name)s") % {"name": unit},
        apply=lambda data: services.position_assign_person(actor=request.user, unit_id=unit.pk, **data),
        done=_("The position was added."),
    )


def _post_and_return(request, unit: Unit, action, done: str):
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("responsibility:unit-detail", pk=unit.pk)


@require_POST
@login_required
def unit_deactivate(request, pk: int):
    unit = _unit(request, pk)
    action = partial(services.unit_deactivate, actor=request.user, unit_id=unit.pk)
    return _post_and_return(request, unit, action, _("The unit was deactivated."))


@require_POST
@login_required
def unit_reactivate(request, pk: int):
    unit = _unit(request, pk)
    action = partial(services.unit_reactivate, actor=request.user, unit_id=unit.pk)
    return _post_and_return(request, unit, action, _("The unit was reactivated."))


@require_POST
@login_required
def position_end(request, pk: int):
    position = get_object_or_404(
        Position.objects.filter(unit__in=Unit.objects.visible_to(request.user).values("pk")).select_related("unit"),
        pk=pk,
    )
    unit = position.unit
    if not can_manage_unit(request.user, unit):
        raise PermissionDenied
    form = PositionEndForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("responsibility:unit-detail", pk=unit.pk)
    action = partial(
        services.position_end, actor=request.user, position_id=position.pk, ends_on=form.cleaned_data["ends_on"]
    )
    return _post_and_return(request, unit, action, _("The position was ended."))
