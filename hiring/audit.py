"""Audit events: who changed what, with before and after values.

Callers pass only non-personal values (ids, statuses, scores, choices); the
candidate's name, email, phone, notes and free-text evidence never go here.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from hiring.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    loop_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event; call it inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        loop_id=loop_id,
        before=before,
        after=after,
    )
