"""Changing units and positions from the unit page: one form page per action.

Each view scopes first (404 outside the user's scope), answers 403 to someone who may
see the unit but not change it, validates a form and calls one service. The changes
that take work or access away from people (moving a unit, deactivating it, ending a
post) first show what they will do and act only on a POST that answers that
confirmation: a plain page and form, so it works without JavaScript.
"""

from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
from ..selectors import unit_move_preview
from ..services import units as services

# The answer a confirmation page posts back.
CONFIRMED = "yes"


@dataclass(frozen=True)
class Confirmation:
    question: str
    consequences: list[str]
    button: str


def _confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == CONFIRMED


def _confirm_page(request, *, unit: Unit, title: str, confirmation: Confirmation, form=None):
    """Ask before a change; the form's data (if any) travels in hidden fields with the answer."""
    context = {"unit": unit, "title": title, "confirmation": confirmation, "form": form, "confirmed": CONFIRMED}
    return render(request, "responsibility/confirm.html", context)


def _unit(request, pk: int, *, may=can_manage_unit) -> Unit:
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    if not may(request.user, unit):
        raise PermissionDenied
    return unit


def _form_page(request, *, unit: Unit, form, title: str, apply, done: str, confirm=None):
    """Render the form; on a valid POST run ``apply(cleaned_data)``, turning refusals into form errors.

    ``confirm``: for a change to be confirmed, a function of the cleaned data giving the
    Confirmation that a valid POST shows first; only a POST that answers it applies.
    """
    if request.method == "POST" and form.is_valid():
        if confirm is not None and not _confirmed(request):
            return _confirm_page(request, unit=unit, title=title, confirmation=confirm(form.cleaned_data), form=form)
        try:
            apply(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("responsibility:unit-detail", pk=unit.pk)
    context = {"unit": unit, "form": form, "title": title, "continues": confirm is not None}
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

    def confirm(data) -> Confirmation:
        old_parent, below = unit_move_preview(unit=unit)
        names = {"unit": unit, "old": old_parent or "—", "new": data["parent"], "count": below}
        consequences = [
            _(
                "Who sees and answers for it follows the tree: staff who reach it only through %(old)s "
                "lose it, staff of %(new)s and above gain it, and its overdue work escalates through %(new)s."
            )
            % names
        ]
        if below:
            carried = ngettext(
                "The unit below %(unit)s moves with it.", "The %(count)d units below %(unit)s move with it.", below
            )
            consequences.insert(0, carried % names)
        return Confirmation(
            question=_("Move %(unit)s from under %(old)s to under %(new)s?") % names,
            consequences=consequences,
            button=_("Move the unit"),
        )

    return _form_page(
        request,
        unit=unit,
        form=UnitMoveForm(request.POST or None, targets=targets),
        title=_("Move %(name)s and the units below it") % {"name": unit},
        apply=lambda data: services.unit_move(actor=request.user, unit_id=unit.pk, new_parent_id=data["parent"].pk),
        done=_("The unit was moved."),
        confirm=confirm,
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


@require_http_methods(["GET", "POST"])
@login_required
def unit_deactivate(request, pk: int):
    unit = _unit(request, pk)
    if not _confirmed(request):
        names = {"unit": unit}
        confirmation = Confirmation(
            question=_("Deactivate %(unit)s?") % names,
            consequences=[
                _(
                    "Nobody can take up a post in %(unit)s, and the posts held there stop giving their "
                    "holders access to its work and its notifications."
                )
                % names,
                _("Its records and history stay, and it can be reactivated."),
            ],
            button=_("Deactivate the unit"),
        )
        return _confirm_page(request, unit=unit, title=_("Deactivate %(unit)s") % names, confirmation=confirmation)
    action = partial(services.unit_deactivate, actor=request.user, unit_id=unit.pk)
    return _post_and_return(request, unit, action, _("The unit was deactivated."))


@require_POST
@login_required
def unit_reactivate(request, pk: int):
    unit = _unit(request, pk)
    action = partial(services.unit_reactivate, actor=request.user, unit_id=unit.pk)
    return _post_and_return(request, unit, action, _("The unit was reactivated."))


@require_http_methods(["GET", "POST"])
@login_required
def position_end(request, pk: int):
    position = get_object_or_404(
        Position.objects.filter(unit__in=Unit.objects.visible_to(request.user).values("pk")).select_related(
            "unit", "user"
        ),
        pk=pk,
    )
    unit = position.unit
    if not can_manage_unit(request.user, unit):
        raise PermissionDenied
    names = {"person": position.user, "kind": position.get_kind_display(), "unit": unit}

    def confirm(data) -> Confirmation:
        day = {**names, "day": data["ends_on"].isoformat()}
        return Confirmation(
            question=_("End the post of %(person)s as %(kind)s of %(unit)s, %(day)s being the last day?") % day,
            consequences=[
                _(
                    "From the day after, the post no longer gives %(person)s access to the work of %(unit)s, "
                    "nor its notifications and escalations."
                )
                % names
            ],
            button=_("End the post"),
        )

    return _form_page(
        request,
        unit=unit,
        form=PositionEndForm(request.POST or None, starts_on=position.starts_on),
        title=_("End the post of %(person)s as %(kind)s") % names,
        apply=lambda data: services.position_end(actor=request.user, position_id=position.pk, **data),
        done=_("The position was ended."),
        confirm=confirm,
    )
