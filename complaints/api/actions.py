"""The staff API's writes on one case: transitions, activities, messages, notes, extensions.

Scope first (404), validate (400), then the one service; its refusals are 403, 409 or 400.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions
from rest_framework.views import APIView

from ..models import Complaint
from ..selectors import complaint_get_for_user
from ..services import activity_record, extension_request, internal_note_add, message_add
from ..transitions import transition_fire
from . import serializers as s
from .adding import FORM_MEDIA, CaseAddView
from .errors import service_errors, valid_input
from .views import detail_response

_TRANSITION_INPUT = PolymorphicProxySerializer(
    component_name="ComplaintTransitionInput",
    serializers=list(dict.fromkeys(s.TRANSITION_INPUTS.values())),
    resource_type_field_name=None,
)


class ComplaintTransitionView(APIView):
    """Fire a transition (API.md's names); answers the case as it now stands.

    404 out of scope or no such transition; 400 bad input; 403 not permitted; 409 not in
    this state, or the case changed since ``version``.
    """

    @extend_schema(
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(s.TRANSITION_INPUTS))],
        request=_TRANSITION_INPUT,
        responses=s.ComplaintDetailSerializer,
    )
    def post(self, request, pk: int, name: str):
        complaint = complaint_get_for_user(user=request.user, pk=pk)
        if name not in s.TRANSITION_INPUTS:
            raise exceptions.NotFound(_("No such transition."))
        fields = dict(valid_input(s.TRANSITION_INPUTS[name], request))
        version = fields.pop("version")
        with service_errors():
            transition_fire(name=name, complaint_id=complaint.pk, actor=request.user, version=version, data=fields)
        return detail_response(request, complaint.pk)


class _RecordView(CaseAddView):
    """A record by the signed-in officer on a case in their scope."""

    def complaint(self, pk: int) -> Complaint:
        return complaint_get_for_user(user=self.request.user, pk=pk)

    def service_kwargs(self) -> dict:
        return {"actor": self.request.user}


class ComplaintActivityView(_RecordView):
    """Record an investigation activity (听 看 访 谈 查); multipart may add files as ``attachments``."""

    input_serializer = s.ComplaintActivityInputSerializer
    output_serializer = s.ComplaintActivitySerializer
    service = staticmethod(activity_record)
    request_media = FORM_MEDIA


class ComplaintMessageView(_RecordView):
    """A question or note the petitioner sees on the tracking page."""

    input_serializer = s.ComplaintMessageInputSerializer
    output_serializer = s.ComplaintMessageSerializer
    service = staticmethod(message_add)


class ComplaintNoteView(_RecordView):
    """An internal note among staff; never shown to the petitioner."""

    input_serializer = s.ComplaintNoteInputSerializer
    output_serializer = s.ComplaintNoteSerializer
    service = staticmethod(internal_note_add)


class ComplaintExtensionView(_RecordView):
    """Ask for more days on the running stage; a leader decides with approve_extension or refuse_extension."""

    input_serializer = s.ComplaintExtensionInputSerializer
    output_serializer = s.ComplaintExtensionSerializer
    service = staticmethod(extension_request)
