"""The audit trail is append-only in the database too (PostgreSQL).

A trigger refuses every DELETE and every UPDATE of ``hiring_auditevent``,
with one exception: candidate erasure must be able to replace personal data
that reached an event's before/after values. It sets the transaction-local
flag ``hireloop.audit_scrub`` (``AuditEventQuerySet.scrub_values``) and may
then change ``before`` and ``after`` only; who, what, when and which object
stay as recorded. TRUNCATE (test teardown, a restore) is not a row change
and is not affected.

On SQLite the model and queryset refuse the same operations (hiring/models.py).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION hiring_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND coalesce(current_setting('hireloop.audit_scrub', true), 'off') = 'on'
       AND NEW.id = OLD.id
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.action = OLD.action
       AND NEW.object_type = OLD.object_type
       AND NEW.object_id = OLD.object_id
       AND NEW.loop_id IS NOT DISTINCT FROM OLD.loop_id
       AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % of hiring_auditevent % refused', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""
CREATE = [
    FUNCTION,
    "DROP TRIGGER IF EXISTS hiring_auditevent_append_only ON hiring_auditevent",
    "CREATE TRIGGER hiring_auditevent_append_only BEFORE UPDATE OR DELETE ON hiring_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION hiring_auditevent_append_only()",
]
DROP = [
    "DROP TRIGGER IF EXISTS hiring_auditevent_append_only ON hiring_auditevent",
    "DROP FUNCTION IF EXISTS hiring_auditevent_append_only()",
]


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('hiring', '0004_candidate_unique_email_and_sent_notifications'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
