"""At sign-in, what the session's later pages would otherwise each ask the database."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import last_seen_now
from .twofactor.policy import device_known_set


@receiver(user_logged_in, dispatch_uid="jiufeng-session-started")
def _session_started(sender, request, user, **kwargs) -> None:
    # The API's token endpoint signs in without a session.
    if request is None or not hasattr(request, "session"):
        return
    last_seen_now(request, user)
    device_known_set(request, user)
