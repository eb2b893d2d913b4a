"""Auditors change nothing: a write on any page, API or admin address is refused with 403 and
logged; reading still works; they never see a petitioner's identity."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent, AuditEventKind
from complaints.models import Complaint, ComplaintStatus, IdentityAccess
from jiufeng.roles import Role
from responsibility.models import Unit
from tests.factories import PASSWORD, UserFactory

from .conftest import token_client

pytestmark = pytest.mark.django_db

REFUSAL_EN = "Your role may read everything but change nothing."
REFUSAL_ZH = "您的角色只能查阅，不能作任何更改。"


def refusals():
    return list(
        AuditEvent.objects.filter(kind=AuditEventKind.WRITE_REFUSED)
        .order_by("id")
        .values_list("user__username", "method", "path", "address")
    )


def status_of(complaint):
    return Complaint.objects.values_list("status", flat=True).get(pk=complaint.pk)


def test_a_transition_on_the_case_page_is_refused_on_the_sites_403_page_and_logged(client, cast, accepted):
    client.force_login(cast.auditor)
    url = reverse("complaints:case-transition", args=[accepted.pk, "start_investigation"])
    response = client.post(url, {"start_investigation-version": accepted.version}, REMOTE_ADDR="192.0.2.5")
    assert response.status_code == 403
    # The site's page, in the site's language (Chinese unless the reader chose English).
    assert REFUSAL_ZH in response.content.decode() and "<html" in response.content.decode()
    assert status_of(accepted) == ComplaintStatus.ACCEPTED
    assert refusals() == [("auditor", "POST", url, "192.0.2.5")]


def test_the_refusal_page_follows_the_readers_language(client, cast, accepted):
    client.force_login(cast.auditor)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("complaints:case-transition", args=[accepted.pk, "accept"]))
    assert response.status_code == 403 and REFUSAL_EN in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_every_unsafe_api_method_with_a_token_is_refused_as_json_and_logged(cast, accepted, method):
    url = f"/api/v1/complaints/{accepted.pk}/transitions/start_investigation/"
    response = getattr(token_client(cast.auditor), method)(url, {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": REFUSAL_EN}
    assert status_of(accepted) == ComplaintStatus.ACCEPTED
    assert refusals() == [("auditor", method.upper(), url, "127.0.0.1")]


def test_an_api_write_in_the_auditors_session_is_refused_too(client, cast, accepted):
    client.force_login(cast.auditor)
    url = f"/api/v1/complaints/{accepted.pk}/messages/"
    response = client.post(url, {"body": "你好"}, content_type="application/json")
    assert response.status_code == 403 and "detail" in response.json()
    assert refusals() == [("auditor", "POST", url, "127.0.0.1")]


def test_an_open311_post_is_refused_as_json(client, cast):
    client.force_login(cast.auditor)
    response = client.post("/open311/v2/requests.json", {"service_code": "x"})
    assert response.status_code == 403 and "detail" in response.json()
    assert len(refusals()) == 1


def test_an_admin_post_is_refused_and_logged(client, cast):
    client.force_login(cast.auditor)
    url = reverse("admin:responsibility_unit_delete", args=[cast.units.school.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 403
    assert Unit.objects.filter(pk=cast.units.school.pk).exists()
    assert refusals() == [("auditor", "POST", url, "127.0.0.1")]


@pytest.mark.parametrize("path", ["/nowhere/<script>alert(1)</script>/", "/org/units/" + "x" * 2000])
def test_a_post_to_an_unknown_hostile_or_oversized_path_is_refused_and_its_path_kept_within_the_column(
    client, cast, path
):
    client.force_login(cast.auditor)
    assert client.post(path).status_code == 403
    [(_user, _method, kept, _address)] = refusals()
    assert kept == path[:500]


def test_without_a_csrf_token_the_write_is_still_refused_and_logged(cast, accepted):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.auditor)
    assert client.post(reverse("complaints:case-transition", args=[accepted.pk, "accept"])).status_code == 403
    assert len(refusals()) == 1


def test_reading_still_works_on_pages_and_the_api(client, cast, accepted):
    client.force_login(cast.auditor)
    assert client.get(reverse("complaints:case-detail", args=[accepted.pk])).status_code == 200
    assert token_client(cast.auditor).get("/api/v1/complaints/").status_code == 200
    assert token_client(cast.auditor).get(f"/api/v1/complaints/{accepted.pk}/history/").status_code == 200
    assert refusals() == []


def test_signing_out_switching_language_or_text_size_and_reading_the_inbox_stay_allowed(client, cast):
    client.post("/accounts/login/", {"username": "auditor", "password": PASSWORD})
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("text-size"), {"size": "large"}).status_code == 302
    assert client.post(reverse("inbox-read")).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert refusals() == []
    # Signing in again (as anyone) is no change either.
    assert client.post("/accounts/login/", {"username": "auditor", "password": PASSWORD}).status_code == 302
    assert APIClient().post("/api/v1/auth/token/", {"username": "auditor", "password": PASSWORD}).status_code == 200
    assert refusals() == []


def test_only_users_whose_every_role_is_read_only_are_refused(client, cast, accepted):
    both = UserFactory(username="auditor-officer", roles=[Role.AUDITOR, Role.OFFICER])
    superuser = UserFactory(username="root", roles=[Role.AUDITOR], is_superuser=True, is_staff=True)
    nobody = UserFactory(username="no-role")
    for user in (both, superuser, nobody, cast.county_officer):
        client.force_login(user)
        # Their own permissions decide (404, 409, 302...), never this refusal.
        response = client.post(reverse("complaints:case-transition", args=[accepted.pk, "reject"]))
        assert response.status_code != 403 or REFUSAL_ZH not in response.content.decode()
    assert refusals() == []


def test_a_bad_token_is_answered_by_the_view_and_nothing_is_logged(cast, accepted):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = api.post(f"/api/v1/complaints/{accepted.pk}/transitions/accept/", {}, format="json")
    assert response.status_code == 401
    assert refusals() == []


# --- Identities: that and when, never who -------------------------------------------------------


def test_the_auditor_never_reads_an_identity_on_the_api_or_the_page(client, cast, accepted):
    response = token_client(cast.auditor).get(f"/api/v1/complaints/{accepted.pk}/identity/")
    assert response.status_code == 403 and "张三" not in response.content.decode()
    client.force_login(cast.auditor)
    page = client.post(reverse("complaints:case-identity", args=[accepted.pk]))
    assert page.status_code == 403 and "张三" not in page.content.decode()
    assert "张三" not in client.get(reverse("complaints:case-detail", args=[accepted.pk])).content.decode()
    assert not IdentityAccess.objects.exists()
