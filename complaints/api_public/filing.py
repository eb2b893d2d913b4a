"""POST /api/v1/complaints/: a petitioner files a complaint and gets its tracking code.

complaint_file validates everything (required text, lengths, phone, ID number, dates,
attachments): the serializer only parses types, so its messages are never duplicated here.
"""

import datetime

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from responsibility.deadlines import deadlines_of
from responsibility.models import DeadlineKind, Unit

from ..models import Category, Channel, Complaint, ComplaintStatus
from ..services import complaint_file
from .errors import request_data, service_errors


def accept_due_at(complaint: Complaint) -> datetime.datetime | None:
    """When the office owes its decision to accept or not (the acceptance deadline)."""
    return (
        deadlines_of(target=complaint)
        .filter(kind=DeadlineKind.COMPLAINT_ACCEPT)
        .values_list("due_at", flat=True)
        .first()
    )


def _text(**kwargs) -> serializers.CharField:
    # Blank and missing are complaint_file's to judge, with its own messages.
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)


class ComplaintFileSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    subject_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True, default=None
    )
    title = _text()
    content = _text()
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None)
    location = _text()
    anonymous = serializers.BooleanField(required=False, default=False)
    name = _text(help_text="Required unless anonymous.")
    phone = _text(help_text="Required unless anonymous: a mobile or a landline with its area code.")
    id_number = _text()
    email = _text()
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ComplaintFiledSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(help_text="Shown once: only a hash of it is kept.")
    status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    submitted_at = serializers.DateTimeField()
    accept_due_at = serializers.DateTimeField(allow_null=True)


class ComplaintFileView(APIView):
    """File a complaint on the web channel; 201 with the tracking code, 400 {field: [messages]}."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": ComplaintFileSerializer, "multipart/form-data": ComplaintFileSerializer},
        responses={201: ComplaintFiledSerializer},
    )
    def post(self, request):
        given = ComplaintFileSerializer(data=request_data(request))
        given.is_valid(raise_exception=True)
        with service_errors():
            complaint, code = complaint_file(channel=Channel.WEB, **given.validated_data)
        filed = {
            "tracking_code": code,
            "status": complaint.status,
            "submitted_at": complaint.submitted_at,
            "accept_due_at": accept_due_at(complaint),
        }
        return Response(ComplaintFiledSerializer(filed).data, status=status.HTTP_201_CREATED)
