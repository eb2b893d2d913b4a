"""Invitation codes (邀请码) as people type them, and looking one up without inviting guesses.

A code is 10 symbols of CODE_ALPHABET (about 2^49 codes), printed on a slip or shown on an
appointed evaluator's page. Whoever holds it answers without an account, so the lookup is
the only gate: wrong codes are counted per address and from everyone together (as the
tracking code's lookup does, complaints.tracking), and past either limit wrong codes are
refused with 429. A right code is looked up before any limit is read, so a guesser sharing
an address (a mobile network, a service hall's Wi-Fi) never locks a real holder out.
"""

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jiufeng.ratelimits import WrongGuessesThrottled, wrong_guess_count

from .models import CODE_ALPHABET, CODE_LENGTH, AppraisalState, Invitation

# What people type between the symbols, or around them.
_SEPARATORS = str.maketrans({"-": None, " ": None, "\t": None, "\u3000": None})


def code_normalise(code: str) -> str | None:
    """The code's symbols, upper-cased, without spaces or dashes; None if it cannot be a code."""
    symbols = code.strip().upper().translate(_SEPARATORS)
    if len(symbols) != CODE_LENGTH or any(symbol not in CODE_ALPHABET for symbol in symbols):
        return None
    return symbols


class InvitationNotFound(Exception):
    """No invitation has this code: answer 404."""


class InvitationRefused(Exception):
    """The code exists but cannot answer now (used, or the appraisal is not open): answer 409."""

    def __init__(self, message: str, *, used: bool):
        super().__init__(message)
        self.message = message
        self.used = used


class CodeThrottled(WrongGuessesThrottled):
    """Too many wrong invitation codes from this address, or from everyone together: answer 429."""


def code_throttled_message(error: CodeThrottled) -> str:
    if error.everyone:
        return _(
            "So many wrong invitation codes are being tried on this service right now that wrong codes "
            "are refused for a while. A right code still opens its questionnaire: check yours and try again."
        )
    return _(
        "Too many wrong invitation codes were tried from your connection, so wrong codes are refused "
        "for a while. A right code still opens its questionnaire: check yours and try again."
    )


def invitation_refusal(invitation: Invitation) -> InvitationRefused | None:
    """Why this invitation cannot answer now, or None when it can."""
    if invitation.used_at is not None:
        return InvitationRefused(
            _("This code has already been used: each code answers once. Thank you for taking part."), used=True
        )
    appraisal = invitation.appraisal
    now = timezone.now()
    if appraisal.state == AppraisalState.DRAFT:
        # Its dates may still change: no date to promise.
        return InvitationRefused(_("This appraisal is not open for responses yet."), used=False)
    if now < appraisal.opens_at:
        return InvitationRefused(
            _("This appraisal is not open for responses yet. Please come back from %(date)s.")
            % {"date": formats.date_format(timezone.localtime(appraisal.opens_at), "DATETIME_FORMAT")},
            used=False,
        )
    if appraisal.state != AppraisalState.OPEN or now >= appraisal.closes_at:
        return InvitationRefused(
            _("This appraisal closed on %(date)s and takes no more responses. Thank you all the same.")
            % {"date": formats.date_format(timezone.localtime(appraisal.closes_at), "DATETIME_FORMAT")},
            used=False,
        )
    return None


def invitation_lookup(*, request, code: str) -> Invitation:
    """The invitation ``code`` names, ready to answer, with its appraisal and questionnaire.

    Raises InvitationNotFound (the wrong code counted), CodeThrottled (a wrong code past a
    limit; not counted again) or InvitationRefused (used, or the appraisal not open).
    Unscoped by design: holding the code is the permission.
    """
    symbols = code_normalise(code)
    invitation = (
        None
        if symbols is None
        else Invitation.objects.select_related("appraisal__questionnaire", "appraised_unit__unit")
        .filter(code=symbols)
        .first()
    )
    if invitation is None:
        wrong_guess_count(
            request,
            name="appraisal-code",
            per_address=settings.JIUFENG_APPRAISAL_CODE_FAILURES_PER_IP,
            everyone=settings.JIUFENG_APPRAISAL_CODE_FAILURES_GLOBAL,
            refused=CodeThrottled,
        )
        raise InvitationNotFound
    refusal = invitation_refusal(invitation)
    if refusal is not None:
        raise refusal
    return invitation
