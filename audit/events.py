"""Writing the event log (AuditEvent): sign-ins, sign-outs, refused writes.

Rows are only ever added; the sealer chains them later (audit.models.chain).
"""

from django.contrib.auth import get_user_model

from jiufeng.client_address import client_address

from .models import AuditEvent, AuditEventKind

# AuditEvent's column lengths: what a client sends is cut to fit, never refused. An account's
# username is no longer (150): what is typed past it names no account.
USERNAME_MAX = AuditEvent._meta.get_field("username").max_length
_PATH_MAX = AuditEvent._meta.get_field("path").max_length


def event_record(*, kind: AuditEventKind, request, user=None, username: str = "", detail=None) -> AuditEvent:
    """Add one event, with where the request came from and what it asked for.

    ``user``: the account (None when no account matched); ``username`` defaults to its
    username. Caller has decided the event happened; nothing is checked here.
    """
    if user is not None and not user.is_authenticated:
        user = None
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:USERNAME_MAX],
        # A request built in-process (the test client's force_login) came from no address.
        address=client_address(request) if "REMOTE_ADDR" in request.META else None,
        method=(request.method or "")[:8],
        path=request.path[:_PATH_MAX],
        detail=detail or {},
    )


def account_named(username: str):
    """The account a sign-in tried, if one has that username (never a hint to the client)."""
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username[:USERNAME_MAX]}).first()
