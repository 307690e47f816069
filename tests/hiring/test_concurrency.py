"""Races that only a real database shows: two reminder jobs at once, two last scorecards at once.

PostgreSQL only (SQLite serialises every writer); skipped without it, failing when REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from hiring.models import InterviewLoop, SentNotification
from hiring.notifications import feedback_reminders_send
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.integration.services import postgres_problem, require_service
from tests.scorecards.factories import submit_scorecard

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class SlowBackend:
    """Holds the sending transaction open long enough for the other run to reach the same row."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.core.mail.backends.locmem import EmailBackend

        self.inner = EmailBackend()

    def send_messages(self, messages: list[Any]) -> int:
        time.sleep(0.5)
        return self.inner.send_messages(messages)


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Start the calls in threads released at the same instant; re-raise the first error."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


def test_feedback_reminders_two_runs_at_once_send_one_email(settings, mailoutbox):
    """Two workers running the reminder job at the same moment: one email, one record."""
    require_service(postgres_problem())
    settings.EMAIL_BACKEND = "tests.hiring.test_concurrency.SlowBackend"
    ivy = UserFactory(email="ivy@hireloop.example")
    make_interview(loop=make_loop(candidate=CandidateFactory()), interviewer=ivy, starts_in=timedelta(days=-3))

    sent = run_together(feedback_reminders_send, feedback_reminders_send)

    assert sorted(sent) == [0, 1]
    assert [m.to for m in mailoutbox] == [["ivy@hireloop.example"]]
    assert SentNotification.objects.filter(recipient=ivy).count() == 1


def test_last_two_scorecards_at_once_still_reach_review_and_notify_once(settings, mailoutbox, monkeypatch):
    """Two interviewers submitting the last two scorecards together: the loop reaches review, one notice each.

    A pause between writing each scorecard and deriving the loop's stage makes the two transactions
    overlap every time: each has written its scorecard before either looks at the other's.
    """
    require_service(postgres_problem())
    import hiring.services.stages
    from hiring.notifications import loop_ready_catch_up

    derive = hiring.services.stages.loop_refresh_status

    def after_a_pause(**kwargs: Any) -> InterviewLoop:
        time.sleep(0.5)
        return derive(**kwargs)

    monkeypatch.setattr(hiring.services.stages, "loop_refresh_status", after_a_pause)
    recruiter = UserFactory(recruiter=True, email="rita@hireloop.example")
    loop = make_loop(recruiter=recruiter, hiring_manager=UserFactory(committee=True, email="cora@hireloop.example"))
    first = make_interview(loop=loop, focus=["Software engineering"])
    second = make_interview(loop=loop, focus=["AI system design"])

    run_together(lambda: submit_scorecard(first), lambda: submit_scorecard(second))
    # The notice goes out after commit, or from the catch-up sweep when that enqueue failed (it does, now and
    # then, for an in-process task started from a test thread); either way each recipient gets exactly one.
    loop_ready_catch_up()

    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.IN_REVIEW
    assert sorted(m.to[0] for m in mailoutbox if m.subject.startswith("Ready for review")) == [
        "cora@hireloop.example", "rita@hireloop.example"]
