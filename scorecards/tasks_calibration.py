"""Celery tasks of calibration reports: thin wrappers around ``scorecards.services.calibration``.

Registered through ``CELERY_IMPORTS`` in the settings. The computation's
time limit is set there too (``CELERY_TASK_ANNOTATIONS``).
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="scorecards.tasks_calibration.calibration_compute", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def calibration_compute(report_id: int) -> str:
    """Compute one requested report; a finished report is left alone, so a redelivery is harmless."""
    from scorecards.services.calibration import calibration_report_compute

    report = calibration_report_compute(report_id=report_id)
    return "skipped" if report is None else report.status


@shared_task(name="scorecards.tasks_calibration.calibration_monthly", acks_late=True, ignore_result=True)
def calibration_monthly() -> int:
    """Queue last month's report for every role (beat, first of the month); idempotent."""
    from scorecards.services.calibration import calibration_schedule_monthly

    return len(calibration_schedule_monthly())


@shared_task(name="scorecards.tasks_calibration.calibration_requeue", acks_late=True, ignore_result=True)
def calibration_requeue() -> int:
    """Hand over again reports left queued because the broker was down when they were requested."""
    from scorecards.services.calibration import calibration_requeue_stale

    return len(calibration_requeue_stale())
