"""The large-text switch (适老化): a reader's choice of text size, kept in a cookie.

The page is rendered at the chosen size on the server (the ``text_size`` context processor
puts a class on <html>), so nothing flickers and it works without JavaScript.
"""

from django.conf import settings

COOKIE_NAME = "jiufeng_text_size"
# A year: an older reader should not have to ask twice.
COOKIE_MAX_AGE = 365 * 24 * 3600
NORMAL = "normal"
LARGE = "large"
SIZES = (NORMAL, LARGE)


def text_size_of(request) -> str:
    """The reader's chosen size; anything but a known size in the cookie reads as normal."""
    size = request.COOKIES.get(COOKIE_NAME)
    return size if size in SIZES else NORMAL


def text_size_remember(response, *, size: str) -> None:
    """Keep ``size`` (one of SIZES) in the reader's cookie; normal is the default, so it forgets."""
    if size == NORMAL:
        response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return
    response.set_cookie(
        COOKIE_NAME,
        size,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
    )
