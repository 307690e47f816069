"""Handing work to a Celery worker by the task's registered name.

A task is a thin wrapper that calls a service, so the tasks modules sit above
the services that start them. A service that must start a job (after its
transaction commits) therefore names the task instead of importing it. Each
app imports its own tasks module in ``AppConfig.ready()``, so every name is
registered in every process, web and worker alike; a name that is not is a
programming error and raises ``KeyError`` at once.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app

logger = logging.getLogger(__name__)


def enqueue(task_name: str, *args: Any, failure: str) -> bool:
    """Send one job; on any broker error log ``failure`` (ids only, never personal data) and return False.

    ``failure`` is a sentence ending where the exception's class name may follow, e.g. "Could not enqueue
    the recommendation of loop 7 (%s); the outbox drain will retry.": the caller says what catches up.
    """
    task = current_app.tasks[task_name]
    try:
        task.delay(*args)
    except Exception as exc:  # noqa: BLE001 - no broker failure may reach the user; each caller has a catch-up.
        logger.warning(failure, type(exc).__name__)
        return False
    return True
