"""The complaints services' errors, answered as the API answers them."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, serializers, status


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This cannot be done now.")
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
