"""Concurrent writers and racing readers on real PostgreSQL, each thread with its own connection."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

import pytest
from django.db import connection

from hiring.access import scorecards_visible_to
from hiring.errors import Conflict
from scorecards.models import Scorecard
from scorecards.services.scorecards import scorecard_save_draft, scorecard_start, scorecard_submit
from tests.faults.invariants import rows
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import postgres_problem, require_service
from tests.scorecards.factories import scorecard_input

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 8
ATTEMPTS = 6


@dataclass
class Outcome:
    thread: int
    kind: str  # "save" or "submit"
    based_on: int
    marker: str
    result: str  # "ok" or the Conflict code
    version: int | None = None


def test_faults_concurrent_saves_and_submits_one_submit_wins_and_no_update_is_lost():
    """8 threads save and submit the same scorecard, each from the version it last read: exactly one submit
    wins, every write based on a stale version gets a conflict, and no successful write is overwritten unseen."""
    require_service(postgres_problem())
    loop = make_loop()
    interview = make_interview(loop=loop, interviewer=UserFactory())
    actor = interview.interviewer
    scorecard = scorecard_start(actor=actor, interview_id=interview.pk)
    scores = {d.name: 3 for d in interview.focus_dimensions.all()}
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def writer(number: int) -> None:
        rng = random.Random(number)
        try:
            barrier.wait()
            for attempt in range(ATTEMPTS):
                version = Scorecard.objects.values_list("version", flat=True).get(pk=scorecard.pk)
                # Every thread's last attempt submits: then the last successful write is always a submit (a thread
                # whose save came last would submit on top of it), so "exactly one submit wins" holds for any
                # interleaving, not only the likely ones.
                kind = "submit" if attempt == ATTEMPTS - 1 or rng.random() < 0.35 else "save"
                marker = f"t{number}-a{attempt}-{kind}"
                data = scorecard_input(interview, scores, summary=marker)
                service = scorecard_submit if kind == "submit" else scorecard_save_draft
                try:
                    saved = service(actor=actor, interview_id=interview.pk, data=data, expected_version=version)
                    outcome = Outcome(number, kind, version, marker, "ok", saved.version)
                except Conflict as exc:
                    outcome = Outcome(number, kind, version, marker, exc.code)
                with lock:
                    outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert len(outcomes) == THREADS * ATTEMPTS

    succeeded = sorted((o for o in outcomes if o.result == "ok"), key=lambda o: o.version or 0)
    submits = [o for o in succeeded if o.kind == "submit"]
    assert len(submits) == 1, outcomes
    assert {o.result for o in outcomes} <= {"ok", "stale_version", "already_submitted"}
    # No lost update: each successful write was based on the version the one before it produced.
    assert [o.based_on for o in succeeded] == list(range(1, len(succeeded) + 1))
    assert [o.version for o in succeeded] == list(range(2, len(succeeded) + 2))
    assert succeeded[-1] is submits[0]  # nothing was saved over the submitted scorecard
    # Invariants in SQL: one submitted row holding the winner's content, one audit event per successful write.
    assert rows("SELECT status, summary, version FROM scorecards_scorecard WHERE interview_id = %s",
                [interview.pk]) == [("submitted", submits[0].marker, submits[0].version)]
    audited = rows(
        "SELECT action, COUNT(*) FROM hiring_auditevent WHERE object_type = 'scorecards.scorecard' "
        "AND object_id = %s AND action IN ('scorecard.saved', 'scorecard.submitted') GROUP BY action ORDER BY action",
        [str(scorecard.pk)],
    )
    saves = sum(1 for o in succeeded if o.kind == "save")
    assert audited == ([("scorecard.saved", saves)] if saves else []) + [("scorecard.submitted", 1)]


def test_faults_racing_reads_never_show_other_scores_before_the_reader_submitted():
    """While a second interviewer reads the loop's scorecards in a tight loop from 4 threads and submits their
    own at a random moment, no read made before that submit committed returns the first interviewer's scores."""
    require_service(postgres_problem())
    loop = make_loop()
    first = make_interview(loop=loop, interviewer=UserFactory())
    second = make_interview(loop=loop, interviewer=UserFactory())
    reader = second.interviewer
    from tests.scorecards.factories import submit_scorecard

    submit_scorecard(first, {d.name: 5 for d in first.focus_dimensions.all()})
    stop = threading.Event()
    reads: list[tuple[float, float, list[int]]] = []
    lock = threading.Lock()
    submit_times: dict[str, float] = {}

    def read_loop() -> None:
        try:
            while not stop.is_set():
                started = time.monotonic()
                seen = list(
                    scorecards_visible_to(reader).exclude(interviewer=reader)
                    .filter(interview__loop=loop, ratings__score__isnull=False).values_list("pk", flat=True).distinct()
                )
                with lock:
                    reads.append((started, time.monotonic(), seen))
        finally:
            connection.close()

    def submit_later() -> None:
        try:
            time.sleep(random.uniform(0.3, 1.0))
            submit_times["start"] = time.monotonic()
            submit_scorecard(second, {d.name: 2 for d in second.focus_dimensions.all()})
            submit_times["committed"] = time.monotonic()
            time.sleep(0.3)
        finally:
            stop.set()
            connection.close()

    threads = [threading.Thread(target=read_loop) for _ in range(4)] + [threading.Thread(target=submit_later)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    before = [seen for started, ended, seen in reads if ended < submit_times["start"]]
    after = [seen for started, ended, seen in reads if started > submit_times["committed"]]
    early_leaks = [seen for started, ended, seen in reads if seen and started < submit_times["start"]]
    assert before and after, "the race needs reads on both sides of the submit"
    assert early_leaks == []
    assert all(seen == [] for seen in before)
    first_card = Scorecard.objects.get(interview=first).pk
    assert all(seen == [first_card] for seen in after)
    # In SQL: the reader's scorecard is submitted, and it was submitted after the first one.
    assert rows(
        "SELECT COUNT(*) FROM scorecards_scorecard WHERE interview_id IN (%s, %s) AND status = 'submitted'",
        [first.pk, second.pk],
    ) == [(2,)]
