"""Session defaults the PostgreSQL database holds for whoever connects to it.

A process behind a transaction pooler (DATABASE_POOLER=pgbouncer) cannot set anything
for its session: PgBouncer refuses the ``options`` startup parameter and lends each
transaction any server connection. What every session must have is therefore set on the
database itself, after every migrate (jiufeng.apps): it applies to each new server
connection, pooled or direct, and a database restored from a dump without its
``ALTER DATABASE`` settings gets them back at the next deployment's migrate.
"""

from django.conf import settings
from django.db import connections

# The owner of the database (or a superuser) sets a default for everyone connecting; any
# other role sets it for itself in this database, which is all the application's
# connections. A no-op when already set, as after every test-database flush.
_SET = """
DO $$
DECLARE
    db text := current_database();
BEGIN
    IF EXISTS (
        SELECT FROM pg_catalog.pg_db_role_setting s
        JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
        WHERE d.datname = db
          AND s.setrole IN (0, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
          AND %s = ANY (s.setconfig)
    ) THEN
        RETURN;
    END IF;
    BEGIN
        EXECUTE format('ALTER DATABASE %%I SET {name} = %%L', db, %s);
    EXCEPTION WHEN insufficient_privilege THEN
        EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %%I SET {name} = %%L', db, %s);
    END;
END
$$
"""


def database_defaults_set(*, using: str = "default") -> None:
    """Make every new session on this PostgreSQL database start with settings.DATABASE_SESSION_DEFAULTS (idempotent)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, value in settings.DATABASE_SESSION_DEFAULTS.items():
            # The name is a setting's name from the settings module (an identifier); values travel as parameters.
            cursor.execute(_SET.format(name=name), [f"{name}={value}", value, value])
