"""The rater model on simulated histories with a known truth (bench/rater_sim.py), and against a reference fit.

Seeded, so each check is exact and repeatable; the many-replication version
of the coverage check is ``python -m bench.rater_check`` (docs/calibration.md).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import spearmanr

from bench.rater_sim import simulate
from scorecards.leniency.model import RatingInput, adjusted_score, fit_rater_model


def fit(history, **options):
    return fit_rater_model(history.loop, history.dimension, history.rater, history.score, raters=history.raters,
                           **options)


def test_plain_linear_fit_agrees_with_statsmodels_reml():
    """Without scale use and censoring the model is a linear mixed model: statsmodels' MixedLM (REML) gives the
    same interviewer effects and variances on a small history."""
    import statsmodels.api as sm

    history = simulate("balanced", seed=5, loops=14, raters=6, noise=0.5)
    ours = fit(history, scale=False, censored=False, min_connected_loops=5, tolerance=1e-10, max_iterations=5000)
    loops, raters = history.loops, history.raters
    _, cell = np.unique(history.loop * 5 + history.dimension, return_inverse=True)
    fixed = np.column_stack([np.eye(loops)[history.loop], np.eye(5)[history.dimension][:, 1:]])
    components = {"cell": {0: np.eye(cell.max() + 1)[cell]}, "rater": {0: np.eye(raters)[history.rater]}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the reference's optimiser
        reference = sm.MixedLM(history.score, fixed, groups=np.zeros(len(history.score)),
                               exog_vc=components).fit(reml=True)
    effects = reference.random_effects[0]
    reference_offsets = np.array([effects[name] for name in effects.index if name.startswith("rater")])
    assert np.max(np.abs(reference_offsets - ours.offset)) < 0.01
    assert ours.sigma**2 == pytest.approx(reference.scale, rel=0.05)
    cell_variance, rater_variance = reference.vcomp
    assert ours.sigma_offset**2 == pytest.approx(rater_variance, rel=0.05)
    assert ours.tau**2 == pytest.approx(cell_variance, rel=0.3, abs=0.02)


@pytest.mark.parametrize(("design", "floor"), [("balanced", 0.95), ("clustered", 0.95), ("sparse", 0.92)])
def test_measured_leniency_ranks_interviewers_like_the_truth(design, floor):
    for seed in (1, 2):
        history = simulate(design, seed=seed)
        result = fit(history)
        assert result.converged
        assert spearmanr(history.leniency, result.offset).statistic >= floor, (design, seed)


def test_leniency_intervals_cover_the_truth():
    """Offsets' 95% intervals contain the true leniency (centred like the fit) about 95% of the time, also when
    lenient interviewers sit with strong candidates (the old leave-one-out offsets: 58%)."""
    hits = total = 0
    for design in ("balanced", "clustered", "sparse"):
        history = simulate(design, seed=3)
        result = fit(history)
        truth = history.leniency - history.leniency.mean()
        hits += int(np.sum(np.abs(result.offset - truth) <= 1.96 * result.offset_sd))
        total += history.raters
    assert 0.88 <= hits / total <= 1.0


def test_scale_use_is_not_read_as_leniency():
    """A strong pool; a sixth of the interviewers use only the middle of the scale, a sixth only its ends, none
    is lenient or severe: offsets stay near zero, and the scale use says who is narrow and who is wide."""
    history = simulate("restricted", seed=1)
    result = fit(history)
    assert np.max(np.abs(result.offset)) < 0.15
    narrow, wide, typical = slice(0, 10), slice(10, 20), slice(20, 60)
    assert np.all(result.scale[narrow] < 0.6)
    assert np.all(result.scale[wide] > 1.3)
    assert np.all(np.abs(result.scale[typical] - 1.0) < 0.3)
    # The plain linear model (scale use ignored) is what read them as severe and lenient.
    plain = fit(history, scale=False)
    assert np.max(np.abs(plain.offset)) > 0.2


def test_no_leniency_no_spread_between_interviewers():
    result = fit(simulate("null", seed=1))
    assert result.sigma_offset < 0.1
    assert np.max(np.abs(result.offset / result.offset_sd)) < 2.5


def test_too_few_connected_loops_fit_nothing():
    history = simulate("balanced", seed=1, loops=20, raters=10)
    result = fit(history)
    assert not result.fitted
    assert "Only 20 loops" in result.notes[0]
    assert np.all(result.offset == 0.0) and not result.connected.any()


def coverage(design: str, seed: int) -> tuple[int, int]:
    history = simulate(design, seed=seed)
    result = fit(history)
    hits = 0
    for loop in range(history.loops):
        rows = np.flatnonzero(history.loop == loop)
        ratings = []
        for i in rows:
            who = history.rater[i]
            ratings.append(RatingInput(
                rater=int(who), dimension=int(history.dimension[i]), score=float(history.score[i]),
                offset=float(result.offset[who]), offset_sd=float(result.offset_sd[who]),
                scale=float(result.scale[who]), scale_sd=float(result.scale_sd[who]),
            ))
        estimate = adjusted_score(ratings, dict.fromkeys(range(5), 1.0), noise_sd=result.sigma)
        assert estimate is not None
        truth = float(np.mean(history.level[loop, sorted(set(history.dimension[rows].tolist()))]))
        hits += int(estimate.low <= truth <= estimate.high)
    return hits, history.loops


def test_adjusted_score_interval_contains_the_true_level_about_95_percent_of_the_time():
    """Pooled over the five designs (2,000 loops): the old band, carrying only the offsets' uncertainty,
    contained the true score in 22-44% of loops."""
    hits = total = 0
    for design in ("balanced", "sparse", "clustered", "restricted", "null"):
        found, loops = coverage(design, seed=11)
        hits += found
        total += loops
    assert 0.92 <= hits / total <= 0.97


def test_adjusted_score_undoes_leniency_and_scale():
    lenient = [RatingInput(rater="a", dimension="x", score=5, offset=1.0, offset_sd=0.1),
               RatingInput(rater="a", dimension="y", score=4, offset=1.0, offset_sd=0.1)]
    estimate = adjusted_score(lenient, {"x": 1.0, "y": 1.0}, noise_sd=0.6)
    assert estimate is not None
    assert estimate.score == pytest.approx(3.5)
    narrow = [RatingInput(rater="b", dimension="x", score=4, scale=0.5)]
    widened = adjusted_score(narrow, {"x": 1.0}, noise_sd=0.6)
    assert widened is not None and widened.score == pytest.approx(5.0)
    # Half the scores on a dimension: a wider interval.
    one = adjusted_score([RatingInput(rater="a", dimension="x", score=3)], {"x": 1.0}, noise_sd=0.6)
    two = adjusted_score([RatingInput(rater="a", dimension="x", score=3), RatingInput(rater="b", dimension="x",
                                                                                       score=3)],
                         {"x": 1.0}, noise_sd=0.6)
    assert one is not None and two is not None
    assert one.sd == pytest.approx(0.6) and two.sd == pytest.approx(0.6 / 2**0.5)
    assert adjusted_score([], {"x": 1.0}, noise_sd=0.6) is None


def test_every_loop_at_once_matches_one_loop_at_a_time():
    """The report's loops table (numpy) and the recommendation's adjustment (one loop) are the same arithmetic."""
    from scorecards.leniency.model import adjusted_scores

    history = simulate("restricted", seed=4, loops=60, raters=20)
    result = fit(history)
    weights = np.array([2.0, 1.0, 1.0, 0.5, 0.5])
    table = adjusted_scores(history.loop, history.dimension, history.rater, history.score, weights=weights,
                            fit=result)
    for position, loop in enumerate(table.loops):
        rows = np.flatnonzero(history.loop == loop)
        ratings = [RatingInput(
            rater=int(history.rater[i]), dimension=int(history.dimension[i]), score=float(history.score[i]),
            offset=float(result.offset[history.rater[i]]), offset_sd=float(result.offset_sd[history.rater[i]]),
            scale=float(result.scale[history.rater[i]]), scale_sd=float(result.scale_sd[history.rater[i]]),
        ) for i in rows]
        one = adjusted_score(ratings, dict(enumerate(weights.tolist())), noise_sd=result.sigma)
        assert one is not None
        assert table.adjusted[position] == pytest.approx(one.score, abs=1e-9)
        assert table.low[position] == pytest.approx(one.low, abs=1e-9)
        assert table.high[position] == pytest.approx(one.high, abs=1e-9)
