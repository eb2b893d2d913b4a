from django.conf import settings

from .navigation import nav_items_for
from .roles import user_roles


def navigation(request) -> dict:
    user = request.user
    return {
        "nav_items": nav_items_for(user),
        "user_roles": user_roles(user),
        "hotline": settings.JIUFENG_HOTLINE,
    }
