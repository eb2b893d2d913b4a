"""/api/v1/track/...: the holder of a tracking code follows the case and answers it.

The code travels in the ``X-Tracking-Code`` header (or, on a POST, a ``tracking_code`` field of
the body), never in the address, which access logs and proxies keep. The older addresses with
the code in the path (/api/v1/track/{code}/...) still answer, marked deprecated in the schema
and in a ``Deprecation`` header that names the address to use instead.

Every call looks the code up through complaints.tracking.track_lookup, which counts failed
lookups per address and overall: past the limit every lookup from there is refused (429),
the right code included, so guessing costs the guesser and not the office. A case merged
into another follows the primary: its petitioner sees the primary's progress and writes to
it, but rates and asks for reviews only on a case of their own (the primary's petitioner
does that), so for a merged case both are refused (409).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api.adding import FORM_MEDIA, CaseAddView
from ..api.errors import Conflict, service_errors
from ..api.serializers import ComplaintStatusField
from ..guards import complaint_may_close
from ..models import Complaint, ComplaintStatus, Rating, RatingValue
from ..selectors import TimelineEntry, complaint_followed, complaint_timeline
from ..services import message_add, rating_add
from ..tracking import PREFIX, track_lookup, tracking_code_normalise
from ..transitions import complaint_review
from ..workflow import EVENTS

CODE_HEADER = "X-Tracking-Code"
CODE_FIELD = "tracking_code"
CODE_PARAMETER = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="the tracking code (查询码); deprecated: send it in X-Tracking-Code"
)
CODE_HEADER_PARAMETER = OpenApiParameter(
    CODE_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="the tracking code (查询码); on a POST it may instead be the body's tracking_code field",
)
# A GET has no body: the header is the only place for the code (blank is no code).
CODE_HEADER_REQUIRED = OpenApiParameter(
    CODE_HEADER,
    {"type": "string", "pattern": r"\S"},
    OpenApiParameter.HEADER,
    required=True,
    description="the tracking code (查询码)",
)
# The older addresses read the code in the path and no header.
PATH_PARAMETERS = [CODE_PARAMETER, OpenApiParameter(CODE_HEADER, location=OpenApiParameter.HEADER, exclude=True)]


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
    case_number = serializers.CharField(help_text="Extension: the public case number, as on the reply letter.")
    status = ComplaintStatusField()
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
    display = str(EVENTS[entry.name].public)
    note = entry.text if entry.text != display else ""
    return {"at": entry.at, "event": entry.name, "event_display": display, "note": note}


class TrackedView(APIView):
    """Anyone holding a code; no account, no session (so no CSRF to present)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    # No complaint has the code (404); too many wrong codes (429).
    schema_error_statuses = (404, 429)

    def given_code(self, code: str | None) -> str:
        """The code of the path (deprecated), else of the header, else (POST) of the body; 400 without one."""
        if code is None:
            code = self.request.headers.get(CODE_HEADER)
        # A JSON body may be null, a list or a number: only an object has fields.
        if code is None and self.request.method == "POST" and isinstance(self.request.data, dict):
            code = self.request.data.get(CODE_FIELD)
        if not isinstance(code, str) or not code.strip():
            raise exceptions.ValidationError({CODE_FIELD: [_("Send the tracking code in the X-Tracking-Code header.")]})
        return code

    def tracked(self, code: str | None) -> tuple[Complaint, Complaint]:
        """(the complaint the code tracks, the one its petitioner follows: the primary if merged)."""
        code = self.given_code(code)
        with service_errors():
            complaint = track_lookup(request=self.request, code=code)
        if complaint is None:
            raise exceptions.NotFound(_("No complaint has this tracking code. Check the code and try again."))
        return complaint, complaint_followed(complaint)

    def own(self, code: str | None) -> Complaint:
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

    @extend_schema(parameters=[CODE_HEADER_REQUIRED], responses={200: TrackSerializer})
    def get(self, request, code: str | None = None):
        code = self.given_code(code)
        complaint, followed = self.tracked(code)
        # The answer lists no files.
        entries = complaint_timeline(complaint=followed, public=True, attachments=False)
        own = followed.pk == complaint.pk
        data = {
            "tracking_code": _canonical(code),
            # The petitioner's own case's number, also when it follows a primary.
            "case_number": complaint.case_number,
            "status": followed.status,
            # Names the review round (复查, 复核), as the tracking page does.
            "status_display": followed.status_label(),
            "timeline": [_event(entry) for entry in entries if entry.kind == "transition"],
            # The reply is the petitioner's once approved, never while it awaits approval (a review's too).
            "reply": followed.reply if followed.decision_released else None,
            "can_rate": own and can_rate(followed),
            "can_request_review": own and can_request_review(followed),
            "messages": [entry.obj for entry in entries if entry.kind == "message"],
        }
        return Response(TrackSerializer(data).data)


class TrackAddView(TrackedView, CaseAddView):
    """What the holder of a code adds to the case; one serializer reads the input and shows the result."""

    parameters = [CODE_HEADER_PARAMETER]
    # Rating and asking for a review are for the complaint's own petitioner only (see own);
    # a message goes to the case followed.
    own_only = True
    schema_error_statuses = (404, 409, 429)

    def complaint(self, code: str | None = None) -> Complaint:
        return self.own(code) if self.own_only else self.tracked(code)[1]


class TrackMessageView(TrackAddView):
    """Supplementary information, or an answer to the office's question: 201, on the case followed."""

    input_serializer = output_serializer = TrackMessageSerializer
    service = staticmethod(message_add)
    request_media = FORM_MEDIA
    own_only = False


class TrackRatingView(TrackAddView):
    """满意度评价 of the latest decision, once per decision (again: 409)."""

    input_serializer = output_serializer = RatingSerializer
    service = staticmethod(rating_add)


class TrackReviewView(TrackAddView):
    """Ask for a review (复查, then 复核) of the reply; outside the window or past the last round 409."""

    input_serializer = output_serializer = ReviewSerializer
    service = staticmethod(complaint_review)


class DeprecatedPath:
    """The same answers at the older address with the code in the path: said deprecated (RFC 9745)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Deprecation"] = "true"
        successor = request.path.replace(f"/{kwargs.get('code', '')}/", "/", 1)
        response["Link"] = f'<{successor}>; rel="successor-version"'
        return response


@extend_schema_view(
    get=extend_schema(deprecated=True, parameters=PATH_PARAMETERS, operation_id="api_v1_track_by_path_retrieve")
)
class TrackByPathView(DeprecatedPath, TrackView):
    pass


@extend_schema_view(
    post=extend_schema(deprecated=True, parameters=PATH_PARAMETERS, operation_id="api_v1_track_by_path_messages_create")
)
class TrackMessageByPathView(DeprecatedPath, TrackMessageView):
    pass


@extend_schema_view(
    post=extend_schema(deprecated=True, parameters=PATH_PARAMETERS, operation_id="api_v1_track_by_path_rating_create")
)
class TrackRatingByPathView(DeprecatedPath, TrackRatingView):
    pass


@extend_schema_view(
    post=extend_schema(deprecated=True, parameters=PATH_PARAMETERS, operation_id="api_v1_track_by_path_review_create")
)
class TrackReviewByPathView(DeprecatedPath, TrackReviewView):
    pass
