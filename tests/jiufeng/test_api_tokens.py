"""API tokens: stored as hashes, expiring, ended by signing out of the API or of the website."""

import datetime

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
CASES = "/api/v1/complaints/"


def issued(user) -> tuple[APIClient, dict]:
    api = APIClient()
    body = api.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json").json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    return api, body


def test_a_token_is_issued_with_its_expiry_and_only_its_hash_is_stored(cast):
    api, body = issued(cast.county_officer)
    assert api.get(CASES).status_code == 200
    # Local time with its offset, as every datetime of the API.
    assert body["expiry"].endswith("+08:00")
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    assert datetime.timedelta(hours=9) < expiry - timezone.now() <= datetime.timedelta(hours=10)
    stored = AuthToken.objects.get(user=cast.county_officer)
    assert body["token"] not in {stored.digest, stored.token_key} and body["token"] not in str(
        AuthToken.objects.values().get()
    )


def test_an_expired_token_is_refused(cast):
    api, _body = issued(cast.county_officer)
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert api.get(CASES).status_code == 401
    assert not AuthToken.objects.exists()


def test_signing_out_of_the_api_ends_that_token_only(cast):
    first, _ = issued(cast.county_officer)
    second, _ = issued(cast.county_officer)
    assert first.post("/api/v1/auth/logout/").status_code == 204
    assert first.get(CASES).status_code == 401
    assert second.get(CASES).status_code == 200


def test_signing_out_everywhere_ends_every_token(cast):
    first, _ = issued(cast.county_officer)
    second, _ = issued(cast.county_officer)
    assert first.post("/api/v1/auth/logout-all/").status_code == 204
    assert second.get(CASES).status_code == 401


def test_signing_out_of_the_website_ends_the_users_tokens(client, cast):
    api, _ = issued(cast.county_officer)
    other, _ = issued(cast.county_leader)
    client.force_login(cast.county_officer)
    client.post("/accounts/logout/")
    assert api.get(CASES).status_code == 401
    assert other.get(CASES).status_code == 200


@pytest.mark.parametrize(
    "header", ["Token", "Token abc def", "Token " + "x" * 5000, "Token \u00e9\u00e9\u00e9", "Bearer abc"]
)
def test_malformed_tokens_are_refused_without_a_500(cast, header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    assert api.get(CASES).status_code in (401, 403)
