"""Every operation of /api/schema/, tried by schemathesis against the app itself: no 5xx, every
status documented, every body and content type as the schema says.

The demo data (seed_demo) is loaded first, so lists have rows in every state to validate and
path ids, tracking codes and appraisal codes are drawn half the time from ones that exist
(schemathesis "dictionaries"), the other half generated. Each operation runs anonymously and
with the county officer's token, a bounded number of examples per operation and phase, with a
fixed seed and derandomised generation: the same cases on every run.

The requests go through Django's WSGI handler in the test's thread and transaction (as
Django's test client does, without closing the connection between requests), so what one
case writes the next sees, and the test's rollback removes it all.
"""

import io

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from knox.models import AuthToken
from schemathesis.config import SchemathesisConfig

from complaints.models import Activity, Complaint
from demo.cases import DEMO_CODES
from evaluations.models import Appraisal
from jiufeng.models import User
from responsibility.models import Pledge, RectificationItem, Unit, Visit

# Examples per operation in the fuzzing phase; the examples and coverage phases add their own.
MAX_EXAMPLES = 25
SEED = 19
# GeoReport v2 answers every error that is not 403, 404 or 429 with 400 (its error list says
# 405 inside), so a method it does not serve is 400, not the 405 schemathesis expects.
OPEN311 = "^/open311/"

# Cases run, per test, for the figures in docs/progress/schema-and-matrix.md (pytest -s prints them).
CASES = {"anonymous": 0, "officer": 0}


@pytest.fixture(scope="module", autouse=True)
def cases_counted():
    yield
    print(f"\nschemathesis cases run: {CASES}")


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def _ids(*models) -> list[int]:
    """Ids that exist, of every model a path parameter names (the ids of different tables overlap)."""
    return sorted({pk for model in models for pk in model.objects.values_list("pk", flat=True)[:20]})


@pytest.fixture
def api_schema(demo, settings):
    # The WSGI client's Host.
    settings.ALLOWED_HOSTS = ["localhost"]
    # As Django's test client: the connection holds the test's transaction, so it stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    codes = list(DEMO_CODES.values())
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "dictionaries": {
                "ids": {"values": _ids(Complaint, Unit, Pledge, Visit, RectificationItem, Appraisal)},
                "activities": {"values": _ids(Activity)},
                "codes": {"values": codes},
            },
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            # "Schema-valid input must be accepted" cannot hold here: a schema cannot say "a unit
            # in your scope", "a category that exists" or "a year the office has figures for",
            # and refusing those is a 400 the schema documents.
            "checks": {"positive_data_acceptance": {"enabled": False}},
            "parameters": {
                "path.id": {"dictionary": "ids", "probability": 0.5},
                "path.activity_id": {"dictionary": "activities", "probability": 0.5},
                "path.code": {"dictionary": "codes", "probability": 0.5},
                "header.X-Tracking-Code": {"dictionary": "codes", "probability": 0.5},
            },
            "operations": [{"include-path-regex": OPEN311, "checks": {"unsupported_method": {"enabled": False}}}],
        }
    )
    yield schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=config)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def officer_token(demo) -> str:
    _instance, token = AuthToken.objects.create(user=User.objects.get(username="officer"))
    return token


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_api_answers_as_documented(case, officer_token):
    """Each case is sent twice: anonymously, and with the county officer's token."""
    CASES["anonymous"] += 1
    case.call_and_validate()
    CASES["officer"] += 1
    case.call_and_validate(headers={"Authorization": f"Token {officer_token}"})
