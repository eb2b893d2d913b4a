"""典型案例: a typical case written, submitted, published, returned or withdrawn; its transitions declared once.

An officer who handles a closed, substantiated case writes its account (typical_case_write),
submits it (typical_case_submit); a leader of the handling unit publishes it
(typical_case_publish) or returns it with a reason (typical_case_return), and may take a
published one off the public page again, with a reason (typical_case_withdraw). Each service finds
the case through the actor's scope first (Http404 for one they may not see, as everywhere),
locks the row, checks the declaration (jiufeng.workflow.Transition) and only then fires the
FSM method.

What keeps a petitioner unrecognisable: the account is the officer's own words, checked for
what looks like a phone, ID or case number, an email address, a tracking code, or a passage
copied from the complaint (account_problems); the leader reads it before it goes out; the
public pages read only the typical case's own columns, never the case.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jiufeng.workflow import Transition

from . import permissions
from .models import Complaint, ComplaintStatus, Finding, TypicalCase, TypicalCaseState
from .models.typical_cases import ACCOUNT_MAX, TITLE_MAX

REASON_MAX = 1000
# A run of this many characters of the complaint's own text (spaces aside) found in the
# account is a copy: a petitioner's words can identify them to whoever they told.
COPIED_RUN = 15
_SEPARATORS = re.compile(r"[\s\-－—_.·/()（）]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Read with the separators taken out, so that "138 0013 8000" is one number.
_LOOKS_IDENTIFYING = (
    # Seven digits or more: a phone, an ID number, a case number (2026-000040).
    (re.compile(r"\d{7,}"), "number"),
    # A tracking code: JF and sixteen symbols (complaints.tracking).
    (re.compile(r"JF[0-9A-Z]{16}", re.IGNORECASE), "code"),
)


def _problem_message(kind: str) -> str:
    return {
        "number": _("It holds a long number (a phone, ID or case number?): leave it out."),
        "email": _("It holds an email address: leave it out."),
        "code": _("It holds a tracking code: leave it out."),
        "copied": _("It copies the complaint's own words: tell it in your own words."),
    }[kind]


def account_problems(text: str, *, complaint: Complaint) -> list[str]:
    """What in ``text`` could identify the petitioner, in words for the writer; empty when nothing.

    Checks patterns only, never the petitioner's identity itself: a writer who may not read
    the identity would otherwise learn it by trying names until one is refused.
    """
    squeezed = _SEPARATORS.sub("", text)
    problems = [_problem_message(kind) for pattern, kind in _LOOKS_IDENTIFYING if pattern.search(squeezed)]
    if _EMAIL.search(text):
        problems.append(_problem_message("email"))
    original = _SEPARATORS.sub("", complaint.content)
    runs = {squeezed[i : i + COPIED_RUN] for i in range(len(squeezed) - COPIED_RUN + 1)}
    if any(original[i : i + COPIED_RUN] in runs for i in range(len(original) - COPIED_RUN + 1)):
        problems.append(_problem_message("copied"))
    return problems


def typical_case_refusal(complaint: Complaint) -> str | None:
    """Why this case cannot be a typical case, or None: closed, substantiated (in whole or part), about a named unit."""
    if complaint.status != ComplaintStatus.CLOSED:
        return _("Only a closed case can be a typical case.")
    if complaint.finding not in (Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED):
        return _("Only a substantiated case can be a typical case.")
    # The public page names the unit complained about beside the account.
    if complaint.subject_unit_id is None:
        return _("Only a case about a named unit can be a typical case.")
    return None


def _state_refusal(typical_case: TypicalCase) -> str:
    return _("This typical case is “%(state)s”: that cannot be done now.") % {"state": typical_case.get_state_display()}


def _may_write(user, typical_case: TypicalCase) -> bool:
    return permissions.can_write_typical_case(user, typical_case.complaint)


def _transition(name: str, service: str, permission) -> Transition:
    return Transition(
        name=name,
        service_path=f"complaints.typical_cases.typical_case_{service}",
        permission=permission,
        state_refusal=_state_refusal,
    )


TYPICAL_CASE_TRANSITIONS: dict[str, Transition] = {
    "edit": _transition("edit", "write", _may_write),
    "submit": _transition("submit", "submit", _may_write),
    "publish": _transition("publish", "publish", permissions.can_publish_typical_case),
    "return_for_changes": _transition("return_for_changes", "return", permissions.can_publish_typical_case),
    "withdraw": _transition("withdraw", "withdraw", permissions.can_publish_typical_case),
}


def _text(field: str, value: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": max_length}})
    return value


def _locked(actor, typical_case_id: int) -> TypicalCase:
    """The typical case, locked, if the actor may see its case; Http404 otherwise."""
    found = (
        TypicalCase.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("complaint__handling_unit", "complaint__subject_unit")
        .filter(pk=typical_case_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _save(typical_case: TypicalCase, actor, fields: list[str]) -> TypicalCase:
    typical_case._history_user = actor
    typical_case.save(update_fields=["state", *fields])
    return typical_case


@transaction.atomic
def typical_case_write(*, actor, complaint_id: int, title: str, account: str) -> TypicalCase:
    """Write (or rewrite) the typical case of a closed, substantiated case: a draft, until submitted.

    A draft or a returned account may be changed (returned becomes draft again); a submitted or
    published one may not. Refuses what account_problems finds, naming it per field.
    """
    complaint = (
        Complaint.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("subject_unit", "handling_unit")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None:
        raise Http404
    if not permissions.can_write_typical_case(actor, complaint):
        raise PermissionDenied
    refused = typical_case_refusal(complaint)
    if refused:
        raise ValidationError(refused)
    title, account = _text("title", title, TITLE_MAX), _text("account", account, ACCOUNT_MAX)
    errors = {}
    for field, value in (("title", title), ("account", account)):
        problems = account_problems(value, complaint=complaint)
        if problems:
            errors[field] = problems
    if errors:
        raise ValidationError(errors)
    existing = TypicalCase.objects.select_for_update().filter(complaint=complaint).first()
    if existing is None:
        typical_case = TypicalCase(
            complaint=complaint,
            title=title,
            account=account,
            subject_unit=complaint.subject_unit,
            category_id=complaint.category_id,
            written_by=actor,
        )
        typical_case._history_user = actor
        typical_case.save()
        return typical_case
    existing.complaint = complaint
    TYPICAL_CASE_TRANSITIONS["edit"].check(existing, actor)
    existing.edit()
    existing.title, existing.account = title, account
    return _save(existing, actor, ["title", "account"])


@transaction.atomic
def typical_case_submit(*, actor, typical_case_id: int) -> TypicalCase:
    """draft (or returned) → submitted: a leader of the handling unit is to publish or return it."""
    typical_case = _locked(actor, typical_case_id)
    TYPICAL_CASE_TRANSITIONS["submit"].check(typical_case, actor)
    typical_case.submit()
    typical_case.submitted_at = timezone.now()
    return _save(typical_case, actor, ["submitted_at"])


@transaction.atomic
def typical_case_publish(*, actor, typical_case_id: int) -> TypicalCase:
    """submitted → published by a leader (never its writer): on the public page from the next refresh."""
    from .public import public_figures_forget

    typical_case = _locked(actor, typical_case_id)
    TYPICAL_CASE_TRANSITIONS["publish"].check(typical_case, actor)
    typical_case.publish()
    typical_case.decided_by, typical_case.published_at = actor, timezone.now()
    # The public page shows it at once rather than after the cache's ten minutes.
    transaction.on_commit(public_figures_forget)
    return _save(typical_case, actor, ["decided_by", "published_at"])


def _sent_back(*, actor, typical_case_id: int, reason: str, transition: str) -> TypicalCase:
    """Locked, checked and moved to returned by ``transition``, with the leader's reason; not yet saved."""
    typical_case = _locked(actor, typical_case_id)
    TYPICAL_CASE_TRANSITIONS[transition].check(typical_case, actor)
    reason = _text("reason", reason, REASON_MAX)
    getattr(typical_case, transition)()
    typical_case.decided_by, typical_case.return_reason = actor, reason
    return typical_case


@transaction.atomic
def typical_case_return(*, actor, typical_case_id: int, reason: str) -> TypicalCase:
    """submitted → returned with the leader's reason; the writer changes it and submits again."""
    typical_case = _sent_back(
        actor=actor, typical_case_id=typical_case_id, reason=reason, transition="return_for_changes"
    )
    return _save(typical_case, actor, ["decided_by", "return_reason"])


@transaction.atomic
def typical_case_withdraw(*, actor, typical_case_id: int, reason: str) -> TypicalCase:
    """published → returned, off the public page at once, with the leader's reason for its writer."""
    from .public import public_figures_forget

    typical_case = _sent_back(actor=actor, typical_case_id=typical_case_id, reason=reason, transition="withdraw")
    typical_case.published_at = None
    transaction.on_commit(public_figures_forget)
    return _save(typical_case, actor, ["decided_by", "return_reason", "published_at"])


def typical_cases_awaiting(*, user, limit: int = 50) -> list[TypicalCase]:
    """Submitted typical cases this user may publish or return, oldest first (the approval queue's)."""
    submitted = (
        TypicalCase.objects.visible_to(user)
        .filter(state=TypicalCaseState.SUBMITTED)
        .select_related("complaint__handling_unit", "complaint__subject_unit", "subject_unit", "written_by")
        .order_by("submitted_at", "pk")[:limit]
    )
    return [case for case in submitted if permissions.can_publish_typical_case(user, case)]
