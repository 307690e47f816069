"""The rater model: every score of the history explained at once by the candidate, the interviewer and noise.

Plain arrays in, plain arrays out, no ORM: the stored fit (``fits.py``), the
calibration report and the benchmarks all call ``fit_rater_model``.

The model
---------
For a score ``y`` given by interviewer ``i`` to the candidate of loop ``l`` on
dimension ``d``, on a 1-5 scale whose middle is ``c`` = 3::

    y* = c + s_i * (mu_d + theta_ld - c) + b_i + e,     e ~ N(0, sigma^2)

- ``mu_d + theta_ld`` is the candidate's level on the dimension (``theta_ld ~
  N(0, tau^2)`` around the dimension's mean ``mu_d``);
- ``b_i ~ N(0, sigma_b^2)`` is the interviewer's leniency: how far above the
  typical interviewer they score a candidate in the middle of the scale;
- ``s_i ~ N(1, sigma_s^2)`` is their scale use: how widely they spread
  candidates around the middle (1 typical, below 1 only the middle of the
  scale, above 1 the ends). Measured around the middle of the scale, so an
  interviewer who gives a strong pool only 3s reads as narrow, not severe;
- the recorded score is ``y*`` rounded and clipped to 1-5. A 5 says only
  ``y* >= 4.5`` and a 1 ``y* <= 1.5`` (censored, as in a Tobit model): a
  rater whose scores pile up at 5 is clipped, and the pile is not read as
  leniency beyond what the scores below 5 show.

The loops' levels and the interviewers' effects are crossed random effects;
the four variances are estimated from the data, so a sparse interviewer is
shrunk toward the typical one by the estimated spread between interviewers,
not by a fixed setting.

The solver
----------
statsmodels' MixedLM would build dense matrices over the loops; at a
million ratings that does not fit in time or memory. Here, for given scale
uses, the model is linear, and the candidates' levels (hundreds of
thousands) are absorbed in closed form: the interviewers' effects solve an
I x I system (I interviewers) assembled with one sparse product
(``A D A'``, A the interviewer-by-cell matrix). Then the scale uses, the
dimension means and the censored scores' expectations are updated given
the rest, and the variances by the Schall/MacKay fixed point
(``variance = sum of squared effects / effective number of effects``, which
approximates REML). The tests check it against statsmodels' REML fit on
small data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SCALE_LOW, SCALE_HIGH = 1.0, 5.0
CENTRE = 3.0
MAX_ITERATIONS = 200
TOLERANCE = 1e-4
# Below this many loops joined by shared interviewers the variances are not estimable: no model is fitted.
MIN_CONNECTED_LOOPS = 30
MIN_VARIANCE = 1e-6
MIN_SCALE = 0.05


@dataclass(frozen=True)
class RaterFit:
    """The fitted model: per interviewer (by index) leniency and scale use with posterior sds, plus the variances.

    ``connected[i]`` is False for an interviewer who never sat on a loop of
    the main connected group (their effects are not comparable: 0 and 1,
    with the prior's uncertainty).
    """

    offset: np.ndarray
    offset_sd: np.ndarray
    scale: np.ndarray
    scale_sd: np.ndarray
    ratings: np.ndarray
    loops: np.ndarray
    connected: np.ndarray
    sigma: float  # scoring noise, in scale points
    tau: float  # spread of candidates' levels on a dimension
    sigma_offset: float  # spread of leniency between interviewers
    sigma_scale: float  # spread of scale use between interviewers
    dimension_means: np.ndarray
    connected_loops: int
    iterations: int
    converged: bool
    fitted: bool  # False: too few connected loops, nothing estimated
    notes: tuple[str, ...] = field(default=())


def unfitted(raters: int, ratings: np.ndarray, loops: np.ndarray, connected_loops: int, note: str) -> RaterFit:
    zeros = np.zeros(raters)
    return RaterFit(
        offset=zeros, offset_sd=np.full(raters, np.nan), scale=np.ones(raters), scale_sd=np.full(raters, np.nan),
        ratings=ratings, loops=loops, connected=np.zeros(raters, dtype=bool), sigma=math.nan, tau=math.nan,
        sigma_offset=math.nan, sigma_scale=math.nan, dimension_means=np.zeros(0), connected_loops=connected_loops,
        iterations=0, converged=False, fitted=False, notes=(note,),
    )


class _Structure:
    """The interviewer-by-group matrix pattern (groups: cells or loops) and the pairs of its entries that share a
    group, found once, so that each iteration forms ``M diag(w) M'`` with one weighted count instead of a sparse
    matrix product (ten times slower at a million ratings)."""

    def __init__(self, row: np.ndarray, col: np.ndarray, rows: int, cols: int) -> None:
        keys, self.pair = np.unique(col * rows + row, return_inverse=True)  # sorted by group
        self.pairs = len(keys)
        self.rows = rows
        self.pair_row, self.pair_col = keys % rows, keys // rows
        left, right = [np.arange(self.pairs)], [np.arange(self.pairs)]
        lag = 1
        while lag < self.pairs:
            same = np.flatnonzero(self.pair_col[lag:] == self.pair_col[:-lag])
            if not len(same):
                break
            left.append(same)
            right.append(same + lag)
            lag += 1
        self.left, self.right = np.concatenate(left), np.concatenate(right)
        self.cell = self.pair_row[self.left] * rows + self.pair_row[self.right]
        self.cell_t = self.pair_row[self.right] * rows + self.pair_row[self.left]
        self.diagonal = self.left == self.right
        self.group = self.pair_col[self.left]

    def entries(self, weights: np.ndarray) -> np.ndarray:
        """The matrix's entries (one per interviewer and group) from per-rating weights."""
        return np.bincount(self.pair, weights, self.pairs)

    def gram(self, data: np.ndarray, group_weight: np.ndarray) -> np.ndarray:
        """``M diag(group_weight) M'`` (rows x rows) for the entries ``data``."""
        values = data[self.left] * data[self.right] * group_weight[self.group]
        off = np.where(self.diagonal, 0.0, values)
        total = np.bincount(self.cell, values, self.rows * self.rows) + np.bincount(self.cell_t, off,
                                                                                     self.rows * self.rows)
        return total.reshape(self.rows, self.rows)

    def times(self, data: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """``M @ vector`` (vector per group)."""
        return np.bincount(self.pair_row, data * vector[self.pair_col], self.rows)


def _components(loop: np.ndarray, rater: np.ndarray, loops: int, raters: int) -> np.ndarray:
    """The loops and interviewers joined through shared loops: a label per interviewer, then per loop."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    size = raters + loops
    graph = coo_matrix((np.ones(len(loop)), (rater, raters + loop)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    return labels


def _censored_moments(mean: np.ndarray, sigma: float, upper: np.ndarray, lower: np.ndarray, y: np.ndarray,
                      where: np.ndarray) -> tuple[np.ndarray, float]:
    """The ratings with the clipped ones (at ``where``, predicted ``mean``) replaced by their expected latent
    score given the clip, and the sum of those scores' conditional variances."""
    from scipy.special import log_ndtr

    expected = mean.copy()
    variance = np.zeros(len(mean))
    for side, sign, bound in ((upper, 1.0, SCALE_HIGH - 0.5), (lower, -1.0, SCALE_LOW + 0.5)):
        if not side.any():
            continue
        m = mean[side]
        # Standardised distance past the bound, and the inverse Mills ratio of the tail beyond it.
        alpha = sign * (bound - m) / sigma
        mills = np.exp(-0.5 * alpha * alpha - 0.5 * math.log(2 * math.pi) - log_ndtr(-alpha))
        expected[side] = m + sign * sigma * mills
        variance[side] = sigma * sigma * np.clip(1.0 + alpha * mills - mills * mills, 0.0, 1.0)
    z = y.copy()
    z[where] = expected
    return z, float(variance.sum())


def fit_rater_model(
    loop: np.ndarray,
    dimension: np.ndarray,
    rater: np.ndarray,
    score: np.ndarray,
    *,
    raters: int | None = None,
    scale: bool = True,
    censored: bool = True,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
    min_connected_loops: int = MIN_CONNECTED_LOOPS,
) -> RaterFit:
    """Fit the model to ratings given as parallel arrays of non-negative integer keys and 1-5 scores.

    ``raters`` is the number of interviewers (default: the largest index + 1);
    the result's arrays are indexed by interviewer. ``scale=False`` and
    ``censored=False`` give the plain linear crossed random-effects model
    (what the reference comparison fits).
    """
    loop = np.asarray(loop, dtype=np.int64)
    dimension = np.asarray(dimension, dtype=np.int64)
    rater = np.asarray(rater, dtype=np.int64)
    y_all = np.asarray(score, dtype=np.float64)
    n_raters = int(raters if raters is not None else (rater.max() + 1 if len(rater) else 0))
    ratings_per = np.bincount(rater, minlength=n_raters).astype(np.int64)
    pairs = np.unique(loop * max(n_raters, 1) + rater) if len(loop) else np.zeros(0, dtype=np.int64)
    loops_per = np.bincount(pairs % max(n_raters, 1), minlength=n_raters).astype(np.int64)
    if len(loop) == 0:
        return unfitted(n_raters, ratings_per, loops_per, 0, "No ratings to fit.")

    loop_keys, loop_index = np.unique(loop, return_inverse=True)
    labels = _components(loop_index, rater, len(loop_keys), n_raters)
    loop_labels = labels[n_raters:]
    main = np.bincount(loop_labels).argmax()
    connected_loops = int(np.sum(loop_labels == main))
    if connected_loops < min_connected_loops:
        return unfitted(n_raters, ratings_per, loops_per, connected_loops,
                        f"Only {connected_loops} loops are joined by shared interviewers; at least "
                        f"{min_connected_loops} are needed to tell interviewers from candidates.")
    keep = loop_labels[loop_index] == main
    connected = (labels[:n_raters] == main) & (ratings_per > 0)

    # Work on the main group only, with dense indices.
    r_keys, r = np.unique(rater[keep], return_inverse=True)
    d_keys, d = np.unique(dimension[keep], return_inverse=True)
    l_keys, lp = np.unique(loop_index[keep], return_inverse=True)
    cell_keys, cell = np.unique(lp * len(d_keys) + d, return_inverse=True)
    y = y_all[keep]
    n, n_r, n_d, n_c, n_l = len(y), len(r_keys), len(d_keys), len(cell_keys), len(l_keys)
    cell_loop = cell_keys // len(d_keys)
    # A (interviewer x cell) and G (interviewer x loop) in CSR with fixed structures: iterations refill the data.
    a_shape = _Structure(r, cell, n_r, n_c)
    g_shape = _Structure(r, lp, n_r, n_l)
    count_r = np.bincount(r, minlength=n_r).astype(float)
    # The scale is read from loops where someone else also scored: alone, a score would only explain itself.
    panel = np.bincount(g_shape.pair_col, minlength=n_l)[lp] >= 2

    upper, lower = y >= SCALE_HIGH, y <= SCALE_LOW
    clipped = np.flatnonzero(upper | lower)
    total_var = float(np.var(y)) or 1.0
    mu = np.zeros(n_d)
    b = np.zeros(n_r)
    s = np.ones(n_r)
    alpha = np.bincount(lp, y, n_l) / np.bincount(lp, minlength=n_l) - CENTRE
    nu = np.zeros(n_c)
    sigma2, tau2, sb2, ss2 = 0.5 * total_var, 0.2 * total_var, 0.05 * total_var, 0.05
    var_b = np.full(n_r, sb2)
    var_s = np.full(n_r, ss2 if scale else 0.0)
    z = y
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        s_r = s[r]
        extra = 0.0
        if censored and len(clipped):
            ri, di, ci, li = r[clipped], d[clipped], cell[clipped], lp[clipped]
            mean = CENTRE + s[ri] * (alpha[li] + mu[di] + nu[ci]) + b[ri]
            z, extra = _censored_moments(mean, math.sqrt(sigma2), upper[clipped], lower[clipped], y, clipped)
        u = z - CENTRE - s_r * mu[d]
        lam_t, lam_b = sigma2 / tau2, sigma2 / sb2
        s2_cell = np.bincount(cell, s_r * s_r, n_c)
        su_cell = np.bincount(cell, s_r * u, n_c)
        inv_cell = 1.0 / (s2_cell + lam_t)
        shrink = lam_t * inv_cell  # what of a cell's information reaches its loop's level
        precision_l = np.bincount(cell_loop, s2_cell * shrink, n_l)
        a = a_shape.entries(s_r)
        g = g_shape.entries(s_r * shrink[cell])
        system = np.diag(count_r + lam_b) - a_shape.gram(a, inv_cell) - g_shape.gram(g, 1.0 / precision_l)
        q_loop = np.bincount(cell_loop, su_cell * shrink, n_l)
        rhs = np.bincount(r, u, n_r) - a_shape.times(a, inv_cell * su_cell) - g_shape.times(g, q_loop / precision_l)
        # numpy's inverse, not SciPy's Cholesky routines: on this machine's OpenBLAS those spin threads and take
        # 30 ms for a 60 x 60 system; the system is a few hundred interviewers wide and its diagonal is needed.
        inverse = np.linalg.inv(system)
        b_new = inverse @ rhs
        var_b = sigma2 * np.diag(inverse)
        sb_cell = np.bincount(cell, s_r * b_new[r], n_c)
        alpha = np.bincount(cell_loop, (su_cell - sb_cell) * shrink, n_l) / precision_l
        nu = (su_cell - sb_cell - s2_cell * alpha[cell_loop]) * inv_cell
        # A cell's deviation given the data, its loop's level being estimated too (from the same cells).
        var_alpha = sigma2 / precision_l
        var_nu = sigma2 * inv_cell + (s2_cell * inv_cell) ** 2 * var_alpha[cell_loop]
        var_level = sigma2 * inv_cell + shrink ** 2 * var_alpha[cell_loop]

        s_new = s
        if scale:
            x = alpha[lp] + mu[d] + nu[cell]
            weight = panel.astype(float)
            ex2 = np.bincount(r, weight * (x * x + var_level[cell]), n_r)
            lam_s = sigma2 / ss2
            s_new = (np.bincount(r, weight * x * (z - CENTRE - b_new[r]), n_r) + lam_s) / (ex2 + lam_s)
            s_new = np.maximum(s_new, MIN_SCALE)
            var_s = sigma2 / (ex2 + lam_s)
            # The scale's unit is the typical interviewer's spread: mean scale use 1, weighted by ratings.
            k = float(np.average(s_new, weights=count_r))
            s_new, var_s = s_new / k, var_s / (k * k)
            alpha, mu, nu, tau2, var_nu = alpha * k, mu * k, nu * k, tau2 * k * k, var_nu * k * k
        s_r = s_new[r]
        # Dimension means as deviations (the loops' levels carry the overall level).
        mu = np.bincount(d, s_r * (z - CENTRE - b_new[r] - s_r * (alpha[lp] + nu[cell])), n_d) / np.bincount(
            d, s_r * s_r, n_d)
        shift = float(np.average(mu, weights=np.bincount(d, minlength=n_d)))
        mu, alpha = mu - shift, alpha + shift

        gamma_t = float(np.sum(1.0 - var_nu / tau2))
        gamma_b = float(np.sum(1.0 - var_b / sb2))
        tau2 = max(float(nu @ nu) / max(gamma_t, 1e-9), MIN_VARIANCE)
        sb2 = max(float(b_new @ b_new) / max(gamma_b, 1e-9), MIN_VARIANCE)
        gamma_s = 0.0
        if scale:
            gamma_s = float(np.sum(1.0 - var_s / ss2))
            ss2 = max(float((s_new - 1.0) @ (s_new - 1.0)) / max(gamma_s, 1e-9), MIN_VARIANCE)
        resid = z - CENTRE - b_new[r] - s_r * (alpha[lp] + mu[d] + nu[cell])
        dof = max(n - n_l - gamma_t - gamma_b - gamma_s - n_d, 1.0)
        sigma2_new = max((float(resid @ resid) + extra) / dof, MIN_VARIANCE)

        change = max(float(np.max(np.abs(b_new - b))), float(np.max(np.abs(s_new - s))),
                     abs(sigma2_new - sigma2) / sigma2)
        b, s, sigma2 = b_new, s_new, sigma2_new
        if change < tolerance:
            converged = True
            break

    offset = np.zeros(n_raters)
    offset_sd = np.full(n_raters, math.sqrt(sb2))
    scales = np.ones(n_raters)
    scale_sd = np.full(n_raters, math.sqrt(ss2) if scale else 0.0)
    offset[r_keys], offset_sd[r_keys] = b, np.sqrt(np.maximum(var_b, 0.0))
    scales[r_keys] = s
    if scale:
        scale_sd[r_keys] = np.sqrt(np.maximum(var_s, 0.0))
    dimension_means = np.full(int(dimension.max()) + 1, math.nan)
    dimension_means[d_keys] = mu
    notes = () if converged else (f"The fit stopped after {iteration} iterations without converging.",)
    return RaterFit(
        offset=offset, offset_sd=offset_sd, scale=scales, scale_sd=scale_sd, ratings=ratings_per,
        loops=loops_per, connected=connected, sigma=math.sqrt(sigma2), tau=math.sqrt(tau2),
        sigma_offset=math.sqrt(sb2), sigma_scale=math.sqrt(ss2) if scale else 0.0,
        dimension_means=dimension_means, connected_loops=connected_loops, iterations=iteration,
        converged=converged, fitted=True, notes=notes,
    )


@dataclass(frozen=True)
class RatingInput:
    """One score of a loop as the adjusted score takes it, with its interviewer's fitted effects."""

    rater: Any  # whose score (scores of one person share their offset's uncertainty)
    dimension: Any
    score: float
    offset: float = 0.0
    offset_sd: float = 0.0
    scale: float = 1.0
    scale_sd: float = 0.0
    in_model: bool = True  # False: an interviewer the fit does not know, whose score is taken as it is


@dataclass(frozen=True)
class AdjustedScore:
    score: float
    low: float
    high: float
    sd: float


def adjusted_rating(rating: RatingInput) -> float:
    """The score the typical interviewer would have given: the rater's leniency taken off, their spread undone."""
    return CENTRE + (rating.score - CENTRE - rating.offset) / max(rating.scale, MIN_SCALE)


def adjusted_score(
    ratings: list[RatingInput], weights: dict[Any, float], *, noise_sd: float, z: float = 1.96,
) -> AdjustedScore | None:
    """The weighted mean over dimensions of the mean adjusted rating, and an interval for the candidate's level.

    ``weights`` are the dimensions' weights, renormalised here over the dimensions scored. The interval's
    variance adds, in the scale's units: the scoring noise of every score (``noise_sd``, each score divided by
    its rater's scale), so fewer scores on a dimension widen it; the uncertainty of each rater's offset (one
    error shared by all of that rater's scores); and that of their scale use. None without a score.
    """
    by_dimension: dict[Any, list[RatingInput]] = {}
    for rating in ratings:
        if rating.dimension in weights:
            by_dimension.setdefault(rating.dimension, []).append(rating)
    if not by_dimension:
        return None
    total_weight = math.fsum(weights[d] for d in by_dimension)
    values = {dimension: _unclipped(scored, noise_sd) for dimension, scored in by_dimension.items()}
    score = 0.0
    noise = 0.0
    offset_share: dict[Any, float] = {}
    scale_share: dict[Any, float] = {}
    sds: dict[Any, tuple[float, float]] = {}
    for dimension, scored in by_dimension.items():
        share = weights[dimension] / total_weight / len(scored)
        for rating, value in zip(scored, values[dimension], strict=True):
            spread = max(rating.scale, MIN_SCALE)
            score += share * value
            noise += (share * noise_sd / spread) ** 2
            offset_share[rating.rater] = offset_share.get(rating.rater, 0.0) + share / spread
            scale_share[rating.rater] = scale_share.get(rating.rater, 0.0) + share * (value - CENTRE) / spread
            sds[rating.rater] = (rating.offset_sd, rating.scale_sd)
    variance = noise + math.fsum(
        (offset_share[who] * sds[who][0]) ** 2 + (scale_share[who] * sds[who][1]) ** 2 for who in sds
    )
    sd = math.sqrt(variance)
    return AdjustedScore(score=score, low=score - z * sd, high=score + z * sd, sd=sd)


def _unclipped(scored: list[RatingInput], noise_sd: float) -> list[float]:
    """The dimension's adjusted ratings, a 1 or a 5 read as the latent score expected beyond the clip.

    A 5 says only that the rater's latent score was 4.5 or more; how far
    beyond is read from the level the *other* scores of the dimension point
    to (the model's censoring; the score itself is left out, or it would
    pull itself ever higher). A clipped score alone on its dimension stays as
    it is.
    """
    plain = [adjusted_rating(rating) for rating in scored]
    if len(scored) < 2 or noise_sd <= 0 or not math.isfinite(noise_sd):
        return plain
    from scipy.special import log_ndtr

    values = list(plain)
    total = math.fsum(plain)
    for i, rating in enumerate(scored):
        if SCALE_LOW < rating.score < SCALE_HIGH or not rating.in_model:
            continue
        level = (total - plain[i]) / (len(plain) - 1)
        spread = max(rating.scale, MIN_SCALE)
        mean = CENTRE + spread * (level - CENTRE) + rating.offset
        sign, bound = (1.0, SCALE_HIGH - 0.5) if rating.score >= SCALE_HIGH else (-1.0, SCALE_LOW + 0.5)
        alpha = sign * (bound - mean) / noise_sd
        mills = math.exp(-0.5 * alpha * alpha - 0.5 * math.log(2 * math.pi) - float(log_ndtr(-alpha)))
        values[i] = CENTRE + (mean + sign * noise_sd * mills - CENTRE - rating.offset) / spread
    return values


@dataclass(frozen=True)
class LoopScores:
    """Per loop (``loops``, sorted keys): the raw weighted score, the adjusted one and its interval."""

    loops: np.ndarray
    raw: np.ndarray
    adjusted: np.ndarray
    low: np.ndarray
    high: np.ndarray


def adjusted_scores(
    loop: np.ndarray, dimension: np.ndarray, rater: np.ndarray, score: np.ndarray, *, weights: np.ndarray,
    fit: RaterFit, z: float = 1.96,
) -> LoopScores:
    """``adjusted_score`` for every loop at once (the calibration report's loops table), in numpy.

    ``weights`` is indexed by dimension key; ``rater`` indexes the fit's
    arrays. The same arithmetic as ``adjusted_score``, one weighted count per
    term: the tests check the two agree loop by loop.
    """
    loop_keys, lp = np.unique(loop, return_inverse=True)
    y = np.asarray(score, dtype=float)
    noise = fit.sigma if fit.fitted else math.nan
    known = fit.connected[rater] if fit.fitted else np.zeros(len(y), dtype=bool)
    offset = np.where(known, fit.offset[rater], 0.0)
    offset_sd = np.where(known, fit.offset_sd[rater], 0.0)
    spread = np.where(known, np.maximum(fit.scale[rater], MIN_SCALE), 1.0)
    spread_sd = np.where(known, fit.scale_sd[rater], 0.0)
    value = CENTRE + (y - CENTRE - offset) / spread
    n_d = int(dimension.max()) + 1 if len(dimension) else 0
    cell_keys, cell = np.unique(lp * n_d + dimension, return_inverse=True)
    cell_loop, cell_dim = cell_keys // max(n_d, 1), cell_keys % max(n_d, 1)
    count = np.bincount(cell, minlength=len(cell_keys)).astype(float)
    clipped = known & ((y >= SCALE_HIGH) | (y <= SCALE_LOW)) & (count[cell] >= 2)
    if clipped.any() and math.isfinite(noise) and noise > 0:
        from scipy.special import log_ndtr

        total = np.bincount(cell, value, len(cell_keys))
        level = (total[cell][clipped] - value[clipped]) / (count[cell][clipped] - 1)
        mean = CENTRE + spread[clipped] * (level - CENTRE) + offset[clipped]
        sign = np.where(y[clipped] >= SCALE_HIGH, 1.0, -1.0)
        bound = np.where(sign > 0, SCALE_HIGH - 0.5, SCALE_LOW + 0.5)
        alpha = sign * (bound - mean) / noise
        mills = np.exp(-0.5 * alpha * alpha - 0.5 * math.log(2 * math.pi) - log_ndtr(-alpha))
        value[clipped] = CENTRE + (mean + sign * noise * mills - CENTRE - offset[clipped]) / spread[clipped]
    cell_weight = np.asarray(weights, dtype=float)[cell_dim]
    loop_weight = np.bincount(cell_loop, cell_weight, len(loop_keys))
    share = cell_weight[cell] / loop_weight[lp] / count[cell]
    raw = np.bincount(lp, share * y, len(loop_keys))
    adjusted = np.bincount(lp, share * value, len(loop_keys))
    noise_sd = noise if math.isfinite(noise) else 0.0
    variance = np.bincount(lp, (share * noise_sd / spread) ** 2, len(loop_keys))
    pair_keys, pair = np.unique(lp * (int(rater.max()) + 1) + rater, return_inverse=True)
    pair_loop = pair_keys // (int(rater.max()) + 1)
    first = np.zeros(len(pair_keys), dtype=np.int64)
    first[pair] = np.arange(len(y))
    offset_share = np.bincount(pair, share / spread, len(pair_keys))
    scale_share = np.bincount(pair, share * (value - CENTRE) / spread, len(pair_keys))
    variance += np.bincount(pair_loop, (offset_share * offset_sd[first]) ** 2 + (scale_share * spread_sd[first]) ** 2,
                            len(loop_keys))
    half = z * np.sqrt(variance)
    return LoopScores(loops=loop_keys, raw=raw, adjusted=adjusted, low=adjusted - half, high=adjusted + half)
