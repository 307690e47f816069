"""Audit events: who changed what, with before and after values.

Callers pass only non-personal values (ids, statuses, scores, choices); the
candidate's name, email, phone, notes and free-text evidence never go here.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from hiring.models import AuditEvent


def audit_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    loop_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """One audit event, not saved yet: for ``audit_record_all`` when a change makes several."""
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        loop_id=loop_id,
        before=before,
        after=after,
    )


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
    event = audit_event(actor=actor, action=action, obj=obj, loop_id=loop_id, before=before, after=after)
    event.save(force_insert=True)
    return event


def audit_record_all(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write the events of one change in one insert, in order; inside the transaction that makes the change."""
    return AuditEvent.objects.bulk_create(events)


def audit_scorecard_read(actor: Any, scorecard: Any) -> AuditEvent | None:
    """Record that ``actor`` read another interviewer's scorecard (pages and API call it on every read).

    Reading one's own scorecard is not recorded. Call it after the access
    check has allowed the read.
    """
    if getattr(actor, "pk", None) is None or scorecard.interviewer_id == actor.pk:
        return None
    return audit_record(
        actor=actor,
        action="scorecard.read",
        obj=scorecard,
        loop_id=scorecard.interview.loop_id,
        after={"interviewer_id": scorecard.interviewer_id, "revision": scorecard.revision,
               "status": scorecard.status},
    )


def audit_scorecards_read(actor: Any, scorecards: Any) -> int:
    """``audit_scorecard_read`` for a page or list that shows several scorecards: one insert for all.

    ``scorecards`` need ``interview`` loaded (select_related) to avoid a query each.
    """
    if getattr(actor, "pk", None) is None:
        return 0
    events = [
        AuditEvent(
            actor=actor,
            action="scorecard.read",
            object_type=scorecard._meta.label_lower,
            object_id=str(scorecard.pk),
            loop_id=scorecard.interview.loop_id,
            after={"interviewer_id": scorecard.interviewer_id, "revision": scorecard.revision,
                   "status": scorecard.status},
        )
        for scorecard in scorecards
        if scorecard.interviewer_id != actor.pk
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)
