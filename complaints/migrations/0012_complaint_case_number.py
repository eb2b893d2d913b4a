"""Public case numbers (2026-000040): the counter per year, the field, and numbers for existing cases.

Existing cases are numbered per year of receipt (in the server's time zone) in order of
receipt, then of id; each year's counter is left at the last number given, so new filings
continue after them.
"""

from django.db import migrations, models
from django.utils import timezone

BATCH = 2000


def _number_existing(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    CaseNumberCounter = apps.get_model("complaints", "CaseNumberCounter")
    last: dict[int, int] = {}
    batch = []
    rows = Complaint.objects.order_by("received_at", "id").values_list("id", "received_at")
    for pk, received_at in rows.iterator(chunk_size=BATCH):
        year = timezone.localtime(received_at).year
        last[year] = last.get(year, 0) + 1
        batch.append(Complaint(id=pk, case_number=f"{year}-{last[year]:06d}"))
        if len(batch) == BATCH:
            Complaint.objects.bulk_update(batch, ["case_number"])
            batch = []
    Complaint.objects.bulk_update(batch, ["case_number"])
    CaseNumberCounter.objects.bulk_create([CaseNumberCounter(year=year, last=n) for year, n in last.items()])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0011_activity_corrections_measure_units_log_unit"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseNumberCounter",
            fields=[
                ("year", models.PositiveSmallIntegerField(primary_key=True, serialize=False, verbose_name="year")),
                ("last", models.PositiveIntegerField(default=0, verbose_name="last number given")),
            ],
            options={
                "verbose_name": "case number counter",
                "verbose_name_plural": "case number counters",
            },
        ),
        migrations.AddField(
            model_name="complaint",
            name="case_number",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="case number"),
        ),
        migrations.RunPython(_number_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="complaint",
            name="case_number",
            field=models.CharField(editable=False, max_length=16, unique=True, verbose_name="case number"),
        ),
    ]
