"""The staff API's writes on one case: transitions, activities, messages, notes, extensions.

Scope first (404), validate (400), then the one service; its refusals are 403, 409 or 400.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Complaint
from ..selectors import complaint_get_for_user
from ..services import (
    activity_correct,
    activity_record,
    activity_void,
    extension_request,
    internal_note_add,
    message_add,
)
from ..workflow import STAFF_TRANSITIONS, Situation, UnknownTransition, staff_transition
from . import serializers as s
from .adding import FORM_MEDIA, CaseAddView
from .errors import service_errors, valid_input
from .views import detail_response

# Each staff transition's input, as its declaration names it (complaints.workflow).
_TRANSITION_INPUT = PolymorphicProxySerializer(
    component_name="ComplaintTransitionInput",
    serializers=list(dict.fromkeys(transition.input for transition in STAFF_TRANSITIONS)),
    resource_type_field_name=None,
)


class ComplaintTransitionView(APIView):
    """Fire a staff transition (API.md's names); answers the case as it now stands.

    404 out of scope or no such transition; 403 not permitted; 400 bad input; 409 not in
    this state, or the case changed since ``version``.
    """

    schema_error_statuses = (409,)

    # The transition's declaration (complaints.workflow) gives its permission, its input
    # serializer and its service, which takes the values the serializer gives and checks
    # permission, state and guard again under the row lock.

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "name", str, OpenApiParameter.PATH, enum=[transition.name for transition in STAFF_TRANSITIONS]
            )
        ],
        request=_TRANSITION_INPUT,
        responses=s.ComplaintDetailSerializer,
    )
    def post(self, request, pk: int, name: str):
        complaint = complaint_get_for_user(user=request.user, pk=pk)
        try:
            transition = staff_transition(name)
        except UnknownTransition as error:
            raise exceptions.NotFound(_("No such transition.")) from error
        # Not theirs to do: refused before their input is read.
        if not transition.permits(request.user, Situation(complaint)):
            raise exceptions.PermissionDenied(transition.denied(complaint))
        data = dict(valid_input(transition.input, request))
        version = data.pop("version")
        with service_errors():
            transition.service(complaint_id=complaint.pk, actor=request.user, version=version, **data)
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


class _ActivityChangeView(APIView):
    """A change to one activity of a case in scope (404 for another case's); answers the activity."""

    input_serializer: type = None
    service = None
    schema_error_statuses = (409,)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        extend_schema(request=cls.input_serializer, responses=s.ComplaintActivitySerializer)(cls)

    def post(self, request, pk: int, activity_id: int):
        complaint = complaint_get_for_user(user=request.user, pk=pk)
        activity = get_object_or_404(complaint.activities.all(), pk=activity_id)
        data = valid_input(self.input_serializer, request)
        with service_errors():
            activity = self.service(complaint_id=complaint.pk, activity_id=activity.pk, actor=request.user, **data)
        return Response(s.ComplaintActivitySerializer(activity).data)


class ComplaintActivityCorrectView(_ActivityChangeView):
    """Correct a mistaken activity, with the reason; the version before stays in its history."""

    input_serializer = s.ComplaintActivityCorrectInputSerializer
    service = staticmethod(activity_correct)


class ComplaintActivityVoidView(_ActivityChangeView):
    """Void a mistaken activity, with the reason: it stays, marked void, and counts for nothing."""

    input_serializer = s.ComplaintActivityVoidInputSerializer
    service = staticmethod(activity_void)


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
