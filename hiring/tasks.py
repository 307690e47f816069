"""Celery tasks for hiring: thin wrappers that call one service each; all idempotent and safe to retry."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from hiring.accounts.idempotency import idempotency_keys_purge
from hiring.calendar.invites import interview_invites_catch_up, interview_invites_send
from hiring.notifications import (
    api_token_expiry_warnings_send,
    feedback_overdue_events_record,
    feedback_reminders_send,
    loop_ready_catch_up,
    loop_ready_notify,
    overdue_digests_send,
)
from hiring.services.interviews import SEND_INVITES_TASK
from hiring.services.stages import NOTIFY_LOOP_READY_TASK, loops_refresh_stages


@shared_task(name="hiring.tasks.send_feedback_reminders", acks_late=True)
def send_feedback_reminders() -> int:
    """Hourly: each interviewer with overdue feedback gets one reminder per day, from the hour it falls due."""
    return feedback_reminders_send()


@shared_task(name="hiring.tasks.record_overdue_feedback_events", acks_late=True)
def record_overdue_feedback_events() -> int:
    """Hourly: a "feedback overdue" event per overdue interview and day, for webhooks and Slack."""
    return feedback_overdue_events_record()


@shared_task(name="hiring.tasks.send_overdue_digests", acks_late=True)
def send_overdue_digests() -> int:
    """Daily: each recruiter gets a digest of the overdue feedback on their loops."""
    return overdue_digests_send()


@shared_task(name=NOTIFY_LOOP_READY_TASK, acks_late=True)
def notify_loop_ready(loop_id: int, event_id: int) -> int:
    """After the last expected scorecard is in: tell the recruiter and the hiring manager."""
    return loop_ready_notify(loop_id=loop_id, event_id=event_id)


@shared_task(name="hiring.tasks.catch_up_ready_notices", acks_late=True)
def catch_up_ready_notices() -> int:
    """Every few minutes: send the "ready for review" notices whose enqueue was lost (broker down)."""
    return loop_ready_catch_up()


@shared_task(name="hiring.tasks.refresh_loop_stages", acks_late=True)
def refresh_loop_stages() -> int:
    """Every few minutes: loops whose interviews have ended move to "awaiting feedback"."""
    return loops_refresh_stages()


@shared_task(name="hiring.tasks.warn_expiring_api_tokens", acks_late=True)
def warn_expiring_api_tokens() -> int:
    """Daily: owners of API tokens about to expire (HIRELOOP_API_TOKEN_WARNING_DAYS) are told, once per token."""
    return api_token_expiry_warnings_send()


@shared_task(
    name=SEND_INVITES_TASK, acks_late=True, reject_on_worker_lost=True,
    # A mail server that is briefly down is retried with backoff; each retry sends only what is still owed.
    autoretry_for=(SMTPException, ConnectionError, TimeoutError), retry_backoff=30, retry_backoff_max=600,
    max_retries=5,
)
def send_interview_invites(interview_id: int) -> int:
    """After an interview is scheduled, moved, reassigned or cancelled: email its invitees' calendar messages."""
    return interview_invites_send(interview_id=interview_id)


@shared_task(name="hiring.tasks.catch_up_interview_invites", acks_late=True)
def catch_up_interview_invites() -> int:
    """Every few minutes: send the calendar messages whose job was lost (broker down) or gave up."""
    return interview_invites_catch_up()


@shared_task(name="hiring.tasks.purge_idempotency_keys", acks_late=True, ignore_result=True)
def purge_idempotency_keys() -> int:
    """Hourly: forget the API's kept answers to retried writes once HIRELOOP_IDEMPOTENCY_HOURS have passed."""
    return idempotency_keys_purge()
