"""Read-only roles change nothing: an auditor's write, on any page, API or admin address, is
answered 403 and logged (AuditEvent write_refused), before CSRF checks or any view runs.

Writes that change only the reader's own session, sign-in or inbox stay allowed: signing in and
out, setting up and passing their second factor, the language and text-size switches, marking
one's own notifications read (the inbox is the auditor's, not case data). A request carrying an
API token is judged by the token's user, whom REST framework would otherwise authenticate only
inside the view.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

from jiufeng.roles import user_read_only

from .events import event_record
from .models import AuditEventKind

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# URL names of the writes a read-only user may still make (see the module's docstring).
ALLOWED_WRITES = frozenset(
    {
        "login",
        "logout",
        "admin:login",
        "admin:logout",
        "api:auth-token",
        "api:auth-logout",
        "api:auth-logout-all",
        "set_language",
        "text-size",
        "inbox-read",
        # Their own second factor (jiufeng.twofactor): setting it up and passing it.
        "twofactor-setup",
        "twofactor-verify",
        "twofactor-recovery-codes",
    }
)
# Where a refusal is JSON, as the rest of these answers are.
JSON_PREFIXES = ("/api/", "/open311/")


class ReadOnlyRolesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            user = _requester(request)
            if user is not None and user_read_only(user) and not _allowed(request):
                event_record(kind=AuditEventKind.WRITE_REFUSED, request=request, user=user)
                return _refusal(request)
        return self.get_response(request)


def _requester(request: HttpRequest):
    """The signed-in user, or the API token's; None for anyone else."""
    if request.user.is_authenticated:
        return request.user
    if "authorization" not in request.headers:
        return None
    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    try:
        user = Request(request, authenticators=authenticators).user
    except exceptions.APIException:
        # A bad token: the view answers 401 itself.
        return None
    return user if user.is_authenticated else None


def _allowed(request: HttpRequest) -> bool:
    try:
        return resolve(request.path_info).view_name in ALLOWED_WRITES
    except Resolver404:
        return False


def _refusal(request: HttpRequest) -> HttpResponse:
    message = _("Your role may read everything but change nothing.")
    if request.path_info.startswith(JSON_PREFIXES):
        return JsonResponse({"detail": message}, status=403, json_dumps_params={"ensure_ascii": False})
    # The site's 403 page (jiufeng.errors), with the words above.
    raise PermissionDenied(message)
