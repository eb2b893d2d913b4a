"""The petitioner's pages: file a complaint, keep the receipt, track the case and act on it.

No account: what a petitioner may see is proven by the tracking code, once per session.
The code itself never goes into a URL (so never into access logs, browser history or a
Referer) and is never stored: a successful lookup puts the complaint's id into the
session's short list of cases proven here, and every case page checks that list. A case
not on the list answers like an unknown one: back to the code form.

Everything works without JavaScript; static/js/filing.js and receipt.js only add comfort.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from responsibility.models import Deadline

from .. import guards, services, transitions
from ..attachments import attachment_limits_text, attachment_response
from ..duplicates import complaint_duplicate_id
from ..filing_limit import FILING_THROTTLED, FilingThrottled, filing_limited
from ..forms.public import ComplaintFileForm, MessageForm, RatingForm, ReviewForm, TrackForm, category_label
from ..letters import letter_context, letter_css, letter_filename, letter_is_final
from ..models import (
    ENDED_STATUSES,
    MAX_REVIEW_ROUNDS,
    Attachment,
    Channel,
    Complaint,
    ComplaintStatus,
    Rating,
    RatingValue,
)
from ..selectors import complaint_deadlines, complaint_filed_attachments, complaint_followed, complaint_timeline
from ..time_limits import due_sentence
from ..tracking import TrackingThrottled, track_lookup, tracking_throttled_message

# The cases proven in this session (ids, newest last) and the receipt waiting to be kept.
TRACKED_KEY = "complaints.tracked"
RECEIPT_KEY = "complaints.receipt"
TRACKED_MAX = 20
# How long an unconfirmed receipt (and so the plain code in the session row) is kept.
RECEIPT_TTL = datetime.timedelta(hours=1)

# What each status means for the petitioner, in plain words (a merged case shows its primary's).
STATUS_HELP = {
    ComplaintStatus.SUBMITTED: gettext_lazy("We have received your complaint and will decide whether to accept it."),
    ComplaintStatus.ACCEPTED: gettext_lazy(
        "Your complaint was accepted and given to the department responsible for the unit, which will look into it."
    ),
    ComplaintStatus.INVESTIGATING: gettext_lazy("Your complaint is being looked into."),
    ComplaintStatus.PENDING_APPROVAL: gettext_lazy(
        "The investigation is done. A leader is checking the answer before it is sent to you."
    ),
    ComplaintStatus.RESOLVED: gettext_lazy(
        "Your complaint has been answered. Read the answer below and tell us whether you are satisfied."
    ),
    ComplaintStatus.UNDER_REVIEW: gettext_lazy("Your case is being looked at again, as you asked."),
    ComplaintStatus.CLOSED: gettext_lazy("Your complaint is closed. Thank you for telling us."),
    ComplaintStatus.REJECTED: gettext_lazy("Your complaint was not accepted. The reason is in the list below."),
    ComplaintStatus.TRANSFERRED: gettext_lazy(
        "Your complaint is a matter for another authority and was sent to it; see the list below."
    ),
    ComplaintStatus.MERGED: gettext_lazy("Your complaint was joined with another one about the same matter."),
}


# After a 不满意 rating, while a review may still be asked: by round (0: the first answer, 1: the review's).
AFTER_DISSATISFIED = {
    0: gettext_lazy(
        "You are not satisfied: you may ask for a review (复查) within %(days)d days of the answer, until %(day)s, "
        "with the form below. A unit above the one that answered decides it."
    ),
    1: gettext_lazy(
        "You are not satisfied: you may ask for a re-review (复核) within %(days)d days of the decision, until "
        "%(day)s, with the form below. This is the last review possible."
    ),
}


def _status_help(complaint: Complaint) -> str:
    # After the re-review (复核) nothing more can be asked: the decision is final.
    if complaint.review_round >= MAX_REVIEW_ROUNDS and complaint.status in (
        ComplaintStatus.RESOLVED,
        ComplaintStatus.CLOSED,
    ):
        return _(
            "The re-review (复核) has been decided and is final: the same matter will not be accepted again. "
            "Read the decision below."
        )
    return str(STATUS_HELP[complaint.status])


# --- Session: what this visitor has proven --------------------------------------------


def case_prove(request, complaint_id: int) -> None:
    """Remember that this session holds the case's code.

    A stored session gets a new key first: a session id planted by someone else (fixation)
    must not become a key to the petitioner's case. A visitor without one (most: a
    petitioner comes to look up one code) gets a new key when the session is first saved,
    and an unknown id in their cookie is dropped as the session loads.
    """
    tracked = [pk for pk in request.session.get(TRACKED_KEY, []) if pk != complaint_id]
    if request.session.session_key is not None:
        request.session.cycle_key()
    request.session[TRACKED_KEY] = [*tracked, complaint_id][-TRACKED_MAX:]


def _held(request, pk: int) -> Complaint | None:
    """The case if this session proved its code, else None (the caller sends them to the code form).

    The session list is this page's scope: no other lookup by id is made for a petitioner.
    """
    if pk not in request.session.get(TRACKED_KEY, []):
        return None
    # Unscoped by design: the session proved the tracking code (no staff scope applies).
    return Complaint.objects.select_related("category", "subject_unit", "handling_unit").filter(pk=pk).first()


def _ask_for_code(request):
    messages.info(request, _("Enter your tracking code to see your complaint."))
    return redirect("complaints:complaint-track")


def _open_deadline(complaint: Complaint) -> Deadline | None:
    """The case's running stage (acceptance, answer, review): its open deadline in the ledger."""
    running = [deadline for deadline in complaint_deadlines(complaint=complaint) if deadline.met_at is None]
    return min(running, key=lambda deadline: deadline.due_at, default=None)


def _due_text(complaint: Complaint) -> str:
    """What the running stage promises, in the words of the receipt and the SMS (complaints.time_limits)."""
    deadline = _open_deadline(complaint)
    if deadline is None:
        return ""
    return due_sentence(
        kind=deadline.kind, category=complaint.category, due_at=deadline.due_at, review_round=complaint.review_round
    )


# --- Filing -----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_file_page(request):
    """The filing form; a valid filing redirects to its receipt (POST/redirect/GET).

    A complaint much like a recent one (same unit and text, or same phone) is not filed
    at once: the form comes back asking whether it is the same matter. Nothing of the
    other case is shown, not even that it exists beyond "a similar complaint".
    """
    form = ComplaintFileForm(request.POST, request.FILES) if request.method == "POST" else ComplaintFileForm()
    similar = False
    # Seconds until this address may file again, once its share is used up.
    retry_after = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        similar = not data["file_anyway"] and (
            complaint_duplicate_id(subject_unit=data["subject_unit"], content=data["content"], phone=data["phone"])
            is not None
        )
        if not similar:
            try:
                with filing_limited(request):
                    complaint, code = services.complaint_file(
                        channel=Channel.WEB, duplicate_screened=not data["file_anyway"], **form.service_fields()
                    )
            except FilingThrottled as error:
                # The form comes back as typed: nothing is lost, it can be sent again later.
                form.add_error(None, FILING_THROTTLED)
                retry_after = error.retry_after
            except ValidationError as error:
                form.add_service_error(error)
            else:
                case_prove(request, complaint.pk)
                # The plain code is never stored with the case (only its hash): it reaches the
                # receipt page through this session alone, which drops it once the petitioner
                # confirms they kept it, or at the first look after RECEIPT_TTL. After that
                # nobody, staff included, can show the code again.
                request.session[RECEIPT_KEY] = {
                    "id": complaint.pk,
                    "code": code,
                    "until": (timezone.now() + RECEIPT_TTL).timestamp(),
                }
                return redirect("complaints:complaint-receipt")
    context = {
        "form": form,
        "similar": similar,
        "had_files": bool(request.FILES),
        "limits": attachment_limits_text(),
    }
    status = 429 if retry_after else 400 if form.errors else 200
    response = render(request, "complaints/public/file.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _receipt(request) -> tuple[Complaint, str] | None:
    """The case just filed in this session and its plain code, while the receipt may be shown."""
    receipt = request.session.get(RECEIPT_KEY)
    if receipt is None:
        return None
    if timezone.now().timestamp() > receipt["until"]:
        del request.session[RECEIPT_KEY]
        return None
    complaint = _held(request, receipt["id"])
    return (complaint, receipt["code"]) if complaint else None


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_receipt(request):
    """The tracking code, once; POST "I have kept my code" drops it from the session."""
    receipt = _receipt(request)
    if receipt is None:
        messages.info(request, _("Your receipt was already shown. Use your tracking code to follow your complaint."))
        return redirect("complaints:complaint-track")
    complaint, code = receipt
    if request.method == "POST":
        del request.session[RECEIPT_KEY]
        messages.success(request, _("Thank you. Next time, open “Track with your code” and type your code."))
        return redirect("complaints:complaint-track-detail", pk=complaint.pk)
    context = {
        "complaint": complaint,
        "code": code,
        "code_groups": code.split("-"),
        "due_text": _due_text(complaint),
    }
    return render(request, "complaints/public/receipt.html", context)


@never_cache
@require_GET
def complaint_receipt_download(request):
    """The receipt as a small text file: date, code and title; nothing about who filed."""
    receipt = _receipt(request)
    if receipt is None:
        return _ask_for_code(request)
    complaint, code = receipt
    context = {
        "complaint": complaint,
        "code": code,
        "due_text": _due_text(complaint),
        "track_url": request.build_absolute_uri(reverse("complaints:complaint-track")),
    }
    text = render_to_string("complaints/public/receipt.txt", context, request=request)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jiufeng-receipt.txt"'
    return response


# --- Tracking ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_track(request):
    """The code form. The code is POSTed, never put in a URL; too many wrong codes: 429."""
    form = TrackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = track_lookup(request=request, code=form.cleaned_data["code"])
        except TrackingThrottled as error:
            response = render(
                request,
                "complaints/public/throttled.html",
                {"message": tracking_throttled_message(error), "minutes": -(-error.retry_after // 60)},
                status=429,
            )
            response["Retry-After"] = str(error.retry_after)
            return response
        if complaint is not None:
            case_prove(request, complaint.pk)
            return redirect("complaints:complaint-track-detail", pk=complaint.pk)
        form.add_error(
            "code",
            _("No complaint has this code. Check each letter and digit and try again; it begins with JF."),
        )
    return render(request, "complaints/public/track.html", {"form": form}, status=400 if form.errors else 200)


def _ratings(complaint: Complaint) -> list[Rating]:
    """The petitioner's ratings, one per decision rated, newest first (no query before any reply)."""
    if complaint.replied_at is None:
        return []
    return list(complaint.ratings.order_by("-review_round"))


def _may_rate(complaint: Complaint, ratings: list[Rating]) -> bool:
    """A reply is out and not yet rated (one rating per decision: the first, the review's, the re-review's)."""
    return complaint.status == ComplaintStatus.RESOLVED and all(
        r.review_round != complaint.review_round for r in ratings
    )


def _after_rating(complaint: Complaint, rating: Rating | None, review_until) -> str:
    """What happens next after the petitioner's latest rating, in plain words ("" before any)."""
    if rating is None:
        return ""
    if complaint.status == ComplaintStatus.UNDER_REVIEW:
        return _("You asked for the case to be looked at again; the decision will be shown on this page.")
    if rating.review_round < complaint.review_round:
        return _("That rating was of the earlier answer. The new decision is above: you may rate it too.")
    if rating.rating != RatingValue.DISSATISFIED:
        return _("Your rating closed the complaint. Thank you for telling us.")
    if review_until is not None:
        return AFTER_DISSATISFIED[complaint.review_round] % {
            "days": settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS,
            "day": date_format(timezone.localtime(review_until), "Y-m-d"),
        }
    if complaint.review_round >= MAX_REVIEW_ROUNDS:
        return _("This was the last review possible: the decision is final and the matter is closed.")
    return _("The time to ask for a review has passed: the answer stands and the case will be closed.")


def _review_until(complaint: Complaint) -> datetime.datetime | None:
    """Until when a review may be asked, as complaint_review's guard says (complaints.guards)."""
    if complaint.status != ComplaintStatus.RESOLVED or guards.review_refusal(complaint) is not None:
        return None
    return guards.review_until(complaint)


def _open_question(timeline: list) -> object | None:
    """The staff's last message if the petitioner has not written since: it is shown first."""
    messages_ = [entry.obj for entry in timeline if entry.kind == "message"]
    last = messages_[-1] if messages_ else None
    return last if last is not None and not last.from_petitioner else None


def _case_page(request, complaint: Complaint, *, status: int = 200, **forms):
    """The holder's case page, with any bound form that came back with errors.

    A merged case (重复件) shows its own filing and messages and follows the primary's
    progress: the primary's status, transitions and reply, never its messages, which are
    another petitioner's. Rating and review belong to the primary's petitioner.
    """
    followed = complaint_followed(complaint)
    merged = followed.pk != complaint.pk
    timeline = complaint_timeline(complaint=complaint, public=True)
    progress = (
        [e for e in complaint_timeline(complaint=followed, public=True, attachments=False) if e.kind != "message"]
        if merged
        else []
    )
    open_case = followed.status not in ENDED_STATUSES
    review_until = None if merged else _review_until(complaint)
    ratings = [] if merged else _ratings(complaint)
    context = {
        "complaint": complaint,
        "followed": followed,
        "merged": merged,
        "status_help": _status_help(followed),
        # The reply letter is shown once approved, never while a leader still checks it.
        "show_reply": letter_is_final(followed),
        # WeChat's browser downloads nothing: the letter is offered as a picture to save.
        "in_wechat": _in_wechat(request),
        **letter_context(case=complaint, decision=followed),
        "category_label": category_label(complaint.category),
        "review_until": review_until,
        "timeline": timeline,
        "progress": progress,
        # Read with the timeline's files.
        "filed_files": complaint_filed_attachments(complaint=complaint),
        "due_text": _due_text(followed) if open_case else "",
        "question": _open_question(timeline),
        "limits": attachment_limits_text(),
        "message_form": forms.get("message_form") or (MessageForm() if open_case else None),
        "rating_form": forms.get("rating_form")
        or (RatingForm() if not merged and _may_rate(complaint, ratings) else None),
        # What they gave (基本满意 as such) and what happens next.
        "ratings": ratings,
        "after_rating": _after_rating(complaint, ratings[0] if ratings else None, review_until),
        "review_form": forms.get("review_form") or (ReviewForm() if review_until else None),
    }
    return render(request, "complaints/public/case.html", context, status=status)


def _in_wechat(request) -> bool:
    return "MicroMessenger" in request.headers.get("User-Agent", "")


@never_cache
@require_GET
def complaint_track_letter(request, pk: int):
    """The reply letter as a file to keep (HTML, readable and printable offline), once approved.

    A session that has not proven the code is sent to the code form, as on every case page;
    no approved letter yet: 404.
    """
    complaint = _held(request, pk)
    if complaint is None:
        return _ask_for_code(request)
    followed = complaint_followed(complaint)
    if not letter_is_final(followed):
        raise Http404
    context = {"letter_css": letter_css(), **letter_context(case=complaint, decision=followed)}
    response = HttpResponse(
        render_to_string("complaints/public/reply_letter_file.html", context, request=request),
        content_type="text/html; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{letter_filename(complaint)}"'
    return response


@never_cache
@require_GET
def complaint_track_detail(request, pk: int):
    complaint = _held(request, pk)
    if complaint is None:
        return _ask_for_code(request)
    return _case_page(request, complaint)


def _act(request, pk: int, *, form_class, form_name: str, act, done: str):
    """Validate the holder's form, call one service, and go back to the case page.

    ``act(complaint, cleaned_data)`` calls the service. A refusal (bad input, or the case
    moved on: already rated, window closed) comes back on the form, and nothing is stored.
    """
    complaint = _held(request, pk)
    if complaint is None:
        return _ask_for_code(request)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            act(complaint, form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("complaints:complaint-track-detail", pk=complaint.pk)
    return _case_page(request, complaint, status=400, **{form_name: form})


@require_POST
def complaint_track_message(request, pk: int):
    return _act(
        request,
        pk,
        form_class=MessageForm,
        form_name="message_form",
        act=lambda complaint, data: services.message_add(complaint_id=complaint.pk, **data),
        done=_("Your message was sent. The staff handling your complaint will read it."),
    )


@require_POST
def complaint_track_rating(request, pk: int):
    return _act(
        request,
        pk,
        form_class=RatingForm,
        form_name="rating_form",
        act=lambda complaint, data: services.rating_add(complaint_id=complaint.pk, **data),
        done=_("Thank you for your rating."),
    )


@require_POST
def complaint_track_review(request, pk: int):
    return _act(
        request,
        pk,
        form_class=ReviewForm,
        form_name="review_form",
        act=lambda complaint, data: transitions.complaint_review(complaint_id=complaint.pk, reason=data["reason"]),
        done=_("Your request for a review was received. The decision will be shown on this page."),
    )


@require_GET
def complaint_track_attachment(request, pk: int, attachment_pk: int):
    """A file the holder may read: filed with the case or sent with a message (never investigation evidence)."""
    complaint = _held(request, pk)
    if complaint is None:
        return _ask_for_code(request)
    attachment = get_object_or_404(
        Attachment.objects.filter(complaint=complaint, activity__isnull=True), pk=attachment_pk
    )
    return attachment_response(attachment, request=request)
