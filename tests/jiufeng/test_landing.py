"""After logging in, each role lands where its work is; a safe ``next`` wins."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from jiufeng.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

APPROVALS = "/cases/approvals/"
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


def test_each_role_of_the_cast_lands_where_its_work_is(client, cast):
    expected = {
        cast.county_officer: INBOX,
        cast.bureau_officer: INBOX,
        cast.county_leader: APPROVALS,
        cast.bureau_leader: APPROVALS,
        cast.auditor: AUDIT,
    }
    for user, url in expected.items():
        client.logout()
        response = log_in(client, user.username)
        assert landed(response) == url, user.username
        assert response.status_code == 200, user.username


def test_an_administrator_lands_in_the_administration(client):
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    response = log_in(client, admin.username)
    assert landed(response) == reverse("admin:index")
    assert response.status_code == 200


def test_several_roles_land_by_precedence_and_only_on_a_page_the_user_may_open(client):
    leader_and_officer = UserFactory(roles=[Role.OFFICER, Role.LEADER])
    assert landed(log_in(client, leader_and_officer.username)) == APPROVALS
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
    assert chain[-1] == APPROVALS
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
        "leader": APPROVALS,
        "leader-edu": APPROVALS,
        "auditor": AUDIT,
        "leader-county": APPROVALS,
        "leader-school": APPROVALS,
        "officer-school": INBOX,
        "officer-health": INBOX,
        "leader-health": APPROVALS,
        "officer-town-school": INBOX,
    }
    assert set(expected) == set(DEMO_ACCOUNTS)
    for username, url in expected.items():
        client.logout()
        response = log_in(client, username, password=DEMO_PASSWORD)
        assert landed(response) == url, username
        assert response.status_code == 200, username
