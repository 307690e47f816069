"""A running report's lease: the worker computing it renews it while it lives, so a lapsed lease means it stopped.

A worker killed mid-report (out of memory, a deploy, a lost machine) cannot
say so, and its Celery message comes back only after the broker's visibility
timeout (an hour): the report would read "running, 5%" all that time. So the
worker holds a lease on the report instead, ``lease_expires_at``, which a
heartbeat thread pushes forward every third of HIRELOOP_CALIBRATION_LEASE_SECONDS
while the job runs, and the periodic requeue treats a running report whose
lease lapsed as abandoned (``services.calibration_requeue_stale``).

The heartbeat is a thread, not the job's progress reports, because one step
of the computation (the SQL aggregates over years of loops) can outlast a
lease; the thread dies with the process, which is exactly the signal wanted.

Every claim of the report starts a new attempt (``attempts`` + 1), and each
write of the job names its attempt: a worker that lost its lease (paused past
it, then woke up) writes nothing over the attempt that replaced it.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from types import TracebackType

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from scorecards.models import CalibrationReport

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """The report was taken from this attempt (requeued after its lease lapsed, or retried): stop, write nothing."""


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.HIRELOOP_CALIBRATION_LEASE_SECONDS)


def lease_lapsed(report: CalibrationReport, now: datetime) -> bool:
    """Whether a running report's worker has stopped renewing its lease (a running report without one has)."""
    return report.lease_expires_at is None or report.lease_expires_at <= now


def lease_renew(report_id: int, attempt: int, *, progress: int | None = None) -> bool:
    """Extend the attempt's lease (and record its progress); False when the report is no longer this attempt's.

    Outside any transaction, so that the page polling the report sees it move.
    """
    fields: dict[str, object] = {"lease_expires_at": timezone.now() + lease_duration()}
    if progress is not None:
        fields["progress"] = max(0, min(progress, 100))
    held = CalibrationReport.objects.filter(pk=report_id, status=CalibrationReport.Status.RUNNING, attempts=attempt)
    return held.update(**fields) == 1


class Heartbeat:
    """Renew an attempt's lease from a thread of its own for as long as the ``with`` block runs.

    ``lost`` turns true when a renewal finds the report taken from this
    attempt; the job checks it at its next progress report. A database error
    is logged (ids only) and the next beat tries again: the lease outlasts
    two missed beats.
    """

    def __init__(self, report_id: int, attempt: int) -> None:
        self.report_id = report_id
        self.attempt = attempt
        self.interval = settings.HIRELOOP_CALIBRATION_LEASE_SECONDS / 3
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"calibration-lease-{report_id}", daemon=True
        )

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 10)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    if not lease_renew(self.report_id, self.attempt):
                        self._lost.set()
                        return
                except DatabaseError as exc:
                    logger.warning("Could not renew the lease of calibration report %s, attempt %s (%s); "
                                   "the next beat tries again.", self.report_id, self.attempt, type(exc).__name__)
                    connection.close()
        finally:
            # The thread's own connection: Django keeps one per thread, and nothing else would close it.
            connection.close()
