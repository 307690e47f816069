"""Publishing when Redis is hung: the publish gives up on its socket timeout and the outbox keeps the need."""

from __future__ import annotations

import pytest

from config.celery import app as celery_app
from scorecards.models import Recommendation, RecomputeRequest, Scorecard
from scorecards.services.recompute import recommendation_enqueue
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import broker_traffic
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_integration_submit_with_redis_hung_gives_up_when_the_socket_timeout_fires(celery_broker):
    """A Redis that accepts connections but never answers (SIGSTOP): each publish gives up because its socket
    timeout fired, after at most 1 + max_retries tries, instead of waiting for Redis; the submit returns
    while Redis is still hung, the scorecard submitted and its recompute request kept."""
    tries = 1 + celery_app.conf.broker_transport_options["max_retries"]
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    celery_broker.pause()
    try:
        with broker_traffic(celery_broker.port) as one_publish:
            assert recommendation_enqueue(loop.pk) is False
        with broker_traffic(celery_broker.port) as submit:
            submit_scorecard(interview, dict.fromkeys(ALL_DIMENSIONS, 4))
    finally:
        celery_broker.resume()
    assert 1 <= one_publish.read_timeouts <= tries, one_publish
    assert one_publish.connections <= tries, one_publish
    # The submit publishes after commit (the recommendation, and other jobs such as notifications): every
    # connection it opened to the hung Redis ended with the timeout.
    assert submit.read_timeouts >= 1 and submit.connections <= submit.read_timeouts, submit
    assert Scorecard.objects.get(interview=interview).status == "submitted"
    assert RecomputeRequest.objects.filter(loop=loop, processed_at__isnull=True).count() == 1
    assert not Recommendation.objects.filter(loop=loop).exists()
