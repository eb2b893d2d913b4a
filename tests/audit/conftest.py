import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from complaints import transitions as t
from complaints.models import Category
from tests.factories import UserFactory, complaint_filed


@pytest.fixture
def category(db):
    return Category.objects.add_root({"code": "fees", "name": "乱收费"})


@pytest.fixture
def accepted(cast, category):
    """A case about the school, filed and accepted through the services; investigating is next."""
    complaint, _code = complaint_filed(category=category, subject_unit=cast.units.school, anonymous=False)
    return t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def token_client(user) -> APIClient:
    """An API client carrying the user's token, as API clients sign in; English answers."""
    client = APIClient()
    client.cookies["django_language"] = "en"
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
