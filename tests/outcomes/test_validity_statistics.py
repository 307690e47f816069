"""The validity report against simulated histories whose truth is known (bench/quality_of_hire.py)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from bench.quality_of_hire import World, coverage, simulate, true_correlations
from outcomes.validity.outcomes_file import OutcomeRow
from outcomes.validity.report import DimensionSpec, RubricSpec, ValidityOptions, build_report
from outcomes.validity.stats import fisher_interval, hires_needed, thorndike_case2, thorndike_case3
from scorecards.calibration.rows import RatingRow

WORLD = World()
NULL_WORLD = replace(WORLD, effects=(0.0, 0.0, 0.0, 0.0))
SPEC = RubricSpec(dimensions=tuple(DimensionSpec(name, weight, name in WORLD.critical)
                                   for name, weight in zip(WORLD.dimensions, WORLD.weights, strict=True)),
                  critical_floor=2.5)
OVERALL = ("strong_no", "no", "yes", "strong_yes")


def _report(world: World, applicants: int, seed: int, **options):
    history = simulate(world, applicants, seed)
    ratings = [
        RatingRow(scorecard=f"L{loop}/{seat}", loop=f"L{loop}", interviewer=f"i{history.interviewer[loop, seat]}",
                  interviewer_name="", role="", kind="", dimension=name, score=int(history.scores[loop, seat, d]),
                  focus=None, overall=OVERALL[history.overall[loop, seat]],
                  decision="hire" if history.hired[loop] else "no_hire", ended_at=None, submitted_at=None, due_at=None)
        for loop in range(applicants) for seat in range(world.panel) for d, name in enumerate(world.dimensions)
    ]
    outcomes = [OutcomeRow(f"L{loop}", "12m", int(history.performance[loop])) for loop in np.flatnonzero(history.hired)]
    return build_report(ratings, outcomes, SPEC, options=ValidityOptions(**options))


def test_thorndike_formulas_match_worked_values():
    # A correlation of .30 in a group whose spread is half the pool's is .53 in the pool (case II).
    assert thorndike_case2(0.3, 2.0) == pytest.approx(0.6 / math.sqrt(1 - 0.09 + 0.36))
    # Case III through the selected variable itself is case II.
    assert thorndike_case3(0.3, 1.0, 0.3, 2.0) == pytest.approx(thorndike_case2(0.3, 2.0))
    # No selection (u = 1), no correction.
    assert thorndike_case3(0.25, 0.4, 0.2, 1.0) == pytest.approx(0.25)
    low, high = fisher_interval(0.3, 103) or (0, 0)
    assert (low, high) == pytest.approx((math.tanh(math.atanh(0.3) - 0.196), math.tanh(math.atanh(0.3) + 0.196)),
                                        abs=1e-3)
    # About 3 + (2 * 1.96 * 0.91 / 0.3)^2 = 145 hires for an interval .3 wide around r = .3.
    assert hires_needed(0.3, 0.3) == 145


def test_the_report_finds_the_dimensions_that_drive_performance_and_only_those():
    result = _report(WORLD, 600, seed=11)
    flagged = {d["name"] for d in result["dimensions"] if d["predictive"]}
    assert flagged == {"Software engineering", "AI system design"}
    truth = true_correlations(WORLD)
    for entry in result["dimensions"]:
        assert entry["r_corrected_low"] <= entry["r_corrected"] <= entry["r_corrected_high"]
        # The uncorrected r of a null dimension is pushed below zero among the hires (they traded it off
        # against the others to pass); the correction brings it back near its true value of zero.
        if truth[entry["name"]] == pytest.approx(0, abs=0.01):
            assert abs(entry["r_corrected"]) < abs(entry["r"]) + 0.05
    assert result["composite"]["r_corrected"] > result["composite"]["r"]
    # The overall impression weighs every dimension alike, including those that do not predict.
    assert result["composite_vs_overall"]["better"] == "composite"


def test_a_null_history_flags_nothing():
    for seed in (1, 2, 3):
        result = _report(NULL_WORLD, 600, seed=seed)
        assert not [d["name"] for d in result["dimensions"] if d["predictive"]]


def test_the_corrected_intervals_cover_the_true_correlations_about_95_percent_of_the_time():
    """A modest in-suite check (40 histories, 2 s); the 1,000-history figure is bench/quality_of_hire.py's.
    At a true 95%, a share under 85% in 40 histories has a chance of about 1 in 100."""
    shares = coverage(WORLD, replications=40, applicants=400, seed=100, resamples=600)
    assert all(share >= 0.85 for share in shares.values()), shares


def test_too_few_hires_are_said_plainly_with_how_many_more_are_needed():
    result = _report(WORLD, 30, seed=5, min_sample=10)
    composite = result["composite"]
    assert composite["small_sample"] is True
    assert composite["needs"]["more_hires_needed"] >= 100
    assert not any(d["predictive"] for d in result["dimensions"])
    assert "small sample" in result["notes"][0]
