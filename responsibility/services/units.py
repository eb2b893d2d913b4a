"""Changes to the organisation: units and the positions people hold in them.

Every function here locks what it changes, checks the actor's permission (``actor=None``
is the system: seeding, migrations of data) and refuses bad input with a
ValidationError that names what is wrong, changing nothing. Unit and Position saves
write simple-history rows; a move, which treebeard makes with bulk updates, is
recorded as a UnitMove.
"""

import datetime
import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from jiufeng.roles import Role

from ..models import Position, PositionKind, Unit, UnitMove
from ..permissions import can_handle_in, can_manage_unit, can_view_unit

User = get_user_model()

# treebeard's path column holds 255 characters, steplen each level.
MAX_DEPTH = Unit._meta.get_field("path").max_length // Unit.steplen

# Mainland mobile; landline with area code (0571-88888888); five-digit service lines (12345).
PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{5}")

# The role group a position puts its holder in, so the menu and role permissions follow.
ROLE_OF_POSITION = {
    PositionKind.PRINCIPAL: Role.LEADER,
    PositionKind.LEADER_IN_CHARGE: Role.LEADER,
    PositionKind.LIAISON: Role.OFFICER,
    PositionKind.OFFICER: Role.OFFICER,
}


def phone_clean(value: str) -> str:
    """The phone number without spaces, or a ValidationError naming the accepted forms."""
    phone = re.sub(r"\s+", "", value or "")
    if not PHONE_RE.fullmatch(phone):
        raise ValidationError(
            _("“%(phone)s” is not a phone number: use a mobile (13912345678) or a landline (0571-88888888)."),
            params={"phone": value},
        )
    return phone


def phone_digits(phone: str) -> str:
    return phone.replace("-", "")


def users_with_phones(phones: set[str]) -> dict[str, "User"]:
    """Existing accounts by the digits of their phone, for the given phones (one query)."""
    digits = {phone_digits(p) for p in phones}
    variants = digits | set(phones)
    return {phone_digits(u.phone): u for u in User.objects.filter(phone__in=variants).order_by("pk")}


def username_for(phone: str) -> str:
    """A new account's username: from the phone when there is one, never one already taken."""
    base = f"p{phone_digits(phone)}" if phone else f"p-{secrets.token_hex(4)}"
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def person_get_or_create(*, name: str, phone: str, actor) -> tuple["User", bool]:
    """The account of the person with this phone, or a new one for them (no usable password).

    A phone that already belongs to someone else's account is refused rather than
    silently giving this person that account.
    """
    if phone:
        existing = users_with_phones({phone}).get(phone_digits(phone))
        if existing is not None:
            if existing.display_name != name:
                raise ValidationError({"phone": _("This phone number belongs to another person's account.")})
            return existing, False
    user = User(username=username_for(phone), display_name=name, phone=phone)
    user.set_unusable_password()
    user._history_user = actor
    user.save()
    return user, True


def role_add_for_position(user: "User", kind: str) -> None:
    user.groups.add(Group.objects.get(name=ROLE_OF_POSITION[kind]))


def _lock(unit_id: int) -> Unit:
    return Unit.objects.select_for_update().get(pk=unit_id)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _name_clean(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("A unit needs a name.")})
    if len(name) > Unit._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name is too long.")})
    return name


def _refuse_sibling_named(parent_path: str, name: str, *, exclude: Unit | None = None) -> None:
    siblings = Unit.objects.filter(path__startswith=parent_path, depth=len(parent_path) // Unit.steplen + 1)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if siblings.filter(name=name).exists():
        raise ValidationError({"name": _("There is already a unit named “%(name)s” here.") % {"name": name}})


def _parent_path(unit: Unit) -> str:
    return unit.path[: -Unit.steplen]


@transaction.atomic
def unit_create(*, actor, parent_id: int, name: str, kind: str) -> Unit:
    parent = _lock(parent_id)
    _require(actor is None or can_handle_in(actor, parent))
    name = _name_clean(name)
    if not parent.is_active:
        raise ValidationError(_("“%(name)s” is inactive: reactivate it before adding units to it.") % {"name": parent})
    if parent.depth >= MAX_DEPTH:
        raise ValidationError(_("The tree cannot grow deeper here."))
    _refuse_sibling_named(parent.path, name)
    unit = Unit(name=name, kind=kind)
    unit._history_user = actor
    return Unit.objects.add_child(parent, instance=unit)


@transaction.atomic
def unit_rename(*, actor, unit_id: int, name: str) -> Unit:
    unit = _lock(unit_id)
    _require(actor is None or can_manage_unit(actor, unit))
    name = _name_clean(name)
    if name == unit.name:
        return unit
    _refuse_sibling_named(_parent_path(unit), name, exclude=unit)
    unit.name = name
    unit._history_user = actor
    unit.save(update_fields=["name"])
    return unit


@transaction.atomic
def unit_deactivate(*, actor, unit_id: int) -> Unit:
    """Close a unit (merged or dissolved); its records and history stay. Its units below must go first."""
    unit = _lock(unit_id)
    _require(actor is None or can_manage_unit(actor, unit))
    if not unit.is_active:
        raise ValidationError(_("“%(name)s” is already inactive.") % {"name": unit})
    active_below = Unit.objects.all().subtree_of(unit).exclude(pk=unit.pk).filter(is_active=True).count()
    if active_below:
        raise ValidationError(
            _("“%(name)s” still has %(count)d active units below it: move or deactivate them first.")
            % {"name": unit, "count": active_below}
        )
    unit.is_active = False
    unit._history_user = actor
    unit.save(update_fields=["is_active"])
    return unit


@transaction.atomic
def unit_reactivate(*, actor, unit_id: int) -> Unit:
    unit = _lock(unit_id)
    _require(actor is None or can_manage_unit(actor, unit))
    if unit.is_active:
        raise ValidationError(_("“%(name)s” is already active.") % {"name": unit})
    parent = Unit.objects.filter(path=_parent_path(unit)).first()
    if parent is not None and not parent.is_active:
        raise ValidationError(_("“%(name)s” is inactive: reactivate it first.") % {"name": parent})
    unit.is_active = True
    unit._history_user = actor
    unit.save(update_fields=["is_active"])
    return unit


@transaction.atomic
def unit_move(*, actor, unit_id: int, new_parent_id: int) -> Unit:
    """Move a unit and everything below it under another parent, and record the move.

    Steps: lock both rows (in id order, so two moves cannot deadlock); check the actor
    manages the unit and handles the new parent; refuse a move under the unit itself
    or its own descendant, a move that changes nothing, a name clash and a tree too
    deep; move with treebeard; write a UnitMove row (treebeard writes no history).
    """
    locked = {u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=[unit_id, new_parent_id]).order_by("pk")}
    unit, target = locked[unit_id], locked.get(new_parent_id)
    if target is None:
        raise Unit.DoesNotExist
    _require(actor is None or can_manage_unit(actor, unit))
    if actor is not None and not can_handle_in(actor, target):
        raise ValidationError({"parent": _("You may not place units under the unit you chose.")})
    if target.path.startswith(unit.path):
        raise ValidationError(
            {
                "parent": _("“%(unit)s” cannot be moved under itself or under “%(target)s”, which is below it.")
                % {"unit": unit, "target": target}
            }
        )
    old_parent = Unit.objects.filter(path=_parent_path(unit)).first()
    if old_parent is not None and old_parent.pk == target.pk:
        message = _("“%(unit)s” is already under “%(target)s”.") % {"unit": unit, "target": target}
        raise ValidationError({"parent": message})
    _refuse_sibling_named(target.path, unit.name)
    deepest = Unit.objects.all().subtree_of(unit).aggregate(deepest=Max("depth"))["deepest"]
    if target.depth + 1 + deepest - unit.depth > MAX_DEPTH:
        raise ValidationError({"parent": _("The tree would grow too deep under “%(target)s”.") % {"target": target}})
    Unit.objects.move(unit, target, "last-child")
    move = UnitMove(unit=unit, from_parent=old_parent, to_parent=target, moved_by=actor)
    move._history_user = actor
    move.save()
    unit.refresh_from_db()
    return unit


@transaction.atomic
def unit_set_supervision(*, actor, unit_id: int, supervising_unit: Unit | None, remit_unit: Unit | None) -> Unit:
    """Set who answers for the unit's conduct (谁主管谁负责) and the wider subtree its staff work on.

    A remit widens what the unit's staff may see, so it must be one of the unit's
    ancestors that the actor handles themselves: nobody grants more than they hold.
    """
    unit = _lock(unit_id)
    _require(actor is None or can_manage_unit(actor, unit))
    if supervising_unit is not None:
        if supervising_unit.pk == unit.pk:
            raise ValidationError({"supervising_unit": _("A unit cannot supervise itself.")})
        if actor is not None and not can_view_unit(actor, supervising_unit):
            raise ValidationError({"supervising_unit": _("Choose a unit within your scope.")})
    if remit_unit is not None and remit_unit.pk != unit.pk:
        if not unit.path.startswith(remit_unit.path):
            raise ValidationError({"remit_unit": _("A remit must be a unit above this one.")})
        if actor is not None and not can_handle_in(actor, remit_unit):
            raise ValidationError({"remit_unit": _("Choose a unit within your scope.")})
    unit.supervising_unit = supervising_unit
    unit.remit_unit = None if remit_unit is not None and remit_unit.pk == unit.pk else remit_unit
    unit._history_user = actor
    unit.save(update_fields=["supervising_unit", "remit_unit"])
    return unit


def _holds(user, unit: Unit, kind: str, starts_on: datetime.date) -> bool:
    """Whether the user holds this post on or after ``starts_on`` already."""
    return Position.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on), user=user, unit=unit, kind=kind
    ).exists()


@transaction.atomic
def position_assign(*, actor, unit_id: int, user, kind: str, starts_on: datetime.date) -> Position:
    unit = _lock(unit_id)
    _require(actor is None or can_manage_unit(actor, unit))
    if not unit.is_active:
        raise ValidationError(_("“%(name)s” is inactive: nobody can take up a post there.") % {"name": unit})
    if _holds(user, unit, kind, starts_on):
        raise ValidationError(_("%(person)s already holds this post in “%(unit)s”.") % {"person": user, "unit": unit})
    position = Position(user=user, unit=unit, kind=kind, starts_on=starts_on)
    position._history_user = actor
    position.save()
    role_add_for_position(user, kind)
    return position


def ends_on_clean(*, starts_on: datetime.date, ends_on: datetime.date) -> datetime.date:
    """The last day of a post, or a ValidationError: a post cannot end before it starts."""
    if ends_on < starts_on:
        raise ValidationError(_("A post cannot end before it starts (%(day)s).") % {"day": starts_on.isoformat()})
    return ends_on


@transaction.atomic
def position_end(*, actor, position_id: int, ends_on: datetime.date) -> Position:
    position = Position.objects.select_for_update().select_related("unit", "user").get(pk=position_id)
    _require(actor is None or can_manage_unit(actor, position.unit))
    if position.ends_on is not None:
        raise ValidationError(_("This post already ended on %(day)s.") % {"day": position.ends_on.isoformat()})
    position.ends_on = ends_on_clean(starts_on=position.starts_on, ends_on=ends_on)
    position._history_user = actor
    position.save(update_fields=["ends_on"])
    return position


@transaction.atomic
def position_assign_person(
    *, actor, unit_id: int, name: str, phone: str, kind: str, starts_on: datetime.date
) -> Position:
    """Give the post to the person with this phone, creating their account if there is none."""
    _require(actor is None or can_manage_unit(actor, Unit.objects.get(pk=unit_id)))
    person, _created = person_get_or_create(name=name, phone=phone, actor=actor)
    return position_assign(actor=actor, unit_id=unit_id, user=person, kind=kind, starts_on=starts_on)
