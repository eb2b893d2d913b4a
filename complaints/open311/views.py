"""GeoReport v2 at /open311/v2/: every resource in XML (.xml) and JSON (.json); see the package docstring."""

import hmac

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jiufeng.parsers import FormParser, MultiPartParser

from ..api.errors import message_dict, request_data, service_errors
from ..api_public.categories import category_list_public
from ..filing_limit import filing_limited
from ..models import Category, Channel
from ..services import complaint_file
from ..tracking import track_lookup
from . import query
from .render import JSONRenderer, XMLRenderer, open311_exception_handler
from .schema import Open311Schema
from .serializers import (
    DiscoverySerializer,
    ServiceDefinitionSerializer,
    ServiceRequestCreatedSerializer,
    ServiceRequestCreateSerializer,
    ServiceRequestSerializer,
    ServiceSerializer,
    TokenSerializer,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
JURISDICTION = OpenApiParameter("jurisdiction_id", str, description="checked when given; one jurisdiction is served")
# The path's suffix chooses the format; REST framework's ?format= is not read here.
FORMAT = [
    OpenApiParameter("response_format", str, OpenApiParameter.PATH, enum=["xml", "json"]),
    OpenApiParameter("format", exclude=True),
]
# complaint_file's fields as the spec names them, for error descriptions.
_SPEC_FIELDS = {
    "category": "service_code",
    "title": "description",
    "content": "description",
    "location": "address_string",
    "name": "first_name",
}
TITLE_CHARS = 40


class Open311View(APIView):
    """Anyone may read and (with an api_key, when keys are configured) file; answers and errors in the spec's form."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    renderer_classes = [XMLRenderer, JSONRenderer]
    parser_classes = [FormParser, MultiPartParser]
    # GeoReport v2 has no OPTIONS: answered as a wrong method, in the spec's error form.
    metadata_class = None
    schema = Open311Schema()
    xml_root = "service_requests"

    def get_exception_handler(self):
        return open311_exception_handler

    def get_format_suffix(self, **kwargs):
        # Not DRF's "format" kwarg: DRF's schema generation skips paths ending in ".{format}".
        return kwargs.get("response_format")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        source = request_data(request) if request.method == "POST" else request.query_params
        given = source.get("jurisdiction_id") or request.query_params.get("jurisdiction_id")
        ours = settings.JIUFENG_OPEN311_JURISDICTION_ID
        if given and ours and given != ours:
            raise exceptions.NotFound(_("jurisdiction_id %(given)s was not found.") % {"given": given[:100]})


class DiscoveryView(Open311View):
    """Service Discovery: this endpoint, its formats, whom to ask for a key."""

    xml_root = "discovery"

    @extend_schema(operation_id="open311_discovery", parameters=[*FORMAT], responses={200: DiscoverySerializer})
    def get(self, request, response_format=None):
        changed = Category.history.aggregate(at=Max("history_date"))["at"]
        changeset = timezone.localtime(changed).isoformat(timespec="seconds") if changed else ""
        url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"response_format": "xml"})).rsplit(
            "/", 1
        )[0]
        key_service = (
            _("Ask the office for an API key: hotline %(hotline)s.") % {"hotline": settings.JIUFENG_HOTLINE}
            if settings.JIUFENG_OPEN311_API_KEYS
            else _("No API key is needed.")
        )
        endpoint = {
            "specification": SPECIFICATION,
            "url": url,
            "changeset": changeset,
            "type": "test" if settings.DEBUG else "production",
            "formats": [XMLRenderer.media_type, JSONRenderer.media_type],
        }
        document = {
            "changeset": changeset,
            "contact": _("Hotline %(hotline)s, %(site)s")
            % {"hotline": settings.JIUFENG_HOTLINE, "site": settings.JIUFENG_SITE_URL},
            "key_service": key_service,
            "endpoints": [endpoint],
        }
        return Response(DiscoverySerializer(document).data)


class ServiceListView(Open311View):
    """GET Service List: the active complaint categories."""

    xml_root = "services"

    @extend_schema(
        operation_id="open311_services",
        parameters=[*FORMAT, JURISDICTION],
        responses={200: ServiceSerializer(many=True)},
    )
    def get(self, request, response_format=None):
        return Response(ServiceSerializer(category_list_public(), many=True).data)


class ServiceDefinitionView(Open311View):
    """GET Service Definition: no category has attributes; unknown or inactive 404."""

    xml_root = "service_definition"

    @extend_schema(
        operation_id="open311_service_definition",
        parameters=[*FORMAT, JURISDICTION],
        responses={200: ServiceDefinitionSerializer},
    )
    def get(self, request, service_code: str, response_format=None):
        category = Category.objects.filter(code=service_code, is_active=True).first()
        if category is None:
            raise exceptions.NotFound(_("service_code %(code)s was not found.") % {"code": service_code[:100]})
        return Response(ServiceDefinitionSerializer(category).data)


def _api_key_check(request) -> None:
    keys = settings.JIUFENG_OPEN311_API_KEYS
    if not keys:
        return
    given = request.data.get("api_key") or request.query_params.get("api_key") or ""
    # Compare with every key in constant time: the answer's timing tells nothing about a key.
    if not any([hmac.compare_digest(given.encode(), key.encode()) for key in keys]):
        raise exceptions.PermissionDenied(_("Missing or invalid api_key: the request was not filed."))


def _full_name(first: str, last: str) -> str:
    # Chinese names are written family name first, with no space.
    first, last = first.strip(), last.strip()
    if any("\u4e00" <= char <= "\u9fff" for char in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def _title(description: str) -> str:
    # GeoReport has no title: the description's first line stands for it.
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return Truncator(first_line).chars(TITLE_CHARS)


def _spec_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    renamed: dict[str, list[str]] = {}
    for field, messages in message_dict(error).items():
        known = renamed.setdefault(_SPEC_FIELDS.get(field, field), [])
        known.extend(message for message in messages if message not in known)
    return renamed


def _service_notice(*, code: str, due_at, anonymous_by_default: bool) -> str:
    track_url = settings.JIUFENG_SITE_URL.rstrip("/") + reverse("complaints:complaint-track")
    notice = [
        _("Received. Keep your tracking code %(code)s: with it you follow the case at %(url)s.")
        % {"code": code, "url": track_url}
    ]
    if due_at is not None:
        notice.append(
            _("The office decides whether to accept it by %(date)s.")
            % {"date": timezone.localtime(due_at).date().isoformat()}
        )
    if anonymous_by_default:
        notice.append(_("It was filed anonymously: give both a name and a phone number to file under your name."))
    return " ".join(notice)


class ServiceRequestListView(Open311View):
    """GET Service Requests (public fields only, see the package docstring) and POST Service Request."""

    @extend_schema(
        operation_id="open311_requests_list",
        parameters=[*FORMAT, query.ServiceRequestQuerySerializer],
        responses={200: ServiceRequestSerializer(many=True)},
    )
    def get(self, request, response_format=None):
        given = query.ServiceRequestQuerySerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        requests = query.service_requests_filtered(query=given.validated_data)
        return Response(ServiceRequestSerializer(requests, many=True).data)

    @extend_schema(
        operation_id="open311_requests_create",
        parameters=[*FORMAT],
        request={"application/x-www-form-urlencoded": ServiceRequestCreateSerializer},
        responses={
            200: ServiceRequestCreatedSerializer(many=True),
            403: OpenApiResponse(description="api_key missing or wrong (when keys are configured)"),
            429: OpenApiResponse(description="too many filings from this address or overall; see Retry-After"),
        },
    )
    def post(self, request, response_format=None):
        """File a complaint: real-name when a name and a phone number are given, else anonymous."""
        _api_key_check(request)
        given = ServiceRequestCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if not data["service_code"].strip():
            raise serializers.ValidationError({"service_code": [_("This field is required.")]})
        category = Category.objects.filter(code=data["service_code"].strip()).first()
        if category is None:
            raise exceptions.NotFound(_("service_code %(code)s was not found.") % {"code": data["service_code"][:100]})
        name = _full_name(data["first_name"], data["last_name"])
        real_name = bool(name and data["phone"].strip())
        location = data["address_string"] or (f"{data['lat']}, {data['long']}" if data["lat"] is not None else "")
        with service_errors(), filing_limited(request):
            try:
                complaint, code = complaint_file(
                    channel=Channel.WEB,
                    category=category,
                    subject_unit=None,
                    title=_title(data["description"]),
                    content=data["description"],
                    occurred_on=None,
                    location=location,
                    anonymous=not real_name,
                    name=name if real_name else "",
                    phone=data["phone"] if real_name else "",
                    id_number="",
                    email=data["email"] if real_name else "",
                )
            except DjangoValidationError as error:
                raise serializers.ValidationError(_spec_errors(error)) from error
        gave_identity = bool(name or data["phone"].strip() or data["email"].strip())
        created = {
            "token": code,
            "service_notice": _service_notice(
                code=code,
                due_at=complaint.due_at,
                anonymous_by_default=gave_identity and not real_name,
            ),
            "account_id": None,
        }
        return Response(ServiceRequestCreatedSerializer([created], many=True).data)


class ServiceRequestDetailView(Open311View):
    """GET Service Request: an array of one; unknown 404."""

    @extend_schema(
        operation_id="open311_request",
        parameters=[*FORMAT, JURISDICTION],
        responses={200: ServiceRequestSerializer(many=True)},
    )
    def get(self, request, service_request_id: str, response_format=None):
        found = []
        if service_request_id.isascii() and service_request_id.isdigit() and len(service_request_id) < 19:
            found = list(query.service_request_list().filter(pk=int(service_request_id)))
        if not found:
            raise exceptions.NotFound(_("No service request has this id."))
        return Response(ServiceRequestSerializer(found, many=True).data)


class TokenView(Open311View):
    """GET service_request_id from a token."""

    schema_error_statuses = (429,)

    @extend_schema(
        operation_id="open311_token",
        parameters=[*FORMAT, JURISDICTION],
        responses={200: TokenSerializer(many=True)},
    )
    def get(self, request, token: str, response_format=None):
        """The token is the tracking code: guessing is limited like every tracking lookup (429)."""
        with service_errors():
            complaint = track_lookup(request=request, code=token)
        if complaint is None:
            raise exceptions.NotFound(_("No service request has this token."))
        return Response(TokenSerializer([{"service_request_id": complaint.pk, "token": token}], many=True).data)


class NotFoundView(Open311View):
    """Any other path under /open311/v2/, whatever the method: a 404 in the spec's form."""

    schema = None

    def initial(self, request, *args, **kwargs):
        # Negotiate the format only: no jurisdiction to check, no body to read.
        APIView.initial(self, request, *args, **kwargs)
        raise exceptions.NotFound(_("There is no such GeoReport v2 resource."))
