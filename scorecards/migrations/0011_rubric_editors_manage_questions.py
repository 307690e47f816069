"""Rubric editors manage the question bank too: questions belong to the rubric's dimensions, and the bank's pages
let in whoever holds ``scorecards.change_question``."""

from django.db import migrations


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are normally made after migrating; the group needs this one now.
    content_type, _ = ContentType.objects.get_or_create(app_label="scorecards", model="question")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="change_question", defaults={"name": "Can change question"},
    )
    group, _ = Group.objects.get_or_create(name="Rubric editors")
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="Rubric editors").first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(codename="change_question"))


class Migration(migrations.Migration):

    dependencies = [
        ("scorecards", "0010_question_bank_and_evidence_flags"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
