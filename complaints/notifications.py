"""Who is told what about a case, and in which words.

``petitioner_notify`` writes to the petitioner, who has no account: by SMS to a mobile
and by email, to the addresses of their identity (jiufeng.notifications.notify_address).
An anonymous petitioner is told nothing: they read the tracking page. Petitioners of
cases merged into this one follow it, so they are told too.

``staff_notify`` tells the staff who act next, in their inbox with email/SMS copies
(jiufeng.notifications.notify); whoever caused the event is not told of it.

Both write in the caller's transaction; delivery starts when it commits. The petitioner's
words are in the office's language (settings.LANGUAGE_CODE): they are sent later, when no
request says which language the reader prefers. Staff's are stored as texts
(jiufeng.texts), read in each reader's language in the inbox.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jiufeng.models import OutboxChannel
from jiufeng.notifications import absolute_url, notify, notify_address
from jiufeng.texts import message
from responsibility.models import DeadlineKind, PositionKind
from responsibility.selectors import positions_nearest

from .duplicates import mobile_number
from .models import MAX_REVIEW_ROUNDS, Complaint, ExtensionState, TransitionLog, triage_unit
from .time_limits import due_sentence

_TITLE_SHOWN = 60
STAFF = {PositionKind.LIAISON, PositionKind.OFFICER}
LEADERS = {PositionKind.PRINCIPAL, PositionKind.LEADER_IN_CHARGE}


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


def _last_note(complaint: Complaint, name: str) -> str:
    log = TransitionLog.objects.filter(complaint=complaint, name=name).order_by("-at", "-pk").first()
    return log.note if log is not None else ""


def _running_due(complaint: Complaint) -> str:
    # The stage the case has just entered (or whose deadline just moved) is the one running.
    return _day(complaint.due_at) if complaint.due_at else ""


def _promise(complaint: Complaint, kind: DeadlineKind) -> str:
    # The stage just entered: the same words as the receipt and the tracking page.
    return due_sentence(kind=kind, category=complaint.category, due_at=complaint.due_at)


def _title(complaint: Complaint) -> str:
    title = complaint.title
    return title if len(title) <= _TITLE_SHOWN else f"{title[: _TITLE_SHOWN - 1]}…"


# --- The petitioner ---------------------------------------------------------------------


def _petitioner_text(complaint: Complaint, event: str, code: str) -> tuple[str, str, dict]:
    """(subject, body template, its values) of an event for the petitioner.

    The body's ``%(date)s`` is each recipient's own filing day; it is filled in with the
    values in one pass, so a ``%`` in a reason typed by staff is only text.
    """
    values = {
        "url": absolute_url(reverse("complaints:complaint-track")),
        "days": settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS,
        "code": code,
    }
    if event == "filed":
        return (
            _("Your complaint has been received"),
            _(
                "Your complaint of %(date)s has been received. Your tracking code is %(code)s: keep it, "
                "it is the only way to follow the case at %(url)s. %(promise)s"
            ),
            {**values, "promise": _promise(complaint, DeadlineKind.COMPLAINT_ACCEPT)},
        )
    if event == "accepted":
        values.update(unit=complaint.handling_unit, promise=_promise(complaint, DeadlineKind.COMPLAINT_RESOLVE))
        return (
            _("Your complaint has been accepted"),
            _(
                "Your complaint of %(date)s has been accepted. %(unit)s will investigate it. %(promise)s "
                "Follow it with your tracking code at %(url)s."
            ),
            values,
        )
    if event == "rejected":
        values.update(reason=_last_note(complaint, "reject"))
        return (
            _("Your complaint has not been accepted"),
            _("Your complaint of %(date)s has not been accepted. Reason: %(reason)s"),
            values,
        )
    if event == "transferred":
        values.update(to=complaint.transferred_to, reason=_last_note(complaint, "transfer"))
        return (
            _("Your complaint has been transferred"),
            _(
                "Your complaint of %(date)s has been transferred to %(to)s, which has jurisdiction over it. "
                "Reason: %(reason)s"
            ),
            values,
        )
    if event == "merged":
        return (
            _("Your complaint is handled together with another"),
            _(
                "Your complaint of %(date)s concerns the same matter as another case and is handled together "
                "with it. Your tracking code now shows the progress of that case at %(url)s."
            ),
            values,
        )
    if event == "question":
        return (
            _("A message about your complaint"),
            _(
                "The office handling your complaint of %(date)s has sent you a message. "
                "Read it and answer with your tracking code at %(url)s."
            ),
            values,
        )
    if event == "replied":
        return (
            _("Your complaint has been answered"),
            _(
                "Your complaint of %(date)s has been answered. Read the reply with your tracking code at %(url)s. "
                "If you are not satisfied, you may ask for a review within %(days)d days."
            ),
            values,
        )
    if event == "review_requested":
        values.update(unit=complaint.reviewing_unit, due=_running_due(complaint))
        if complaint.review_round < MAX_REVIEW_ROUNDS:
            return (
                _("Your request for a review has been received"),
                _(
                    "Your request for a review (复查) of your complaint of %(date)s has been received. "
                    "%(unit)s will decide it by %(due)s. Follow it with your tracking code at %(url)s."
                ),
                values,
            )
        return (
            _("Your request for a re-review has been received"),
            _(
                "Your request for a re-review (复核) of your complaint of %(date)s has been received. "
                "%(unit)s will decide it by %(due)s; its decision is final. Follow it with your tracking code "
                "at %(url)s."
            ),
            values,
        )
    if event == "review_decided" and complaint.review_round < MAX_REVIEW_ROUNDS:
        return (
            _("Your review has been decided"),
            _(
                "The review of your complaint of %(date)s has been decided. Read the answer with your tracking "
                "code at %(url)s. If you are not satisfied, you may ask for a re-review within %(days)d days."
            ),
            values,
        )
    if event == "review_decided":
        return (
            _("Your re-review has been decided"),
            _(
                "The re-review of your complaint of %(date)s has been decided; this decision is final. "
                "Read it with your tracking code at %(url)s."
            ),
            values,
        )
    # extension_approved: the reason is owed to the petitioner (DOMAIN.md).
    request = complaint.extension_requests.filter(state=ExtensionState.APPROVED).order_by("-decided_at").first()
    values.update(due=_running_due(complaint), reason=request.reason)
    return (
        _("The time limit for your complaint has been extended"),
        _("The time limit for your complaint of %(date)s has been extended to %(due)s. Reason: %(reason)s"),
        values,
    )


PETITIONER_EVENTS = (
    "filed",
    "accepted",
    "rejected",
    "transferred",
    "merged",
    "question",
    "replied",
    "review_requested",
    "review_decided",
    "extension_approved",
)


def _addressees(complaint: Complaint, event: str) -> list[tuple[datetime.datetime, str, str]]:
    """(filed at, phone, email) of each petitioner to tell: the case's own, and those of cases merged into it."""
    if event == "filed":
        # Nothing is merged into a case being filed, and complaint_file holds its identity.
        if complaint.anonymous:
            return []
        return [(complaint.submitted_at, complaint.identity.phone, complaint.identity.email)]
    # From the cases' side: the OR is on the case table's own indexes (pk, merged_into), then
    # one identity each by its unique complaint index. An OR across the join scanned every
    # identity (2 s at a million cases).
    return list(
        Complaint.objects.filter(Q(pk=complaint.pk) | Q(merged_into=complaint), anonymous=False, identity__isnull=False)
        .order_by()
        .values_list("submitted_at", "identity__phone", "identity__email")
    )


def petitioner_notify(*, complaint: Complaint, event: str, code: str = "") -> int:
    """Tell the petitioner (and those of cases merged into this one) what happened; returns messages queued.

    ``event``: one of PETITIONER_EVENTS. ``code``: the plain tracking code, for "filed"
    only (it is stored nowhere; the outbox forgets it once sent). Anonymous cases: nothing.
    """
    if event not in PETITIONER_EVENTS:
        raise ValueError(f"No petitioner notification for {event!r}.")
    addressees = _addressees(complaint, event)
    if not addressees:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject, body, values = _petitioner_text(complaint, event, code)
        queued = 0
        for submitted_at, phone, email in addressees:
            text = body % {**values, "date": _day(submitted_at)}
            # SMS reaches mobiles only; a landline petitioner hears by email, or reads the tracking page.
            addresses = [(OutboxChannel.EMAIL, email), (OutboxChannel.SMS, mobile_number(phone))]
            for channel, address in addresses:
                if address and notify_address(channel=channel, address=address, subject=subject, body=text):
                    queued += 1
    return queued


# --- Staff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _StaffEvent:
    # Who: the nearest positions of ``kinds`` (or ``kinds(complaint)``) at the unit ``unit(complaint)`` names.
    unit: Callable[[Complaint], object]
    kinds: set[str] | Callable[[Complaint], set[str]]
    # What they read: texts (jiufeng.texts), rendered in each reader's language.
    subject: Callable[[Complaint], dict]
    body: Callable[[Complaint], dict]
    # Why this reached them, from their position's kind and its unit's name.
    why: Callable[[str, str], dict]


def _deciding_unit(complaint: Complaint):
    # Before acceptance the triaging unit (the county 纠风办) is at work on the case; in a
    # review the reviewing unit (which owes the time).
    return complaint.deciding_unit or triage_unit(complaint.subject_unit)


def _reviewers(complaint: Complaint) -> set[str]:
    # Where no unit is above the unit reviewed, the root's leadership reviews (docs/domain-rules.md).
    return LEADERS if complaint.review_by_leaders else STAFF


def _review_word(complaint: Complaint):
    # Lazy: a label the reader's language renders (jiufeng.texts).
    if complaint.review_round >= MAX_REVIEW_ROUNDS:
        return gettext_lazy("re-review (复核)")
    return gettext_lazy("review (复查)")


def _because(msgid: str) -> Callable[[str, str], dict]:
    """Why a notice reached someone, from their position's kind and its unit's name (``msgid``
    names both as %(position)s and %(unit)s)."""
    return lambda kind, unit: message(msgid, position=PositionKind(kind).label, unit=unit)


_at_review = _because(gettext_noop("You are %(position)s of %(unit)s, which decides the review."))
_at_intake = _because(gettext_noop("You are %(position)s of %(unit)s, which decides on intake."))
_at_handling = _because(gettext_noop("You are %(position)s of %(unit)s, which handles the case."))
_leading = _because(gettext_noop("You are %(position)s of %(unit)s, which decides for the handling unit."))


def _extension_body(complaint: Complaint) -> dict:
    request = complaint.extension_requests.filter(state=ExtensionState.PENDING).order_by("-requested_at").first()
    return message(
        gettext_noop("%(days)d more days are asked for: %(reason)s"), days=request.days, reason=request.reason
    )


def _case_subject(msgid: str) -> Callable[[Complaint], dict]:
    """A subject naming the case by its number (``%(id)s``) and, where the msgid has it, its title."""
    return lambda c: message(msgid, id=c.pk, title=_title(c))


STAFF_EVENTS = {
    "submitted": _StaffEvent(
        unit=lambda c: triage_unit(c.subject_unit),
        kinds=STAFF,
        subject=_case_subject(gettext_noop("New complaint #%(id)s: %(title)s")),
        body=lambda c: message(
            gettext_noop("About %(unit)s. Decide by %(due)s whether to accept it."),
            unit=c.subject_unit.name if c.subject_unit else message(gettext_noop("an unnamed unit")),
            due=_running_due(c),
        ),
        why=_at_intake,
    ),
    "accepted": _StaffEvent(
        unit=lambda c: c.handling_unit,
        kinds=STAFF,
        subject=_case_subject(gettext_noop("Case #%(id)s is yours to handle: %(title)s")),
        body=lambda c: message(gettext_noop("Investigate it and submit a finding by %(due)s."), due=_running_due(c)),
        why=_at_handling,
    ),
    "submitted_for_approval": _StaffEvent(
        unit=lambda c: c.deciding_unit,
        kinds=LEADERS,
        subject=_case_subject(gettext_noop("Case #%(id)s awaits your approval: %(title)s")),
        body=lambda c: message(gettext_noop("The finding and the reply to the petitioner await approval.")),
        why=_leading,
    ),
    "extension_requested": _StaffEvent(
        unit=_deciding_unit,
        kinds=LEADERS,
        subject=_case_subject(gettext_noop("Case #%(id)s: an extension awaits your decision")),
        body=_extension_body,
        why=_leading,
    ),
    "petitioner_message": _StaffEvent(
        unit=_deciding_unit,
        kinds=STAFF,
        subject=_case_subject(gettext_noop("Case #%(id)s: the petitioner has written")),
        body=lambda c: message(gettext_noop("Read the message on the case page.")),
        why=_at_handling,
    ),
    "review_requested": _StaffEvent(
        unit=lambda c: c.reviewing_unit,
        kinds=_reviewers,
        subject=lambda c: message(
            gettext_noop("Case #%(id)s: the petitioner asks for a %(review)s"), id=c.pk, review=_review_word(c)
        ),
        body=lambda c: message(
            gettext_noop(
                "Your unit decides it, one level above %(unit)s; a leader approves the decision. "
                "Decide by %(due)s. The petitioner's reason: %(reason)s"
            ),
            unit=c.handling_unit.name,
            due=_running_due(c),
            reason=_last_note(c, "review"),
        ),
        why=_at_review,
    ),
}


def _case_link(complaint: Complaint) -> str:
    return reverse("complaints:case-detail", args=[complaint.pk])


def staff_notify(*, complaint: Complaint, event: str, actor=None, unit=None) -> int:
    """Tell the staff who act next on the case; returns how many were told.

    ``event``: one of STAFF_EVENTS. The recipients are the holders of the event's
    positions nearest to its unit (responsibility.selectors.positions_nearest) outside the
    unit complained about, less ``actor``, who caused it (so a leader who submits a finding is not asked to approve it).
    ``unit``: the event's unit when the caller has it at hand already (saves reading it again).
    """
    spec = STAFF_EVENTS[event]
    unit = unit or spec.unit(complaint)
    if unit is None:
        return 0
    kinds = spec.kinds(complaint) if callable(spec.kinds) else spec.kinds
    # Never anyone in the unit complained about (被投诉单位不得自查): the level above hears instead.
    nearest = positions_nearest(unit=unit, kinds=kinds, outside=complaint.subject_unit)
    positions = [p for p in nearest if actor is None or p.user_id != actor.pk]
    if not positions:
        return 0
    why = {p.user_id: spec.why(p.kind, p.unit_name) for p in positions}
    addresses = {p.user_id: {"email": p.email, "phone": p.phone} for p in positions}
    notify(
        users=list(why),
        subject=spec.subject(complaint),
        body=spec.body(complaint),
        link=_case_link(complaint),
        why=why,
        actor=actor,
        addresses=addresses,
    )
    return len(positions)
