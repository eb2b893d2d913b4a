from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control

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
