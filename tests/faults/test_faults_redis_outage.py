"""Redis stopped for 30 seconds while scorecards are submitted through the web form, then restarted."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from scorecards.models import Dimension, Recommendation
from tests.faults.invariants import duplicated_recommendations, loops_without_current_recommendation, pending_outbox
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 30.0
LOOPS = 5


def submit_through_form(client, interview, score: int) -> tuple[int, float]:
    """The interviewer's own form, filled in and submitted; returns the status and the POST's duration."""
    url = reverse("scorecards:scorecard-edit", args=[interview.pk])
    page = client.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None, "the scorecard form has no version field"
    data = {"version": version.group(1), "overall": "yes", "summary": "Careful, clear engineer.", "action": "submit"}
    for dimension in Dimension.objects.filter(rubric_id=interview.loop.rubric_id):
        data[f"dimension-{dimension.pk}-score"] = str(score)
        data[f"dimension-{dimension.pk}-evidence"] = f"Explained the trade-offs of {dimension.name}."
    started = time.monotonic()
    response = client.post(url, data)
    return response.status_code, time.monotonic() - started


@pytest.mark.timeout(300)
def test_faults_redis_down_30s_no_request_fails_and_every_recommendation_follows(client, celery_worker, celery_broker):
    """Submissions during a 30 s Redis outage all succeed at once; after Redis returns each loop's
    recommendation is computed from every submitted scorecard, none twice."""
    celery_worker(name="outage", beat=True,
                  env={"HIRELOOP_OUTBOX_DRAIN_SECONDS": "1", "HIRELOOP_OUTBOX_GRACE_SECONDS": "0"})
    interviews = []
    for _ in range(LOOPS):
        loop = make_loop()
        interviews += [make_interview(loop=loop, interviewer=UserFactory()) for _ in range(2)]

    celery_broker.stop()
    stopped = time.monotonic()
    results = []
    for number, interview in enumerate(interviews):
        client.force_login(interview.interviewer)
        results.append(submit_through_form(client, interview, score=2 + number % 3))
        # Spread the submissions over the outage.
        time.sleep(max(0.0, stopped + (number + 1) * OUTAGE_SECONDS / len(interviews) - time.monotonic() - 0.5))
    computed_during_outage = Recommendation.objects.count()
    time.sleep(max(0.0, stopped + OUTAGE_SECONDS - time.monotonic()))
    celery_broker.start()
    outage = time.monotonic() - stopped

    assert [status for status, _ in results] == [302] * len(interviews)
    slowest = max(seconds for _, seconds in results)
    assert slowest < 3.0, f"a submit took {slowest:.1f}s while Redis was down"
    assert computed_during_outage == 0
    assert OUTAGE_SECONDS <= outage < OUTAGE_SECONDS + 2
    wait_until(lambda: not loops_without_current_recommendation() and pending_outbox() == 0, timeout=60,
               what=lambda: f"recommendations after Redis returned: {loops_without_current_recommendation()}")
    assert loops_without_current_recommendation() == []
    assert duplicated_recommendations() == []
    assert pending_outbox() == 0
    assert Recommendation.objects.count() == LOOPS
