"""The complaints services' errors, answered as the API answers them."""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, serializers, status


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This cannot be done now.")
    default_code = "conflict"


def message_dict(error: DjangoValidationError) -> dict[str, list[str]]:
    """{field: [messages]}; an error not tied to a field goes under DRF's non-field key."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {serializers.api_settings.NON_FIELD_ERRORS_KEY: error.messages}


@contextmanager
def service_errors():
    """Run a service call: its ValidationError is a 400 {field: [messages]}, a refused transition a 409."""
    try:
        yield
    except DjangoValidationError as error:
        raise serializers.ValidationError(message_dict(error)) from error
    except TransitionNotAllowed as error:
        raise Conflict(str(error) or None) from error


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "too_large"


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def request_data(request):
    """The request's data, read only when of a sensible size; Django's refusals answered in JSON.

    DRF reads JSON and form bodies from the stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE:
    an anonymous client must not make us read an unbounded body, so that limit is applied
    here (multipart bodies are limited by Django's parser, files by the attachment checks).
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
