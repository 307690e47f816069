"""Calibration reports: requesting one, retrying a failed one, its files, and the monthly schedule.

The report row is its own outbox: it is written (queued) in the request's
transaction and handed to a worker after commit. A broker that is down
leaves it queued, and the periodic requeue hands it over again. The job a
worker runs, and that requeue, are in ``scorecards.calibration.job``.

The job stores the numbers; the files (CSV, XLSX, PDF with charts) are drawn
from them on the first download and kept in storage for the next ones. Most
reports are read on their page and never downloaded in every format, and
rendering the PDF's charts and the workbook would otherwise take several
times longer than computing the report.
"""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.jobs import enqueue
from hiring.models import Interview, Role
from scorecards.calibration.exports import FORMATS
from scorecards.calibration.report import ReportOptions
from scorecards.models import CalibrationReport, Rubric

logger = logging.getLogger(__name__)

MAX_RANGE_DAYS = 366 * 5
MIN_SAMPLE_BOUNDS = (2, 200)
# Stored exports: CSV is a zip of one file per table.
# The name keeps the module the task was first registered under (see scorecards.tasks).
CALIBRATION_COMPUTE_TASK = "scorecards.tasks_calibration.calibration_compute"

STORED_FORMATS = {"csv": "csv_file", "xlsx": "xlsx_file", "pdf": "pdf_file"}


def can_use_calibration(user: Any) -> bool:
    """Only the hiring committee and admins request, read or download calibration reports."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_committee or user.is_hireloop_admin))


def _require_committee(actor: Any) -> None:
    if not can_use_calibration(actor):
        raise PermissionRefused(gettext("Only the hiring committee and admins can use calibration reports."))


def report_options(report: CalibrationReport) -> ReportOptions:
    return ReportOptions(
        min_sample=report.min_sample,
        bootstrap_resamples=settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES,
    )


def report_description(report: CalibrationReport) -> dict[str, Any]:
    return {
        "role": report.role.title if report.role_id and report.role else None,
        "role_slug": report.role.slug if report.role_id and report.role else None,
        "date_from": report.date_from.isoformat(),
        "date_to": report.date_to.isoformat(),
        "interview_kind": str(Interview.Kind(report.interview_kind).label) if report.interview_kind else None,
        "scheduled": report.scheduled,
    }


def _validate_scope(
    *, date_from: date | None, date_to: date | None, interview_kind: str, min_sample: int
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if date_from is None:
        errors["date_from"] = ["Give the first day of the period."]
    if date_to is None:
        errors["date_to"] = ["Give the last day of the period."]
    today = timezone.localdate()
    if date_to is not None and date_to > today:
        # A report "to the end of the month" asked for mid-month would read as the whole month while holding
        # only the days so far; the committee asks again when the period is over.
        errors["date_to"] = [f"The period cannot end after today ({today:%d %b %Y}): later days have no "
                             "feedback yet."]
    elif date_from and date_to:
        if date_from > date_to:
            errors["date_to"] = ["The period must end on or after the day it starts."]
        elif (date_to - date_from).days > MAX_RANGE_DAYS:
            errors["date_from"] = ["Choose a period of at most five years."]
    if interview_kind and interview_kind not in Interview.Kind.values:
        errors["interview_kind"] = [f"Unknown interview kind {interview_kind!r}."]
    low, high = MIN_SAMPLE_BOUNDS
    if isinstance(min_sample, bool) or not isinstance(min_sample, int) or not low <= min_sample <= high:
        errors["min_sample"] = [f"Choose a minimum sample from {low} to {high}."]
    return errors


@transaction.atomic
def calibration_report_request(
    *,
    actor: Any,
    role: Role | None,
    date_from: date | None,
    date_to: date | None,
    interview_kind: str = "",
    min_sample: int | None = None,
) -> CalibrationReport:
    """Queue a calibration report for a scope; a worker computes it after the transaction commits."""
    _require_committee(actor)
    min_sample = settings.HIRELOOP_CALIBRATION_MIN_SAMPLE if min_sample is None else min_sample
    errors = _validate_scope(date_from=date_from, date_to=date_to, interview_kind=interview_kind,
                             min_sample=min_sample)
    if errors:
        raise ValidationFailed(gettext("The report scope is not valid."), field_errors=errors)
    assert date_from is not None and date_to is not None
    report = CalibrationReport.objects.create(
        requested_by=actor,
        role=role,
        date_from=date_from,
        date_to=date_to,
        interview_kind=interview_kind,
        min_sample=min_sample,
    )
    audit_record(actor=actor, action="calibration.requested", obj=report, after=_audit_scope(report))
    transaction.on_commit(lambda: calibration_report_enqueue(report.pk))
    return report


def _audit_scope(report: CalibrationReport) -> dict[str, Any]:
    return {
        "role": report.role.slug if report.role else None,
        "date_from": report.date_from.isoformat(),
        "date_to": report.date_to.isoformat(),
        "interview_kind": report.interview_kind,
        "min_sample": report.min_sample,
        "scheduled": report.scheduled,
    }


def calibration_report_enqueue(report_id: int) -> bool:
    """Hand a report to a worker; on a broker error log it and leave it queued for the periodic requeue."""
    return enqueue(CALIBRATION_COMPUTE_TASK, report_id,
                   failure=f"Could not enqueue calibration report {report_id} (%s); the periodic requeue will retry.")


@transaction.atomic
def calibration_report_retry(*, actor: Any, report_id: int) -> CalibrationReport:
    """Queue a failed report again: computed from the start, with a fresh set of attempts."""
    _require_committee(actor)
    report = CalibrationReport.objects.select_for_update(of=("self",)).filter(pk=report_id).first()
    if report is None:
        raise NotFound(gettext("No such calibration report."))
    if report.status != CalibrationReport.Status.FAILED:
        raise Conflict(
            gettext("This report is %(status)s; only a failed report can be retried.")
            % {"status": report.get_status_display().lower()},
            code="not_failed",
        )
    before = {"status": report.status, "attempts": report.attempts}
    report.status = CalibrationReport.Status.QUEUED
    report.progress = 0
    report.error = ""
    report.attempts = 0
    report.lease_expires_at = None
    report.started_at = None
    report.finished_at = None
    report.queued_at = timezone.now()
    report.save(update_fields=["status", "progress", "error", "attempts", "lease_expires_at", "started_at",
                               "finished_at", "queued_at"])
    audit_record(actor=actor, action="calibration.retried", obj=report, before=before,
                 after={"status": report.status, "attempts": report.attempts})
    transaction.on_commit(partial(calibration_report_enqueue, report.pk))
    return report


# Formats whose words follow the reader's language (the CSV, XLSX and JSON are data, in English).
TRANSLATED_FORMATS = {"pdf"}


def calibration_report_file(report: CalibrationReport, fmt: str) -> IO[bytes] | bytes:
    """A finished report's file in a format of ``FORMATS``: the stored copy, or rendered now and stored.

    JSON is not stored: it is the result itself, returned as bytes.

    Two first downloads at once both render; the first to store wins and the
    other's copy is only sent. A copy rendered from a result that changed
    meanwhile (an erasure rewrote it) is sent but not kept.
    """
    export = FORMATS[fmt]
    field = STORED_FORMATS.get(fmt)
    if fmt in TRANSLATED_FORMATS and translation.get_language() != settings.LANGUAGE_CODE:
        # The stored copy is in the site's language; another language's is rendered for each download.
        field = None
    stored = getattr(report, field) if field else None
    if stored and stored.storage.exists(stored.name):
        return stored.open("rb")
    content = export.render(report.result, report_id=report.pk)
    if field is None:
        return content
    _store_file(report, field, ContentFile(content, name=f"calibration-report-{report.pk}.{export.extension}"))
    return io.BytesIO(content)


@transaction.atomic
def _store_file(report: CalibrationReport, field: str, content: ContentFile) -> None:
    current = CalibrationReport.objects.select_for_update().filter(pk=report.pk).first()
    if current is None or current.result != report.result:
        return
    stored = getattr(current, field)
    if stored and stored.storage.exists(stored.name):
        return
    stored.save(content.name, content, save=False)
    CalibrationReport.objects.filter(pk=current.pk).update(**{field: stored.name})
    setattr(report, field, stored.name)


def calibration_report_for(*, actor: Any, report_id: int) -> CalibrationReport:
    _require_committee(actor)
    report = CalibrationReport.objects.select_related("role", "requested_by").filter(pk=report_id).first()
    if report is None:
        raise NotFound(gettext("No such calibration report."))
    return report


def previous_month(today: date) -> tuple[date, date]:
    last_day = today.replace(day=1) - timedelta(days=1)
    return last_day.replace(day=1), last_day


def calibration_schedule_monthly(*, today: date | None = None) -> list[CalibrationReport]:
    """Queue last month's report for every role with a rubric; running it twice queues nothing new."""
    date_from, date_to = previous_month(today or timezone.localdate())
    created = []
    roles = Role.objects.filter(pk__in=Rubric.objects.values("role_id")).order_by("slug")
    for role in roles:
        with transaction.atomic():
            report, was_created = CalibrationReport.objects.select_for_update().get_or_create(
                scheduled=True, role=role, date_from=date_from, date_to=date_to, interview_kind="",
                defaults={"min_sample": settings.HIRELOOP_CALIBRATION_MIN_SAMPLE},
            )
            if was_created:
                audit_record(actor=None, action="calibration.scheduled", obj=report, after=_audit_scope(report))
                transaction.on_commit(partial(calibration_report_enqueue, report.pk))
                created.append(report)
    return created
