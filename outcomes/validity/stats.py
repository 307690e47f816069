"""The statistics of the validity report, on plain arrays: no database, no Django (docs/quality-of-hire.md).

Among the hires, each predictor (a dimension's panel mean, the weighted
composite, the panel's overall recommendation) is correlated with later
performance: Pearson's r with Fisher's z interval.

Only hired people have outcomes, and they were chosen for scoring high, so
their scores spread less than the applicant pool's and every correlation among
them understates the one in the pool. The correction is Thorndike's: case II
when the predictor is the variable hiring selected on (the composite), with
``U = pool SD / hired SD``,

    r_c = r U / sqrt(1 - r^2 + r^2 U^2)

and case III for every other predictor, which hiring narrowed only through
the composite (``z``):

    r_c = (r_xy + r_xz r_yz (U^2 - 1)) / sqrt((1 + r_xz^2 (U^2 - 1)) (1 + r_yz^2 (U^2 - 1)))

(case III is case II when x is z). The corrected intervals are percentile
bootstraps over the hires (fixed seed), recomputing every correlation and the
hired SD in each resample; the pool's SD is taken as known (it is measured on
every loop, hired or not).

Written here rather than taken from a library: SciPy has Pearson's r but no
range-restriction correction, and the packages that have one (psychmeta) are
R; the algebra is two lines, checked in the tests against a simulated truth.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.special import ndtri

LEVEL = 0.95
SEED = 20261208


def _z_critical(level: float = LEVEL) -> float:
    return float(ndtri(0.5 + level / 2))


def _rounded(data: dict[str, Any]) -> dict[str, Any]:
    return {key: (round(value, 4) if isinstance(value, float) else value) for key, value in data.items()}


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson's r; None with fewer than 3 pairs or when either side has no spread (every hire rated alike)."""
    if len(x) < 3:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    denominator = math.sqrt(float(dx @ dx) * float(dy @ dy))
    if denominator == 0:
        return None
    return max(-1.0, min(1.0, float(dx @ dy) / denominator))


def fisher_interval(r: float, n: int, level: float = LEVEL) -> tuple[float, float] | None:
    """The 95% interval of a correlation from n pairs (Fisher's z, standard error 1/sqrt(n-3)); needs n >= 4."""
    if n < 4:
        return None
    z = math.atanh(max(-0.999999, min(0.999999, r)))
    half = _z_critical(level) / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def thorndike_case2(r: float, u: float) -> float:
    """Correct a correlation observed in a group narrowed by selection on the predictor (u = pool SD / group SD)."""
    return r * u / math.sqrt(1 - r * r + r * r * u * u)


def thorndike_case3(r_xy: float, r_xz: float, r_yz: float, u: float) -> float:
    """Correct r_xy for selection on a third variable z (u = pool SD / hired SD of z): Thorndike's case III.

    Hiring selects on the composite, not on each dimension, so a dimension's range is narrowed indirectly,
    and among the hires the dimensions even trade off (a hire low on one scored high on another to pass).
    Case II with the dimension's own spread misses both (its intervals covered a null dimension's truth in
    about half of the simulated histories); case III corrects through the variable selected on.
    """
    k = u * u - 1
    numerator = r_xy + r_xz * r_yz * k
    denominator = math.sqrt((1 + r_xz * r_xz * k) * (1 + r_yz * r_yz * k))
    return max(-1.0, min(1.0, numerator / denominator))


def hires_needed(width: float, r: float = 0.3, level: float = LEVEL) -> int:
    """How many hires give a 95% interval about ``width`` wide around a correlation near ``r`` (before correction).

    On Fisher's scale the interval is 2 z / sqrt(n - 3) wide; near r that is
    (1 - r^2) times as wide on the r scale, so n = 3 + (2 z (1 - r^2) / width)^2.
    """
    spread = 2 * _z_critical(level) * (1 - r * r) / width
    return math.ceil(3 + spread * spread)


# --- vectorised over bootstrap resamples (rows) ---------------------------------------------------------------

def _rows_r(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    dx = x - x.mean(axis=1, keepdims=True)
    dy = y - y.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (dx * dy).sum(axis=1) / np.sqrt((dx * dx).sum(axis=1) * (dy * dy).sum(axis=1))


def _rows_case3(x: np.ndarray, y: np.ndarray, z: np.ndarray, pool_sd_z: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        u = pool_sd_z / z.std(axis=1, ddof=1)
        k = u * u - 1
        r_xy, r_xz, r_yz = _rows_r(x, y), _rows_r(x, z), _rows_r(y, z)
        value = (r_xy + r_xz * r_yz * k) / np.sqrt((1 + r_xz * r_xz * k) * (1 + r_yz * r_yz * k))
    return np.clip(value, -1.0, 1.0)


def bootstrap_p(values: np.ndarray) -> float | None:
    """Two-sided bootstrap p-value of "no correlation in the pool": how often resamples fall on the far side of 0."""
    values = values[np.isfinite(values)]
    if not len(values):
        return None
    below, above = int((values <= 0).sum()), int((values >= 0).sum())
    return min(1.0, 2 * (min(below, above) + 1) / (len(values) + 1))


def _percentiles(values: np.ndarray, resamples: int, level: float) -> tuple[float, float] | None:
    values = values[np.isfinite(values)]
    if len(values) < resamples / 2:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def resample_index(n: int, resamples: int, seed: int = SEED) -> np.ndarray:
    """Which hires each bootstrap resample draws; shared by every predictor of a report, so they pair up."""
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


@dataclass(frozen=True)
class Correlation:
    """One predictor against performance, among the hires, and corrected to the applicant pool."""

    n: int
    r: float | None
    r_low: float | None
    r_high: float | None
    r_corrected: float | None
    r_corrected_low: float | None
    r_corrected_high: float | None
    # Case II with the predictor's own spread, for reference: right only for the variable selected on.
    r_case2: float | None
    sd_hired: float | None
    sd_pool: float | None
    p_value: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return _rounded(asdict(self))


def correlation(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, *, pool_sd_x: float | None, pool_sd_z: float | None,
    index: np.ndarray | None, level: float = LEVEL,
) -> Correlation:
    """The report's figures for predictor ``x`` against performance ``y`` among the hires.

    ``z`` is the hires' composite (the variable hiring selected on) and ``pool_sd_z`` its SD over every loop;
    ``index`` the shared bootstrap resamples (None: no corrected interval).
    """
    n = len(x)
    r = pearson(x, y)
    sd_hired = float(np.std(x, ddof=1)) if n >= 2 else None
    if r is None:
        return Correlation(n, None, None, None, None, None, None, None, sd_hired, pool_sd_x)
    low, high = fisher_interval(r, n, level) or (None, None)
    case2 = thorndike_case2(r, pool_sd_x / sd_hired) if pool_sd_x and sd_hired else None
    sd_z = float(np.std(z, ddof=1))
    r_xz, r_yz = pearson(x, z), pearson(y, z)
    if not pool_sd_z or not sd_z or r_xz is None or r_yz is None:
        return Correlation(n, r, low, high, None, None, None, case2, sd_hired, pool_sd_x)
    corrected = thorndike_case3(r, r_xz, r_yz, pool_sd_z / sd_z)
    bounds, p_value = None, None
    if index is not None and n >= 4:
        resampled = _rows_case3(x[index], y[index], z[index], pool_sd_z)
        bounds, p_value = _percentiles(resampled, len(index), level), bootstrap_p(resampled)
    c_low, c_high = bounds or (None, None)
    return Correlation(n, r, low, high, corrected, c_low, c_high, case2, sd_hired, pool_sd_x, p_value)


@dataclass(frozen=True)
class Difference:
    """Corrected r of one predictor minus another's, with a bootstrap interval over the same hires."""

    n: int
    difference: float | None
    low: float | None
    high: float | None

    def as_dict(self) -> dict[str, Any]:
        return _rounded(asdict(self))


def corrected_difference(
    a: np.ndarray, b: np.ndarray, y: np.ndarray, z: np.ndarray, *, pool_sd_z: float, index: np.ndarray | None,
    level: float = LEVEL,
) -> Difference:
    """Corrected r of ``a`` minus that of ``b``. Both are measured on the same hires, so their correlations are
    not independent: resampling the hires keeps the dependence, which two separate intervals would ignore."""
    n = len(y)
    sd_z = float(np.std(z, ddof=1)) if n >= 2 else 0.0
    parts = [pearson(a, y), pearson(a, z), pearson(b, y), pearson(b, z), pearson(y, z)]
    if any(part is None for part in parts) or not sd_z or not pool_sd_z:
        return Difference(n, None, None, None)
    r_ay, r_az, r_by, r_bz, r_yz = (float(part) for part in parts)  # type: ignore[arg-type]
    u = pool_sd_z / sd_z
    point = thorndike_case3(r_ay, r_az, r_yz, u) - thorndike_case3(r_by, r_bz, r_yz, u)
    if index is None or n < 4:
        return Difference(n, point, None, None)
    ya, za = y[index], z[index]
    diffs = _rows_case3(a[index], ya, za, pool_sd_z) - _rows_case3(b[index], ya, za, pool_sd_z)
    bounds = _percentiles(diffs, len(index), level)
    return Difference(n, point, *(bounds or (None, None)))
