"""Celery tasks: thin wrappers that take ids and call one service.

Acknowledgement is late and a task whose worker dies is rejected back to the
queue (settings: CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST;
repeated here so the guarantee does not hang on a setting being kept).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError

from scorecards.calibration.job import calibration_report_compute, calibration_requeue_stale
from scorecards.calibration.services import CALIBRATION_COMPUTE_TASK, calibration_schedule_monthly
from scorecards.leniency.fits import RATER_MODEL_FIT_TASK, rater_model_refit
from scorecards.recommendations.services import recommendation_compute, recommendation_outbox_drain
from scorecards.services.recompute import RECOMMEND_LOOP_TASK

logger = logging.getLogger(__name__)


@shared_task(
    name=RECOMMEND_LOOP_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    # Deadlocks, lost connections, a database restarting, a lost insert race: try again, later each time.
    autoretry_for=(OperationalError, InterfaceError, IntegrityError),
    retry_backoff=True,
    retry_backoff_max=settings.HIRELOOP_RECOMMEND_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.HIRELOOP_RECOMMEND_MAX_RETRIES,
)
def recommend_loop(loop_id: int) -> str:
    """Recompute one loop's hire recommendation; safe to run twice, and at once."""
    outcome = recommendation_compute(loop_id=loop_id)
    if outcome.recommendation is None:
        return "missing"
    return "changed" if outcome.changed else "unchanged"


@shared_task(name="scorecards.tasks.drain_recompute_outbox", acks_late=True, ignore_result=True)
def drain_recompute_outbox() -> int:
    """Re-enqueue recompute requests that never reached a worker (broker down at submit time)."""
    return recommendation_outbox_drain()


@worker_ready.connect
def _drain_when_a_worker_starts(sender: Any = None, **kwargs: Any) -> None:
    """A worker coming back (after a crash or with the broker) catches up without waiting for beat."""
    try:
        drain_recompute_outbox.delay()
    except Exception as exc:  # noqa: BLE001 - a worker must start even if this first publish fails.
        logger.warning("Could not enqueue the outbox drain at worker start (%s).", type(exc).__name__)


# Calibration reports. The names keep the module the tasks were first registered under, so queued messages,
# beat entries and the time-limit annotation in the settings written before the modules were merged still match.
@shared_task(name=CALIBRATION_COMPUTE_TASK, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def calibration_compute(report_id: int) -> str:
    """Compute one requested report; a finished report is left alone, so a redelivery is harmless."""
    report = calibration_report_compute(report_id=report_id)
    return "skipped" if report is None else report.status


@shared_task(name="scorecards.tasks_calibration.calibration_monthly", acks_late=True, ignore_result=True)
def calibration_monthly() -> int:
    """Queue last month's report for every role (beat, first of the month); idempotent."""
    return len(calibration_schedule_monthly())


@shared_task(name="scorecards.tasks_calibration.calibration_requeue", acks_late=True, ignore_result=True)
def calibration_requeue() -> int:
    """Hand over again reports left queued (the broker was down) or whose worker stopped (a lapsed lease)."""
    return len(calibration_requeue_stale())


@shared_task(name=RATER_MODEL_FIT_TASK, acks_late=True, ignore_result=True)
def rater_model_fit() -> int:
    """Refit the rater model to the whole history (beat, and after each calibration report); returns its id."""
    return rater_model_refit().pk
