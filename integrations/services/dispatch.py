"""From the outbox to deliveries: which endpoints hear of an event, handing deliveries to workers, the sweep
that catches up what an enqueue missed, and the log's pruning.

The flow (docs/webhooks.md): a domain change records a ``DomainEvent`` (hiring.events); after commit,
``events_recorded`` starts the drain task if an endpoint wants the event, and the drain runs
``events_dispatch``: one ``Delivery`` per event and endpoint that wants it, enqueued after that commits, one
task each, so a slow or failing endpoint delays no other. Retries are not Celery countdowns: a
retry a day away would sit in a worker's memory past the broker's visibility timeout and run twice. A failed
attempt writes its ``next_attempt_at`` instead, and the sweep (beat, every HIRELOOP_WEBHOOK_SWEEP_SECONDS)
enqueues what has fallen due.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hiring.jobs import enqueue
from hiring.models import DomainEvent
from integrations.models import Delivery, Endpoint
from integrations.services.common import DELIVER_TASK, DRAIN_TASK, delivery_settings

logger = logging.getLogger(__name__)

Kind = DomainEvent.Kind
Audience = Endpoint.Audience
State = Delivery.State

# Events handed on per transaction: the batch's deliveries are written in one insert.
DISPATCH_BATCH = 200
MAX_BATCHES = 25
SWEEP_BATCH = 500
# A delivery enqueued this long ago and still not attempted lost its message (a broker restarted empty):
# it is enqueued again. A second message for one delivery is harmless, its attempt claims the row first.
REQUEUE_AFTER = timedelta(minutes=10)

# Whose Slack channel hears of each event; a channel subscribes to the kinds it wants among these.
AUDIENCE: dict[str, str] = {
    Kind.SCORECARD_SUBMITTED: Audience.RECRUITERS,
    Kind.LOOP_READY_FOR_REVIEW: Audience.RECRUITERS,
    Kind.RECOMMENDATION_CHANGED: Audience.COMMITTEE,
    Kind.DECISION_RECORDED: Audience.RECRUITERS,
    Kind.FEEDBACK_OVERDUE: Audience.INTERVIEWERS,
    # The manager is mentioned, like an interviewer whose feedback is overdue.
    Kind.OUTCOME_CHECKIN_DUE: Audience.INTERVIEWERS,
}


def endpoints_for(kind: str, endpoints: Sequence[Endpoint]) -> list[Endpoint]:
    """The active endpoints that get an event of ``kind``: every webhook subscribed to it, and one Slack channel,
    the audience's own if it is subscribed, else the default channel if that is."""
    wanting = [e for e in endpoints if e.is_active and kind in e.events]
    webhooks = [e for e in wanting if e.kind == Endpoint.Kind.WEBHOOK]
    channels = [e for e in wanting if e.kind == Endpoint.Kind.SLACK]
    channel = [e for e in channels if e.audience == AUDIENCE[kind]] or [e for e in channels if e.audience == ""]
    return webhooks + channel


def events_recorded(kinds: frozenset[str]) -> None:
    """The outbox's reader (hiring.events), called after a commit that recorded events: start the drain when an
    active endpoint wants one of those kinds. Otherwise nothing is published (a broker that hangs would cost the
    user's request seconds for nothing); the sweep marks such events dispatched."""
    wanted: set[str] = set().union(*Endpoint.objects.filter(is_active=True).values_list("events", flat=True))
    if wanted & kinds:
        enqueue(DRAIN_TASK,
                failure="Could not enqueue the event outbox's drain (%s); the webhook sweep will catch up.")


def events_dispatch(*, now: datetime | None = None) -> int:
    """Turn a batch of undispatched events into deliveries and mark them dispatched; returns the events handed on.

    Rows are claimed with SKIP LOCKED, so the after-commit drain and the sweep running at once split the work
    instead of waiting or doubling it (and the delivery's unique (endpoint, event) backs that up). The new
    deliveries are enqueued once this transaction commits.
    """
    now = now or timezone.now()
    with transaction.atomic():
        events = list(
            DomainEvent.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True)
            .order_by("id")[:DISPATCH_BATCH]
        )
        if not events:
            return 0
        endpoints = list(Endpoint.objects.filter(is_active=True))
        rows = [
            Delivery(endpoint=endpoint, event=event, created_at=now, window_started_at=now, next_attempt_at=now)
            for event in events
            for endpoint in endpoints_for(event.kind, endpoints)
        ]
        delivery_ids: list[int] = []
        if rows:
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            delivery_ids = list(
                Delivery.objects.filter(event__in=events, state=State.PENDING, enqueued_at__isnull=True)
                .order_by("id")
                .values_list("pk", flat=True)
            )
        DomainEvent.objects.filter(pk__in=[event.pk for event in events]).update(dispatched_at=now)
        if delivery_ids:
            transaction.on_commit(partial(deliveries_enqueue, delivery_ids))
    return len(events)


def events_dispatch_all(*, now: datetime | None = None) -> int:
    """Dispatch batch after batch until the outbox is empty (or ``MAX_BATCHES``: the next sweep goes on)."""
    total = 0
    for _ in range(MAX_BATCHES):
        handed_on = events_dispatch(now=now)
        total += handed_on
        if handed_on < DISPATCH_BATCH:
            break
    return total


def deliveries_enqueue(delivery_ids: Sequence[int]) -> int:
    """Hand deliveries to workers, one task each; stops at the first broker failure (the sweep goes on later)."""
    sent: list[int] = []
    for delivery_id in delivery_ids:
        if not enqueue(DELIVER_TASK, delivery_id,
                       failure=f"Could not enqueue webhook delivery {delivery_id} (%s); the sweep will."):
            break
        sent.append(delivery_id)
    if sent:
        Delivery.objects.filter(pk__in=sent).update(enqueued_at=timezone.now())
    return len(sent)


def deliveries_sweep(*, now: datetime | None = None) -> int:
    """Catch up (beat): hand on events whose drain was never enqueued, then enqueue every delivery that is due
    and has no message out for it: retries that fell due, enqueues that failed, attempts whose worker died
    (their lease ran out). Returns the number of deliveries enqueued."""
    now = now or timezone.now()
    events_dispatch_all(now=now)
    no_message_out = (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER)
    )
    due = (
        Delivery.objects.filter(endpoint__is_active=True)
        .filter(
            (Q(state=State.PENDING, next_attempt_at__lte=now)
             & (no_message_out | Q(enqueued_at__lt=F("next_attempt_at"))))
            | (Q(state=State.SENDING, lease_expires_at__lte=now)
               & (no_message_out | Q(enqueued_at__lt=F("lease_expires_at"))))
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    enqueued = deliveries_enqueue(list(due))
    if enqueued:
        logger.info("Webhook sweep enqueued %s delivery(ies).", enqueued)
    return enqueued


def deliveries_prune(*, now: datetime | None = None) -> int:
    """Delete the log older than HIRELOOP_WEBHOOK_LOG_DAYS: finished deliveries (and their attempts), then
    dispatched events no delivery refers to any more. Returns the number of deliveries deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=delivery_settings().log_days)
    _, deleted = Delivery.objects.filter(
        window_started_at__lt=cutoff, state__in=[State.DELIVERED, State.FAILED]
    ).delete()
    DomainEvent.objects.filter(dispatched_at__lt=cutoff, deliveries__isnull=True).delete()
    return deleted.get(Delivery._meta.label, 0)
