"""Helpers of the staff page tests (no tests here): people placed around the cast, posting forms."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiufeng.roles import Role
from responsibility.models import PositionKind
from tests.factories import PositionFactory, UserFactory

HOSTILE = '<script>alert("x")</script>'


def as_user(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def school_officer(cast):
    """Staff of the unit complained about (the school): the case is kept from them."""
    user = UserFactory(username="school-officer", roles=[Role.OFFICER])
    PositionFactory(user=user, unit=cast.units.school, kind=PositionKind.LIAISON)
    return user


def outsider(cast):
    """An officer of the sibling bureau: the school's cases are out of scope."""
    user = UserFactory(username="health-officer", roles=[Role.OFFICER])
    PositionFactory(user=user, unit=cast.units.sibling, kind=PositionKind.LIAISON)
    return user


def case_url(complaint, name: str = "case-detail") -> str:
    return reverse(f"complaints:{name}", args=[complaint.pk])


def transition_url(complaint, name: str) -> str:
    return reverse("complaints:case-transition", args=[complaint.pk, name])


def fire(client, complaint, name: str, fields: dict | None = None, *, version: int | None = None, **extra):
    """POST a transition form as the page would: prefixed fields and the case version."""
    data = {f"{name}-{key}": value for key, value in (fields or {}).items()}
    data[f"{name}-version"] = complaint.version if version is None else version
    data.update(extra)
    return client.post(transition_url(complaint, name), data)


def measures(name: str, rows: list[dict]) -> dict:
    """The measure formset of a decision form, with its management form."""
    prefix = f"{name}-measures"
    data = {f"{prefix}-TOTAL_FORMS": str(max(len(rows), 1)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def post_record(client, complaint, name: str, prefix: str, fields: dict, *, version=None, htmx=False):
    data = {f"{prefix}-{key}": value for key, value in fields.items()}
    data[f"{prefix}-version"] = complaint.version if version is None else version
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(case_url(complaint, name), data, **headers)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured)
