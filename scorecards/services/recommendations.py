"""Recomputing hire recommendations: the outbox request, and the computation a worker runs."""

from __future__ import annotations

import logging

from django.db import transaction

from scorecards.models import RecomputeRequest

logger = logging.getLogger(__name__)


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
    from scorecards.tasks import recommend_loop

    try:
        recommend_loop.delay(loop_id)
    except Exception:  # noqa: BLE001 - any broker failure must not reach the user; the outbox catches up.
        logger.warning("Could not enqueue recommendation for loop %s; the outbox drain will retry.", loop_id)
        return False
    return True
