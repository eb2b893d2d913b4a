from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from .navigation import nav_items_for
from .notifications_selectors import UNREAD_SHOWN, unread_count
from .roles import user_roles
from .text_size import LARGE, text_size_of


def navigation(request) -> dict:
    # An error page (403, 404) may be rendered for a request the authentication middleware never saw.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "nav_items": nav_items_for(user),
        "user_roles": user_roles(user),
        "hotline": settings.JIUFENG_HOTLINE,
        # Lazy: one COUNT on the partial index, only where the template shows it.
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        "unread_shown": UNREAD_SHOWN,
    }


def text_size(request) -> dict:
    # The large-text switch: base.html sizes the page from it and shows the switch's state.
    return {"large_text": text_size_of(request) == LARGE}
