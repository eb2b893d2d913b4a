"""Writes on pledges (责任书): one function per action, the only code that fires pledge transitions.

Each service locks the pledge, checks that the units it is given are in the actor's scope
(Http404, as for any object out of scope), checks who may act (PermissionDenied), checks
the guard (ValidationError, or TransitionNotAllowed for the wrong state: 409 in the API),
applies the change with ``save(update_fields=...)`` and records why in the history row,
and opens or meets the pledge items' deadlines in the ledger. A transition's permission and
state are checked as its declaration in responsibility.workflow says.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from .. import permissions
from ..deadlines import deadline_meet, deadline_move, deadline_open
from ..models import (
    DeadlineKind,
    Pledge,
    PledgeItem,
    PledgeSignature,
    PledgeState,
    PledgeTemplate,
    PledgeTemplateItem,
    Unit,
)
from ..scoping import in_scope_or_404
from ..workflow import PLEDGE_TRANSITIONS

MAX_WEIGHT = Decimal("999.99")
ITEM_FIELDS = ["title", "description", "weight", "due_on", "responsible_person", "evidence_required", "position"]


@dataclass(frozen=True)
class PledgeItemData:
    """What a user says about an item; ``id`` names an existing item in an amendment."""

    title: str
    weight: Decimal
    due_on: datetime.date
    description: str = ""
    responsible_person: str = ""
    evidence_required: str = ""
    id: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ItemScore:
    score: Decimal
    note: str = ""


def _end_of_day(day: datetime.date) -> datetime.datetime:
    # Items are due by the end of their day in the county's time (Asia/Shanghai).
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=timezone.get_default_timezone())


def _validate_item(data: PledgeItemData, *, year: int, number: int) -> None:
    """Refuse an item the user would not mean; ``number`` (from 1) says which one."""
    where = _("Item %(number)s") % {"number": number}
    errors = []
    if not data.title.strip():
        errors.append(_("%(where)s: give a title.") % {"where": where})
    if len(data.title) > 200:
        errors.append(_("%(where)s: the title is longer than 200 characters.") % {"where": where})
    if len(data.description) > 2000:
        errors.append(_("%(where)s: the description is longer than 2000 characters.") % {"where": where})
    if len(data.responsible_person) > 64:
        errors.append(_("%(where)s: the responsible person is longer than 64 characters.") % {"where": where})
    if len(data.evidence_required) > 500:
        errors.append(_("%(where)s: the evidence required is longer than 500 characters.") % {"where": where})
    if not isinstance(data.weight, Decimal) or not data.weight.is_finite() or not 0 < data.weight <= MAX_WEIGHT:
        errors.append(_("%(where)s: the weight must be more than 0 and at most 999.99.") % {"where": where})
    elif data.weight.as_tuple().exponent < -2:
        errors.append(_("%(where)s: the weight has at most two decimal places.") % {"where": where})
    if data.due_on.year != year:
        errors.append(_("%(where)s: the due date must fall in %(year)s.") % {"where": where, "year": year})
    if errors:
        raise ValidationError(errors)


def _item_values(data: PledgeItemData, position: int) -> dict:
    return {
        "title": data.title.strip(),
        "description": data.description.strip(),
        "weight": data.weight,
        "due_on": data.due_on,
        "responsible_person": data.responsible_person.strip(),
        "evidence_required": data.evidence_required.strip(),
        "position": position,
    }


def _lock(pledge_id: int) -> Pledge:
    return Pledge.objects.select_for_update().select_related("issuer", "unit").get(pk=pledge_id)


def _save(pledge: Pledge, *, actor, reason: str, fields: list[str]) -> None:
    pledge._history_user = actor
    pledge._change_reason = reason
    pledge.save(update_fields=fields)


def _open_deadline(item: PledgeItem, pledge: Pledge) -> None:
    deadline_open(target=item, kind=DeadlineKind.PLEDGE_ITEM, unit=pledge.unit, due_at=_end_of_day(item.due_on))


# --- Templates and drafts ------------------------------------------------------------


@transaction.atomic
def pledge_template_create(
    *, issuer: Unit, actor, name: str, year: int, items: Sequence[PledgeItemData]
) -> PledgeTemplate:
    in_scope_or_404(actor, issuer)
    if not permissions.can_handle_in(actor, issuer):
        raise PermissionDenied
    name = name.strip()
    if not name or len(name) > 128:
        raise ValidationError(_("Give the template a name of at most 128 characters."))
    if not items:
        raise ValidationError(_("A template needs at least one item."))
    for number, data in enumerate(items, start=1):
        _validate_item(data, year=year, number=number)
    if PledgeTemplate.objects.filter(issuer=issuer, year=year, name=name).exists():
        raise ValidationError(
            _("%(unit)s already has a template of that name for %(year)s.") % {"unit": issuer, "year": year}
        )
    template = PledgeTemplate.objects.create(issuer=issuer, name=name, year=year)
    for position, data in enumerate(items):
        PledgeTemplateItem.objects.create(template=template, **_item_values(data, position))
    return template


def _pledge_create(*, issuer: Unit, unit: Unit, year: int, template: PledgeTemplate | None, actor) -> Pledge:
    """Create a draft pledge with the template's items; caller has checked permission and the guards."""
    pledge = Pledge(issuer=issuer, unit=unit, year=year, template=template)
    pledge._history_user = actor
    pledge.save()
    if template is not None:
        for template_item in template.items.all():
            values = {name: getattr(template_item, name) for name in ITEM_FIELDS}
            PledgeItem.objects.create(pledge=pledge, **values)
    return pledge


def _check_child(issuer: Unit, unit: Unit) -> None:
    if not (unit.path.startswith(issuer.path) and unit.depth == issuer.depth + 1):
        raise ValidationError(
            _("%(unit)s is not directly under %(issuer)s: a pledge is made only to the level above.")
            % {"unit": unit, "issuer": issuer}
        )
    if not unit.is_active:
        raise ValidationError(_("%(unit)s is inactive and makes no pledge.") % {"unit": unit})


@transaction.atomic
def pledge_create(*, issuer: Unit, unit: Unit, year: int, actor, template: PledgeTemplate | None = None) -> Pledge:
    """A draft pledge from ``issuer`` to one of its direct children, optionally from a template."""
    in_scope_or_404(actor, issuer, unit)
    if not permissions.can_handle_in(actor, issuer):
        raise PermissionDenied
    _check_child(issuer, unit)
    if template is not None and (template.issuer_id != issuer.pk or template.year != year):
        raise ValidationError(_("The template belongs to another unit or year."))
    if Pledge.objects.filter(issuer=issuer, unit=unit, year=year).exists():
        raise ValidationError(
            _("%(issuer)s already has a pledge with %(unit)s for %(year)s.")
            % {"issuer": issuer, "unit": unit, "year": year}
        )
    return _pledge_create(issuer=issuer, unit=unit, year=year, template=template, actor=actor)


@transaction.atomic
def pledge_issue_from_template(*, template_id: int, actor) -> list[Pledge]:
    """Draft a pledge from the template to every active direct child that has none for the year.

    Children that already have one are left alone, so running it again adds only
    pledges for new units.
    """
    template = PledgeTemplate.objects.select_for_update().select_related("issuer").get(pk=template_id)
    issuer = template.issuer
    in_scope_or_404(actor, issuer)
    if not permissions.can_handle_in(actor, issuer):
        raise PermissionDenied
    children = (
        Unit.objects.filter(path__startswith=issuer.path, depth=issuer.depth + 1, is_active=True)
        .exclude(pledges__issuer=issuer, pledges__year=template.year)
        .order_by("path")
    )
    return [
        _pledge_create(issuer=issuer, unit=child, year=template.year, template=template, actor=actor)
        for child in children
    ]


def _lock_draft_for_items(pledge_id: int, actor) -> Pledge:
    pledge = _lock(pledge_id)
    if not permissions.can_draft_pledge(actor, pledge):
        raise PermissionDenied
    if pledge.state != PledgeState.DRAFT:
        raise ValidationError(
            _("This pledge has been issued: its items change only by an amendment, which must be signed again."),
            code="not_draft",
        )
    return pledge


@transaction.atomic
def pledge_item_add(*, pledge_id: int, actor, data: PledgeItemData) -> PledgeItem:
    pledge = _lock_draft_for_items(pledge_id, actor)
    count = pledge.items.count()
    _validate_item(data, year=pledge.year, number=count + 1)
    item = PledgeItem(pledge=pledge, **_item_values(data, count))
    item._history_user = actor
    item.save()
    return item


@transaction.atomic
def pledge_item_update(*, item_id: int, actor, data: PledgeItemData) -> PledgeItem:
    item = PledgeItem.objects.select_related("pledge").get(pk=item_id)
    pledge = _lock_draft_for_items(item.pledge_id, actor)
    item = PledgeItem.objects.select_for_update().get(pk=item_id)
    _validate_item(data, year=pledge.year, number=item.position + 1)
    for name, value in _item_values(data, item.position).items():
        setattr(item, name, value)
    item._history_user = actor
    item.save(update_fields=ITEM_FIELDS)
    return item


@transaction.atomic
def pledge_item_remove(*, item_id: int, actor) -> None:
    item = PledgeItem.objects.get(pk=item_id)
    _lock_draft_for_items(item.pledge_id, actor)
    item._history_user = actor
    item.delete()


# --- Transitions ---------------------------------------------------------------------


@transaction.atomic
def pledge_issue(*, pledge_id: int, actor) -> Pledge:
    """draft → issued: the items become obligations of the pledging unit in the deadline ledger."""
    pledge = _lock(pledge_id)
    PLEDGE_TRANSITIONS["issue"].check(pledge, actor)
    items = list(pledge.items.all())
    if not items:
        raise ValidationError(_("Add at least one item before issuing the pledge."))
    pledge.issue()
    pledge.issued_at = timezone.now()
    _save(pledge, actor=actor, reason="issue", fields=["state", "issued_at"])
    for item in items:
        _open_deadline(item, pledge)
    return pledge


def pledge_text(*, pledge: Pledge, items: Sequence[PledgeItem]) -> str:
    """The pledge as its principal signs it, in the site's own language (the official text)."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("%(year)s pledge, version %(version)s") % {"year": pledge.year, "version": pledge.version},
            _("Issued by: %(unit)s") % {"unit": pledge.issuer},
            _("Pledging unit: %(unit)s") % {"unit": pledge.unit},
        ]
        for number, item in enumerate(items, start=1):
            lines.append(
                f"{number}. {item.title} "
                + _("(weight %(weight)s, due %(due)s)") % {"weight": item.weight, "due": item.due_on.isoformat()}
            )
            if item.description:
                lines.append(f"   {item.description}")
            if item.responsible_person:
                lines.append("   " + _("Responsible: %(name)s") % {"name": item.responsible_person})
            if item.evidence_required:
                lines.append("   " + _("Evidence required: %(evidence)s") % {"evidence": item.evidence_required})
    return "\n".join(lines)


@transaction.atomic
def pledge_sign(*, pledge_id: int, actor) -> Pledge:
    """issued → signed by the pledging unit's principal; the signed text is frozen."""
    pledge = _lock(pledge_id)
    PLEDGE_TRANSITIONS["sign"].check(pledge, actor)
    pledge.sign()
    pledge.signed_by = actor
    pledge.signed_at = timezone.now()
    _save(pledge, actor=actor, reason="sign", fields=["state", "signed_by", "signed_at"])
    signature = PledgeSignature(
        pledge=pledge,
        version=pledge.version,
        signed_by=actor,
        signed_at=pledge.signed_at,
        text=pledge_text(pledge=pledge, items=list(pledge.items.all())),
    )
    signature._history_user = actor
    signature.save()
    return pledge


@transaction.atomic
def pledge_amend(*, pledge_id: int, actor, reason: str, items: Sequence[PledgeItemData]) -> Pledge:
    """issued/signed → issued as the next version, with ``items`` as its whole item list.

    Steps: check; items with an id are updated (a new due date moves the deadline),
    items without one are added (a deadline opens), items left out are removed (their
    deadline is closed: the ledger has no "withdrawn", and the obligation no longer
    exists). The earlier signed text stays in PledgeSignature; the new version must
    be signed again.
    """
    pledge = _lock(pledge_id)
    PLEDGE_TRANSITIONS["amend"].check(pledge, actor)
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise ValidationError(_("Say why the pledge is amended, in at most 500 characters."))
    if not items:
        raise ValidationError(_("A pledge needs at least one item."))
    for number, data in enumerate(items, start=1):
        _validate_item(data, year=pledge.year, number=number)
    current = {item.pk: item for item in pledge.items.select_for_update()}
    unknown = {data.id for data in items if data.id is not None} - current.keys()
    if unknown:
        raise ValidationError(_("Some items are not items of this pledge."))
    kept_ids = [data.id for data in items if data.id is not None]
    if len(kept_ids) != len(set(kept_ids)):
        raise ValidationError(_("An item appears twice."))
    changed = []
    for position, data in enumerate(items):
        values = _item_values(data, position)
        item = current.get(data.id)
        if item is None or any(getattr(item, name) != value for name, value in values.items()):
            changed.append((item, values))
    removed = [item for pk, item in current.items() if pk not in set(kept_ids)]
    if not changed and not removed:
        raise ValidationError(_("The amendment changes nothing."))

    pledge.amend()
    pledge.version += 1
    pledge.amendment_reason = reason
    pledge.signed_by = None
    pledge.signed_at = None
    _save(
        pledge,
        actor=actor,
        reason="amend",
        fields=["state", "version", "amendment_reason", "signed_by", "signed_at"],
    )
    for item in removed:
        deadline_meet(target=item, kind=DeadlineKind.PLEDGE_ITEM)
        item._history_user = actor
        item.delete()
    for item, values in changed:
        if item is None:
            item = PledgeItem(pledge=pledge, **values)
            item._history_user = actor
            item.save()
            _open_deadline(item, pledge)
            continue
        moved = item.due_on != values["due_on"]
        for name, value in values.items():
            setattr(item, name, value)
        item._history_user = actor
        item.save(update_fields=ITEM_FIELDS)
        if moved:
            deadline_move(target=item, kind=DeadlineKind.PLEDGE_ITEM, due_at=_end_of_day(item.due_on))
    return pledge


@transaction.atomic
def pledge_item_complete(*, item_id: int, actor, evidence: str) -> PledgeItem:
    """The pledging unit reports an item done, with its evidence; the item's deadline is met."""
    pledge_id = PledgeItem.objects.values_list("pledge_id", flat=True).get(pk=item_id)
    pledge = _lock(pledge_id)
    if not permissions.can_complete_pledge_item(actor, pledge):
        raise PermissionDenied
    if pledge.state not in (PledgeState.ISSUED, PledgeState.SIGNED):
        raise TransitionNotAllowed(
            _("This pledge is “%(state)s”: its items cannot be reported done now.")
            % {"state": pledge.get_state_display()}
        )
    item = PledgeItem.objects.select_for_update().get(pk=item_id)
    if item.completed_at is not None:
        raise ValidationError(_("This item was already reported done."))
    evidence = evidence.strip()
    if not evidence or len(evidence) > 2000:
        raise ValidationError(_("Describe the evidence, in at most 2000 characters."))
    item.completed_at = timezone.now()
    item.completed_by = actor
    item.evidence = evidence
    item._history_user = actor
    item._change_reason = "complete"
    item.save(update_fields=["completed_at", "completed_by", "evidence"])
    deadline_meet(target=item, kind=DeadlineKind.PLEDGE_ITEM, at=item.completed_at)
    return item


@transaction.atomic
def pledge_assess(*, pledge_id: int, actor, scores: Mapping[int, ItemScore]) -> Pledge:
    """signed → assessed at year end: a score per item, from 0 to its weight, and the total."""
    pledge = _lock(pledge_id)
    PLEDGE_TRANSITIONS["assess"].check(pledge, actor)
    items = list(pledge.items.select_for_update())
    if set(scores) != {item.pk for item in items}:
        raise ValidationError(_("Score every item of the pledge, and only those."))
    errors = []
    for item in items:
        given = scores[item.pk]
        score = given.score
        if not isinstance(score, Decimal) or not score.is_finite() or not 0 <= score <= item.weight:
            errors.append(
                _("“%(item)s”: the score must be from 0 to %(weight)s.") % {"item": item.title, "weight": item.weight}
            )
        elif score.as_tuple().exponent < -2:
            errors.append(_("“%(item)s”: the score has at most two decimal places.") % {"item": item.title})
        if len(given.note) > 500:
            errors.append(_("“%(item)s”: the note is longer than 500 characters.") % {"item": item.title})
    if errors:
        raise ValidationError(errors)
    for item in items:
        item.score = scores[item.pk].score
        item.assessment_note = scores[item.pk].note.strip()
        item._history_user = actor
        item.save(update_fields=["score", "assessment_note"])
    pledge.assess()
    pledge.total_score = sum((item.score for item in items), Decimal("0"))
    pledge.assessed_by = actor
    pledge.assessed_at = timezone.now()
    _save(pledge, actor=actor, reason="assess", fields=["state", "total_score", "assessed_by", "assessed_at"])
    return pledge
