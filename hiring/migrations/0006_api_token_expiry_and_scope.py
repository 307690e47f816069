"""API tokens expire and have a scope.

Tokens issued before this migration had neither. They keep the access they
had (read and write) and expire 90 days after this migration runs: their
owners get the usual warning a week before, and nobody's integration stops
the day of the upgrade. See docs/security.md.
"""

from datetime import datetime, timedelta

import django.utils.timezone
from django.db import migrations, models

EXISTING_TOKENS_DAYS = 90


def expiry_of_existing_tokens() -> datetime:
    # Called once, for the column's default while it is added; the field keeps no default afterwards.
    return django.utils.timezone.now() + timedelta(days=EXISTING_TOKENS_DAYS)


class Migration(migrations.Migration):

    dependencies = [
        ('hiring', '0005_audit_trail_append_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(default=expiry_of_existing_tokens),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='apitoken',
            name='scope',
            field=models.CharField(choices=[('read', 'Read only'), ('read_write', 'Read and write')], default='read_write', max_length=20),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name='sentnotification',
            name='kind',
            field=models.CharField(choices=[('feedback_reminder', 'Overdue feedback reminder'), ('overdue_digest', "Recruiter's overdue feedback digest"), ('loop_ready', 'Loop ready for review'), ('api_token_expiry', 'API token expires soon')], max_length=30),
        ),
    ]
