"""Staff's second factor: set up with a QR code, passed at every sign-in, recovery codes, the API token."""

import datetime

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from audit.models import AuditEvent, AuditEventKind
from jiufeng.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SETUP = "/accounts/two-factor/"
VERIFY = "/accounts/two-factor/verify/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def required(settings):
    settings.JIUFENG_TWO_FACTOR_REQUIRED = True


def code_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + steps_ahead * device.step
    return f"{totp.token():06d}"


def sign_in(client, user, *, next_url: str = "/cases/"):
    return client.post(f"{LOGIN}?next={next_url}", {"username": user.username, "password": PASSWORD, "next": next_url})


def enrolled(client, user) -> tuple[TOTPDevice, list[str]]:
    """Sign in and set up an authenticator: the device and the recovery codes shown."""
    sign_in(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"token": code_now(device)})
    codes = [code.strip() for code in response.context["codes"]]
    return device, codes


def test_when_required_an_officer_signing_in_is_sent_to_set_up_and_reaches_nothing_else(client, cast, required):
    response = sign_in(client, cast.county_officer)
    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0].startswith(SETUP)
    assert "<svg" in page.content.decode() and 'data-testid="totp-key"' in page.content.decode()
    for path in ("/cases/", "/org/", "/admin/", "/audit/"):
        assert client.get(path)["Location"].startswith(f"{SETUP}?next=")
    assert client.get("/api/v1/complaints/").status_code == 403


def test_a_code_from_the_app_sets_it_up_shows_ten_recovery_codes_once_and_opens_the_pages(client, cast, required):
    device, codes = enrolled(client, cast.county_officer)
    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == len(set(codes)) == 10
    assert client.get("/cases/").status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEventKind.SECOND_FACTOR_SET_UP, user=cast.county_officer).exists()


def test_a_wrong_code_does_not_set_it_up(client, cast, required):
    sign_in(client, cast.county_officer)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=cast.county_officer)
    wrong = f"{(int(code_now(device)) + 1) % 1000000:06d}"
    response = client.post(SETUP, {"token": wrong})
    assert "不正确" in response.content.decode() or "not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/cases/").status_code == 302


def test_the_next_sign_in_asks_for_a_code_and_a_wrong_one_is_logged_and_slows_the_next(client, cast, required):
    user = cast.county_officer
    device, _codes = enrolled(client, user)
    client.post("/accounts/logout/")
    response = sign_in(client, user)
    assert client.get("/cases/")["Location"].startswith(f"{VERIFY}?next=")
    response = client.post(VERIFY, {"token": "000000", "next": "/cases/"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEventKind.SECOND_FACTOR_FAILED, user=user).count() == 1
    # Right away, even the right code waits for the throttle (django-otp: 1 s after one failure).
    response = client.post(VERIFY, {"token": code_now(device, steps_ahead=1), "next": "/cases/"})
    assert response.status_code == 200
    assert "秒" in response.content.decode() or "seconds" in response.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=10)
    )
    response = client.post(VERIFY, {"token": code_now(device, steps_ahead=1), "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200


def test_a_recovery_code_signs_in_once(client, cast, required):
    user = cast.county_officer
    _device, codes = enrolled(client, user)
    for attempt in range(2):
        client.post("/accounts/logout/")
        sign_in(client, user)
        response = client.post(VERIFY, {"token": codes[0].upper(), "next": "/cases/"})
        if attempt == 0:
            assert response.status_code == 302
        else:
            assert response.status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_renewed_recovery_codes_replace_the_old_ones(client, cast, required):
    user = cast.county_officer
    _device, old = enrolled(client, user)
    response = client.post("/accounts/two-factor/recovery-codes/")
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new)


def test_a_next_pointing_elsewhere_is_not_followed(client, cast, required):
    user = cast.county_officer
    device, _codes = enrolled(client, user)
    client.post("/accounts/logout/")
    sign_in(client, user)
    response = client.post(VERIFY, {"token": code_now(device, steps_ahead=1), "next": "https://evil.example/"})
    assert response["Location"] == "/start/"


@pytest.mark.parametrize("token", ["", "x" * 33, "<script>alert(1)</script>", "１２３４５６", "12 34 56 78"])
def test_hostile_or_oversized_codes_are_refused_without_a_500(client, cast, required, token):
    user = cast.county_officer
    enrolled(client, user)
    client.post("/accounts/logout/")
    sign_in(client, user)
    response = client.post(VERIFY, {"token": token, "next": "/cases/"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert client.get("/cases/").status_code == 302


def test_when_not_required_staff_without_a_device_go_on_and_those_with_one_still_pass_it(client, cast):
    assert client.get("/cases/").status_code == 302  # not signed in: the login page
    sign_in(client, cast.county_officer)
    assert client.get("/cases/").status_code == 200
    client.post("/accounts/logout/")
    device, _codes = enrolled(client, cast.county_leader)
    client.post("/accounts/logout/")
    sign_in(client, cast.county_leader)
    assert client.get("/cases/")["Location"].startswith(VERIFY)


def test_petitioners_and_evaluators_are_never_asked(client, required):
    for role in (Role.PETITIONER, Role.EVALUATOR):
        user = UserFactory(roles=[role])
        client.force_login(user)
        assert not client.get("/inbox/").get("Location", "").startswith((SETUP, VERIFY))


def test_an_auditor_may_set_up_their_own_second_factor(client, cast, required):
    device, codes = enrolled(client, cast.auditor)
    device.refresh_from_db()
    assert device.confirmed and len(codes) == 10
    assert not AuditEvent.objects.filter(kind=AuditEventKind.WRITE_REFUSED).exists()


def test_the_api_token_needs_the_code_from_whoever_uses_two_step_verification(client, cast, required):
    api = APIClient()
    user = cast.county_officer
    pair = {"username": user.username, "password": PASSWORD}
    response = api.post(TOKEN, pair, format="json")
    assert response.status_code == 400 and "otp_token" in response.json()
    device, _codes = enrolled(client, user)
    assert api.post(TOKEN, pair, format="json").json().keys() == {"otp_token"}
    response = api.post(TOKEN, {**pair, "otp_token": "123"}, format="json")
    assert response.status_code == 400
    assert AuditEvent.objects.filter(kind=AuditEventKind.SECOND_FACTOR_FAILED, user=user).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    response = api.post(TOKEN, {**pair, "otp_token": code_now(device, steps_ahead=1)}, format="json")
    assert response.status_code == 200 and response.json()["token"]


def test_the_production_default_requires_it_and_the_demo_does_not(monkeypatch):
    from jiufeng import env

    assert env.env_bool("JIUFENG_TWO_FACTOR_REQUIRED", not False) is True
    assert env.env_bool("JIUFENG_TWO_FACTOR_REQUIRED", not True) is False


def _idle_for(client, minutes: int) -> None:
    session = client.session
    session["jiufeng_last_seen"] -= minutes * 60
    session.save()


def test_a_staff_session_idle_past_the_limit_ends_and_the_login_brings_them_back(client, cast, settings):
    settings.JIUFENG_IDLE_TIMEOUT_MINUTES = 30
    sign_in(client, cast.county_officer)
    assert client.get("/cases/").status_code == 200
    _idle_for(client, 29)
    assert client.get("/cases/").status_code == 200
    _idle_for(client, 31)
    response = client.get("/cases/")
    assert response["Location"] == "/accounts/login/?next=%2Fcases%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "30" in page.content.decode()


def test_the_api_answers_401_to_an_idle_staff_session(client, cast):
    sign_in(client, cast.county_officer)
    client.get("/cases/")
    _idle_for(client, 120)
    response = client.get("/api/v1/complaints/")
    assert response.status_code == 401 and response.json()["detail"]


def test_petitioners_sessions_do_not_time_out_this_way(client):
    petitioner = UserFactory(roles=[Role.PETITIONER])
    client.force_login(petitioner)
    assert "jiufeng_last_seen" not in client.session
    assert client.get("/inbox/").status_code == 200
    assert "_auth_user_id" in client.session


def test_pages_ask_django_otp_about_devices_once_per_session_not_per_request(client, cast, required):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    enrolled(client, cast.county_officer)
    client.get("/cases/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/inbox/").status_code == 200
    # The verified device is read back from the session (one query), no device lists.
    assert [q["sql"] for q in queries if "otp_static" in q["sql"]] == []
    assert len([q for q in queries if "otp_totp" in q["sql"]]) <= 1
