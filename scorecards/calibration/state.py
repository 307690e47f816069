"""What a report's page and the API say about where the report stands, including a worker that stopped.

A pure function of the row and the time, so the page, its status poll and the
API say the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from scorecards.calibration.lease import lease_lapsed
from scorecards.models import CalibrationReport

REPORT_STATES = ("queued", "retrying", "running", "stalled", "done", "failed")


@dataclass(frozen=True)
class ReportState:
    """``code``: queued, retrying (queued again after its worker stopped), running, stalled (its worker stopped
    renewing the lease; the requeue has not acted yet), done or failed."""

    code: str
    message: str
    attempt: int
    max_attempts: int

    @property
    def worker_stopped(self) -> bool:
        return self.code in ("retrying", "stalled")


def report_state(report: CalibrationReport, *, now: datetime | None = None) -> ReportState:
    now = now or timezone.now()
    most = settings.HIRELOOP_CALIBRATION_MAX_ATTEMPTS
    attempts = report.attempts
    Status = CalibrationReport.Status

    def state(code: str, message: str) -> ReportState:
        return ReportState(code=code, message=message, attempt=attempts, max_attempts=most)

    if report.status == Status.DONE:
        return state("done", "Done.")
    if report.status == Status.FAILED:
        return state("failed", report.error or "The report could not be computed.")
    if report.status == Status.QUEUED:
        if attempts:
            return state("retrying", f"The worker stopped; retrying (attempt {attempts + 1} of {most}). "
                                     "Waiting for a worker.")
        return state("queued", "Queued: waiting for a worker.")
    if lease_lapsed(report, now):
        if attempts >= most:
            return state("stalled", f"The worker stopped responding during the last attempt ({attempts} of "
                                    f"{most}); the report will be marked failed shortly.")
        return state("stalled", f"The worker stopped responding; retrying shortly (attempt "
                                f"{attempts + 1} of {most}).")
    if attempts > 1:
        return state("running", f"Running (attempt {attempts} of {most}): {report.progress}% done.")
    return state("running", f"Running: {report.progress}% done.")
