"""Every session on the database starts with jit off and short queries kept serial, including
ones that send no startup options (behind PgBouncer, DATABASE_POOLER=pgbouncer): migrate sets
them on the database."""

import uuid

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from jiufeng.database import database_defaults_set

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL database setting"),
]

DEFAULTS = [f"{name}={value}" for name, value in settings.DATABASE_SESSION_DEFAULTS.items()]
SETTINGS = """
    SELECT s.setrole, s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
    WHERE d.datname = current_database() ORDER BY s.setrole
"""


def settings_of(cursor) -> list:
    cursor.execute(SETTINGS)
    return cursor.fetchall()


@pytest.mark.skipif(
    settings.DATABASE_POOLER != "none",
    reason="a connection to the pooler is not a new server session: its server connection may predate migrate",
)
def test_a_session_without_startup_options_starts_with_jit_off():
    # As a process behind PgBouncer connects: no options (the test database, made by migrate).
    params = connection.get_connection_params()
    params.pop("options", None)
    with psycopg2.connect(**params) as raw, raw.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
        cursor.execute("SHOW parallel_setup_cost")
        assert cursor.fetchone() == ("5000",)
    raw.close()


def test_the_owner_sets_it_on_the_database_once():
    with connection.cursor() as cursor:
        assert settings_of(cursor) == [(0, DEFAULTS)]
        database_defaults_set()
        assert settings_of(cursor) == [(0, DEFAULTS)]


def test_a_role_that_does_not_own_the_database_sets_it_for_itself():
    role = f"jf_test_{uuid.uuid4().hex[:12]}"
    # All in the test's transaction, rolled back with it: the role, the settings.
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{connection.settings_dict["NAME"]}" RESET ALL')
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        database_defaults_set()
        cursor.execute("RESET ROLE")
        cursor.execute(f"SELECT oid FROM pg_roles WHERE rolname = '{role}'")
        (oid,) = cursor.fetchone()
        assert settings_of(cursor) == [(oid, DEFAULTS)]
