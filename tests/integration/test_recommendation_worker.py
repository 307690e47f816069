"""The recommendation job against real Redis, PostgreSQL and Celery worker processes.

Each test starts its own redis-server and workers (tests/integration/conftest.py), so stopping
Redis or killing a worker disturbs nobody else.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from config.celery import app as celery_app
from hiring.models import InterviewLoop
from scorecards.models import Dimension, Recommendation, RecomputeRequest, Scorecard
from scorecards.services.recompute import recommendation_enqueue
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import broker_traffic, terminate_backends, wait_until
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def scorecard_form_post(client, interview, score: int) -> int:
    """Fill in and submit the interviewer's web form; returns the status code."""
    url = reverse("scorecards:scorecard-edit", args=[interview.pk])
    page = client.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None, "the scorecard form has no version field"
    data = {"version": version.group(1), "overall": "yes", "summary": "Clear, careful engineer.", "action": "submit"}
    for dimension in Dimension.objects.filter(rubric_id=interview.loop.rubric_id):
        data[f"dimension-{dimension.pk}-score"] = str(score)
        data[f"dimension-{dimension.pk}-evidence"] = f"Evidence for {dimension.name}: explained the tradeoffs."
    return client.post(url, data).status_code


def recommendation_of(loop: InterviewLoop) -> Recommendation | None:
    return Recommendation.objects.filter(loop=loop).first()


def test_integration_scorecard_submitted_through_web_form_gets_a_recommendation(client, celery_worker):
    """Submit through the form; a separate worker process computes and stores the recommendation."""
    worker = celery_worker()
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    client.force_login(interview.interviewer)

    status = scorecard_form_post(client, interview, score=4)

    assert status == 302
    assert Scorecard.objects.get(interview=interview).status == "submitted"
    recommendation = wait_until(lambda: recommendation_of(loop), timeout=20, what="the worker's recommendation")
    assert (recommendation.outcome, str(recommendation.weighted_score), str(recommendation.coverage)) == (
        "hire",
        "4.000",
        "1.0000",
    )
    assert recommendation.details["reasons"] == ["Weighted score 4.00 is at or above the 3.5 hire threshold"]
    wait_until(
        lambda: not RecomputeRequest.objects.filter(loop=loop, processed_at__isnull=True).exists(),
        timeout=5,
        what="the outbox row to be marked processed",
    )
    assert "scorecards.tasks.recommend_loop" in worker.log()
    assert "succeeded" in worker.log()


def _waiting_on_lock(application_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
            [application_name],
        )
        return cursor.fetchone()[0] > 0


def _unacked_tasks(redis_client) -> list[str]:
    """Task names of messages a worker took but never acknowledged (kombu's Redis 'unacked' hash)."""
    names = []
    for raw in redis_client.hvals("unacked"):
        message, _exchange, _routing_key = json.loads(raw)
        names.append(message["headers"]["task"])
    return names


def test_integration_worker_killed_mid_task_is_completed_by_the_next_worker(celery_worker, celery_broker):
    """SIGKILL while the task runs: the unacknowledged message survives and a new worker completes it."""
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    submit_scorecard(interview, dict.fromkeys(ALL_DIMENSIONS, 3))  # enqueued after commit; no worker yet
    redis_client = celery_broker.client()
    # Other jobs a submit triggers (notifications) also lock the loop; this test follows one message only.
    redis_client.delete("celery")
    assert recommendation_enqueue(loop.pk) is True

    # Hold the loop's row lock so the task is caught mid-run (it locks the loop first), then kill its worker.
    with transaction.atomic():
        InterviewLoop.objects.select_for_update().get(pk=loop.pk)
        first = celery_worker(name="first")
        wait_until(
            lambda: _waiting_on_lock(first.application_name),
            timeout=20,
            what=lambda: f"the task to run; worker log:\n{first.log()[-3000:]}",
        )
        assert _unacked_tasks(redis_client) == ["scorecards.tasks.recommend_loop"]
        first.kill()
        terminate_backends(first.application_name)

    assert first.exit_codes == [-9]
    assert recommendation_of(loop) is None
    assert RecomputeRequest.objects.filter(loop=loop, processed_at__isnull=True).count() == 1
    assert _unacked_tasks(redis_client) == ["scorecards.tasks.recommend_loop"]

    second = celery_worker(name="second")
    recommendation = wait_until(lambda: recommendation_of(loop), timeout=20, what="the redelivered task")
    assert (recommendation.outcome, str(recommendation.weighted_score)) == ("needs_discussion", "3.000")
    assert not RecomputeRequest.objects.filter(loop=loop, processed_at__isnull=True).exists()
    wait_until(lambda: not _unacked_tasks(redis_client), timeout=5, what="the message to be acknowledged")
    assert "scorecards.tasks.recommend_loop" in second.log()


def test_integration_submit_with_redis_stopped_gives_up_on_refused_connections_and_catches_up_after_restart(
    client, celery_worker, celery_broker
):
    """Redis down: each publish of a submit is refused 1 + max_retries times and gives up, so the submit
    succeeds without Redis; once Redis is back the outbox drain catches up."""
    tries = 1 + celery_app.conf.broker_transport_options["max_retries"]
    celery_worker(
        name="with-beat",
        beat=True,
        env={"HIRELOOP_OUTBOX_DRAIN_SECONDS": "1", "HIRELOOP_OUTBOX_GRACE_SECONDS": "0"},
    )
    loop = make_loop()
    first = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    second = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))

    celery_broker.stop()
    with broker_traffic(celery_broker.port) as submits:
        client.force_login(first.interviewer)
        status_first = scorecard_form_post(client, first, score=4)
        client.force_login(second.interviewer)
        status_second = scorecard_form_post(client, second, score=2)
    with broker_traffic(celery_broker.port) as one_publish:
        assert recommendation_enqueue(loop.pk) is False

    assert (status_first, status_second) == (302, 302)
    # Every publish (the recommendation, notifications) made its tries, each refused, and gave up.
    # At least both publishes' tries: other clients of the same Redis (the cache) may knock too.
    assert submits.connections >= 2 * tries, submits
    assert one_publish.connections == tries, one_publish
    assert Scorecard.objects.filter(interview__loop=loop, status="submitted").count() == 2
    assert RecomputeRequest.objects.filter(loop=loop, processed_at__isnull=True).count() == 2
    time.sleep(1.5)  # beat ticks while Redis is down: nothing may be computed or lost
    assert recommendation_of(loop) is None

    celery_broker.start()
    recommendation = wait_until(
        lambda: (r := recommendation_of(loop)) and r.scorecard_count == 2 and r,
        timeout=25,
        what="the recommendation to catch up after Redis came back",
    )
    # Means 3.0 everywhere, but 4 beside 2 on every dimension: the panel disagrees.
    assert (recommendation.outcome, str(recommendation.weighted_score)) == ("needs_discussion", "3.000")
    assert recommendation.details["reasons"][0] == (
        "Interviewers are 2 points apart on Software engineering (scores from 2 to 4)"
    )
    wait_until(
        lambda: not RecomputeRequest.objects.filter(loop=loop, processed_at__isnull=True).exists(),
        timeout=10,
        what="every outbox row to be processed",
    )
    assert RecomputeRequest.objects.filter(loop=loop).count() == 2
