import pytest

from tests.responsibility.test_escalation_redis_restart import PrivateRedis

from .processes import PG_BIN, PrivatePostgres


@pytest.fixture
def broker():
    """A private redis-server, the app's cache and broker, to stop and start at will."""
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def private_postgres():
    """A PostgreSQL cluster of the fault tests' own, to restore into and to restart."""
    if PG_BIN is None:
        pytest.skip("needs PostgreSQL's server programs (/usr/lib/postgresql/*/bin)")
    cluster = PrivatePostgres()
    try:
        cluster.init()
        cluster.pg_ctl("start")
        yield cluster
    finally:
        cluster.remove()
