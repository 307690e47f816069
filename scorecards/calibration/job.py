"""The calibration job: claim a report under a new attempt, compute it, store it; and the periodic catch-up.

A worker holds a lease on the report it computes (``scorecards.calibration.lease``).
The periodic requeue hands a report to a worker again when its first hand-over
cannot have worked: still queued long after the request (the broker was down),
or running with a lapsed lease (its worker stopped). A report whose workers
stop HIRELOOP_CALIBRATION_MAX_ATTEMPTS times is marked failed, and the
committee can retry it (``services.calibration_report_retry``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hiring.audit.services import audit_record
from hiring.errors import ApplicationError
from scorecards.calibration.lease import Heartbeat, LeaseLost, lease_duration, lease_lapsed, lease_renew
from scorecards.calibration.report import report_from_database
from scorecards.calibration.selectors import ReportScope
from scorecards.calibration.services import calibration_report_enqueue, report_description, report_options
from scorecards.leniency.fits import rater_model_refit_enqueue
from scorecards.models import CalibrationReport

logger = logging.getLogger(__name__)


def _set_progress(report_id: int, attempt: int, progress: int) -> None:
    """Record the attempt's progress and renew its lease; stop the job when the report was taken from it."""
    if not lease_renew(report_id, attempt, progress=progress):
        raise LeaseLost


def _max_attempts() -> int:
    return settings.HIRELOOP_CALIBRATION_MAX_ATTEMPTS


def _claim(report_id: int) -> CalibrationReport | None:
    """Start a new attempt on a queued report, or on a running one whose worker stopped.

    None when the report is finished or gone, when a live worker holds it (a
    redelivered or duplicate message), or when its lost worker had the last
    attempt (it is marked failed here).
    """
    with transaction.atomic():
        report = (
            CalibrationReport.objects.select_for_update(of=("self",)).select_related("role").filter(pk=report_id).first()
        )
        if report is None or report.status in (CalibrationReport.Status.DONE, CalibrationReport.Status.FAILED):
            return None
        now = timezone.now()
        if report.status == CalibrationReport.Status.RUNNING:
            if not lease_lapsed(report, now):
                return None
            if not _worker_lost(report):
                return None
        report.attempts += 1
        report.status = CalibrationReport.Status.RUNNING
        report.progress = 5
        report.error = ""
        report.started_at = now
        report.lease_expires_at = now + lease_duration()
        report.save(update_fields=["attempts", "status", "progress", "error", "started_at", "lease_expires_at"])
        return report


WORKER_LOST_REASON = (
    "The worker computing this report stopped {attempts} times before finishing (it may have run out of memory or "
    "been restarted). Retry it; if it stops again, choose a narrower scope (one role or a shorter period)."
)


def _worker_lost(report: CalibrationReport) -> bool:
    """Record that a running report's worker stopped (the caller holds the row's lock).

    True when another attempt may start; after the last attempt the report is
    marked failed and False is returned.
    """
    last = report.attempts >= _max_attempts()
    audit_record(actor=None, action="calibration.worker_lost", obj=report,
                 after={"attempt": report.attempts, "next_attempt": None if last else report.attempts + 1,
                        "max_attempts": _max_attempts()})
    if last:
        _mark_failed(report, WORKER_LOST_REASON.format(attempts=report.attempts))
    return not last


def calibration_report_compute(*, report_id: int) -> CalibrationReport | None:
    """The job: compute the report from the database and store it (the files are rendered on first download).

    Idempotent: a finished report, or one a live worker is computing, is left
    as it is; a report whose worker died half-way is computed again from the
    start (``_claim``). While it runs, a heartbeat keeps the attempt's lease
    (``scorecards.calibration.lease``). A failure is recorded on the report
    with a reason the committee can act on.
    """
    report = _claim(report_id)
    if report is None:
        return None
    attempt = report.attempts
    try:
        with Heartbeat(report.pk, attempt) as heartbeat:

            def progress(value: int) -> None:
                if heartbeat.lost:
                    raise LeaseLost
                _set_progress(report.pk, attempt, value)

            result = report_from_database(
                ReportScope(date_from=report.date_from, date_to=report.date_to, role_id=report.role_id,
                            interview_kind=report.interview_kind),
                description=report_description(report),
                options=report_options(report),
                progress=progress,
            )
            progress(95)
    except LeaseLost:
        logger.warning("Calibration report %s: attempt %s lost its lease to a later attempt; its work is dropped.",
                       report.pk, attempt)
        return None
    except SoftTimeLimitExceeded:
        return _fail(report, attempt, "The computation took longer than its time limit. Choose a narrower scope "
                                      "(one role or a shorter period) and request it again.")
    except ApplicationError as exc:
        return _fail(report, attempt, exc.message)
    except Exception:
        logger.exception("Calibration report %s failed.", report.pk)
        return _fail(report, attempt, "An unexpected error stopped the computation; it has been logged for the "
                                      "administrators. Retry the report, or ask an admin to look at the log.")
    return _finish(report, attempt, result)


def _locked_attempt(report: CalibrationReport, attempt: int) -> CalibrationReport | None:
    """The report locked, if it is still running under ``attempt``; None when a later attempt or a retry took it."""
    current = CalibrationReport.objects.select_for_update().get(pk=report.pk)
    if current.status != CalibrationReport.Status.RUNNING or current.attempts != attempt:
        logger.warning("Calibration report %s: attempt %s finished after losing the report; nothing is written.",
                       report.pk, attempt)
        return None
    return current


@transaction.atomic
def _finish(report: CalibrationReport, attempt: int, result: dict[str, Any]) -> CalibrationReport | None:
    current = _locked_attempt(report, attempt)
    if current is None:
        return None
    current.result = result
    current.status = CalibrationReport.Status.DONE
    current.progress = 100
    current.finished_at = timezone.now()
    current.lease_expires_at = None
    current.save()
    audit_record(actor=None, action="calibration.completed", obj=current,
                 after={"status": current.status, **result["totals"]})
    # A report is when the committee looks at the figures: the recommendations' stored fit is brought up to date.
    transaction.on_commit(rater_model_refit_enqueue)
    return current


@transaction.atomic
def _fail(report: CalibrationReport, attempt: int, reason: str) -> CalibrationReport | None:
    current = _locked_attempt(report, attempt)
    if current is None:
        return None
    _mark_failed(current, reason)
    return current


def _mark_failed(report: CalibrationReport, reason: str) -> None:
    """Record a failure on a report whose row the caller holds locked."""
    report.status = CalibrationReport.Status.FAILED
    report.error = reason
    report.finished_at = timezone.now()
    report.lease_expires_at = None
    report.save(update_fields=["status", "error", "finished_at", "lease_expires_at"])
    audit_record(actor=None, action="calibration.failed", obj=report,
                 after={"status": report.status, "attempts": report.attempts})


def calibration_requeue_stale(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """The periodic catch-up: hand reports to a worker again when the first hand-over cannot have worked.

    Two cases: a report still queued a while after it was handed to the broker
    (the broker was down), and a running report whose lease lapsed (its worker
    stopped). The latter is queued again for another attempt, or marked failed
    after the last one. Returns the ids handed over.
    """
    now = timezone.now()
    stale = list(
        CalibrationReport.objects.filter(status=CalibrationReport.Status.QUEUED, queued_at__lt=now - older_than)
        .order_by("queued_at")
        .values_list("pk", flat=True)[:100]
    )
    # Counted from now, so a report waiting behind a long queue is sent again every older_than, not every run.
    CalibrationReport.objects.filter(pk__in=stale, status=CalibrationReport.Status.QUEUED).update(queued_at=now)
    for report_id in stale:
        calibration_report_enqueue(report_id)
    return stale + _requeue_abandoned(now)


def _requeue_abandoned(now: datetime) -> list[int]:
    """Queue again the running reports whose worker stopped renewing its lease (or fail them after the last try)."""
    abandoned = list(
        CalibrationReport.objects.filter(status=CalibrationReport.Status.RUNNING)
        .filter(Q(lease_expires_at__lte=now) | Q(lease_expires_at__isnull=True))
        .order_by("lease_expires_at")
        .values_list("pk", flat=True)[:100]
    )
    requeued = []
    for report_id in abandoned:
        with transaction.atomic():
            report = CalibrationReport.objects.select_for_update().filter(pk=report_id).first()
            # Checked again under the lock: a worker may have finished it, or its heartbeat renewed it, meanwhile.
            if report is None or report.status != CalibrationReport.Status.RUNNING or not lease_lapsed(report, now):
                continue
            if not _worker_lost(report):
                continue
            report.status = CalibrationReport.Status.QUEUED
            report.progress = 0
            report.lease_expires_at = None
            report.queued_at = now
            report.save(update_fields=["status", "progress", "lease_expires_at", "queued_at"])
            transaction.on_commit(partial(calibration_report_enqueue, report.pk))
            requeued.append(report.pk)
    if requeued:
        logger.warning("Calibration reports %s lost their workers and were queued again.", requeued)
    return requeued
