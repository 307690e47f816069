"""The calibration report's pure statistics, each checked on a case small enough to compute by hand."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from scorecards.calibration.stats import (
    alpha_with_bootstrap,
    average_ranks,
    holm_adjust,
    krippendorff_alpha_ordinal,
    mean_interval,
    percentile_cont,
    spearman,
    t_quantile,
    t_two_sided_p,
    unit_value_counts,
)


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([1, 2, 3, 4], 0.5, 2.5),  # halfway between the 2nd and 3rd value
        ([1, 2, 3, 4], 0.9, 3.7),  # position 0.9 * 3 = 2.7: 3 + 0.7 * (4 - 3)
        ([4, 1, 3, 2], 0.9, 3.7),  # order of input does not matter
        ([10.0, 48.0], 0.5, 29.0),
        ([10.0, 48.0], 0.9, 44.2),  # 10 + 0.9 * 38
        ([7.5], 0.9, 7.5),
        ([1, 2, 3, 4, 5], 0.0, 1.0),
        ([1, 2, 3, 4, 5], 1.0, 5.0),
    ],
)
def test_percentile_cont_interpolates_like_postgresql(values, fraction, expected):
    """The SQLite fallback follows percentile_cont: linear interpolation between the nearest ranks."""
    assert percentile_cont(values, fraction) == pytest.approx(expected)


def test_percentile_cont_matches_numpy_linear_and_is_none_when_empty():
    """On random data it equals numpy's default (linear) percentile; an empty group has none."""
    rng = np.random.default_rng(3)
    values = list(rng.exponential(20.0, size=37))
    for fraction in (0.1, 0.5, 0.9):
        assert percentile_cont(values, fraction) == pytest.approx(float(np.percentile(values, fraction * 100)))
    assert percentile_cont([], 0.5) is None
    with pytest.raises(ValueError):
        percentile_cont([1.0], 1.5)


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.7062), (3, 3.1824), (4, 2.7764), (10, 2.2281), (30, 2.0423), (1000, 1.9623)],
)
def test_t_quantile_matches_the_printed_table(df, expected):
    """The 97.5% quantile of Student's t, as printed in every statistics table."""
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-4)
    assert t_quantile(0.025, df) == pytest.approx(-expected, abs=1e-4)


def test_t_two_sided_p_known_values():
    """t = 2 with 10 df is p = 0.0734; t = 1 with 3 df is p = 0.3910; t = 0 is p = 1."""
    assert t_two_sided_p(2.0, 10) == pytest.approx(0.07339, abs=1e-5)
    assert t_two_sided_p(1.0, 3) == pytest.approx(0.39100, abs=1e-5)
    assert t_two_sided_p(0.0, 5) == pytest.approx(1.0)


def test_mean_interval_by_hand():
    """n = 4, mean 1, variance 4: standard error 1, half-width t(0.975, 3) = 3.1824."""
    interval = mean_interval(n=4, mean=1.0, variance=4.0)
    assert interval.low == pytest.approx(1.0 - 3.182446, abs=1e-6)
    assert interval.high == pytest.approx(1.0 + 3.182446, abs=1e-6)
    assert interval.p_value == pytest.approx(0.3910, abs=1e-4)


def test_mean_interval_needs_two_observations_and_handles_no_spread():
    """One observation has no interval; identical observations have a zero-width one."""
    single = mean_interval(n=1, mean=0.5, variance=None)
    assert (single.low, single.high, single.p_value) == (None, None, None)
    constant = mean_interval(n=3, mean=1.0, variance=0.0)
    assert (constant.low, constant.high, constant.p_value) == (1.0, 1.0, 0.0)
    assert mean_interval(n=3, mean=0.0, variance=0.0).p_value == 1.0


def test_holm_adjust_by_hand():
    """Sorted p 0.01, 0.03, 0.04 become 3 x 0.01, 2 x 0.03, max(0.06, 1 x 0.04): monotone, capped at 1."""
    assert holm_adjust([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm_adjust([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm_adjust([]) == []


def test_alpha_two_values_by_hand():
    """Loops (1,1), (2,2), (1,2): o = [[2,1],[1,2]], n = 6, delta^2 = 9; alpha = 1 - 5*18/162 = 4/9."""
    assert krippendorff_alpha_ordinal([[1, 1], [2, 2], [1, 2]]) == pytest.approx(4 / 9)


def test_alpha_three_values_by_hand():
    """Loops (1,2,3) and (1,1).

    Coincidences: 0.5 for each ordered pair of the first loop, o_11 = 2 from
    the second; n_1 = 3, n_2 = 1, n_3 = 1, n = 5. Ordinal delta^2: 1-2:
    (4/2)^2 = 4, 2-3: (2/2)^2 = 1, 1-3: (5 - 4/2)^2 = 9. Observed sum
    2*0.5*(4+9+1) = 14, expected sum 2*(3*1*4 + 3*1*9 + 1*1*1) = 80;
    alpha = 1 - 4*14/80 = 0.3.
    """
    assert krippendorff_alpha_ordinal([[1, 2, 3], [1, 1]]) == pytest.approx(0.3)


def test_alpha_ignores_missing_ratings_and_unpairable_loops():
    """A None is a missing rating, and a loop with one rating left says nothing about agreement."""
    assert krippendorff_alpha_ordinal([[1, 1, None], [2, None, 2], [1, 2], [5, None], [None]]) == pytest.approx(4 / 9)


def test_alpha_is_undefined_without_variation_or_pairs():
    """Everyone giving the same score, or no loop with two ratings: alpha does not exist."""
    assert krippendorff_alpha_ordinal([[3, 3], [3, 3, 3]]) is None
    assert krippendorff_alpha_ordinal([[3], [4, None]]) is None
    with pytest.raises(ValueError):
        krippendorff_alpha_ordinal([[3, 6]])


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_alpha_matches_the_krippendorff_package(seed):
    """On random ratings with 30% missing, the result equals the reference implementation's."""
    rng = np.random.default_rng(seed)
    raters, loops = 5, 40
    data = rng.integers(1, 6, size=(raters, loops)).astype(float)
    # Shared loop quality makes the ratings agree somewhat, as real panels do.
    data = np.clip(np.round(data * 0.4 + rng.integers(1, 6, size=loops) * 0.6), 1, 5)
    data[rng.random(data.shape) < 0.3] = np.nan
    units = [[None if np.isnan(value) else int(value) for value in data[:, loop]] for loop in range(loops)]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5])
    assert krippendorff_alpha_ordinal(units) == pytest.approx(expected, abs=1e-12)


def test_bootstrap_interval_is_reproducible_and_brackets_alpha():
    """The same seed gives the same interval; the interval contains the estimate and narrows with more loops."""
    rng = np.random.default_rng(11)

    def loops(count: int) -> np.ndarray:
        quality = rng.integers(1, 6, size=count)
        ratings = np.clip(quality[:, None] + rng.integers(-1, 2, size=(count, 3)), 1, 5)
        return unit_value_counts(ratings.tolist())

    small, large = loops(20), loops(400)
    first = alpha_with_bootstrap(small, resamples=500, seed=[7, 1])
    again = alpha_with_bootstrap(small, resamples=500, seed=[7, 1])
    assert (first.low, first.high) == (again.low, again.high)
    assert first.alpha is not None and first.low is not None and first.high is not None
    assert first.low <= first.alpha <= first.high
    assert first.units == 20 and first.pairable_values == 60 and first.resamples == 500
    wide = first.high - first.low
    narrow = alpha_with_bootstrap(large, resamples=500, seed=[7, 1])
    assert narrow.low is not None and narrow.high is not None
    assert narrow.high - narrow.low < wide / 2


def test_bootstrap_needs_two_loops():
    """With a single loop there is nothing to resample: no interval, but the estimate stays."""
    estimate = alpha_with_bootstrap(unit_value_counts([[1, 3, 3]]), resamples=100, seed=[1])
    assert estimate.alpha is not None and estimate.low is None and estimate.high is None


def test_spearman_with_ties():
    """Average ranks for ties; a perfect monotone relation is 1, a reversed one -1."""
    assert average_ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]
    assert spearman([1, 2, 3, 4], [10, 20, 35, 90]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def test_bootstrap_resamples_whole_clusters():
    """Each unit its own cluster is the plain bootstrap; a single cluster cannot be resampled at all."""
    rng = np.random.default_rng(5)
    counts = unit_value_counts(np.clip(rng.integers(1, 6, size=(30, 1)) + rng.integers(-1, 2, size=(30, 3)), 1, 5)
                               .tolist())
    plain = alpha_with_bootstrap(counts, resamples=300, seed=[3])
    own = alpha_with_bootstrap(counts, resamples=300, seed=[3], clusters=np.arange(30))
    assert (own.alpha, own.low, own.high) == (plain.alpha, plain.low, plain.high)
    single = alpha_with_bootstrap(counts, resamples=300, seed=[3], clusters=np.zeros(30, dtype=int))
    assert single.alpha == plain.alpha and (single.low, single.high) == (None, None)
    by_loop = alpha_with_bootstrap(counts, resamples=300, seed=[3], clusters=np.arange(30) // 3)
    assert by_loop.alpha is not None and by_loop.low is not None and by_loop.high is not None
    assert by_loop.alpha == plain.alpha and by_loop.low <= by_loop.alpha <= by_loop.high
