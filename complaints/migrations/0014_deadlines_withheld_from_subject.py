"""The complaint deadlines already in the ledger are withheld from their case's subject unit.

New deadlines get it when opened (complaints.services.complaint_file, transitions._stage_open);
this sets it on those opened before the column existed, in one statement.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def withhold(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Complaint = apps.get_model("complaints", "Complaint")
    Deadline = apps.get_model("responsibility", "Deadline")
    complaint_type = ContentType.objects.filter(app_label="complaints", model="complaint").first()
    if complaint_type is None:
        # A new database: no deadline was ever opened.
        return
    subject = Complaint.objects.filter(pk=OuterRef("object_id")).values("subject_unit")[:1]
    Deadline.objects.filter(content_type=complaint_type).update(withheld_from=Subquery(subject))


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0013_complaint_reviewing_unit"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("responsibility", "0006_deadline_withheld_from"),
    ]

    operations = [migrations.RunPython(withhold, migrations.RunPython.noop)]
