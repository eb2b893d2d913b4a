"""The smoke suite: the embedded default that `make run` serves (SQLite, kombu's filesystem
broker, the file cache), driven as its users drive it.

`make test` runs it last (`make smoke`), in a pytest of its own, with no server:

    DATABASE_URL=sqlite:///$tmp/db.sqlite3 REDIS_URL= JIUFENG_VAR_DIR=$tmp pytest -m smoke tests/smoke

The main run deselects it (``-m "not smoke"`` in pyproject's addopts): it is built for SQLite
and says so in its first test, the main run is PostgreSQL's.

``django_db_setup`` creates the test database by running every migration (an SQLite test
database lives in memory, so each run migrates from nothing, and DATABASE_URL's own file is
never touched); ``seeded`` then runs seed_demo twice, once for the session. The tests run
outside any wrapping transaction, as requests to a running site do: writes commit and their
on-commit work reaches the filesystem broker. Each test files the complaints it needs, so
none depends on another having run.
"""

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command


@dataclass(frozen=True)
class Seeded:
    first: str
    second: str
    rows_after_first: dict[str, int]
    rows_after_second: dict[str, int]


def _rows() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="session", autouse=True)
def var_folders():
    """The folders `make var` creates beside the broker's: WhiteNoise warns without STATIC_ROOT."""
    for folder in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        Path(folder).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def fast_password_hashing():
    """Passwords are hashed as `make run` hashes them (tests/conftest.py's MD5 stands aside):
    the demo accounts are created in the session fixture, before any test's settings apply."""


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """The test database, always new and migrated from nothing.

    pytest-django's own sets up only the databases that tests ask for with a django_db
    marker or the db fixture, each of which wraps a test in a transaction or flushes after
    it; these tests have neither, and would otherwise reach DATABASE_URL's own file.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=0)


@pytest.fixture(scope="session")
def seeded(django_db_setup, django_db_blocker) -> Seeded:
    with django_db_blocker.unblock():
        first = _seed()
        rows_after_first = _rows()
        second = _seed()
        return Seeded(first, second, rows_after_first, _rows())


@pytest.fixture
def demo(seeded, django_db_blocker) -> Seeded:
    """The seeded demo, and the database open to the test without a transaction around it."""
    with django_db_blocker.unblock():
        yield seeded
