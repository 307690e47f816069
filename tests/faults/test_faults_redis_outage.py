"""Redis stopped for 30 seconds while scorecards are submitted through the web form, then restarted."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from config.celery import app as celery_app
from scorecards.models import Dimension, Recommendation
from tests.faults.invariants import duplicated_recommendations, loops_without_current_recommendation, pending_outbox
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import broker_traffic, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 30.0
LOOPS = 5


def submit_through_form(client, interview, score: int) -> int:
    """The interviewer's own form, filled in and submitted; returns the status."""
    url = reverse("scorecards:scorecard-edit", args=[interview.pk])
    page = client.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None, "the scorecard form has no version field"
    data = {"version": version.group(1), "overall": "yes", "summary": "Careful, clear engineer.", "action": "submit"}
    for dimension in Dimension.objects.filter(rubric_id=interview.loop.rubric_id):
        data[f"dimension-{dimension.pk}-score"] = str(score)
        data[f"dimension-{dimension.pk}-evidence"] = f"Explained the trade-offs of {dimension.name}."
    return client.post(url, data).status_code


@pytest.mark.timeout(300)
def test_faults_redis_down_30s_no_request_fails_and_every_recommendation_follows(client, celery_worker, celery_broker):
    """Submissions during a 30 s Redis outage all succeed, each publish giving up on refused connections
    after its retries; after Redis returns each loop's recommendation is computed from every submitted
    scorecard, none twice."""
    tries = 1 + celery_app.conf.broker_transport_options["max_retries"]
    celery_worker(name="outage", beat=True,
                  env={"HIRELOOP_OUTBOX_DRAIN_SECONDS": "1", "HIRELOOP_OUTBOX_GRACE_SECONDS": "0"})
    interviews = []
    for _ in range(LOOPS):
        loop = make_loop()
        interviews += [make_interview(loop=loop, interviewer=UserFactory()) for _ in range(2)]

    celery_broker.stop()
    stopped = time.monotonic()
    statuses = []
    with broker_traffic(celery_broker.port) as outage:
        for number, interview in enumerate(interviews):
            client.force_login(interview.interviewer)
            statuses.append(submit_through_form(client, interview, score=2 + number % 3))
            # Spread the submissions over the outage.
            time.sleep(max(0.0, stopped + (number + 1) * OUTAGE_SECONDS / len(interviews) - time.monotonic() - 0.5))
    computed_during_outage = Recommendation.objects.count()
    time.sleep(max(0.0, stopped + OUTAGE_SECONDS - time.monotonic()))
    celery_broker.start()

    assert statuses == [302] * len(interviews)
    # Each submit's publishes (at least the recommendation's) were refused, tried 1 + max_retries times
    # each, and given up: no request waited for Redis to come back.
    # At least every publish's tries: other clients of the same Redis (the cache) may knock too.
    assert outage.connections >= len(interviews) * tries, outage
    assert computed_during_outage == 0
    wait_until(lambda: not loops_without_current_recommendation() and pending_outbox() == 0, timeout=60,
               what=lambda: f"recommendations after Redis returned: {loops_without_current_recommendation()}")
    assert loops_without_current_recommendation() == []
    assert duplicated_recommendations() == []
    assert pending_outbox() == 0
    assert Recommendation.objects.count() == LOOPS
