"""Celery tasks: thin wrappers that call services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="scorecards.tasks.recommend_loop", acks_late=True, reject_on_worker_lost=True)
def recommend_loop(loop_id: int) -> None:
    from scorecards.services.recommendations import recommendation_compute

    recommendation_compute(loop_id=loop_id)
