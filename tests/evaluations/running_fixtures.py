"""Fixtures of the running and evaluator pages: clients logged in as the cast, a supervisor, a category."""

import datetime

import pytest
from django.utils import timezone

from complaints.models import Category
from evaluations.models import Evaluator, EvaluatorGroup
from jiufeng.roles import Role
from tests.factories import UserFactory

TODAY = timezone.localdate()
YEAR = datetime.timedelta(days=365)


def evaluator_make(
    *, cast, group=EvaluatorGroup.SUPERVISOR, observes=(), term_start=None, term_end=None, phone="13900001111"
):
    """An evaluator appointed by the county (as evaluator_appoint would leave one, without its form)."""
    user = UserFactory(roles=[Role.EVALUATOR], phone=phone)
    evaluator = Evaluator.objects.create(
        user=user,
        group=group,
        appointed_by=cast.units.county,
        term_start=term_start or TODAY - YEAR,
        term_end=term_end or TODAY + YEAR,
    )
    evaluator.observes.set(observes)
    return evaluator


@pytest.fixture
def supervisor(cast):
    """A conduct supervisor of the county in term, observing the bureau and its school."""
    return evaluator_make(cast=cast, observes=[cast.units.bureau, cast.units.school])


@pytest.fixture
def deputy(cast):
    return evaluator_make(cast=cast, group=EvaluatorGroup.REPRESENTATIVE, phone="13900002222")


@pytest.fixture
def fees(db):
    return Category.objects.add_root({"code": "fees", "name": "乱收费"})


@pytest.fixture
def as_user(client):
    """Log the client in as a user, in Chinese (the default language)."""

    def log_in(user):
        client.force_login(user)
        return client

    return log_in
