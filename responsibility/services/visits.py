"""Writes for leader assignments, visits and inspections, and rectification items.

One function per action; the only code that fires a RectificationItem transition.
Each locks what it changes, checks that the units it is given are in the actor's scope
(Http404, as for any object out of scope), then permission (PermissionDenied), then its
guards (ValidationError, or TransitionNotAllowed for a wrong state), applies, and opens or
meets deadlines in the ledger. A transition's permission and state are checked as its
declaration in responsibility.workflow says.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..deadlines import deadline_meet, deadline_open
from ..models import (
    Campaign,
    CampaignState,
    DeadlineKind,
    LeaderAssignment,
    Position,
    RectificationItem,
    Unit,
    Visit,
    VisitFrequency,
    VisitKind,
)
from ..models.visits import (
    DESCRIPTION_MAX,
    EVIDENCE_MAX,
    FINDINGS_MAX,
    PEOPLE_MET_MAX,
    REASON_MAX,
    SUBJECT_MAX,
    validate_methods,
)
from ..scoping import LEADING, in_scope_or_404
from ..workflow import RECTIFICATION_ITEM_TRANSITIONS

NOTE_MAX = 200


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last second of a local day: something due "on" a day is late only the day after."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def _check_text(field: str, value: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError(
            {field: _("At most %(limit)d characters (it has %(length)d).") % {"limit": limit, "length": len(value)}}
        )
    return value


def _check_units(units: Iterable[Unit]) -> list[Unit]:
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    return units


def _history(obj, actor, reason: str = "") -> None:
    # Services also run outside requests (tasks, seed_demo): name the actor ourselves.
    obj._history_user = actor
    obj._change_reason = reason


# --- Leader assignments ----------------------------------------------------------------


@transaction.atomic
def leader_assignment_create(
    *,
    actor,
    leader,
    units: Iterable[Unit],
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    visit_frequency: str = VisitFrequency.QUARTERLY,
    note: str = "",
) -> LeaderAssignment:
    units = _check_units(units)
    in_scope_or_404(actor, *units)
    if not permissions.can_manage_leader_assignment(actor, units):
        raise PermissionDenied
    if not leader.is_active:
        raise ValidationError({"leader": _("This user is no longer active.")})
    if visit_frequency not in VisitFrequency.values:
        raise ValidationError({"visit_frequency": _("Unknown visit frequency.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    note = _check_text("note", note, NOTE_MAX)
    assignment = LeaderAssignment(
        leader=leader, starts_on=starts_on, ends_on=ends_on, visit_frequency=visit_frequency, note=note
    )
    _history(assignment, actor)
    assignment.save()
    assignment.units.set(units)
    return assignment


@transaction.atomic
def leader_assignment_end(*, actor, assignment_id: int, ends_on: datetime.date) -> LeaderAssignment:
    assignment = LeaderAssignment.objects.select_for_update().get(pk=assignment_id)
    if not permissions.can_manage_leader_assignment(actor, assignment.units.all()):
        raise PermissionDenied
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    if assignment.ends_on is not None and assignment.ends_on <= ends_on:
        raise ValidationError({"ends_on": _("This assignment already ends on %(day)s.") % {"day": assignment.ends_on}})
    assignment.ends_on = ends_on
    _history(assignment, actor, "end")
    assignment.save(update_fields=["ends_on"])
    return assignment


# --- Visits and inspections ------------------------------------------------------------


def _organizing_unit(leader, units: list[Unit]) -> Unit:
    """The leader's own unit: where they lead (the highest such post), else any post they hold.

    A user without a post (an administrator) visits on behalf of the first unit visited.
    """
    positions = list(Position.objects.current().filter(user=leader).select_related("unit"))
    if positions:
        return min(positions, key=lambda p: (p.kind not in LEADING, p.unit.depth, p.unit.path)).unit
    return min(units, key=lambda u: u.path)


def _check_assignment(assignment: LeaderAssignment | None, actor) -> None:
    if assignment is not None and assignment.leader_id != actor.pk:
        raise ValidationError({"leader_assignment": _("Choose one of your own assignments.")})


def _check_record(*, made_on: datetime.date, methods: list, people_met: str, findings: str) -> tuple[str, str]:
    if made_on > timezone.localdate():
        raise ValidationError({"made_on": _("A visit cannot be recorded before it is made.")})
    try:
        validate_methods(methods)
    except ValidationError as error:
        raise ValidationError({"methods": error.messages}) from error
    if not methods:
        raise ValidationError({"methods": _("Choose at least one method.")})
    return _check_text("people_met", people_met, PEOPLE_MET_MAX), _check_text(
        "findings", findings, FINDINGS_MAX, required=True
    )


@transaction.atomic
def visit_schedule(
    *,
    actor,
    kind: str,
    subject: str,
    units: Iterable[Unit],
    scheduled_for: datetime.date,
    leader_assignment: LeaderAssignment | None = None,
) -> Visit:
    """Plan a visit; the organising unit owes it by the end of ``scheduled_for`` (a VISIT deadline)."""
    units = _check_units(units)
    in_scope_or_404(actor, *units)
    if not permissions.can_visit_units(actor, units):
        raise PermissionDenied
    if kind not in VisitKind.values:
        raise ValidationError({"kind": _("Unknown kind of visit.")})
    if scheduled_for < timezone.localdate():
        raise ValidationError({"scheduled_for": _("A visit cannot be scheduled in the past.")})
    _check_assignment(leader_assignment, actor)
    subject = _check_text("subject", subject, SUBJECT_MAX, required=True)
    visit = Visit(
        kind=kind,
        subject=subject,
        leader=actor,
        organizing_unit=_organizing_unit(actor, units),
        leader_assignment=leader_assignment,
        scheduled_for=scheduled_for,
    )
    _history(visit, actor, "schedule")
    visit.save()
    visit.units.set(units)
    deadline_open(target=visit, kind=DeadlineKind.VISIT, unit=visit.organizing_unit, due_at=end_of_day(scheduled_for))
    return visit


@transaction.atomic
def visit_record(
    *, actor, visit_id: int, made_on: datetime.date, methods: list, people_met: str = "", findings: str
) -> Visit:
    """Record that a scheduled visit was made; meets its VISIT deadline."""
    visit = Visit.objects.select_for_update().select_related("organizing_unit").get(pk=visit_id)
    if not permissions.can_record_visit(actor, visit):
        raise PermissionDenied
    if visit.is_made:
        raise ValidationError(_("This visit has already been recorded."))
    visit.people_met, visit.findings = _check_record(
        made_on=made_on, methods=methods, people_met=people_met, findings=findings
    )
    visit.made_on = made_on
    visit.methods = list(methods)
    _history(visit, actor, "record")
    visit.save(update_fields=["made_on", "methods", "people_met", "findings"])
    deadline_meet(target=visit, kind=DeadlineKind.VISIT)
    return visit


@transaction.atomic
def visit_add(
    *,
    actor,
    kind: str,
    subject: str,
    units: Iterable[Unit],
    made_on: datetime.date,
    methods: list,
    people_met: str = "",
    findings: str,
    leader_assignment: LeaderAssignment | None = None,
) -> Visit:
    """Record a visit that was made without being scheduled first (no deadline to meet)."""
    units = _check_units(units)
    in_scope_or_404(actor, *units)
    if not permissions.can_visit_units(actor, units):
        raise PermissionDenied
    if kind not in VisitKind.values:
        raise ValidationError({"kind": _("Unknown kind of visit.")})
    _check_assignment(leader_assignment, actor)
    subject = _check_text("subject", subject, SUBJECT_MAX, required=True)
    people_met, findings = _check_record(made_on=made_on, methods=methods, people_met=people_met, findings=findings)
    visit = Visit(
        kind=kind,
        subject=subject,
        leader=actor,
        organizing_unit=_organizing_unit(actor, units),
        leader_assignment=leader_assignment,
        made_on=made_on,
        methods=list(methods),
        people_met=people_met,
        findings=findings,
    )
    _history(visit, actor, "record")
    visit.save()
    visit.units.set(units)
    return visit


# --- Rectification items ---------------------------------------------------------------


@transaction.atomic
def _campaign_takes_items(actor, campaign: Campaign) -> bool:
    return campaign.state == CampaignState.ACTIVE and Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists()


def rectification_item_add(
    *,
    actor,
    responsible_unit: Unit,
    description: str,
    due_on: datetime.date,
    visit: Visit | None = None,
    campaign: Campaign | None = None,
) -> RectificationItem:
    """Give a unit something to correct by ``due_on`` (a RECTIFICATION_ITEM deadline), optionally for a campaign."""
    in_scope_or_404(actor, responsible_unit)
    # What a visit found is given to a unit by who made it, a leader in an assigned area
    # included; other items by who handles the unit's work.
    may_give = permissions.can_supervise_in if visit is not None else permissions.can_handle_in
    if not may_give(actor, responsible_unit):
        raise PermissionDenied
    if visit is not None:
        if not permissions.can_record_visit(actor, visit):
            raise PermissionDenied
        if not visit.is_made:
            raise ValidationError(_("Record the visit before adding what it found to correct."))
        if not any(responsible_unit.path.startswith(unit.path) for unit in visit.units.all()):
            raise ValidationError(
                {"responsible_unit": _("The responsible unit must be one of the units visited or below one.")}
            )
    description = _check_text("description", description, DESCRIPTION_MAX, required=True)
    if campaign is not None and not _campaign_takes_items(actor, campaign):
        raise ValidationError({"campaign": _("Choose an active campaign you can see.")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date is in the past.")})
    item = RectificationItem(
        description=description,
        responsible_unit=responsible_unit,
        due_on=due_on,
        visit=visit,
        campaign=campaign,
        created_by=actor,
    )
    _history(item, actor, "add")
    item.save()
    deadline_open(target=item, kind=DeadlineKind.RECTIFICATION_ITEM, unit=responsible_unit, due_at=end_of_day(due_on))
    return item


def _locked_item(item_id: int) -> RectificationItem:
    return RectificationItem.objects.select_for_update().select_related("responsible_unit").get(pk=item_id)


@transaction.atomic
def rectification_item_submit(*, actor, item_id: int, evidence: str) -> RectificationItem:
    """The responsible unit reports the item done, with evidence, for the unit above to confirm."""
    item = _locked_item(item_id)
    RECTIFICATION_ITEM_TRANSITIONS["submit"].check(item, actor)
    item.evidence = _check_text("evidence", evidence, EVIDENCE_MAX, required=True)
    item.submit()
    item.submitted_by = actor
    item.submitted_at = timezone.now()
    _history(item, actor, "submit")
    item.save(update_fields=["status", "evidence", "submitted_by", "submitted_at"])
    return item


@transaction.atomic
def rectification_item_confirm(*, actor, item_id: int) -> RectificationItem:
    """The unit above confirms the item done; its deadline is met as of the (last) submission."""
    item = _locked_item(item_id)
    RECTIFICATION_ITEM_TRANSITIONS["confirm"].check(item, actor)
    item.confirm()
    item.confirmed_by = actor
    item.confirmed_at = timezone.now()
    _history(item, actor, "confirm")
    item.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    # On time means done by the due date: the unit's submission, not the confirmation's delay.
    deadline_meet(target=item, kind=DeadlineKind.RECTIFICATION_ITEM, at=item.submitted_at)
    return item


@transaction.atomic
def rectification_item_send_back(*, actor, item_id: int, reason: str) -> RectificationItem:
    """The unit above finds the item not done: back to open, and its deadline stays open."""
    item = _locked_item(item_id)
    RECTIFICATION_ITEM_TRANSITIONS["send_back"].check(item, actor)
    item.send_back_reason = _check_text("reason", reason, REASON_MAX, required=True)
    item.send_back()
    item.submitted_by = None
    item.submitted_at = None
    _history(item, actor, "send back")
    item.save(update_fields=["status", "send_back_reason", "submitted_by", "submitted_at"])
    return item
