"""Domain events: how the layers tell systems outside Hireloop what happened, without knowing who listens.

A service records an event inside the transaction that makes the change: one outbox row
(``hiring.models.DomainEvent``) of ids and timestamps. The row commits or rolls back with the change, so
nobody outside hears of a scorecard that was never submitted, and nobody misses one because the broker was
down when it was.

Who reads the outbox is not this module's business. An app above the domain (``integrations``: webhooks and
Slack) registers its drain task's name in ``AppConfig.ready()``; every commit that recorded events enqueues
that task by name (``hiring.jobs``), and the reader's own periodic sweep catches up an enqueue that failed.
So the services, recommendations and decisions that record events never import the code that delivers them
(docs/architecture.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from hiring.jobs import enqueue
from hiring.models import DomainEvent

_drain_tasks: list[str] = []


@dataclass(frozen=True)
class EventSpec:
    """An event to record: ``data`` holds ids and ISO timestamps only, never names, scores or free text.

    ``key`` names the occasion when the same occasion can be noticed more than once (an interview's feedback
    overdue on a given day); left empty, every recorded event is its own occasion.
    """

    kind: str
    loop_id: int | None
    data: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    occurred_at: datetime | None = None


def events_drain_register(task_name: str) -> None:
    """Have ``task_name`` enqueued after every commit that records events (call it from ``AppConfig.ready()``)."""
    if task_name not in _drain_tasks:
        _drain_tasks.append(task_name)


def event_record(
    kind: str, *, loop_id: int | None, data: dict[str, Any] | None = None, key: str = "",
    occurred_at: datetime | None = None,
) -> DomainEvent:
    """Record one event in the caller's transaction; the outbox's readers are enqueued once it commits."""
    [event] = events_record_all([EventSpec(kind=kind, loop_id=loop_id, data=data or {}, key=key,
                                           occurred_at=occurred_at)])
    return event


def events_record_all(specs: Sequence[EventSpec]) -> list[DomainEvent]:
    """Record several events in one insert (a batch of recommendations), in the caller's transaction."""
    if not specs:
        return []
    events = DomainEvent.objects.bulk_create([_row(spec) for spec in specs])
    _drain_after_commit()
    return events


def events_record_new(specs: Sequence[EventSpec]) -> int:
    """Record the events whose occasion (``key``) has no event yet; returns how many were new.

    For checks that run again and again over the same state (the hourly overdue-feedback check): one query for
    the keys already recorded, one insert for the rest. A concurrent run recording the same key meanwhile is
    ignored by the unique key, so the occasion still has one event.
    """
    keys = [spec.key for spec in specs]
    if any(not key for key in keys):
        raise ValueError("events_record_new needs every event's key: the key is what makes it new or not.")
    known = set(DomainEvent.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = [_row(spec) for spec in specs if spec.key not in known]
    if fresh:
        DomainEvent.objects.bulk_create(fresh, ignore_conflicts=True)
        _drain_after_commit()
    return len(fresh)


def _row(spec: EventSpec) -> DomainEvent:
    if spec.kind not in DomainEvent.Kind.values:
        raise ValueError(f"Unknown event kind {spec.kind!r}; add it to DomainEvent.Kind and docs/webhooks.md.")
    event_id = uuid.uuid4()
    return DomainEvent(
        uuid=event_id,
        kind=spec.kind,
        key=spec.key or f"{spec.kind}:{event_id}",
        loop_id=spec.loop_id,
        data=spec.data,
        occurred_at=spec.occurred_at or timezone.now(),
    )


def _drain_after_commit() -> None:
    for task_name in _drain_tasks:
        transaction.on_commit(partial(_enqueue_drain, task_name))


def _enqueue_drain(task_name: str) -> None:
    enqueue(task_name, failure="Could not enqueue the event outbox's drain (%s); its periodic sweep will catch up.")
