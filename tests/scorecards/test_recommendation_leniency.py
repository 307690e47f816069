"""Interviewer leniency: leave-one-out offsets against co-panelists, shrunk toward zero, with a band."""

from __future__ import annotations

import math
import random
from collections.abc import Hashable

import pytest

from scorecards.leniency.offsets import LeniencyHistory, ScoreObservation, estimate_leniency, residual_totals


def obs(scorecard: str, loop: str, who: str, score: int, dimension: str = "d") -> ScoreObservation:
    return ScoreObservation(scorecard=scorecard, loop=loop, interviewer=who, dimension=dimension, score=score)


# Loop 1: A 4, B 2. Loop 2: A 5, B 3. Loop 3: A 3, C 3.
HISTORY = [
    obs("s1", "L1", "A", 4),
    obs("s2", "L1", "B", 2),
    obs("s3", "L2", "A", 5),
    obs("s4", "L2", "B", 3),
    obs("s5", "L3", "A", 3),
    obs("s6", "L3", "C", 3),
]


def test_leniency_offsets_are_leave_one_out_and_shrunk():
    """A: residuals +2, +2, 0 -> raw 4/3, n=3, shrunk by 3/(3+5) to 0.5; B: -2, -2 -> -4/7; C: 0.

    Too few residuals to estimate sigma (6 scorecards - 3 interviewers = 3 < 10), so sigma is 0.75:
    A's std error is 0.75 / sqrt(8), B's 0.75 / sqrt(7).
    """
    table = estimate_leniency(HISTORY)
    assert (table.sigma, table.sigma_estimated) == (0.75, False)
    a, b, c = table.get("A"), table.get("B"), table.get("C")
    assert (a.scorecards, a.comparisons) == (3, 3)
    assert a.raw_offset == pytest.approx(4 / 3)
    assert a.offset == pytest.approx(0.5)
    assert a.std_error == pytest.approx(0.75 / math.sqrt(8))
    assert a.z_score == pytest.approx((4 / 3) / (0.75 / math.sqrt(3)))
    assert b.offset == pytest.approx(-4 / 7)
    assert b.std_error == pytest.approx(0.75 / math.sqrt(7))
    assert c.offset == 0.0
    # A's band (0.5 +/- 0.520) still includes zero; B's (-0.571 +/- 0.556) does not.
    assert (a.direction, b.direction, c.direction) == ("in line", "severe", "in line")
    assert a.as_dict() == {
        "interviewer": "A",
        "scorecards": 3,
        "comparisons": 3,
        "raw_offset": 1.3333,
        "offset": 0.5,
        "std_error": 0.2652,
        "low": -0.0197,
        "high": 1.0197,
        "z_score": 3.0792,
        "has_history": True,
        "direction": "in line",
    }


def test_leniency_without_history_is_zero_with_the_prior_band():
    """Someone never compared with a co-panelist gets offset 0 and says so."""
    table = estimate_leniency(HISTORY)
    newcomer = table.get("Z")
    assert (newcomer.offset, newcomer.raw_offset, newcomer.z_score, newcomer.has_history) == (0.0, None, None, False)
    assert newcomer.std_error == pytest.approx(0.75 / math.sqrt(5))
    assert newcomer.direction == "no history"
    alone = estimate_leniency([obs("s1", "L1", "A", 5)]).get("A")
    assert (alone.scorecards, alone.offset, alone.has_history) == (0, 0.0, False)


def test_leniency_excluding_a_loop_removes_it_from_history():
    """The loop being adjusted does not feed its own correction."""
    table = estimate_leniency(HISTORY, exclude_loops={"L1", "L2"})
    assert table.get("A").scorecards == 1
    assert table.get("A").offset == 0.0
    assert table.get("B").has_history is False


def test_leniency_same_interviewer_twice_on_a_loop_is_not_their_own_reference():
    """Two interviews by A on one loop: A's scores never serve as A's reference."""
    table = estimate_leniency([obs("s1", "L1", "A", 5), obs("s2", "L1", "A", 1)])
    assert table.get("A").has_history is False


def test_leniency_scorecard_residual_averages_its_dimensions():
    """A scorecard counts once: dimensions +1 and +3 give one residual of +2."""
    table = estimate_leniency(
        [
            obs("s1", "L1", "A", 4, "d1"),
            obs("s1", "L1", "A", 5, "d2"),
            obs("s2", "L1", "B", 3, "d1"),
            obs("s2", "L1", "B", 2, "d2"),
            obs("s2", "L1", "B", 4, "d3"),  # nobody else scored d3: no comparison
        ]
    )
    a = table.get("A")
    assert (a.scorecards, a.comparisons, a.raw_offset) == (1, 2, 2.0)
    assert a.offset == pytest.approx(2 / 6)
    assert table.get("B").raw_offset == -2.0


def test_leniency_sigma_is_pooled_once_there_is_enough_data():
    """Twelve loops of A vs B with residuals alternating +1/+3 (A) and -1/-3 (B): within-person sd = 1.0.

    Pooled variance = sum of squared deviations (24 * 1) / (24 - 2) = 24 / 22.
    """
    history = []
    for i in range(12):
        b_score = 1 if i % 2 == 0 else 2
        a_score = b_score + (1 if i % 2 == 0 else 3)
        history += [obs(f"a{i}", f"L{i}", "A", a_score), obs(f"b{i}", f"L{i}", "B", b_score)]
    table = estimate_leniency(history)
    assert table.sigma_estimated is True
    assert table.sigma == pytest.approx(math.sqrt(24 / 22))
    a = table.get("A")
    assert a.raw_offset == 2.0
    assert a.offset == pytest.approx(2.0 * 12 / 17)
    assert a.direction == "lenient"
    assert table.get("B").direction == "severe"


def test_leniency_is_independent_of_input_order():
    shuffled = list(HISTORY)
    random.Random(7).shuffle(shuffled)
    assert {k: v.as_dict() for k, v in estimate_leniency(shuffled).estimates.items()} == {
        k: v.as_dict() for k, v in estimate_leniency(HISTORY).estimates.items()
    }


def test_leniency_prior_strength_must_be_positive():
    with pytest.raises(ValueError, match="prior_strength"):
        estimate_leniency(HISTORY, prior_strength=0)


def _card_residuals(observations):
    """(interviewer, loop, residual, comparisons) per scorecard, straight from the definition."""
    by_card: dict[Hashable, tuple[Hashable, Hashable, list[float]]] = {}
    for o in observations:
        others = [
            p.score for p in observations
            if p.loop == o.loop and p.dimension == o.dimension and p.interviewer != o.interviewer
        ]
        if others:
            by_card.setdefault(o.scorecard, (o.interviewer, o.loop, []))[2].append(o.score - sum(others) / len(others))
    return [(who, loop, sum(values) / len(values), len(values)) for who, loop, values in by_card.values()]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_leniency_history_totals_leaving_a_loop_out_match_estimate_leniency(seed):
    """Subtracting a loop's residual totals gives the estimates of leaving the loop out, sigma included."""
    rng = random.Random(seed)
    observations = []
    for loop in range(40):
        for n, who in enumerate(rng.choice("ABCDEFGH") for _ in range(rng.randint(1, 4))):
            for dimension in range(4):
                if rng.random() < 0.8:
                    observations.append(obs(f"{loop}-{n}", f"L{loop}", who, rng.randint(1, 5), f"d{dimension}"))
    residuals = _card_residuals(observations)
    history = LeniencyHistory(residual_totals((who, r, c) for who, _, r, c in residuals))
    for left_out in ["L0", "L7", "L23", "L39", "nowhere"]:
        reference = estimate_leniency(observations, exclude_loops={left_out})
        part = residual_totals((who, r, c) for who, in_loop, r, c in residuals if in_loop == left_out)
        table = history.table(leaving_out=part, interviewers="ABCDEFGHZ")
        assert (table.sigma, table.sigma_estimated) == (pytest.approx(reference.sigma), reference.sigma_estimated)
        for who in "ABCDEFGHZ":
            fast, slow = table.get(who), reference.get(who)
            assert (fast.scorecards, fast.comparisons) == (slow.scorecards, slow.comparisons)
            assert fast.as_dict() == slow.as_dict()


def test_leniency_history_of_too_few_residuals_uses_the_default_sigma():
    """The same rule as estimate_leniency: fewer than min_df degrees of freedom, sigma is the default."""
    residuals = [(who, r, c) for who, _, r, c in _card_residuals(HISTORY)]
    table = LeniencyHistory(residual_totals(residuals)).table()
    reference = estimate_leniency(HISTORY)
    assert (table.sigma, table.sigma_estimated) == (0.75, False)
    assert {who: e.as_dict() for who, e in table.estimates.items()} == {
        who: e.as_dict() for who, e in reference.estimates.items()
    }
