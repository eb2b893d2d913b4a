"""Errors answered outside a view's own handling: JSON {"detail"} under /api/, GeoReport v2's
error list under /open311/, pages elsewhere.

Django calls the handlers below (jiufeng.urls' handler400, 403, 404 and 500) when no view
answered: an unknown path, a refused Host, an exception a view let through. Under /api/ a
client reads JSON in the language it asked for (ChineseFirstLocaleMiddleware honours
Accept-Language there), with REST framework's messages and their translations; every other
path keeps Django's pages. With DEBUG on, Django shows its technical pages instead of 404
and 500, as it does for every path.

``api_exception_handler`` (REST_FRAMEWORK's EXCEPTION_HANDLER) answers a Http404 raised in
an API view as "Not found." too, instead of get_object_or_404's English "No <Model>
matches the given query.", which names a model class.
"""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler

API_PREFIX = "/api/"


OPEN311_PREFIX = "/open311/"


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
    return _json(request, exceptions.APIException) or defaults.server_error(request, **kwargs)


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
