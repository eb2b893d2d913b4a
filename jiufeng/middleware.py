from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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
