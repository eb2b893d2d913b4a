"""Errors answered outside a view's own handling: JSON {"detail"} under /api/, GeoReport v2's
error list under /open311/, pages elsewhere.

Django calls the handlers below (jiufeng.urls' handler400, 403, 404 and 500) when no view
answered: an unknown path, a refused Host, an exception a view let through. Under /api/ a
client reads JSON in the language it asked for (ChineseFirstLocaleMiddleware honours
Accept-Language there), with REST framework's messages and their translations; every other
path keeps Django's pages. With DEBUG on, Django shows its technical pages instead of 404
and 500, as it does for every path.

An exception from the database itself (it cannot be reached, the connection broke, a deadlock
or a statement timeout: OperationalError and InterfaceError) answers 503 with ``Retry-After``
rather than 500: nothing was saved, and the same request will work once the database answers.

``api_exception_handler`` (REST_FRAMEWORK's EXCEPTION_HANDLER) answers a Http404 raised in
an API view as "Not found." too, instead of get_object_or_404's English "No <Model>
matches the given query.", which names a model class.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler

API_PREFIX = "/api/"


OPEN311_PREFIX = "/open311/"
# Seconds a client is asked to wait when the database is away: a restart takes a few.
RETRY_AFTER = 30


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = _("The service is briefly unavailable and nothing was saved. Please try again in a minute.")


def _json(request: HttpRequest, error: type[exceptions.APIException]) -> HttpResponse | None:
    if request.path_info.startswith(OPEN311_PREFIX):
        return _georeport(request, error)
    if not request.path_info.startswith(API_PREFIX):
        return None
    # UTF-8 as REST framework's own answers are, not \u escapes.
    return JsonResponse(
        {"detail": str(error.default_detail)}, status=error.status_code, json_dumps_params={"ensure_ascii": False}
    )


def _georeport(request: HttpRequest, error: type[exceptions.APIException]) -> HttpResponse:
    """GeoReport v2's error list, in the format the path names (.xml, else JSON)."""
    from complaints.open311.render import xml_document

    errors = [{"code": error.status_code, "description": str(error.default_detail)}]
    if request.path_info.endswith(".xml"):
        return HttpResponse(xml_document("errors", errors), status=error.status_code, content_type="text/xml")
    return JsonResponse(errors, safe=False, status=error.status_code, json_dumps_params={"ensure_ascii": False})


def bad_request(request: HttpRequest, exception: Exception, **kwargs) -> HttpResponse:
    return _json(request, exceptions.ParseError) or defaults.bad_request(request, exception, **kwargs)


def permission_denied(request: HttpRequest, exception: Exception, **kwargs) -> HttpResponse:
    return _json(request, exceptions.PermissionDenied) or defaults.permission_denied(request, exception, **kwargs)


def page_not_found(request: HttpRequest, exception: Exception, **kwargs) -> HttpResponse:
    return _json(request, exceptions.NotFound) or defaults.page_not_found(request, exception, **kwargs)


def server_error(request: HttpRequest, **kwargs) -> HttpResponse:
    # Django calls this while handling the exception, so it is still the one being handled.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    return _json(request, exceptions.APIException) or defaults.server_error(request, **kwargs)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, in the caller's format; the page is rendered without the request,
    whose context processors would ask the database again."""
    response = _json(request, DatabaseUnavailable) or HttpResponse(
        render_to_string("503.html", {"detail": DatabaseUnavailable.default_detail}), status=503
    )
    response["Retry-After"] = str(RETRY_AFTER)
    return response


# It changes nothing: a client without a CSRF token gets the same JSON 404.
@csrf_exempt
def api_not_found(request: HttpRequest, path: str) -> HttpResponse:
    """An /api/ path no API view takes: the JSON 404, with DEBUG on as off (Django would
    answer with its technical 404 page there, as page_not_found is not called with DEBUG on)."""
    return _json(request, exceptions.NotFound)


def api_exception_handler(exc: Exception, context: dict) -> HttpResponse | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return exception_handler(exc, context)
