import pytest

from .processes import PG_BIN, PrivatePostgres


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
