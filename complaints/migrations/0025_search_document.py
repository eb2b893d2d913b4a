"""The lists' search: character bigrams of the title and text, a generated column under a GIN index.

See complaints.search. On PostgreSQL the functions come first (the column calls them), the
index last; adding the column computes it for every case (a rewrite of the table: run it
in a quiet window on a large one). The text's trigram index goes: the search no longer
reads it.
"""

import django.contrib.postgres.search
from django.db import migrations, models

import complaints.search
import complaints.search_trigram


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0024_identity_encrypted"),
    ]

    operations = [
        migrations.RunPython(complaints.search.functions_create, complaints.search.functions_drop),
        migrations.AddField(
            model_name="complaint",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=complaints.search.SearchDocument(models.F("title"), models.F("content")),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        migrations.RunPython(complaints.search.index_create, complaints.search.index_drop),
        migrations.RunPython(complaints.search_trigram.content_index_drop, complaints.search_trigram.indexes_create),
    ]
