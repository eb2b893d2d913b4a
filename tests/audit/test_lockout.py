"""Staff sign-in resists guessing (django-axes): after AXES_FAILURE_LIMIT wrong passwords for an
account, or from an address, the right password is refused too, with 429 and Retry-After, on
the login page, the admin and the API's token endpoint; the lockout is in the event log, and an
administrator lifts it."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent, AuditEventKind
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def sign_in(client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_wrong_passwords_for_an_account_lock_it_right_one_included(client, cast, limit):
    statuses = [sign_in(client, "county-officer", f"guess-{n}").status_code for n in range(limit)]
    assert statuses[:-1] == [200] * (limit - 1)
    locked = sign_in(client, "county-officer", PASSWORD)
    assert locked.status_code == 429
    assert 'data-testid="locked-out"' in locked.content.decode()
    assert 60 <= int(locked["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session
    # From another address too: the account is what is guessed.
    assert sign_in(client, "county-officer", PASSWORD, address="198.51.100.20").status_code == 429
    [lockout] = AuditEvent.objects.filter(kind=AuditEventKind.LOCKOUT, username="county-officer")[:1]
    assert lockout.user == cast.county_officer


def test_wrong_passwords_from_one_address_lock_the_address(client, cast, limit):
    for n in range(limit):
        sign_in(client, f"nobody-{n}", "guess")
    assert sign_in(client, "county-leader", PASSWORD).status_code == 429
    # The account itself is not locked: from elsewhere it signs in.
    assert sign_in(client, "county-leader", PASSWORD, address="198.51.100.21").status_code == 302


def test_an_administrator_lifts_a_lockout(client, admin_client, cast, limit):
    for n in range(limit):
        sign_in(client, "county-officer", f"guess-{n}")
    assert sign_in(client, "county-officer", PASSWORD).status_code == 429
    attempts = AccessAttempt.objects.filter(username="county-officer")
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and "county-officer" in changelist.content.decode()
    admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"},
    )
    assert not AccessAttempt.objects.filter(username="county-officer").exists()
    assert sign_in(client, "county-officer", PASSWORD, address="198.51.100.22").status_code == 302


def test_the_token_endpoint_locks_the_same_way_and_answers_json(cast, limit):
    api = APIClient(REMOTE_ADDR="192.0.2.30", HTTP_ACCEPT_LANGUAGE="zh-CN")
    for n in range(limit):
        api.post(TOKEN, {"username": "county-leader", "password": f"guess-{n}"}, format="json")
    locked = api.post(TOKEN, {"username": "county-leader", "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert "token" not in locked.json() and "暂停" in locked.json()["detail"]
    assert int(locked["Retry-After"]) > 0


def test_the_admin_login_locks_too(client, cast, limit):
    admin_login = reverse("admin:login")
    for n in range(limit):
        client.post(admin_login, {"username": "county-officer", "password": f"guess-{n}"}, REMOTE_ADDR="192.0.2.40")
    locked = client.post(admin_login, {"username": "county-officer", "password": PASSWORD}, REMOTE_ADDR="192.0.2.40")
    assert locked.status_code == 429
