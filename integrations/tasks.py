"""Celery tasks of the integrations app: thin wrappers taking ids and calling one service; idempotent."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from integrations.services.attempts import delivery_attempt
from integrations.services.common import DELIVER_TASK, DRAIN_TASK
from integrations.services.dispatch import deliveries_prune, deliveries_sweep, events_dispatch_all

logger = logging.getLogger(__name__)
SWEEP_TASK = "integrations.tasks.sweep"


@shared_task(name=DRAIN_TASK, acks_late=True, ignore_result=True)
def dispatch_events() -> int:
    """After a commit that recorded domain events: turn them into deliveries, each enqueued on its own."""
    return events_dispatch_all()


# Time limits: CELERY_TASK_ANNOTATIONS (settings), from the webhook timeouts.
@shared_task(name=DELIVER_TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(delivery_id: int) -> str:
    """One attempt at one delivery; a second message for it finds it claimed or done and does nothing."""
    delivery = delivery_attempt(delivery_id=delivery_id)
    return "skipped" if delivery is None else delivery.state


@shared_task(name=SWEEP_TASK, acks_late=True, ignore_result=True)
def sweep() -> int:
    """Every HIRELOOP_WEBHOOK_SWEEP_SECONDS: retries that fell due, and whatever an enqueue missed."""
    return deliveries_sweep()


@shared_task(name="integrations.tasks.prune_log", acks_late=True, ignore_result=True)
def prune_log() -> int:
    """Daily: the delivery log older than HIRELOOP_WEBHOOK_LOG_DAYS."""
    return deliveries_prune()


@worker_ready.connect
def _sweep_when_a_worker_starts(sender: Any = None, **kwargs: Any) -> None:
    """A worker coming back (after a crash, or with the broker) catches up without waiting for beat."""
    try:
        sweep.delay()
    except Exception as exc:  # noqa: BLE001 - a worker must start even if this first publish fails.
        logger.warning("Could not enqueue the webhook sweep at worker start (%s).", type(exc).__name__)
