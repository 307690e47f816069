"""Celery tasks of quality of hire: thin wrappers taking ids and calling one service."""

from __future__ import annotations

from celery import shared_task

from outcomes.notifications import checkins_send_due, overdue_checkin_digests_send
from outcomes.validity.job import validity_report_compute, validity_requeue


@shared_task(name="outcomes.tasks.send_due_checkins")
def send_due_checkins() -> int:
    return checkins_send_due()


@shared_task(name="outcomes.tasks.send_overdue_checkin_digests")
def send_overdue_checkin_digests() -> int:
    return overdue_checkin_digests_send()


@shared_task(name="outcomes.tasks.compute_validity_report")
def compute_validity_report(report_id: int) -> str:
    report = validity_report_compute(report_id=report_id)
    return report.status if report else "missing"


@shared_task(name="outcomes.tasks.requeue_validity_reports")
def requeue_validity_reports() -> int:
    return len(validity_requeue())
