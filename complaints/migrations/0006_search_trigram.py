"""Trigram indexes for the lists' search: see complaints.search_trigram."""

from django.db import migrations

from complaints.search_trigram import indexes_create, indexes_drop


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_complaint_due_at")]

    operations = [migrations.RunPython(indexes_create, indexes_drop)]
