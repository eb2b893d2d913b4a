"""Sign-ins, failed sign-ins and sign-outs into the event log, wherever they happen.

Django sends these for the login page and the admin's login (LoginView and logout), and for
the API's token endpoint (jiufeng.auth_token sends user_logged_in; a wrong password there
goes through authenticate(), which sends user_login_failed). No password is ever kept:
only the username that was tried. Lockouts (django-axes) are recorded by audit.lockout.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .events import account_named, event_record
from .models import AuditEventKind


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        event_record(kind=AuditEventKind.LOGIN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # authenticate() called outside a request (a shell, a test) is not a sign-in attempt.
    if request is None:
        return
    username = credentials.get(get_user_model().USERNAME_FIELD)
    username = username if isinstance(username, str) else ""
    event_record(
        kind=AuditEventKind.LOGIN_FAILED,
        request=request,
        user=account_named(username) if username else None,
        username=username,
    )


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    # Signing out without being signed in ends nothing.
    if request is not None and user is not None:
        event_record(kind=AuditEventKind.LOGOUT, request=request, user=user)
