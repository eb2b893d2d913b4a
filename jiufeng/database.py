"""Session defaults the PostgreSQL database holds for whoever connects to it.

A process behind a transaction pooler (DATABASE_POOLER=pgbouncer) cannot set anything
for its session: PgBouncer refuses the ``options`` startup parameter and lends each
transaction any server connection. What every session must have is therefore set on the
database itself, after every migrate (jiufeng.apps): it applies to each new server
connection, pooled or direct, and a database restored from a dump without its
``ALTER DATABASE`` settings gets them back at the next deployment's migrate.
"""

from django.db import connections

# jit: these are short OLTP queries; JIT compiled the inbox's capped count for ~150 ms to
# save nothing (jiufeng.settings sends the same as a startup option to direct connections).
# The owner of the database (or a superuser) sets it for everyone connecting; any other
# role sets it for itself in this database, which is all the application's connections.
# A no-op when already set, as after every test-database flush.
_JIT_OFF = """
DO $$
DECLARE
    db text := current_database();
BEGIN
    IF EXISTS (
        SELECT FROM pg_catalog.pg_db_role_setting s
        JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
        WHERE d.datname = db
          AND s.setrole IN (0, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
          AND 'jit=off' = ANY (s.setconfig)
    ) THEN
        RETURN;
    END IF;
    BEGIN
        EXECUTE format('ALTER DATABASE %I SET jit = off', db);
    EXCEPTION WHEN insufficient_privilege THEN
        EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I SET jit = off', db);
    END;
END
$$
"""


def database_defaults_set(*, using: str = "default") -> None:
    """Make every new session on this PostgreSQL database start with jit off (idempotent)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_JIT_OFF)
