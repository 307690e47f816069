"""Celery tasks for take-home emails: thin wrappers, enqueued only after the transaction commits.

A mail server that is briefly down is retried with backoff; the link email
stays retry-safe because it is skipped once a newer link replaced its token.
"""

from __future__ import annotations

from smtplib import SMTPException
from typing import TypedDict

from celery import shared_task

from exercises.notifications import send_take_home_link as send_link
from exercises.notifications import send_take_home_notice as send_notice
from exercises.services.common import SEND_LINK_TASK, SEND_NOTICE_TASK


class RetryOptions(TypedDict):
    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    retry_backoff_max: int
    max_retries: int
    acks_late: bool
    reject_on_worker_lost: bool


RETRY: RetryOptions = {
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(name=SEND_LINK_TASK, **RETRY)
def send_take_home_link(assignment_id: int, token: str, reissued: bool = False) -> None:
    send_link(assignment_id=assignment_id, token=token, reissued=reissued)


@shared_task(name=SEND_NOTICE_TASK, **RETRY)
def send_take_home_notice(assignment_id: int, notice: str, submission_id: int | None = None) -> None:
    send_notice(assignment_id=assignment_id, notice=notice, submission_id=submission_id)
