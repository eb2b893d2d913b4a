# REST framework's plain tokens gave way to django-rest-knox's hashed, expiring ones
# (jiufeng.auth_token). The old table, left behind once rest_framework.authtoken left
# INSTALLED_APPS, still holds usable tokens in clear and blocks test flushes (its key to
# the user table): drop it where it exists.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("jiufeng", "0011_alter_user_options")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
