"""Student t and rank correlation: the report must keep showing the numbers the hand-written code gave.

The OLD_* tables below are the outputs of the hand-written implementation (a continued-fraction incomplete
beta, Newton steps for the t quantile, ``np.corrcoef`` of average ranks) as of commit db8f31e, pasted here as
literals so that they outlive it. The report prints offsets and their interval with two decimals and
p-values with three (``tables.format_value``, ``tables.format_offset``), and stores them rounded to four and
six places (``report._round``): every value must read the same at each of these, and be within 1e-10 besides.

The edge cases keep the old behaviour, except where the old answer was an artefact of the old algorithm on
input no caller gives (infinite or zero degrees of freedom, NaN among the ranked values); those tests say so.
"""

from __future__ import annotations

import gc
import math
import subprocess
import sys

import numpy as np
import pytest

from scorecards.calibration.stats import average_ranks, holm_adjust, mean_interval, spearman, t_quantile, t_two_sided_p
from scorecards.calibration.tables import P_VALUE, format_offset, format_value

T_STATISTICS = (0.3, -0.5, 1.0, 1.96, -2.0, 3.0, 5.0)
# Degrees of freedom: the old t_two_sided_p at each of T_STATISTICS.
OLD_P = {
    1: (0.8144528418445155, 0.7048327646991337, 0.5000000000000004, 0.30034289177603324, 0.29516723530086636,
        0.20483276469913328, 0.12566591637800237),
    2: (0.792485660840178, 0.6666666666666667, 0.4226497308103746, 0.18905730960173212, 0.18350341907227377,
        0.09546596626670908, 0.0377495513506237),
    3: (0.783763292039919, 0.651447964848151, 0.3910022189557709, 0.14485220856485373, 0.13932596855884316,
        0.05766888562243736, 0.015392438073302294),
    4: (0.77912142827746, 0.6433299631818633, 0.373900966300059, 0.12155463985018362, 0.11611652351681559,
        0.03994196807171883, 0.0074904338812745224),
    5: (0.7762490422632748, 0.6382988716409292, 0.363217467649124, 0.10728795250529397, 0.10193947882985835,
        0.030099247897462537, 0.0041047159800533225),
    9: (0.7709907037415252, 0.6290712998260274, 0.343436396137915, 0.08164440546041647, 0.07655282377070084,
        0.014956363910414204, 0.0007389679098032411),
    29: (0.766317093328968, 0.6208480841937833, 0.32558198801619576, 0.059667795519591185, 0.054943637182966944,
        0.0054991921339033936, 2.536631573542318e-05),
    100: (0.7647998803003027, 0.6181735658308998, 0.31972415578414104, 0.052778901366228134, 0.0482121787311324,
        0.0034079153433293785, 2.4501734135037367e-06),
    1000: (0.7642395041671393, 0.6171850808338568, 0.3175524180846294, 0.05027318495575551, 0.045770346493254795,
        0.002766709044238487, 6.767256364649017e-07),
}
PROBABILITIES = (0.975, 0.025, 0.95, 0.995)
# Degrees of freedom: the old t_quantile at each of PROBABILITIES.
OLD_QUANTILE = {
    1: (12.706204736174685, -12.706204736174694, 6.313751514675032, 63.656741162871484),
    2: (4.302652729749462, -4.302652729749463, 2.919985580353724, 9.92484320091829),
    3: (3.1824463052837078, -3.1824463052837095, 2.353363434801823, 5.840909309733353),
    4: (2.776445105197793, -2.776445105197794, 2.1318467863266504, 4.604094871349993),
    5: (2.5705818356363133, -2.5705818356363146, 2.0150483733330224, 4.032142983555226),
    9: (2.262157162798204, -2.2621571627982044, 1.8331129326561317, 3.249835541592125),
    29: (2.0452296421327025, -2.0452296421327016, 1.6991270265334946, 2.756385903670604),
    100: (1.983971518523539, -1.9839715185235376, 1.6602343260854608, 2.6258905214380066),
    1000: (1.9623390808264132, -1.962339080826414, 1.6463788172851552, 2.580754698065965),
}
# (n, mean, variance, confidence): the old mean_interval's (low, high, p_value).
OLD_MEAN_INTERVAL = [
    ((2, 0.5, 0.5, 0.95), (-5.853102368087343, 6.853102368087343, 0.5000000000000004)),
    ((2, 0.5, 0.5, 0.9), (-2.656875757337516, 3.656875757337516, 0.5000000000000004)),
    ((3, -0.25, 0.1, 0.95), (-1.0355533190649866, 0.5355533190649865, 0.3043916563597477)),
    ((4, 1.0, 4.0, 0.95), (-2.1824463052837078, 4.182446305283708, 0.3910022189557709)),
    ((4, 1.0, 4.0, 0.9), (-1.3533634348018229, 3.353363434801823, 0.3910022189557709)),
    ((5, 0.3, 0.2, 0.95), (-0.2552890210395586, 0.8552890210395585, 0.208)),
    ((5, -0.8, 0.05, 0.95), (-1.0776445105197794, -0.5223554894802207, 0.0013238969092171677)),
    ((8, 0.12, 0.9, 0.95), (-0.6731190851708284, 0.9131190851708284, 0.7310594192408868)),
    ((12, 0.4, 0.3, 0.95), (0.051993689894004325, 0.7480063101059957, 0.027982259061369533)),
    ((12, 0.4, 0.3, 0.9), (0.11604567787883308, 0.683954322121167, 0.027982259061369533)),
    ((30, -0.1, 0.6, 0.95), (-0.3892391498071539, 0.18923914980715392, 0.48514384674372424)),
    ((50, 0.05, 0.4, 0.95), (-0.1297418734448495, 0.22974187344484948, 0.5786962225859178)),
    ((200, 0.02, 0.5, 0.95), (-0.07859782721258753, 0.11859782721258753, 0.6895855479377635)),
    ((3, 1.0, 0.0, 0.95), (1.0, 1.0, 0.0)),
    ((3, 0.0, 0.0, 0.95), (0.0, 0.0, 1.0)),
    ((2, 0.0, 1e-12, 0.95), (-8.984643532093746e-06, 8.984643532093746e-06, 1.0)),
    ((2, 0.0, 1e-12, 0.9), (-4.464496510753551e-06, 4.464496510753551e-06, 1.0)),
    ((1, 0.5, None, 0.95), (None, None, None)),
    ((1, 0.5, 0.3, 0.95), (None, None, None)),
    ((6, 0.7, None, 0.95), (None, None, None)),
    ((4, 0.25, -1e-15, 0.95), (0.25, 0.25, 0.0)),
    ((4, 0.25, -1e-15, 0.9), (0.25, 0.25, 0.0)),
    ((10, 0.333333, 0.111111, 0.95), (0.09488081723595931, 0.5717851827640407, 0.011508014428753176)),
]
OLD_SPEARMAN = [
    ([1, 2, 3, 4], [10, 20, 35, 90], 1.0),
    ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
    ([1, 2], [3, 5], 0.9999999999999999),
    ([1, 2], [5, 3], -0.9999999999999999),
    ([1, 2, 2, 3], [1, 3, 2, 2], 0.5000000000000001),
    ([1, 1, 2, 2, 3, 3], [3, 3, 2, 2, 1, 1], -1.0),
    ([5, 1, 4, 2, 3], [2, 1, 5, 4, 3], 0.3),
    ([0.5, 0.25, 0.25, 0.9, 0.1, 0.6, 0.6, 0.6], [3, 2, 1, 5, 1, 4, 4, 3], 0.9438237391101646),
    ([1.2, 3.4, 2.2, 5.0, 4.1, 0.3, 2.2, 3.3, 4.4, 1.1], [1, 3, 2, 5, 4, 1, 3, 3, 5, 2], 0.9411571920471199),
    ([3, 1, 2], [1, 2, 3], -0.5),
    ([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], 0.8285714285714287),
]
OLD_RANKS = [
    ([10, 20, 20, 30], [1.0, 2.5, 2.5, 4.0]),
    ([], []),
    ([5], [1.0]),
    ([3, 3, 3], [2.0, 2.0, 2.0]),
    ([2, 1, 2, 1, 3], [3.5, 1.5, 3.5, 1.5, 5.0]),
    ([0.5, -1.0, 0.5, 2.0, -1.0, -1.0], [4.5, 2.0, 4.5, 6.0, 2.0, 2.0]),
]


def assert_reads_the_same(new: float, old: float, *, printed: str, stored: int, close: bool = True) -> None:
    """Equal as the report prints it (``printed``: P_VALUE or "offset") and stores it, and within 1e-10."""
    show = format_offset if printed == "offset" else (lambda value: format_value(value, P_VALUE))
    assert show(new) == show(old)
    assert round(new, stored) == round(old, stored)
    if close:
        assert new == pytest.approx(old, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("df", sorted(OLD_P))
def test_t_two_sided_p_reads_as_before(df):
    for t, old in zip(T_STATISTICS, OLD_P[df], strict=True):
        assert_reads_the_same(t_two_sided_p(t, df), old, printed=P_VALUE, stored=6)


@pytest.mark.parametrize("df", sorted(OLD_QUANTILE))
def test_t_quantile_as_before(df):
    """The quantile is not shown itself but scales every interval, so it is held to the interval's precision."""
    for probability, old in zip(PROBABILITIES, OLD_QUANTILE[df], strict=True):
        assert_reads_the_same(t_quantile(probability, df), old, printed="offset", stored=4)


@pytest.mark.parametrize(("case", "old"), OLD_MEAN_INTERVAL, ids=[str(case) for case, _ in OLD_MEAN_INTERVAL])
def test_mean_interval_reads_as_before(case, old):
    """Intervals to the offset's two printed and four stored decimals, p to three and six; None stays None."""
    n, mean, variance, confidence = case
    interval = mean_interval(n=n, mean=mean, variance=variance, confidence=confidence)
    old_low, old_high, old_p = old
    if old_p is None:
        assert (interval.low, interval.high, interval.p_value) == (None, None, None)
        return
    assert interval.low is not None and interval.high is not None and interval.p_value is not None
    assert_reads_the_same(interval.low, old_low, printed="offset", stored=4)
    assert_reads_the_same(interval.high, old_high, printed="offset", stored=4)
    assert_reads_the_same(interval.p_value, old_p, printed=P_VALUE, stored=6)


def test_t_edge_cases_as_before():
    """Infinite t has p 0, t = 0 has p 1, NaN stays NaN; no degrees of freedom or a probability outside (0, 1)
    is an error; the median is 0."""
    assert t_two_sided_p(math.inf, 5) == 0.0
    assert t_two_sided_p(-math.inf, 5) == 0.0
    assert t_two_sided_p(1e300, 3) == 0.0
    assert t_two_sided_p(0.0, 1) == 1.0
    assert math.isnan(t_two_sided_p(math.nan, 5))
    for df in (0, -1):
        with pytest.raises(ValueError, match="degrees of freedom"):
            t_two_sided_p(1.0, df)
    assert t_quantile(0.5, 5) == 0.0
    for probability in (0.0, 1.0, math.nan):
        with pytest.raises(ValueError, match="probability"):
            t_quantile(probability, 5)
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile(0.975, -1)


def test_t_where_the_old_code_was_off():
    """Where the library differs it is the old code that was off, on input no caller gives (df = n - 1 >= 1).

    t = 1e-8: the old incomplete beta's argument df / (df + t^2) rounded to 1, so p was exactly 1.0; it is
    1 - 8e-9, the same at every printed and stored precision. Infinite df: the old p was NaN and the old 97.5%
    quantile 5.6e-14; now they are the normal distribution's. df = 0: the old quantile failed with
    ZeroDivisionError; now with the ValueError that negative df gave.
    """
    near_zero = t_two_sided_p(1e-8, 5)
    assert near_zero == pytest.approx(1.0 - 7.59e-9, abs=1e-11)
    assert_reads_the_same(near_zero, 1.0, printed=P_VALUE, stored=6, close=False)
    assert t_two_sided_p(2.0, math.inf) == pytest.approx(0.0455002638963584, abs=1e-15)
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959963984540054, abs=1e-15)
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile(0.975, 0)


@pytest.mark.parametrize(("first", "second", "old"), OLD_SPEARMAN)
def test_spearman_as_before(first, second, old):
    """With and without ties, two values or ten; the simulation only checks it against 0.9, so 1e-12 is ample."""
    assert spearman(first, second) == pytest.approx(old, abs=1e-12)


@pytest.mark.parametrize(("values", "old"), OLD_RANKS)
def test_average_ranks_as_before(values, old):
    assert average_ranks(values) == old


def test_spearman_edge_cases_as_before():
    """A constant side has no correlation: NaN with a RuntimeWarning (SciPy's ConstantInputWarning is one).
    Fewer than two pairs, or sides of different lengths, are an error."""
    for first, second in (([2, 2, 2], [1, 2, 3]), ([1, 2, 3], [7, 7, 7]), ([4, 4], [4, 4])):
        with pytest.warns(RuntimeWarning):
            assert math.isnan(spearman(first, second))
    for first, second in (([1], [1]), ([], []), ([1, 2], [1, 2, 3])):
        with pytest.raises(ValueError, match="same length, at least 2"):
            spearman(first, second)


def test_nan_among_ranked_values_is_nan_now():
    """The old code sorted NaN wherever comparisons left it (spearman([1, nan, 3], [1, 2, 3]) was 1.0, the ranks
    of [1, nan, 0.5] were [1, 2, 3]); SciPy propagates NaN. No caller ranks NaN."""
    assert math.isnan(spearman([1, math.nan, 3], [1, 2, 3]))
    assert all(math.isnan(rank) for rank in average_ranks([1.0, math.nan, 0.5]))


HOLM_FAMILIES = [
    [0.01, 0.04, 0.03], [0.5, 0.9], [0.2], [0.0], [1.0], [0.02, 0.02, 0.02], [0.01, 0.01, 0.5, 0.5],
    [0.0001, 0.2, 0.011, 0.049, 0.3, 0.0125, 0.9, 0.017], [0.0, 0.0, 1.0], [1e-300, 0.5],
]


def test_holm_adjust_matches_statsmodels(monkeypatch):
    """Our Holm gives statsmodels' multipletests(method="holm") to the last bit, ties
    included, on hand-picked families and on random ones of up to 60 interviewers."""
    # Imported here rather than at the top: statsmodels brings pandas, a second or more that every test run
    # would pay while collecting.
    from statsmodels.stats.multitest import multipletests

    # Its Holm branch calls gc.collect() every time, a quarter of a second in a test process: 200 families
    # would take a minute.
    monkeypatch.setattr(gc, "collect", lambda generation=2: 0)

    rng = np.random.default_rng(16)
    families = HOLM_FAMILIES + [
        # Rounded, so that ties come up; squared, so that small p-values do too.
        np.round(rng.random(size) ** 2, 3).tolist() for size in rng.integers(1, 61, size=200)
    ]
    for family in families:
        assert holm_adjust(family) == multipletests(family, method="holm")[1].tolist()
    assert holm_adjust([]) == []


def test_importing_the_statistics_does_not_import_scipy():
    """Every Django process imports this module through the report's service; SciPy waits for the first report."""
    code = "import sys, scorecards.calibration.stats; print(sorted(m for m in sys.modules if m.startswith('scipy')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
