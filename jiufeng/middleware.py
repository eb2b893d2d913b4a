import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .roles import is_staff_member

# Machine clients name the language they want; people use the switcher.
_ACCEPT_LANGUAGE_PREFIXES = ("/api/", "/open311/")


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are in Simplified Chinese unless the visitor chose English with the switcher.

    A browser's Accept-Language is ignored for pages on purpose: many petitioners'
    phones and public terminals are set to English by default, and they should not land
    on an English page they did not ask for. The switcher's cookie always wins.
    """

    def process_request(self, request):
        if request.path.startswith(_ACCEPT_LANGUAGE_PREFIXES):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreMiddleware:
    """Nothing this site answers is kept by a browser's or a proxy's cache unless it says so.

    Case data, identities, tracking codes and staff pages must never sit in a shared proxy
    or on a shared terminal's disk; a response that chose its own caching keeps it. Static
    files are answered by WhiteNoise before this, with their own long-lived headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


# The last time a staff session was seen, in its session; written again only when older
# than this, so that a busy user's requests do not each write their session.
_LAST_SEEN = "jiufeng_last_seen"
_LAST_SEEN_RESOLUTION = 60


def last_seen_now(request, user) -> None:
    """A staff session starts as just seen (jiufeng.signals, at sign-in): its first page writes nothing."""
    if is_staff_member(user):
        request.session[_LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    """A staff session left idle for JIUFENG_IDLE_TIMEOUT_MINUTES ends: a shared office PC
    left signed in must not stay open to the next person.

    Pages go to the login page with a note and a ``next``; the API answers 401 in JSON.
    Petitioners and evaluators keep their own session rules.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only staff sessions carry the time (jiufeng.signals, at sign-in): no query here.
        last_seen = request.session.get(_LAST_SEEN) if request.user.is_authenticated else None
        if last_seen is not None:
            now = int(time.time())
            if now - last_seen > settings.JIUFENG_IDLE_TIMEOUT_MINUTES * 60:
                return _timed_out(request)
            if now - last_seen >= _LAST_SEEN_RESOLUTION:
                request.session[_LAST_SEEN] = now
        return self.get_response(request)


def _timed_out(request):
    logout(request)
    message = _("You were signed out after %(minutes)s minutes without activity. Sign in again to go on.") % {
        "minutes": settings.JIUFENG_IDLE_TIMEOUT_MINUTES
    }
    if request.path_info.startswith(_ACCEPT_LANGUAGE_PREFIXES):
        return JsonResponse({"detail": message}, status=401, json_dumps_params={"ensure_ascii": False})
    messages.info(request, message)
    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
