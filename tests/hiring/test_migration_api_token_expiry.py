"""Migration 0006: tokens issued before it keep working, read and write, for 90 days after it runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = ("hiring", "0005_audit_trail_append_only")
AFTER = ("hiring", "0006_api_token_expiry_and_scope")


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_tokens_90_days_from_the_migration_and_read_write():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old_apps = executor.loader.project_state([BEFORE]).apps
    user = old_apps.get_model("hiring", "User").objects.create(username="ivy", email="ivy@hireloop.example")
    created = timezone.now() - timedelta(days=400)
    Token = old_apps.get_model("hiring", "ApiToken")  # noqa: N806 - a model class
    token = Token.objects.create(user=user, name="ATS sync", prefix="hl_abcdefgh", token_hash="a" * 64)
    Token.objects.filter(pk=token.pk).update(created_at=created)

    executor = MigrationExecutor(connection)
    before_migration = timezone.now()
    executor.migrate([AFTER])
    after_migration = timezone.now()

    new_apps = executor.loader.project_state([AFTER]).apps
    migrated = new_apps.get_model("hiring", "ApiToken").objects.get(pk=token.pk)
    assert before_migration + timedelta(days=90) <= migrated.expires_at <= after_migration + timedelta(days=90)
    assert migrated.scope == "read_write"
    assert migrated.created_at == created
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
