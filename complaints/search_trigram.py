"""Trigram indexes for the lists' search (title or text containing the words), PostgreSQL only.

Since migration 0024 the lists search character bigrams (complaints.search) and the text's
index is dropped (``content_index_drop``): nothing reads it, and every filing paid for it. The
title's stays for the admin's search (``search_fields``, an ``icontains``). What follows is how
both were made, as migrations 0006 and the squashed 0001 still make them.

The search is Django's ``icontains``, which PostgreSQL runs as ``UPPER(column::text) LIKE
UPPER('%words%')``: GIN indexes over the same expressions with pg_trgm's operator class let
it find the few matching cases without reading every row. They stay out of the models'
state: SQLite has neither GIN nor pg_trgm (and rebuilds tables from that state), and there
the search reads every row, as before. Words of fewer than three characters give no
trigram: such a search still reads the table, bounded by the list's capped count.

Migrations run these (0006 and the squashed 0001 that replaces it), so they live in a
module of their own that both import. The DDL is written out because Django's own
``GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"))`` renders the operator class inside
the expression's parentheses, ``((UPPER("title") gin_trgm_ops))``, which PostgreSQL 15
refuses (tried with Django 5.2 through ``schema_editor.add_index``); it is schema, not a
write, and runs once per database.
"""

INDEXES = {"complaint_title_trgm": "title", "complaint_content_trgm": "content"}


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def indexes_create(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    table = schema_editor.quote_name(apps.get_model("complaints", "Complaint")._meta.db_table)
    # A trusted extension since PostgreSQL 13: the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {table} "
            f"USING gin (UPPER({schema_editor.quote_name(column)}) gin_trgm_ops)"
        )


def indexes_drop(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def content_index_drop(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute("DROP INDEX IF EXISTS complaint_content_trgm")
