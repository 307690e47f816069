"""Anchors per point 1-5 with who wrote them, a stable key per dimension, change notes, drafts, and the
"Rubric editors" group holding the new edit_rubric permission."""

import hashlib
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils.text import slugify

LEGACY = {"concerns": "1", "meets": "3", "exceeds": "5"}
POINTS = ("1", "2", "3", "4", "5")


def _anchors_from_legacy(legacy):
    anchors = {point: {"text": "", "source": ""} for point in POINTS}
    for name, point in LEGACY.items():
        text = (legacy or {}).get(name, "") or ""
        if text.strip():
            anchors[point] = {"text": text.strip(), "source": "document"}
    return anchors


def forwards(apps, schema_editor):
    """Existing anchors came from the documents (the loader only read their columns), so they keep that source.

    The stored specifications are rewritten in the new shape and rehashed, so loading the same file again still
    publishes nothing.
    """
    Dimension = apps.get_model("scorecards", "Dimension")
    Rubric = apps.get_model("scorecards", "Rubric")
    for dimension in Dimension.objects.all():
        dimension.key = slugify(dimension.name)[:80] or f"dimension-{dimension.position}"
        dimension.anchors = _anchors_from_legacy(
            {"concerns": dimension.anchor_concerns, "meets": dimension.anchor_meets, "exceeds": dimension.anchor_exceeds}
        )
        dimension.save(update_fields=["key", "anchors"])
    for rubric in Rubric.objects.all():
        spec = rubric.source or {}
        for dimension in (spec.get("rubric") or {}).get("dimensions") or []:
            dimension.setdefault("key", slugify(dimension.get("name", ""))[:80])
            anchors = dimension.get("anchors") or {}
            if not set(anchors) <= set(POINTS):
                dimension["anchors"] = _anchors_from_legacy(anchors)
        rubric.source = spec
        payload = {"rubric": spec.get("rubric")}
        rubric.content_hash = hashlib.sha256(
            json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        rubric.save(update_fields=["source", "content_hash"])


def create_editor_group(apps, schema_editor):
    """Permissions are normally made after migrating; the group needs this one now."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="scorecards", model="rubric")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="edit_rubric",
        defaults={"name": "Can edit rubric drafts and publish rubric versions"},
    )
    group, _ = Group.objects.get_or_create(name="Rubric editors")
    group.permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ("scorecards", "0008_rater_model_fit"),
        ("hiring", "0017_text_limits_and_label_checks"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="rubric",
            options={
                "ordering": ["role", "-version"],
                "permissions": [("edit_rubric", "Can edit rubric drafts and publish rubric versions")],
            },
        ),
        migrations.AddField(
            model_name="rubric",
            name="change_note",
            field=models.TextField(
                blank=True, help_text="Why this version was published (required when published from the editor)."
            ),
        ),
        migrations.AddField(
            model_name="dimension",
            name="key",
            field=models.SlugField(default="", max_length=80),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dimension",
            name="anchors",
            field=models.JSONField(
                default=dict,
                help_text="What each point looks like: {'1': {'text': ..., 'source': 'document' | 'team'}, ... '5': ...}.",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(create_editor_group, migrations.RunPython.noop),
        migrations.RemoveField(model_name="dimension", name="anchor_meets"),
        migrations.RemoveField(model_name="dimension", name="anchor_exceeds"),
        migrations.RemoveField(model_name="dimension", name="anchor_concerns"),
        migrations.AddConstraint(
            model_name="dimension",
            constraint=models.UniqueConstraint(fields=("rubric", "key"), name="dimension_unique_key_per_rubric"),
        ),
        migrations.CreateModel(
            name="RubricDraft",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("document", models.JSONField(help_text="The draft as a rubric document (fixtures/rubrics/FORMAT.md).")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("revision", models.PositiveIntegerField(default=1)),
                (
                    "based_on",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="scorecards.rubric"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "role",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="rubric_draft", to="hiring.role"
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
