"""The recommendation job's service: after-commit enqueue, outbox, idempotence, leniency, fast failure."""

from __future__ import annotations

import socket
from datetime import timedelta
from decimal import Decimal
from typing import Any

import kombu.utils.functional
import pytest
from django.utils import timezone

from config.celery import app as celery_app
from hiring.models import AuditEvent
from scorecards.models import Recommendation, RecomputeRequest, Scorecard
from scorecards.recommendations.services import recommendation_compute, recommendation_outbox_drain
from scorecards.services.recompute import recommendation_enqueue
from scorecards.services.scorecards import scorecard_amend
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import broker_in_use
from tests.scorecards.factories import save_draft, scorecard_input, submit_scorecard

SE = "Software engineering"  # 20%, critical
ML = "Applied ML/AI fundamentals"  # 15%
SD = "AI system design"  # 20%, critical
OPS = "MLOps/operational readiness"  # 15%
COST = "Cost/performance thinking"  # 10%
RAI = "Responsible AI / security / privacy"  # 10%
COMM = "Communication & collaboration"  # 10%
ALL = (SE, ML, SD, OPS, COST, RAI, COMM)
RED_FLAG = "Recommends logging raw sensitive user data/prompts without safeguards."


def all_dimensions(*values: int | None) -> dict[str, int | None]:
    return dict(zip(ALL, values, strict=True))


def interview_on(loop, who=None, focus=ALL):
    return make_interview(loop=loop, interviewer=who or UserFactory(), focus=list(focus))


@pytest.mark.django_db
def test_recommendation_submit_writes_outbox_row_and_computes_after_commit(django_capture_on_commit_callbacks):
    """Submitting records the need in the same transaction; the recommendation appears once it commits."""
    loop = make_loop()
    interview = interview_on(loop)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_scorecard(interview, all_dimensions(4, 3, 4, 3, 2, 3, 5))
    # Before commit: a pending request, no recommendation yet.
    assert list(RecomputeRequest.objects.filter(loop=loop).values_list("reason", "processed_at")) == [
        ("scorecard_submitted", None)
    ]
    assert not Recommendation.objects.filter(loop=loop).exists()
    for callback in callbacks:
        callback()  # the broker-less test settings run the task in-process
    recommendation = Recommendation.objects.get(loop=loop)
    # 0.2*4 + 0.15*3 + 0.2*4 + 0.15*3 + 0.1*2 + 0.1*3 + 0.1*5 = 3.5
    assert (recommendation.outcome, recommendation.weighted_score, recommendation.coverage) == (
        "hire",
        Decimal("3.500"),
        Decimal("1.0000"),
    )
    assert recommendation.details["reasons"] == ["Weighted score 3.50 is at or above the 3.5 hire threshold"]
    assert recommendation.rubric_id == loop.rubric_id
    assert recommendation.scorecard_count == 1
    assert RecomputeRequest.objects.get(loop=loop).processed_at is not None


@pytest.mark.django_db
def test_recommendation_compute_twice_with_same_inputs_writes_nothing_new():
    """Idempotent: an unchanged loop keeps its row, its time stamp and its audit trail."""
    loop = make_loop()
    submit_scorecard(interview_on(loop), all_dimensions(4, 4, 4, 4, 4, 4, 4))
    first = recommendation_compute(loop_id=loop.pk)
    audits = AuditEvent.objects.filter(action="recommendation.computed").count()
    second = recommendation_compute(loop_id=loop.pk)
    assert (first.changed, second.changed) == (True, False)
    assert Recommendation.objects.filter(loop=loop).count() == 1
    stored = Recommendation.objects.get(loop=loop)
    assert first.recommendation is not None
    assert stored.computed_at == first.recommendation.computed_at
    assert stored.fingerprint == first.recommendation.fingerprint
    assert AuditEvent.objects.filter(action="recommendation.computed").count() == audits == 1


@pytest.mark.django_db
def test_recommendation_ignores_drafts():
    """A draft, however damning, is not feedback yet."""
    loop = make_loop()
    submit_scorecard(interview_on(loop), all_dimensions(4, 4, 4, 4, 4, 4, 4))
    save_draft(interview_on(loop), all_dimensions(1, 1, 1, 1, 1, 1, 1), overall="strong_no")
    recommendation = recommendation_compute(loop_id=loop.pk).recommendation
    assert recommendation is not None
    assert (recommendation.outcome, recommendation.weighted_score, recommendation.scorecard_count) == (
        "hire",
        Decimal("4.000"),
        1,
    )


@pytest.mark.django_db
def test_recommendation_uses_current_amended_scorecards():
    """A post-debrief amendment replaces the original in the computation; the original is kept."""
    loop = make_loop()
    first = interview_on(loop)
    second = interview_on(loop)
    submit_scorecard(first, all_dimensions(4, 4, 4, 4, 4, 4, 4))
    submit_scorecard(second, all_dimensions(4, 4, 4, 4, 4, 4, 4))
    before = recommendation_compute(loop_id=loop.pk).recommendation
    assert before is not None
    assert (before.outcome, before.weighted_score, before.scorecard_count) == ("hire", Decimal("4.000"), 2)

    scorecard_amend(
        actor=second.interviewer,
        interview_id=second.pk,
        data=scorecard_input(second, all_dimensions(2, 4, 2, 4, 4, 4, 4), overall="no"),
        reason="After the debrief: the system design answer missed the failure modes.",
    )
    after = recommendation_compute(loop_id=loop.pk)
    assert after.changed is True
    recommendation = after.recommendation
    assert recommendation is not None
    # SE and SD means (4+2)/2 = 3: 0.2*3 + 0.15*4 + 0.2*3 + 0.15*4 + 0.3*4 = 3.6. SE and SD 2 points apart.
    assert (recommendation.outcome, recommendation.weighted_score, recommendation.scorecard_count) == (
        "needs_discussion",
        Decimal("3.600"),
        2,
    )
    assert recommendation.details["reasons"][:2] == [
        "Interviewers are 2 points apart on Software engineering (scores from 2 to 4)",
        "Interviewers are 2 points apart on AI system design (scores from 2 to 4)",
    ]
    assert Scorecard.objects.filter(interview=second).count() == 2


@pytest.mark.django_db
def test_recommendation_red_flag_and_adjusted_score_stored():
    """Red flags reach the reasons; the adjusted score is stored beside the raw one, never instead."""
    loop = make_loop()
    interview = interview_on(loop)
    submit_scorecard(
        interview, all_dimensions(5, 5, 5, 5, 5, 5, 5), overall="strong_yes", signals={RED_FLAG: "Said so twice."}
    )
    recommendation = recommendation_compute(loop_id=loop.pk).recommendation
    assert recommendation is not None
    assert recommendation.outcome == "no_hire"
    assert recommendation.details["red_flags"] == [{"text": RED_FLAG, "interviewers": 1}]
    assert recommendation.weighted_score == Decimal("5.000")
    # No history: offset 0, so the adjusted score equals the raw one, with the prior's band.
    assert recommendation.adjusted_score == Decimal("5.000")
    assert recommendation.adjusted_low is not None
    assert recommendation.adjusted_low < Decimal("5.000")
    assert recommendation.adjusted_high == Decimal("5.000")
    assert recommendation.details["adjusted"]["interviewers"][0]["note"] == "No history yet: adjustment 0"


@pytest.mark.django_db
def test_recommendation_no_scorecards_is_insufficient_evidence():
    loop = make_loop()
    interview_on(loop)
    recommendation = recommendation_compute(loop_id=loop.pk).recommendation
    assert recommendation is not None
    assert (recommendation.outcome, recommendation.weighted_score, recommendation.coverage) == (
        "insufficient_evidence",
        None,
        Decimal("0.0000"),
    )


@pytest.mark.django_db
def test_recommendation_compute_for_missing_loop_does_nothing():
    outcome = recommendation_compute(loop_id=987654)
    assert (outcome.recommendation, outcome.changed) == (None, False)
    assert not Recommendation.objects.exists()


@pytest.mark.django_db
def test_recommendation_outbox_drain_catches_up_old_requests_only():
    """The drain re-sends requests older than the grace period and leaves fresh ones to their own enqueue."""
    old_loop, fresh_loop = make_loop(), make_loop()
    submit_scorecard(interview_on(old_loop), all_dimensions(3, 3, 3, 3, 3, 3, 3))
    submit_scorecard(interview_on(fresh_loop), all_dimensions(3, 3, 3, 3, 3, 3, 3))
    RecomputeRequest.objects.filter(loop=old_loop).update(requested_at=timezone.now() - timedelta(minutes=5))
    assert recommendation_outbox_drain(older_than=timedelta(seconds=30)) == 1
    assert Recommendation.objects.get(loop=old_loop).outcome == "needs_discussion"
    assert not Recommendation.objects.filter(loop=fresh_loop).exists()
    assert RecomputeRequest.objects.filter(loop=fresh_loop, processed_at__isnull=True).count() == 1
    assert RecomputeRequest.objects.filter(processed_at__isnull=True).count() == 1


DEAD_BROKER = ("127.0.0.1", 1)


@pytest.fixture
def dead_broker():
    """Publish to a port nothing listens on, as the web process would with Redis down."""
    with broker_in_use(celery_app, f"redis://{DEAD_BROKER[0]}:{DEAD_BROKER[1]}/0"):
        yield


@pytest.fixture
def broker_attempts(monkeypatch) -> dict[str, list]:
    """The connections a publish opens to the dead broker, and the waits kombu asks for between its retries
    (recorded, not slept)."""
    seen: dict[str, list] = {"connections": [], "waits": []}
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        if address == DEAD_BROKER:
            seen["connections"].append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(kombu.utils.functional, "sleep", seen["waits"].append)
    return seen


@pytest.mark.django_db
def test_recommendation_enqueue_with_broker_down_gives_up_after_its_retries_and_logs_ids_only(
    dead_broker, broker_attempts, caplog
):
    """A dead broker costs the submitter a bounded number of refused connections, never an open-ended wait:
    the publish tries once and retries max_retries times, waits at most interval_max between tries, then
    gives up (logged, with ids only); the scorecard stays submitted and the outbox keeps the need."""
    options = celery_app.conf.broker_transport_options
    loop = make_loop()
    interview = interview_on(loop)
    submitted = submit_scorecard(interview, all_dimensions(4, 4, 4, 4, 4, 4, 4))

    assert recommendation_enqueue(loop.pk) is False

    assert len(broker_attempts["connections"]) == 1 + options["max_retries"]
    assert sum(broker_attempts["waits"]) <= options["max_retries"] * options["interval_max"]
    assert submitted.status == Scorecard.Status.SUBMITTED
    assert RecomputeRequest.objects.filter(loop=loop, processed_at__isnull=True).count() == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "hiring.jobs"]
    assert messages == [
        f"Could not enqueue the recommendation of loop {loop.pk} (OperationalError); the outbox drain will retry."
    ]
    assert loop.candidate.name not in caplog.text


def test_recommend_loop_task_acks_late_and_retries_database_errors(settings):
    """A killed worker's task goes back to the queue; database errors are retried with backoff."""
    from django.db import InterfaceError, OperationalError

    from scorecards.tasks import recommend_loop

    assert (recommend_loop.acks_late, recommend_loop.reject_on_worker_lost) == (True, True)
    # celery-types' Task stub lacks the autoretry options that shared_task sets on the generated class.
    assert {OperationalError, InterfaceError} <= set(recommend_loop.autoretry_for)  # type: ignore[attr-defined]
    assert recommend_loop.retry_backoff is True  # type: ignore[attr-defined]
    assert recommend_loop.max_retries == settings.HIRELOOP_RECOMMEND_MAX_RETRIES
