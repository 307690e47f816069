"""A task that does nothing: the floor of a job's round trip through the broker and a worker."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="bench.noop", ignore_result=False)
def noop() -> str:
    return "ok"
