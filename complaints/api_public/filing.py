"""POST /api/v1/complaints/: a petitioner files a complaint and gets its tracking code.

complaint_file validates everything (required text, lengths, phone, ID number, dates,
attachments): the serializer only parses types, so its messages are never duplicated here.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import TooManyFilesSent
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from responsibility.models import Deadline, DeadlineKind, Unit

from ..models import Category, Channel, Complaint, ComplaintStatus
from ..services import complaint_file
from .errors import service_errors


def accept_due_at(complaint: Complaint) -> datetime.datetime | None:
    """When the office owes its decision to accept or not (the acceptance deadline)."""
    return (
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint),
            object_id=complaint.pk,
            kind=DeadlineKind.COMPLAINT_ACCEPT,
        )
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
        try:
            data = request.data
        except TooManyFilesSent as error:
            # Django refuses the whole upload before anything is parsed: say which field, in JSON.
            raise serializers.ValidationError(
                {
                    "attachments": [
                        _("Too many files in one request: at most %(max)d.")
                        % {"max": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
                    ]
                }
            ) from error
        given = ComplaintFileSerializer(data=data)
        given.is_valid(raise_exception=True)
        fields = dict(given.validated_data)
        files = fields.pop("attachments")
        with service_errors():
            # complaint_file checks and stores files once the attachments work lands on main
            # (the services contract's ``attachments``); until then only a filing with files names them.
            complaint, code = complaint_file(channel=Channel.WEB, **fields, **({"attachments": files} if files else {}))
        filed = {
            "tracking_code": code,
            "status": complaint.status,
            "submitted_at": complaint.submitted_at,
            "accept_due_at": accept_due_at(complaint),
        }
        return Response(ComplaintFiledSerializer(filed).data, status=status.HTTP_201_CREATED)
