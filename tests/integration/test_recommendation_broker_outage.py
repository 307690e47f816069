"""Publishing when Redis is down or hung: the submit returns promptly and the outbox keeps the need."""

from __future__ import annotations

import time

import pytest

from scorecards.models import Recommendation, RecomputeRequest, Scorecard
from scorecards.services.recompute import recommendation_enqueue
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_integration_submit_with_redis_hung_returns_within_the_socket_timeout(celery_broker):
    """A Redis that accepts connections but never answers (SIGSTOP) delays a submit by the 2 s socket timeout
    per publish, not indefinitely; the scorecard is submitted and its recompute request kept."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    celery_broker.pause()
    try:
        started = time.monotonic()
        assert recommendation_enqueue(loop.pk) is False
        one_publish = time.monotonic() - started
        started = time.monotonic()
        submit_scorecard(interview, dict.fromkeys(ALL_DIMENSIONS, 4))
        submit_seconds = time.monotonic() - started
    finally:
        celery_broker.resume()
    assert one_publish < 3.0, one_publish
    # The submit publishes after commit (the recommendation, and other jobs such as notifications).
    assert submit_seconds < 8.0, submit_seconds
    assert Scorecard.objects.get(interview=interview).status == "submitted"
    assert RecomputeRequest.objects.filter(loop=loop, processed_at__isnull=True).count() == 1
    assert not Recommendation.objects.filter(loop=loop).exists()
