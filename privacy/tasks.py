"""The scheduled retention job (beat: daily); thin, it calls the retention service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from privacy.retention import retention_anonymise, retention_due

logger = logging.getLogger(__name__)


# The name keeps the module the task was first registered under, so queued messages and beat entries
# written before the tasks modules were merged still find it.
@shared_task(name="hiring.tasks_privacy.retention_anonymise_due", acks_late=True)
def retention_anonymise_due() -> int:
    """Anonymise every candidate past retention; logs the dry-run listing (ids only) first. Idempotent."""
    due = retention_due()
    logger.info(
        "Retention (%s months): %s candidate(s) due: %s",
        settings.HIRELOOP_RETENTION_MONTHS, len(due), ", ".join(f"#{e.candidate_id}" for e in due) or "none",
    )
    if not settings.HIRELOOP_RETENTION_APPLY:
        logger.info("Retention is in dry-run mode (HIRELOOP_RETENTION_APPLY=false): nothing erased.")
        return 0
    done = retention_anonymise(apply=True, via="retention job")
    logger.info("Retention anonymised %s candidate(s).", len(done))
    return len(done)
