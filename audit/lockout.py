"""What a locked-out sign-in is answered (django-axes' AXES_LOCKOUT_CALLABLE), and its event.

The API's token endpoint answers JSON like every /api/ error; the login page and the admin's
answer a page. Both say for how long and carry Retry-After; neither says whether the account
exists.
"""

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiufeng.errors import API_PREFIX

from .events import USERNAME_MAX, account_named, event_record
from .models import AuditEventKind


def username_tried(request, credentials=None) -> str:
    """The username a sign-in names, as django-axes counts and stores it (AXES_USERNAME_CALLABLE):
    cut to the longest an account has and without NUL, which PostgreSQL refuses to store."""
    source = credentials if credentials is not None else getattr(request, "data", request.POST)
    username = source.get("username") if source else None
    return username.replace("\x00", "")[:USERNAME_MAX] if isinstance(username, str) else ""


def lockout_response(request, original_response=None, credentials=None):
    seconds = int(get_cool_off(request).total_seconds())
    minutes = -(-seconds // 60)
    message = _(
        "Too many wrong passwords for this account or from this connection: signing in is paused for "
        "%(minutes)s minutes. An administrator can lift it sooner."
    ) % {"minutes": minutes}
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": message}, status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@receiver(user_locked_out, dispatch_uid="audit-lockout")
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    username = username if isinstance(username, str) else ""
    event_record(
        kind=AuditEventKind.LOCKOUT,
        request=request,
        user=account_named(username) if username else None,
        username=username,
        detail={"address": ip_address},
    )
