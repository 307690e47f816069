"""Stored rubric hashes cover the rubric part of the published file only (exercises are a library, not versioned).

Without this, the first load of unchanged rubric files after the upgrade would publish a new version of every role.
"""

import hashlib
import json

from django.db import migrations


def rubric_part_hash(source):
    # The same text as scorecards.rubric_io.content_hash, written out so the migration never changes with it.
    payload = {"rubric": source["rubric"]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def rehash(apps, schema_editor):
    Rubric = apps.get_model("scorecards", "Rubric")
    for rubric in Rubric.objects.only("pk", "source", "content_hash").iterator():
        digest = rubric_part_hash(rubric.source)
        if digest != rubric.content_hash:
            Rubric.objects.filter(pk=rubric.pk).update(content_hash=digest)


class Migration(migrations.Migration):

    dependencies = [
        ("scorecards", "0003_leniency_residuals"),
    ]

    operations = [
        migrations.RunPython(rehash, migrations.RunPython.noop),
    ]
