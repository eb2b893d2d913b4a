"""The services' exceptions as API answers, in the shape the rest of /api/v1/ uses.

PermissionDenied 403 {"detail"}; TransitionNotAllowed (wrong state, or the case changed
meanwhile) 409 {"detail"}; ValidationError 400 {field: [messages]}.
"""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, serializers, status


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Not allowed in the current state.")
    default_code = "conflict"


@contextmanager
def service_errors():
    """Run a service call; answer its refusals as 403, 409 or 400."""
    try:
        yield
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from error
    except TransitionNotAllowed as error:
        raise Conflict(str(error) or None) from error
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        raise serializers.ValidationError(detail) from error
