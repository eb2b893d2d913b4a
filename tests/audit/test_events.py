"""The event log: sign-ins, failed sign-ins and sign-outs on the login page, the admin's login
and the API's token endpoint, with the address and path; never a password."""

import ipaddress

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent, AuditEventKind
from complaints.models import IdentityAccess
from jiufeng.models import User
from tests.factories import PASSWORD

from .conftest import token_client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/v1/auth/token/"


def events():
    return list(AuditEvent.objects.order_by("id").values_list("kind", "user__username", "username", "method", "path"))


def no_password_kept(password: str) -> bool:
    return not any(password in str(value) for row in AuditEvent.objects.values() for value in row.values())


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_a_sign_in_on_the_login_pages_is_logged_with_address_and_path(client, cast, administrator, path):
    user = administrator if path == ADMIN_LOGIN else cast.auditor
    response = client.post(path, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert events() == [(AuditEventKind.LOGIN, user.username, user.username, "POST", path)]
    assert AuditEvent.objects.get().address == "203.0.113.7"


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_a_wrong_password_is_logged_with_the_username_tried_and_never_the_password(client, cast, path):
    response = client.post(path, {"username": "auditor", "password": "guess-123"})
    assert response.status_code == 200
    assert events() == [(AuditEventKind.LOGIN_FAILED, "auditor", "auditor", "POST", path)]
    assert no_password_kept("guess-123")


@pytest.mark.parametrize(
    "username",
    ["nobody-here", '<script>alert("x")</script>', "张三' OR 1=1 --", "x" * 5000],
)
def test_an_unknown_hostile_or_oversized_username_is_logged_as_typed_within_its_column(client, db, username):
    assert client.post(LOGIN, {"username": username, "password": "guess-123"}).status_code == 200
    [event] = AuditEvent.objects.all()
    assert (event.kind, event.user, event.username) == (AuditEventKind.LOGIN_FAILED, None, username[:150])


def test_a_missing_username_logs_nothing(client, db):
    # Nothing was tried: the form refuses it before any account is looked up.
    assert client.post(LOGIN, {"username": "", "password": "x"}).status_code == 200
    assert not AuditEvent.objects.exists()


def test_signing_out_is_logged_and_signing_out_when_signed_out_is_not(client, cast):
    client.post(LOGIN, {"username": "auditor", "password": PASSWORD})
    assert client.post(reverse("logout")).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert events() == [
        (AuditEventKind.LOGIN, "auditor", "auditor", "POST", LOGIN),
        (AuditEventKind.LOGOUT, "auditor", "auditor", "POST", "/accounts/logout/"),
    ]


def test_the_token_endpoint_logs_sign_ins_and_failures(cast):
    api = APIClient()
    good = api.post(TOKEN, {"username": "auditor", "password": PASSWORD}, format="json", REMOTE_ADDR="198.51.100.4")
    assert good.status_code == 200 and "token" in good.json()
    bad = api.post(TOKEN, {"username": "auditor", "password": "guess-123"}, format="json")
    assert bad.status_code == 400
    # Without a password nothing was tried: the serializer refuses before authenticating.
    assert api.post(TOKEN, {"username": "auditor"}, format="json").status_code == 400
    assert events() == [
        (AuditEventKind.LOGIN, "auditor", "auditor", "POST", TOKEN),
        (AuditEventKind.LOGIN_FAILED, "auditor", "auditor", "POST", TOKEN),
    ]
    assert AuditEvent.objects.first().address == "198.51.100.4"
    assert no_password_kept("guess-123") and no_password_kept(PASSWORD)


def test_a_sign_in_adds_no_row_to_the_users_history(client, cast):
    before = User.history.filter(id=cast.auditor.pk).count()
    client.post(LOGIN, {"username": "auditor", "password": PASSWORD})
    assert User.objects.get(pk=cast.auditor.pk).last_login is not None
    assert User.history.filter(id=cast.auditor.pk).count() == before


def test_behind_the_proxy_the_address_is_the_one_it_appended(client, cast, settings):
    settings.JIUFENG_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    client.post(
        LOGIN,
        {"username": "auditor", "password": "guess-123"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8",
    )
    assert AuditEvent.objects.get().address == "5.6.7.8"


# --- Identity reads keep their address ------------------------------------------------------


def test_an_identity_read_on_the_case_page_keeps_the_address(client, cast, accepted):
    client.force_login(cast.county_officer)
    response = client.post(reverse("complaints:case-identity", args=[accepted.pk]), REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 200
    access = IdentityAccess.objects.get()
    assert (access.user, access.via, access.address) == (cast.county_officer, "page", "192.0.2.10")


def test_an_identity_read_through_the_api_keeps_the_address(cast, accepted):
    response = token_client(cast.county_officer).get(
        f"/api/v1/complaints/{accepted.pk}/identity/", REMOTE_ADDR="192.0.2.11"
    )
    assert response.status_code == 200 and response.json()["name"] == "张三"
    access = IdentityAccess.objects.get()
    assert (access.user, access.via, access.address) == (cast.county_officer, "api", "192.0.2.11")
