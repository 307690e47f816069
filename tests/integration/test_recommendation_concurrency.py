"""Two recommendation runs for one loop at once, on PostgreSQL: the loop's row lock makes them take turns."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from hiring.models import AuditEvent, InterviewLoop
from scorecards.models import Recommendation
from scorecards.recommendations.services import ComputeOutcome, recommendation_compute
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import postgres_problem, require_service
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _in_thread(target, results: list, errors: list, start: threading.Barrier | None = None) -> threading.Thread:
    def run() -> None:
        try:
            if start is not None:
                start.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - the test asserts that no thread failed
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def loop() -> InterviewLoop:
    require_service(postgres_problem())
    loop = make_loop()
    submit_scorecard(make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS)),
                     dict.fromkeys(ALL_DIMENSIONS, 4))
    # Without a broker the submit's task ran in-process after commit: start from no recommendation.
    Recommendation.objects.filter(loop=loop).delete()
    return loop


def test_integration_two_runs_at_once_store_one_recommendation(loop):
    """Started together: one writes, the other finds the same fingerprint and writes nothing."""
    results: list[ComputeOutcome] = []
    errors: list[Exception] = []
    start = threading.Barrier(2)
    computed = AuditEvent.objects.filter(action="recommendation.computed", loop_id=loop.pk)
    audited_before = computed.count()
    threads = [_in_thread(lambda: recommendation_compute(loop_id=loop.pk), results, errors, start) for _ in range(2)]
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(outcome.changed for outcome in results) == [False, True]
    assert Recommendation.objects.filter(loop=loop).count() == 1
    assert computed.count() == audited_before + 1


def test_integration_run_waits_for_the_loop_lock(loop):
    """While another transaction holds the loop's row lock, a run waits, then completes."""
    results: list[ComputeOutcome] = []
    errors: list[Exception] = []
    with transaction.atomic():
        InterviewLoop.objects.select_for_update().get(pk=loop.pk)
        thread = _in_thread(lambda: recommendation_compute(loop_id=loop.pk), results, errors)
        time.sleep(1.0)
        assert thread.is_alive() and results == []
        assert not Recommendation.objects.filter(loop=loop).exists()
    thread.join(timeout=30)
    assert errors == []
    assert [outcome.changed for outcome in results] == [True]
    assert Recommendation.objects.get(loop=loop).outcome == "hire"
