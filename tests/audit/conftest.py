"""The audit tests' case (filed and accepted through the services, its history sealed or not
yet), an administrator, an API client by token; English answers."""

import pytest
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.chain import chained_tables, seal
from complaints import transitions as t
from complaints.models import Category, Complaint
from tests.factories import UserFactory, complaint_filed


@pytest.fixture
def category(db):
    return Category.objects.add_root({"code": "fees", "name": "乱收费"})


@pytest.fixture
def accepted(cast, category):
    """A case about the school, filed and accepted through the services; investigating is next."""
    complaint, _code = complaint_filed(category=category, subject_unit=cast.units.school, anonymous=False)
    return t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer, note="受理")


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
    _instance, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def sealed(accepted):
    seal()
    return accepted


def table(model) -> object:
    """The chained table of ``model``, as the sealer sees it."""
    return next(table for table in chained_tables() if table.model is model)


def complaint_history():
    return table(Complaint.history.model)
