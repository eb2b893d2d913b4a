"""A state change declared once, for every app: who may make it, what it needs beyond its
source state, the one service that makes it, and the form and serializer that read its input.

Each app declares its transitions with ``Transition`` (complaints.workflow,
responsibility.workflow) and everything reads the declarations: the services check the
permission, the source state and the guard under their row lock (``check``) before they
fire the FSM method; the pages and the API refuse who may not make it before they read
the input (``permits``), read the input with the declared form or serializer, and call
the declared service with the typed values these give; a page offers what ``allowed``
says, the same answer the service gives.

The services read the declarations and the forms and serializers are built on the
services (their limits, their choices), so a declaration names its service, form and
serializer by dotted path, as a ForeignKey names the model of another app, and they are
imported when first used; each app's tests resolve every one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.module_loading import import_string
from django_fsm import TransitionNotAllowed, can_proceed


def _itself(subject):
    return subject


@dataclass(frozen=True, kw_only=True)
class Transition:
    """One transition: the FSM method ``name`` of the object and the service that fires it.

    Permissions and guards read a *subject*: the object itself, or what the app reads
    around it (``target`` gives the object from the subject).
    """

    name: str
    # Dotted path of the service.
    service_path: str
    # Who may make it: (user, subject) -> bool. None: no staff member makes it; the caller
    # has checked who acts (a petitioner's tracking code).
    permission: Callable[[Any, Any], bool] | None
    # The 409's words when the object's state does not allow it: (object) -> str.
    state_refusal: Callable[[Any], str]
    # Beyond the source state: (subject) -> why not now (a 409), or None.
    guard: Callable[[Any], str | None] | None = None
    # The 403's words: (object) -> str, or None for Django's.
    denied: Callable[[Any], str] | None = None
    # The system (actor None) may make it too.
    by_system: bool = False
    # The page's form and the API's input serializer, by dotted path; None where there is none.
    form_path: str | None = None
    input_path: str | None = None
    target: Callable[[Any], Any] = _itself

    @property
    def service(self) -> Callable[..., Any]:
        return import_string(self.service_path)

    @property
    def form(self) -> type:
        return import_string(self.form_path)

    @property
    def input(self) -> type:
        return import_string(self.input_path)

    def permits(self, user, subject) -> bool:
        """May ``user`` make it at all, state and guard aside? The pages and the API ask before reading input."""
        return self.permission is not None and self.permission(user, subject)

    def refusal(self, subject, actor, *, guarded: bool = True) -> Exception | None:
        """What refuses ``actor`` (None: the system) making it now, or None.

        In this order: PermissionDenied (not theirs to do: 403), then TransitionNotAllowed
        (not from this state, or the guard says not now: 409). ``guarded``: False skips
        the guard, where the service knows better (a satisfied petitioner closes at once).
        """
        obj = self.target(subject)
        if actor is None:
            permitted = self.by_system or self.permission is None
        else:
            permitted = self.permission is None or self.permission(actor, subject)
        if not permitted:
            return PermissionDenied(self.denied(obj)) if self.denied else PermissionDenied()
        if not can_proceed(getattr(obj, self.name)):
            return TransitionNotAllowed(self.state_refusal(obj))
        refused = self.guard(subject) if guarded and self.guard is not None else None
        return TransitionNotAllowed(refused) if refused else None

    def check(self, subject, actor, *, guarded: bool = True) -> None:
        """Raise what ``refusal`` answers; the services call it on the locked object."""
        refused = self.refusal(subject, actor, guarded=guarded)
        if refused is not None:
            raise refused

    def allowed(self, user, subject) -> bool:
        """May ``user`` make it now? What ``refusal`` answers, cheapest question first."""
        if not can_proceed(getattr(self.target(subject), self.name)):
            return False
        if not self.permits(user, subject):
            return False
        return self.guard is None or not self.guard(subject)
