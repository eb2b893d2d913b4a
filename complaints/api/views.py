"""/api/v1/complaints/: the scoped list (staff) and the filing (anyone), intake, the detail and what hangs off it.

Scope first (complaints.selectors: 404 for what the user may not see), then validate,
then one service; its refusals become 403, 409 or 400 (complaints.api.errors).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jiufeng.client_address import client_address
from jiufeng.pagination import CappedPageNumberPagination
from jiufeng.schema import error_response
from responsibility.permissions import can_handle_in

from ..attachments import attachment_response
from ..filing_limit import filing_limited
from ..models import Attachment, Channel, Complaint, IdentityAccess, triage_unit
from ..selectors import complaint_get_for_user, complaint_list_for_user
from ..services import complaint_file, identity_read
from . import serializers as s
from .adding import FORM_MEDIA
from .errors import service_errors, valid_input
from .filters import ComplaintFilter
from .reads import complaint_detail, complaint_history


def detail_response(request, pk: int) -> Response:
    complaint = complaint_detail(user=request.user, pk=pk)
    return Response(s.ComplaintDetailSerializer(complaint, context={"request": request}).data)


def _filed_response(serializer_class: type[s.ComplaintFiledSerializer], complaint: Complaint, code: str) -> Response:
    """201 with what the filer keeps: the tracking code (shown this once) and the acceptance deadline.

    ``serializer_class`` picks what to show: the petitioner is not given the internal id, staff are.
    """
    filed = {
        "id": complaint.pk,
        "tracking_code": code,
        "case_number": complaint.case_number,
        "status": complaint.status,
        "submitted_at": complaint.submitted_at,
        # Just filed: the running deadline is the acceptance decision's.
        "accept_due_at": complaint.due_at,
    }
    return Response(serializer_class(filed).data, status=status.HTTP_201_CREATED)


class ComplaintListView(generics.ListAPIView):
    """Complaints in the user's scope, newest first, filtered; paginated. Staff only.

    POST on the same path is the petitioner's filing: anyone, without an account.
    """

    serializer_class = s.ComplaintListSerializer
    filterset_class = ComplaintFilter
    # A county-wide scope holds a million cases: counted up to a cap (count_capped), not exactly.
    pagination_class = CappedPageNumberPagination

    def initialize_request(self, request, *args, **kwargs):
        # The authenticators depend on the method: let get_authenticators see this request even
        # where Django's View.setup has not stored it (the schema generator's mock requests).
        self.request = request
        return super().initialize_request(request, *args, **kwargs)

    def _filing(self) -> bool:
        return self.request.method == "POST"

    def get_authenticators(self):
        # No account and no session for a filing, so no CSRF token to present either.
        return [] if self._filing() else super().get_authenticators()

    def get_permissions(self):
        return [permissions.AllowAny()] if self._filing() else super().get_permissions()

    def get_queryset(self):
        # The schema generator (also run by `check --deploy`) asks for a model, without a user or a database.
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        return complaint_list_for_user(user=self.request.user)

    @extend_schema(
        request={media: s.ComplaintFileSerializer for media in FORM_MEDIA},
        responses={201: s.ComplaintFiledSerializer, 429: error_response(429)},
    )
    def post(self, request):
        """File a complaint on the web channel: 201 with its tracking code; 400 {field: [messages]}."""
        data = valid_input(s.ComplaintFileSerializer, request)
        with service_errors(), filing_limited(request):
            complaint, code = complaint_file(channel=Channel.WEB, **data)
        return _filed_response(s.ComplaintFiledSerializer, complaint, code)


class ComplaintIntakeView(APIView):
    """An officer of the triaging unit (the county 纠风办) records a complaint received by another channel."""

    @extend_schema(
        request={media: s.ComplaintIntakeSerializer for media in FORM_MEDIA},
        responses={201: s.ComplaintIntakeResultSerializer},
    )
    def post(self, request):
        if not request.user.has_perm("jiufeng.handle_cases"):
            raise exceptions.PermissionDenied
        data = valid_input(s.ComplaintIntakeSerializer, request)
        if not can_handle_in(request.user, triage_unit(data["subject_unit"])):
            raise exceptions.PermissionDenied(_("Only the unit that decides on intake records complaints about it."))
        with service_errors():
            complaint, code = complaint_file(actor=request.user, **data)
        return _filed_response(s.ComplaintIntakeResultSerializer, complaint, code)


class ComplaintDetailView(APIView):
    """A case in scope: its state, what the user may do now, deadlines and records; out of scope 404."""

    @extend_schema(responses=s.ComplaintDetailSerializer)
    def get(self, request, pk: int):
        return detail_response(request, pk)


class ComplaintAttachmentView(APIView):
    """A file on a case in scope, streamed after the scope check; out of scope, or not this case's, 404."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, attachment_id: int):
        complaint = complaint_get_for_user(user=request.user, pk=pk)
        return attachment_response(
            get_object_or_404(Attachment, complaint=complaint, pk=attachment_id), request=request
        )


class ComplaintIdentityView(APIView):
    """The petitioner's identity for staff who may read it; every read is logged."""

    @extend_schema(responses=s.ComplaintIdentitySerializer)
    def get(self, request, pk: int):
        complaint = complaint_get_for_user(user=request.user, pk=pk)
        with service_errors():
            identity = identity_read(
                complaint_id=complaint.pk,
                actor=request.user,
                via=IdentityAccess.Via.API,
                address=client_address(request),
            )
        if identity is None:
            body = {"anonymous": True}
        else:
            body = {
                "anonymous": False,
                "name": identity.name,
                "phone": identity.phone,
                "id_number": identity.id_number,
                "email": identity.email,
            }
        response = Response(s.ComplaintIdentitySerializer(body).data)
        # Personal data: no cache, shared or private, keeps a copy.
        response["Cache-Control"] = "no-store"
        return response


class ComplaintHistoryView(APIView):
    """Who changed what on the case and on what is attached to it, and when, oldest first: staff in scope, auditors."""

    @extend_schema(responses=s.ComplaintHistoryEntrySerializer(many=True))
    def get(self, request, pk: int):
        complaint = complaint_get_for_user(user=request.user, pk=pk)
        history = complaint_history(user=request.user, complaint=complaint)
        return Response(s.ComplaintHistoryEntrySerializer(history, many=True).data)
