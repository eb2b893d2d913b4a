"""How every complaints endpoint reads a request body and answers the services' refusals.

One shape for /api/v1/complaints/, /api/v1/track/ and (through its own renderer) Open311,
the shape responsibility.api answers in too: PermissionDenied 403 {"detail"};
TransitionNotAllowed (wrong state, or the case changed meanwhile) 409 {"detail"}; too many
wrong tracking codes 429 {"detail"}; ValidationError 400 {field: [messages]}, with what
concerns no one field under "detail"; a body too large to read 413 {"detail"}.
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, serializers, status

from ..filing_limit import FILING_THROTTLED, FilingThrottled
from ..tracking import TrackingThrottled, tracking_throttled_message


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("Not allowed in the current state.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "too_large"


def message_dict(error: DjangoValidationError) -> dict[str, list[str]]:
    """{field: [messages]}; an error tied to no field goes under "detail"."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"detail": error.messages}


@contextmanager
def service_errors():
    """Run a service call (or a tracking code lookup); answer its refusals as 403, 409, 429 or 400."""
    try:
        yield
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from error
    except TransitionNotAllowed as error:
        raise Conflict(str(error) or None) from error
    except TrackingThrottled as error:
        # REST framework adds Retry-After and says when in the detail.
        raise exceptions.Throttled(wait=error.retry_after, detail=tracking_throttled_message(error)) from error
    except FilingThrottled as error:
        raise exceptions.Throttled(wait=error.retry_after, detail=str(FILING_THROTTLED)) from error
    except DjangoValidationError as error:
        raise serializers.ValidationError(message_dict(error)) from error


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def request_data(request):
    """The request's data, read only when of a sensible size; Django's refusals answered in JSON.

    DRF reads JSON and form bodies from the stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE:
    a client must not make us read an unbounded body, so that limit is applied here
    (multipart bodies are limited by Django's parser, files by the attachment checks).
    """
    too_big = _content_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if too_big and not request.content_type.startswith("multipart/"):
        raise PayloadTooLarge
    try:
        return request.data
    except TooManyFilesSent as error:
        raise serializers.ValidationError(
            {
                "attachments": [
                    _("Too many files: attach at most %(max)d.") % {"max": settings.JIUFENG_ATTACHMENT_MAX_FILES}
                ]
            }
        ) from error
    except (RequestDataTooBig, TooManyFieldsSent) as error:
        raise PayloadTooLarge from error


def valid_input(serializer_class: type[serializers.Serializer], request) -> dict:
    """The request's body parsed by ``serializer_class``; 400 {field: [messages]} if it does not parse."""
    given = serializer_class(data=request_data(request))
    given.is_valid(raise_exception=True)
    return given.validated_data
