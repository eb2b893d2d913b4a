"""Every route of the URL conf × every role: what it answers, against one table
(tests/jiufeng/permission_matrix.py). A route added without a row fails, naming the row to add.

The routes come from Django's resolver (pages, the API, Open311, the audit and appraisal pages);
the admin site's routes are one row (django.contrib.admin checks is_staff itself for all of
them). Objects come from the demo data (seed_demo). A case's routes name the demo case about
县第一中学 (its tracking code is known): the county officer and the education bureau's are in
scope, the health bureau's officer is not, the school's own liaison officer is staff of the
unit complained about (never sees it), and the petitioner has opened it with the code. Other
routes name the first object of their model.

A route is asked with a GET, or, where the administrator's GET answers 405 (a POST-only
action), with an empty POST from a fresh session of each role, rolled back after (an empty
body is refused with 400, re-renders its form, or is enough for an action without input,
for whoever may act; the others get what the view says to them before reading the body).
Each role comes from an address of its own, so that one role's wrong codes do not rate-limit
the next.
"""

import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from complaints.models import Complaint
from demo.cases import DEMO_CODES
from evaluations.models import Appraisal, AppraisalState, AppraisedUnit
from jiufeng.models import User

from .permission_matrix import ADMINISTRATOR, EXPECTED, LOGIN, PETITIONER, ROLES

CASE_TITLE = "学校强制学生购买教辅资料"

# A route's model, by a word of its name (first match wins): where its <pk> comes from.
MODELS = [
    # Routes whose pk is another model's than their name's first word says.
    ("position-assign", "responsibility.Unit"),
    ("rectification-item-add", "responsibility.Visit"),
    ("accountability-document-add", "responsibility.AccountabilityRecord"),
    ("accountability-document", "responsibility.AccountabilityDocument"),
    ("accountability", "responsibility.AccountabilityRecord"),
    ("rectification-item", "responsibility.RectificationItem"),
    ("rectification-campaign", "responsibility.Campaign"),
    ("campaign", "responsibility.Campaign"),
    ("pledge", "responsibility.Pledge"),
    ("visit", "responsibility.Visit"),
    ("escalation", "responsibility.Escalation"),
    ("position", "responsibility.Position"),
    ("assignment", "responsibility.LeaderAssignment"),
    ("org-import", "responsibility.OrgImport"),
    ("appraisal-units", "evaluations.Appraisal"),
    ("unit", "responsibility.Unit"),
    ("questionnaire", "evaluations.Questionnaire"),
    ("evaluator", "evaluations.Evaluator"),
    ("observation", "evaluations.Observation"),
    ("appraisal", "evaluations.Appraisal"),
    ("invitation", "evaluations.Appraisal"),
    ("public-typical-case", "complaints.TypicalCase"),
    ("typical-case-", "complaints.TypicalCase"),
    ("", "complaints.Complaint"),
]
# Other path arguments: the first object of their model, or a fixed value.
ARGUMENTS = {
    "activity_id": "complaints.Activity",
    "activity_pk": "complaints.Activity",
    "attachment_id": "complaints.Attachment",
    "attachment_pk": "complaints.Attachment",
    "item_pk": "responsibility.PledgeItem",
    "task_pk": "responsibility.CampaignTask",
    "document_pk": "responsibility.AccountabilityDocument",
    "unit_pk": "responsibility.Unit",
    "object_id": "complaints.Complaint",
}
APPRAISED = ("appraised_pk", "appraised_unit_id")
# Routes without a URL name: a path they answer.
UNNAMED = {"favicon.ico": "/favicon.ico", "api:^(?P<path>.*/)$": "/api/v1/nothing/"}
FIXED = {
    "name": "accept",
    "code": "JF-DEM0-2222-0001-ACDE",
    "token": "JF-DEM0-2222-0001-ACDE",
    "response_format": "json",
    "fmt": "csv",
    "service_code": "fees",
    "label": "complaints.complaint",
    "transition": "open",
    "action": "publish",
    # A month of the monthly report, long past.
    "month": "2026-01",
    "path": "nothing/",
}


def routes(patterns=None, namespace=""):
    """(name, pattern) of every route; the admin site's as one."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield "admin:index", pattern
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else f"{namespace}{pattern.pattern}"), pattern


def _first(label: str) -> int:
    model = apps.get_model(label)
    return model.objects.order_by("pk").values_list("pk", flat=True).first() or 1


def _open_appraisal() -> int:
    """The demo's appraisal under way (this year's), whatever else the database holds."""
    return Appraisal.objects.get(state=AppraisalState.OPEN).pk


def _pk(name: str) -> int:
    label = next(label for word, label in MODELS if word in name)
    if label == "complaints.Complaint":
        return Complaint.objects.get(title=CASE_TITLE).pk
    if label == "evaluations.Appraisal":
        return _open_appraisal()
    return _first(label)


def url_of(name: str, pattern) -> str:
    if name == "admin:index":
        return reverse("admin:index")
    if pattern.name is None:
        return UNNAMED[name]
    kwargs = {}
    arguments = pattern.pattern.regex.groupindex
    if any(argument in APPRAISED for argument in arguments):
        appraised = AppraisedUnit.objects.filter(appraisal=_open_appraisal()).order_by("pk").first()
        kwargs = {
            "pk": appraised.appraisal_id,
            **{argument: appraised.pk for argument in APPRAISED if argument in arguments},
        }
    for argument in arguments:
        if argument in kwargs:
            continue
        if argument in ("pk", "service_request_id"):
            kwargs[argument] = _pk(name)
        elif argument in ARGUMENTS:
            kwargs[argument] = _first(ARGUMENTS[argument])
        else:
            kwargs[argument] = FIXED[argument]
    return reverse(name, kwargs=kwargs)


def client_as(role: str, username: str | None) -> Client:
    client = Client(REMOTE_ADDR=f"192.0.2.{list(ROLES).index(role) + 1}")
    if role == PETITIONER:
        # As a petitioner does: the code posted on the tracking page opens the case for the session.
        opened = client.post(reverse("complaints:complaint-track"), {"code": DEMO_CODES[CASE_TITLE]})
        assert opened.status_code == 302
    elif username is not None:
        client.force_login(User.objects.get(username=username))
    return client


def outcome(response) -> int | str:
    """The status, or "login" for a redirect to the login page."""
    if response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL)):
        return LOGIN
    return response.status_code


def posted(role: str, username: str | None, url: str) -> int | str:
    """An empty POST from a fresh session, undone: it may end the session (logout) or change
    the case (an accept), and no role's cell may depend on what another role did before."""
    with transaction.atomic():
        answered = outcome(client_as(role, username).post(url))
        transaction.set_rollback(True)
    return answered


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def routes_without_row() -> list[str]:
    return sorted({name for name, _pattern in routes()} - set(EXPECTED))


def test_every_route_has_a_row():
    assert not routes_without_row(), f"routes with no row in tests/jiufeng/permission_matrix.py: {routes_without_row()}"
    assert not set(EXPECTED) - {name for name, _pattern in routes()}, "rows of routes that are gone"


def test_a_route_added_without_a_row_is_named(settings):
    settings.ROOT_URLCONF = "tests.jiufeng.matrix_urls"
    assert routes_without_row() == ["complaints:case-export-everything"]


def test_every_route_answers_every_role_as_the_table_says(demo):
    clients = {role: client_as(role, username) for role, username in ROLES.items()}
    found = {}
    for name, pattern in routes():
        url = url_of(name, pattern)
        if clients[ADMINISTRATOR].get(url).status_code == 405:
            found[name] = tuple(posted(role, username, url) for role, username in ROLES.items())
        else:
            found[name] = tuple(outcome(client.get(url)) for client in clients.values())
    differences = {name: seen for name, seen in found.items() if EXPECTED.get(name) != seen}
    if differences:
        # Each line is the row as answered now: to compare with the table's, or to add.
        pytest.fail("\n".join(f'"{name}": {seen},' for name, seen in differences.items()), pytrace=False)
