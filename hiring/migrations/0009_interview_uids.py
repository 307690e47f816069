"""Existing interviews get their calendar UIDs; a migration of its own, so that PostgreSQL never alters the table
in the transaction that updated its rows."""

import uuid

from django.db import migrations


def give_existing_interviews_a_uid(apps, schema_editor):
    """Each interview gets its own UID (a callable default is evaluated once for every existing row) and its
    creation time as the time of its last change."""
    Interview = apps.get_model("hiring", "Interview")
    batch = []
    for interview in Interview.objects.only("pk", "created_at").iterator(chunk_size=2000):
        interview.calendar_uid = uuid.uuid4()
        interview.changed_at = interview.created_at
        batch.append(interview)
        if len(batch) == 2000:
            Interview.objects.bulk_update(batch, ["calendar_uid", "changed_at"])
            batch = []
    Interview.objects.bulk_update(batch, ["calendar_uid", "changed_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("hiring", "0008_calendar"),
    ]

    operations = [
        migrations.RunPython(give_existing_interviews_a_uid, migrations.RunPython.noop),
    ]
