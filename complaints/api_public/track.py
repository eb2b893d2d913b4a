"""/api/v1/track/{code}/...: the holder of a tracking code follows the case and answers it.

Every call looks the code up through complaints.tracking.track_lookup, which counts failed
lookups per address and overall: past the limit every lookup from there is refused (429),
the right code included, so guessing costs the guesser and not the office. A case merged
into another follows the primary: its petitioner sees the primary's progress and writes to
it, but rates and asks for reviews only on a case of their own (the primary's petitioner
does that), so for a merged case both are refused (409).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Complaint, ComplaintStatus, Rating, RatingValue
from ..selectors import PUBLIC_EVENTS, TimelineEntry, complaint_followed, complaint_timeline
from ..services import message_add, rating_add
from ..tracking import PREFIX, TrackingThrottled, track_lookup, tracking_code_normalise
from ..transitions import complaint_may_close, complaint_review
from .errors import Conflict, request_data, service_errors

CODE_PARAMETER = OpenApiParameter("code", str, OpenApiParameter.PATH, description="the tracking code (查询码)")


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    event = serializers.CharField(help_text="the transition's name: file, accept, reject, review, ...")
    event_display = serializers.CharField(help_text="Extension: the event in plain words.")
    note = serializers.CharField(allow_blank=True, help_text="a reason owed to the petitioner, else empty")


class TrackMessageSerializer(serializers.Serializer):
    at = serializers.DateTimeField(read_only=True)
    from_petitioner = serializers.BooleanField(read_only=True)
    # Blank, too long, too many or wrong files are message_add's to judge.
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False, default="")
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        write_only=True,
        help_text="Extension: files (multipart), as when filing.",
    )


class TrackSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    status_display = serializers.CharField()
    timeline = TimelineEntrySerializer(many=True)
    reply = serializers.CharField(allow_null=True)
    can_rate = serializers.BooleanField()
    can_request_review = serializers.BooleanField()
    messages = TrackMessageSerializer(many=True, help_text="Extension: messages with the office, oldest first.")


class RatingSerializer(serializers.Serializer):
    # The value is rating_add's to judge (after whether there is anything to rate: 409 first).
    rating = serializers.CharField(
        allow_blank=True, required=False, default="", help_text=" | ".join(RatingValue.values)
    )
    comment = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False, default="")
    at = serializers.DateTimeField(read_only=True)


class ReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False, default="", write_only=True)
    status = serializers.CharField(read_only=True)
    review_round = serializers.IntegerField(read_only=True)


def _canonical(code: str) -> str:
    symbols = tracking_code_normalise(code) or ""
    return "-".join([PREFIX, *(symbols[i : i + 4] for i in range(0, len(symbols), 4))])


def can_rate(complaint: Complaint) -> bool:
    """A reply is out and this decision (its review round) has not been rated yet."""
    return (
        complaint.status == ComplaintStatus.RESOLVED
        and not Rating.objects.filter(complaint=complaint, review_round=complaint.review_round).exists()
    )


def can_request_review(complaint: Complaint) -> bool:
    """A reply is out, within the window, and a review round is left (复查, then 复核)."""
    return complaint.status == ComplaintStatus.RESOLVED and not complaint_may_close(complaint)


def _event(entry: TimelineEntry) -> dict:
    # A public transition entry's text is the reason owed to the petitioner, else the plain words.
    display = str(PUBLIC_EVENTS.get(entry.name, ""))
    note = entry.text if entry.text != display else ""
    return {"at": entry.at, "event": entry.name, "event_display": display, "note": note}


class TrackedView(APIView):
    """Anyone holding a code; no account, no session (so no CSRF to present)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def tracked(self, code: str) -> tuple[Complaint, Complaint]:
        """(the complaint the code tracks, the one its petitioner follows: the primary if merged)."""
        try:
            complaint = track_lookup(request=self.request, code=code)
        except TrackingThrottled as error:
            raise exceptions.Throttled(
                detail=_("Too many wrong tracking codes were tried from your address. Try again later.")
            ) from error
        if complaint is None:
            raise exceptions.NotFound(_("No complaint has this tracking code. Check the code and try again."))
        return complaint, complaint_followed(complaint)

    def own(self, code: str) -> Complaint:
        """The complaint itself, for what only its own petitioner may do (rate, ask for review)."""
        complaint, followed = self.tracked(code)
        if followed.pk != complaint.pk:
            raise Conflict(
                _(
                    "Your complaint was merged into another case about the same matter: "
                    "its petitioner rates the reply and asks for reviews."
                )
            )
        return complaint


class TrackView(TrackedView):
    """Where the case stands: status, public timeline, the reply, and what the petitioner may do now."""

    @extend_schema(parameters=[CODE_PARAMETER], responses={200: TrackSerializer})
    def get(self, request, code: str):
        complaint, followed = self.tracked(code)
        entries = complaint_timeline(complaint=followed, public=True)
        own = followed.pk == complaint.pk
        data = {
            "tracking_code": _canonical(code),
            "status": followed.status,
            "status_display": followed.get_status_display(),
            "timeline": [_event(entry) for entry in entries if entry.kind == "transition"],
            # The reply is the petitioner's once approved (replied_at), never while it awaits approval.
            "reply": followed.reply if followed.replied_at else None,
            "can_rate": own and can_rate(followed),
            "can_request_review": own and can_request_review(followed),
            "messages": [entry.obj for entry in entries if entry.kind == "message"],
        }
        return Response(TrackSerializer(data).data)


class TrackMessageView(TrackedView):
    """Supplementary information, or an answer to the office's question: 201."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[CODE_PARAMETER],
        request={"application/json": TrackMessageSerializer, "multipart/form-data": TrackMessageSerializer},
        responses={201: TrackMessageSerializer},
    )
    def post(self, request, code: str):
        _complaint, followed = self.tracked(code)
        given = TrackMessageSerializer(data=request_data(request))
        given.is_valid(raise_exception=True)
        with service_errors():
            message = message_add(complaint_id=followed.pk, actor=None, **given.validated_data)
        return Response(TrackMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class TrackRatingView(TrackedView):
    """满意度评价 of the latest decision, once per decision (again: 409)."""

    @extend_schema(parameters=[CODE_PARAMETER], request=RatingSerializer, responses={201: RatingSerializer})
    def post(self, request, code: str):
        complaint = self.own(code)
        given = RatingSerializer(data=request_data(request))
        given.is_valid(raise_exception=True)
        with service_errors():
            rating = rating_add(complaint_id=complaint.pk, **given.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class TrackReviewView(TrackedView):
    """Ask for a review (复查, then 复核) of the reply; outside the window or past the last round 409."""

    @extend_schema(parameters=[CODE_PARAMETER], request=ReviewSerializer, responses={201: ReviewSerializer})
    def post(self, request, code: str):
        complaint = self.own(code)
        given = ReviewSerializer(data=request_data(request))
        given.is_valid(raise_exception=True)
        with service_errors():
            complaint = complaint_review(complaint_id=complaint.pk, reason=given.validated_data["reason"], actor=None)
        return Response(ReviewSerializer(complaint).data, status=status.HTTP_201_CREATED)
