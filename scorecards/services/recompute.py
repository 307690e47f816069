"""Asking for a loop's hire recommendation to be recomputed: the outbox row, and the job named after commit.

This sits with the scorecard writes, below the recommendations themselves:
a submitted scorecard asks for a recommendation by writing a row and naming
the task (hiring.jobs), never by calling up into ``scorecards.recommendations``.
"""

from __future__ import annotations

from django.db import transaction

from hiring.jobs import enqueue
from scorecards.models import RecomputeRequest

RECOMMEND_LOOP_TASK = "scorecards.tasks.recommend_loop"


def recommendation_request(loop_id: int, *, reason: str) -> None:
    """Record that a loop's recommendation must be recomputed, and enqueue it after commit.

    Call it inside the transaction that changes a scorecard: the outbox row
    commits (or rolls back) with the change, so the need is never lost even
    when the broker is down. The enqueue itself happens after commit and
    never raises: a dead broker leaves the row for the periodic drain.
    """
    RecomputeRequest.objects.create(loop_id=loop_id, reason=reason[:60])
    transaction.on_commit(lambda: recommendation_enqueue(loop_id))


def recommendation_enqueue(loop_id: int) -> bool:
    """Try to hand the loop to a worker; on any broker error log it (ids only) and return False."""
    return enqueue(RECOMMEND_LOOP_TASK, loop_id,
                   failure=f"Could not enqueue the recommendation of loop {loop_id} (%s); the outbox drain will retry.")
