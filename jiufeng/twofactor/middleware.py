"""Until a signed-in user passes the step policy names, they reach only the pages of that step.

After django_otp's OTPMiddleware (which says whether the session is verified). Pages send the
user to the step with a ``next``; the API answers 403 in JSON. Requests carrying an API token
are not signed in here: the token endpoint asked for the code when the token was issued.
"""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from .policy import second_factor_step

# What a user who has not passed the step may still open: the steps themselves, signing out,
# the language and text-size switches.
OPEN_DURING_STEP = frozenset(
    {
        "twofactor-setup",
        "twofactor-verify",
        "logout",
        "admin:logout",
        "set_language",
        "text-size",
    }
)
JSON_PREFIXES = ("/api/", "/open311/")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = second_factor_step(request)
        if step is None or _open_during_step(request):
            return self.get_response(request)
        if request.path_info.startswith(JSON_PREFIXES):
            return JsonResponse(
                {"detail": _("Sign in with your second factor on the website first.")},
                status=403,
                json_dumps_params={"ensure_ascii": False},
            )
        return redirect(f"{reverse(f'twofactor-{step}')}?{urlencode({'next': request.get_full_path()})}")


def _open_during_step(request: HttpRequest) -> bool:
    try:
        return resolve(request.path_info).view_name in OPEN_DURING_STEP
    except Resolver404:
        return False
