from django.db import migrations, models


def due_at_backfill(apps, schema_editor):
    """Copy each case's earliest open deadline from the ledger onto the new column.

    Only cases with an open deadline are written (the column starts NULL everywhere), in one
    statement that runs on PostgreSQL and SQLite. A fresh database has no content type yet,
    and so no deadline to copy.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="complaints", model="complaint").first()
    if content_type is None:
        return
    quote = schema_editor.quote_name
    complaint = quote(apps.get_model("complaints", "Complaint")._meta.db_table)
    deadline = quote(apps.get_model("responsibility", "Deadline")._meta.db_table)
    schema_editor.execute(
        f"UPDATE {complaint} SET due_at = ("
        f"SELECT MIN(d.due_at) FROM {deadline} d "
        f"WHERE d.content_type_id = %s AND d.object_id = {complaint}.id AND d.met_at IS NULL"
        f") WHERE id IN (SELECT object_id FROM {deadline} WHERE content_type_id = %s AND met_at IS NULL)",
        [content_type.pk, content_type.pk],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_list_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("responsibility", "0004_campaign_tags_and_proposals"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="due at"),
        ),
        # Before the indexes: building them once over the filled column beats updating them row by row.
        migrations.RunPython(due_at_backfill, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="complaint", name="complaint_waiting"),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["submitted", "accepted", "investigating", "pending_approval", "under_review"])
                ),
                fields=["due_at", "id"],
                name="complaint_waiting_due",
            ),
        ),
    ]
