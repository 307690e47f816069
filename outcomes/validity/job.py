"""Requesting and computing a validity report from the database: a Celery job named after commit (hiring.jobs).

A report is small beside a calibration report (one role's hires), so one attempt computes it; a report left
queued because the broker was down is re-sent by the daily check-in job's catch-up (``validity_requeue``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hiring.audit.services import audit_record
from hiring.errors import NotFound, PermissionRefused, ValidationFailed
from hiring.jobs import enqueue
from hiring.models import Role
from outcomes.models import ValidityReport
from outcomes.services import can_read_outcomes
from outcomes.validity.data import database_rows
from outcomes.validity.report import ValidityOptions, build_report
from outcomes.validity.spec import spec_for_role

logger = logging.getLogger(__name__)
TASK = "outcomes.tasks.compute_validity_report"


def _enqueue(report_id: int) -> None:
    enqueue(TASK, report_id, failure=f"Could not enqueue validity report {report_id} (%s); the catch-up re-sends it.")


@transaction.atomic
def validity_report_request(*, actor: Any, role_id: Any, checkin: str = "") -> ValidityReport:
    if not can_read_outcomes(actor):
        raise PermissionRefused(
            gettext("Only the hiring committee and admins read outcome data."), code="not_committee"
        )
    role = Role.objects.filter(pk=role_id).first() if str(role_id).isdigit() else None
    if role is None:
        raise ValidationFailed(gettext("Choose a role."), field_errors={"role": [gettext("Choose one of the roles.")]})
    if checkin and checkin not in {"90d", "6m", "12m"} and not (checkin[:-1].isdigit() and checkin[-1] in "dmy"):
        raise ValidationFailed(
            gettext("Choose a check-in."), field_errors={"checkin": [gettext("A check-in such as 90d or 12m.")]}
        )
    report = ValidityReport.objects.create(requested_by=actor, role=role, checkin_label=checkin,
                                           min_sample=settings.HIRELOOP_OUTCOME_MIN_SAMPLE)
    audit_record(actor=actor, action="outcome.validity_requested", obj=report, after={"role_id": role.pk})
    transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def validity_report_compute(*, report_id: int) -> ValidityReport | None:
    claimed = ValidityReport.objects.filter(pk=report_id, status=ValidityReport.Status.QUEUED).update(
        status=ValidityReport.Status.RUNNING)
    report = ValidityReport.objects.select_related("role").filter(pk=report_id).first()
    if report is None or not claimed:
        return report
    try:
        ratings, outcomes, areas, red_flags = database_rows(report.role)
        result = build_report(
            ratings, outcomes, spec_for_role(report.role.slug), area_names=areas, red_flags=red_flags,
            options=ValidityOptions(checkin=report.checkin_label, min_sample=report.min_sample,
                                    interval_width=settings.HIRELOOP_OUTCOME_INTERVAL_WIDTH),
            description={"role": report.role.title, "source": "the database"},
        )
    except Exception as exc:  # noqa: BLE001 - the page shows the failure; the log has the trace (ids only)
        logger.exception("Validity report %s failed.", report_id)
        report.status, report.error = ValidityReport.Status.FAILED, f"The computation failed ({type(exc).__name__})."
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at"])
        return report
    report.status, report.result, report.finished_at = ValidityReport.Status.DONE, result, timezone.now()
    report.save(update_fields=["status", "result", "finished_at"])
    return report


def validity_requeue(*, older_than: timedelta = timedelta(minutes=5)) -> list[int]:
    stale = list(ValidityReport.objects.filter(status=ValidityReport.Status.QUEUED,
                                               created_at__lt=timezone.now() - older_than).values_list("pk", flat=True))
    for report_id in stale:
        _enqueue(report_id)
    return stale


def validity_report_read(*, actor: Any, report_id: int) -> ValidityReport:
    """One report for the committee or an admin; every read is audited (outcome data is personal data)."""
    if not can_read_outcomes(actor):
        raise NotFound(gettext("No such report."))
    report = ValidityReport.objects.select_related("role").filter(pk=report_id).first()
    if report is None:
        raise NotFound(gettext("No such report."))
    audit_record(actor=actor, action="outcome.validity_read", obj=report, after={"status": report.status})
    return report
