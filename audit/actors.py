"""Who made a change: the one answer every history row takes its user and reason from.

- A web, API or admin request: the signed-in user. simple-history's middleware keeps the
  request; REST framework's token authentication sets the request's user when the view
  authenticates, before any write, so the token's user is read here too.
- A Celery task or a management command (a "system run"): the system user, with the run's
  name ("task:complaints.tasks.close_expired_cases_task", "command:seed_demo") added to the
  row's reason. Tasks enter the run in jiufeng.celery's task class, commands in manage.py.
- Neither, or an anonymous request: nobody (None), as for a petitioner filing without an
  account, which stays distinguishable from the system.

Code that names its actor (``_history_user``, a service's ``actor``) wins; ``None`` there
means "whoever is acting now", answered as above.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction

# The system user's username: inactive, no usable password, never signs in (system_user).
SYSTEM_USERNAME = "system"
# history_change_reason's length in every history table.
REASON_MAX = 100
# How a run's name begins in a reason (reason_split reads it back).
ORIGIN_KINDS = ("task:", "command:")


@dataclass
class _SystemRun:
    origin: str
    # The system user, looked up once per run, on its first write.
    user: object = None


_run: contextvars.ContextVar[_SystemRun | None] = contextvars.ContextVar("jiufeng_system_run", default=None)


@contextlib.contextmanager
def system_run(kind: str, name: str) -> Iterator[None]:
    """Changes made inside are the system's, named "<kind>:<name>" (kind: "task" or "command")."""
    token = _run.set(_SystemRun(origin=f"{kind}:{name}"))
    try:
        yield
    finally:
        _run.reset(token)


def _request():
    """The request being served (simple-history's middleware keeps it), or None."""
    # Imported here: manage.py enters a command's run before Django is set up.
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def acting_user():
    """The user a change made now is recorded as: see the module's docstring."""
    request = _request()
    # The request comes first: runserver serves from inside a command.
    if request is not None:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
    run = _run.get()
    if run is None:
        return None
    if run.user is None:
        run.user = system_user()
    return run.user


def change_reason(reason: str | None) -> str | None:
    """The reason with the running task or command named after it, within the column's length."""
    run = _run.get()
    if run is None or _request() is not None:
        return reason
    if not reason:
        return run.origin[:REASON_MAX]
    suffix = f" [{run.origin}]"[:REASON_MAX]
    return reason[: REASON_MAX - len(suffix)] + suffix


def reason_split(reason: str | None) -> tuple[str, str]:
    """A recorded reason split into (the action's reason, the task or command that made it),
    for pages that show the two apart."""
    reason = reason or ""
    if reason.startswith(ORIGIN_KINDS):
        return "", reason
    head, bracket, origin = reason.rpartition(" [")
    if bracket and origin.endswith("]") and origin.startswith(ORIGIN_KINDS):
        return head, origin[:-1]
    return reason, ""


def system_user():
    """The system's account: inactive, without a usable password, so it never signs in.

    Made after every migrate (audit.apps), and here if missing (a flushed test database, an
    administrator's deletion). Its own creation is recorded as made by itself.
    """
    from django.contrib.auth import get_user_model

    from jiufeng.history import history_record

    User = get_user_model()
    try:
        return User.objects.get(username=SYSTEM_USERNAME)
    except User.DoesNotExist:
        pass
    user = User(username=SYSTEM_USERNAME, is_active=False)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            # Without history here: the row's user would be this very user, not yet saved.
            user.save_without_historical_record()
    except IntegrityError:
        # Another process made it meanwhile.
        return User.objects.get(username=SYSTEM_USERNAME)
    history_record(User, [user.pk], update=False, reason="system user", user=user)
    return user
