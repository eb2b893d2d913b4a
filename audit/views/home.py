"""The auditors' home: what they can look into, and the latest events."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from complaints.models import IdentityAccess

from .logs import LOGS, audit_events, person

# The latest of each kind the home page lists.
RECENT = 8


@dataclass(frozen=True)
class Section:
    url_name: str
    title: Promise
    description: Promise


# Every page the home page offers, in order: the one place to add a page of the audit. An
# object's timeline is reached from the search.
SECTIONS: list[Section] = [
    Section(
        "audit:history-search",
        _("History of changes"),
        _("Every change to every record: by object, user, date and field changed, old and new values."),
    ),
    *(Section(f"audit:{log.url_name}", log.title, log.description) for log in LOGS),
]


@never_cache
@require_GET
@login_required
@permission_required("jiufeng.audit_history", raise_exception=True)
def audit_home(request):
    sections = [{"url": reverse(s.url_name), "title": s.title, "description": s.description} for s in SECTIONS]
    events = audit_events().order_by("-pk")[:RECENT]
    reads = IdentityAccess.objects.select_related("complaint", "user").only(
        "at", "via", "complaint__case_number", "user__username", "user__display_name"
    )
    context = {
        "sections": sections,
        "events": [(event, person(event.user) if event.user_id else event.username) for event in events],
        "reads": [(read, person(read.user)) for read in reads.order_by("-pk")[:RECENT]],
    }
    return render(request, "audit/home.html", context)
