from django.db import migrations

from complaints.search import functions_create


class Migration(migrations.Migration):
    """The search document's function gets its own search_path, so a pg_dump restores (complaints.search)."""

    dependencies = [
        ("complaints", "0026_typical_cases"),
    ]

    operations = [
        migrations.RunPython(functions_create, migrations.RunPython.noop),
    ]
