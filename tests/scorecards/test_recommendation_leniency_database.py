"""Leniency from stored residuals: the database's fast path gives what ``estimate_leniency`` gives.

Runs on whichever database DATABASE_URL names (SQLite by default, PostgreSQL in CI): the residuals are
computed by SQL window functions on both.
"""

from __future__ import annotations

import random
from typing import cast

import pytest

from hiring.models import AuditEvent, InterviewLoop
from scorecards.leniency.offsets import ScoreObservation, estimate_leniency
from scorecards.leniency.selectors import leniency_history, loop_parts, stored_residuals
from scorecards.leniency.services import leniency_residuals_rebuild
from scorecards.models import LeniencyResidual, LeniencyTotals, Rating, Recommendation
from scorecards.recommendations.services import recommendation_compute, recommendation_compute_many
from scorecards.services.scorecards import scorecard_amend
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, scorecard_input, submit_scorecard


def random_history(seed: int, loops: int = 10) -> tuple[list[InterviewLoop], list]:
    """Loops with 1-4 interviewers from a pool of six (one sometimes twice), random scores, some not assessed."""
    rng = random.Random(seed)
    people = [UserFactory() for _ in range(6)]
    recruiter = UserFactory(recruiter=True)
    made = []
    for _ in range(loops):
        loop = make_loop(recruiter=recruiter)
        panel = rng.sample(people, rng.randint(1, 4))
        if rng.random() < 0.2:
            panel.append(panel[0])  # the same person on two interviews of one loop
        for person in panel:
            scores = {name: (rng.randint(1, 5) if rng.random() < 0.8 else None) for name in ALL_DIMENSIONS}
            submit_scorecard(make_interview(loop=loop, interviewer=person, focus=[]), scores)
        made.append(loop)
    return made, people


def observations() -> list[ScoreObservation]:
    """Every current submitted score, as the reference implementation takes them."""
    rows = Rating.objects.filter(
        scorecard__status="submitted", scorecard__is_current=True, score__isnull=False
    ).values_list("scorecard_id", "scorecard__interview__loop_id", "scorecard__interviewer_id", "dimension_id", "score")
    # score__isnull=False above: the stubs cannot see that the filter rules out None.
    return [
        ScoreObservation(scorecard=c, loop=lp, interviewer=w, dimension=d, score=cast(int, s))
        for c, lp, w, d, s in rows
    ]


def stored_recommendations() -> dict:
    return {r.loop_id: (r.outcome, r.weighted_score, r.adjusted_score, r.details) for r in Recommendation.objects.all()}


def assert_same_table(fast, reference, interviewers) -> None:
    assert fast.sigma == pytest.approx(reference.sigma, abs=1e-9)
    assert fast.sigma_estimated == reference.sigma_estimated
    for who in interviewers:
        a, b = fast.get(who), reference.get(who)
        assert (a.scorecards, a.comparisons) == (b.scorecards, b.comparisons), who
        for name in ("offset", "std_error", "low", "high"):
            assert getattr(a, name) == pytest.approx(getattr(b, name), abs=1e-9), (who, name)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_leniency_stored_residuals_give_the_reference_offsets_leaving_each_loop_out(seed):
    """History minus a loop's stored part equals estimate_leniency(every score, exclude_loops={loop})."""
    loops, people = random_history(seed)
    recommendation_compute_many([loop.pk for loop in loops])
    history = leniency_history()
    parts = loop_parts(stored_residuals([loop.pk for loop in loops]))
    everything = observations()
    ids = [p.pk for p in people]
    for loop in loops:
        reference = estimate_leniency(everything, exclude_loops={loop.pk}, prior_strength=5.0)
        assert_same_table(history.table(leaving_out=parts.get(loop.pk), interviewers=ids), reference, ids)


@pytest.mark.django_db
def test_leniency_totals_follow_amendments_and_equal_a_rebuild():
    """Moving the totals by each change ends where recomputing them from scratch does."""
    loops, _ = random_history(4, loops=6)
    recommendation_compute_many([loop.pk for loop in loops])
    card = (
        loops[0].interviews.filter(scorecards__is_current=True, scorecards__status="submitted")
        .select_related("interviewer").first()
    )
    assert card is not None
    scorecard_amend(
        actor=card.interviewer,
        interview_id=card.pk,
        data=scorecard_input(card, dict.fromkeys(ALL_DIMENSIONS, 5), overall="strong_yes"),
        reason="After the debrief: the design answer was better than scored.",
    )
    recommendation_compute(loop_id=loops[0].pk)
    incremental = {
        row[0]: row[1:] for row in LeniencyTotals.objects.values_list(
            "interviewer_id", "scorecards", "comparisons", "residual_sum", "residual_squares"
        ) if row[1]
    }
    residuals = sorted(LeniencyResidual.objects.values_list("scorecard_id", "residual", "comparisons"))
    leniency_residuals_rebuild()
    rebuilt_residuals = sorted(LeniencyResidual.objects.values_list("scorecard_id", "residual", "comparisons"))
    assert [(card, n) for card, _, n in rebuilt_residuals] == [(card, n) for card, _, n in residuals]
    assert [r for _, r, _ in rebuilt_residuals] == pytest.approx([r for _, r, _ in residuals], abs=1e-12)
    rebuilt = {
        row[0]: row[1:] for row in LeniencyTotals.objects.values_list(
            "interviewer_id", "scorecards", "comparisons", "residual_sum", "residual_squares"
        )
    }
    assert incremental.keys() == rebuilt.keys()
    for who, (n, comparisons, total, squares) in incremental.items():
        assert (n, comparisons) == rebuilt[who][:2]
        assert (total, squares) == pytest.approx(rebuilt[who][2:], abs=1e-9)


@pytest.mark.django_db
def test_recommendation_compute_many_costs_the_same_queries_for_two_loops_or_eight(django_assert_num_queries):
    """A batch reads and writes in a fixed number of queries; it stores what one-by-one computing stores."""
    loops, _ = random_history(5, loops=8)
    recommendation_compute_many([loop.pk for loop in loops])  # residuals stored, outbox processed
    Recommendation.objects.update(fingerprint="")
    # Savepoint, lock, outbox, rubric, dimensions, scorecards, people, ratings, signals, fresh and stored
    # residuals, pending loops elsewhere, history, stored recommendations, their upsert, audit, release.
    with django_assert_num_queries(17):
        recommendation_compute_many([loop.pk for loop in loops[:2]])
    Recommendation.objects.update(fingerprint="")
    with django_assert_num_queries(17):
        recommendation_compute_many([loop.pk for loop in loops])
    batch = stored_recommendations()
    Recommendation.objects.update(fingerprint="")
    for loop in loops:
        recommendation_compute(loop_id=loop.pk)
    single = stored_recommendations()
    assert batch == single
    # Updated rows kept their ids, and the audit trail names them.
    audited = AuditEvent.objects.filter(action="recommendation.computed").values_list("object_id", flat=True)
    assert set(audited) == {str(pk) for pk in Recommendation.objects.values_list("pk", flat=True)}
