"""Domain events: how the layers tell systems outside Hireloop what happened, without knowing who listens.

A service records an event inside the transaction that makes the change: one outbox row
(``hiring.models.DomainEvent``) of ids and timestamps. The row commits or rolls back with the change, so
nobody outside hears of a scorecard that was never submitted, and nobody misses one because the broker was
down when it was.

Who reads the outbox is not this module's business. An app above the domain (``integrations``: webhooks and
Slack) registers a reader in ``AppConfig.ready()``: a function called once after each commit that recorded
events, with the kinds recorded, which starts the reader's own job (by name, through ``hiring.jobs``) if it
wants any of them; the reader's periodic sweep catches up a start that failed. So the services,
recommendations and decisions that record events never import the code that delivers them
(docs/architecture.md), and a transaction recording several events costs the broker one publish at most.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from hiring.models import DomainEvent

logger = logging.getLogger(__name__)

Reader = Callable[[frozenset[str]], None]
_readers: list[Reader] = []


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


def events_reader_register(reader: Reader) -> None:
    """Have ``reader(kinds)`` called once after every commit that recorded events (from ``AppConfig.ready()``).

    It runs in the process that made the change, the user's request included: it must be quick and never
    raise (start a job, do not do the work).
    """
    if reader not in _readers:
        _readers.append(reader)


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
    _tell_readers_after_commit({spec.kind for spec in specs})
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
        _tell_readers_after_commit({event.kind for event in fresh})
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


class _AfterCommit:
    """The readers' call after one transaction commits, with every kind of event that transaction recorded."""

    def __init__(self) -> None:
        self.kinds: set[str] = set()
        self.called = False

    def __call__(self) -> None:
        self.called = True
        for reader in _readers:
            try:
                reader(frozenset(self.kinds))
            except Exception:  # noqa: BLE001 - the change has committed: a reader's trouble is for its sweep.
                logger.exception("An event outbox reader failed after commit; its periodic sweep will catch up.")


def _tell_readers_after_commit(kinds: set[str]) -> None:
    """One call per transaction, however many events it records (each could cost a broker publish)."""
    if not _readers:
        return
    pending = _pending_call()
    if pending is not None:
        pending.kinds |= kinds
        return
    call = _AfterCommit()
    call.kinds |= kinds
    transaction.on_commit(call)


def _pending_call() -> _AfterCommit | None:
    """This transaction's call, if an earlier event registered it (and no rolled-back savepoint dropped it)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    # Django keeps the callbacks of the open transaction here as (savepoint ids, callback, robust).
    # A call already made (a test's captured callbacks stay listed) takes no more kinds.
    for _, callback, _ in connection.run_on_commit:
        if isinstance(callback, _AfterCommit) and not callback.called:
            return callback
    return None
