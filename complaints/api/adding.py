"""A POST that adds one record to a case, the same for staff (by scope) and petitioners (by tracking code).

The case is found first (404), the body parsed (400), then the one service is called (its
refusals 403, 409 or 400, complaints.api.errors): 201 with what it added.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Complaint
from .errors import service_errors, valid_input

# Files come as multipart; everything else may be JSON too.
FORM_MEDIA = ["application/json", "multipart/form-data"]


class CaseAddView(APIView):
    input_serializer: type[serializers.Serializer]
    output_serializer: type[serializers.Serializer]
    # (complaint_id, **validated input, **service_kwargs()) -> the record added.
    service = None
    # Set where the input takes files (multipart); else every parser's media type.
    request_media: list[str] | None = None
    # Path parameters the schema cannot derive by itself.
    parameters: list = []
    # The service may refuse in the case's current state (jiufeng.schema).
    schema_error_statuses = (409,)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The schema is what a view declares: its path, its input, and 201 with its record.
        if "input_serializer" in cls.__dict__:
            request = cls.input_serializer
            if cls.request_media:
                request = {media: cls.input_serializer for media in cls.request_media}
            extend_schema(parameters=cls.parameters, request=request, responses={201: cls.output_serializer})(cls)

    def complaint(self, **kwargs) -> Complaint:
        """The case the record goes on, from the URL's arguments; Http404 for one not to be reached."""
        raise NotImplementedError

    def service_kwargs(self) -> dict:
        return {}

    def post(self, request, **kwargs):
        complaint = self.complaint(**kwargs)
        data = valid_input(self.input_serializer, request)
        with service_errors():
            record = self.service(complaint_id=complaint.pk, **self.service_kwargs(), **data)
        return Response(self.output_serializer(record).data, status=status.HTTP_201_CREATED)
