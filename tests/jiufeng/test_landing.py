"""After logging in, each role lands where its work is; a safe ``next`` wins."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from jiufeng.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# A leader lands on the dashboard of the top of their area: /dashboard/ sends them on to it.
DASHBOARD = re.compile(r"^/dashboard/units/\d+/$")
INBOX = "/cases/"
AUDIT = "/audit/"


def log_in(client, username: str, password: str = PASSWORD, next_url: str | None = None):
    """Post the login form as a browser does and follow the redirects; the response where it ends."""
    data = {"username": username, "password": password}
    url = reverse("login")
    if next_url is not None:
        data["next"] = next_url
        url += f"?next={next_url}"
    return client.post(url, data, follow=True)


def landed(response) -> str:
    assert response.redirect_chain, "the login did not redirect"
    return response.redirect_chain[-1][0]


def lands_on(response, expected: str | re.Pattern) -> bool:
    url = landed(response)
    return bool(expected.match(url)) if isinstance(expected, re.Pattern) else url == expected


def test_each_role_of_the_cast_lands_where_its_work_is(client, cast):
    expected = {
        cast.county_officer: INBOX,
        cast.bureau_officer: INBOX,
        cast.county_leader: DASHBOARD,
        cast.bureau_leader: DASHBOARD,
        cast.auditor: AUDIT,
    }
    for user, url in expected.items():
        client.logout()
        response = log_in(client, user.username)
        assert lands_on(response, url), user.username
        assert response.status_code == 200, user.username


def test_an_administrator_lands_in_the_administration(client):
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    response = log_in(client, admin.username)
    assert landed(response) == reverse("admin:index")
    assert response.status_code == 200


def test_several_roles_land_by_precedence_and_only_on_a_page_the_user_may_open(client):
    leader_and_officer = UserFactory(roles=[Role.OFFICER, Role.LEADER])
    # Placed nowhere yet: the dashboard says there is no unit to show.
    response = log_in(client, leader_and_officer.username)
    assert landed(response) == "/dashboard/"
    assert response.status_code == 200
    client.logout()
    auditor_and_officer = UserFactory(roles=[Role.AUDITOR, Role.OFFICER])
    assert landed(log_in(client, auditor_and_officer.username)) == INBOX
    client.logout()
    # The administrators' group without staff status cannot open the admin: the next role counts.
    admin_without_staff = UserFactory(roles=[Role.ADMINISTRATOR, Role.OFFICER])
    assert landed(log_in(client, admin_without_staff.username)) == INBOX


def test_a_user_without_a_staff_role_lands_on_the_home_page(client):
    nobody = UserFactory()
    assert landed(log_in(client, nobody.username)) == reverse("home")


def test_a_safe_next_wins_over_the_landing(client, cast):
    response = log_in(client, cast.county_leader.username, next_url="/org/units/")
    assert landed(response) == "/org/units/"
    assert response.status_code == 200


@pytest.mark.parametrize(
    "hostile",
    ["https://evil.example/", "//evil.example/cases/", "javascript:alert(1)", "/\\evil.example", "x" * 5000],
)
def test_an_unsafe_next_is_ignored_and_the_role_lands_as_usual(client, cast, hostile):
    response = log_in(client, cast.county_leader.username, next_url=hostile)
    chain = [url for url, _status in response.redirect_chain]
    assert DASHBOARD.match(chain[-1])
    assert not any("evil" in url or "javascript" in url for url in chain)


def test_a_wrong_password_lands_nowhere(client, cast):
    response = log_in(client, cast.county_leader.username, password="wrong", next_url="/org/units/")
    assert response.redirect_chain == []
    assert "_auth_user_id" not in client.session


def test_opening_the_login_page_when_logged_in_lands_too(client, cast):
    client.force_login(cast.county_officer)
    response = client.get(reverse("login"), follow=True)
    assert landed(response) == INBOX


def test_the_landing_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("landing"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_demo_account_lands_where_its_work_is(client):
    call_command("seed_demo", stdout=io.StringIO())
    expected = {
        "admin": reverse("admin:index"),
        "officer": INBOX,
        "officer-edu": INBOX,
        "leader": DASHBOARD,
        "leader-edu": DASHBOARD,
        "auditor": AUDIT,
        "leader-county": DASHBOARD,
        "leader-school": DASHBOARD,
        "officer-school": INBOX,
        "officer-health": INBOX,
        "leader-health": DASHBOARD,
        "officer-town-school": INBOX,
        "supervisor": reverse("evaluations:evaluator-home"),
        "deputy": reverse("evaluations:evaluator-home"),
    }
    assert set(expected) == set(DEMO_ACCOUNTS)
    for username, url in expected.items():
        client.logout()
        response = log_in(client, username, password=DEMO_PASSWORD)
        assert lands_on(response, url), username
        assert response.status_code == 200, username
