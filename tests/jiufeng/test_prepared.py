"""Raw statements run on every filing and transition are planned once per connection (jiufeng.bulk.execute_prepared)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiufeng.bulk import execute_prepared

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

SQL = "SELECT %s || '%%', %s::int + 1"


def run(*params):
    with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
        execute_prepared(cursor, SQL, list(params))
        row = cursor.fetchone()
    return row, [query["sql"].split()[0] for query in captured.captured_queries]


def test_a_statement_is_prepared_once_and_then_only_executed_with_its_parameters():
    first, statements = run("甲", 1)
    assert first == ("甲%", 2)
    assert statements == ["PREPARE", "EXECUTE"]
    again, statements = run("it's; DROP TABLE x", 41)
    assert again == ("it's; DROP TABLE x%", 42)
    assert statements == ["EXECUTE"]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again():
    run("a", 1)
    # As after CONN_MAX_AGE or a lost connection: the new server session knows nothing prepared.
    connection.close()
    row, statements = run("b", 2)
    assert row == ("b%", 3)
    assert statements == ["PREPARE", "EXECUTE"]


def test_prepared_statements_run_generic_plans_and_nothing_is_jit_compiled():
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
