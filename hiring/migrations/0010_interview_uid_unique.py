import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hiring", "0009_interview_uids"),
    ]

    operations = [
        migrations.AlterField(
            model_name="interview",
            name="calendar_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
