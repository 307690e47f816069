"""Interviewer leniency: how far an interviewer scores above or below their co-panelists.

Plain data in, plain data out, no ORM: the recommendation job uses it for the
leniency-adjusted score, the calibration report for its per-interviewer table.

The method
----------
For every scorecard an interviewer submitted, and every dimension on it that
at least one *other* interviewer on the same loop also scored, the residual is

    score - mean(the other interviewers' scores on that loop and dimension)

(leave-one-out: the interviewer's own score never sits in the reference). A
scorecard's residual is the mean of its dimension residuals, so a scorecard
counts once however many dimensions it covers. The raw offset is the mean of
the interviewer's scorecard residuals (``n`` of them).

Few scorecards say little, so the offset used is shrunk toward zero:

    offset = raw_offset * n / (n + k)          (k = ``prior_strength``)
    std_error = sigma / sqrt(n + k)

which is the posterior of a normal model whose prior on an interviewer's true
offset is centred on 0 with variance sigma^2 / k; ``sigma`` is the pooled
within-interviewer spread of scorecard residuals (``default_sigma`` until
there are ``min_df`` degrees of freedom to estimate it). An interviewer with
no comparable scorecard has offset 0 and the prior's std_error: the
adjustment is zero, and the band says how little we know.

Positive offsets are lenient (scores above the peers), negative severe.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_PRIOR_STRENGTH = 5.0
DEFAULT_SIGMA = 0.75
MIN_SIGMA = 0.25
MIN_DF = 10
BAND_Z = 1.96  # a 95% band


@dataclass(frozen=True)
class ScoreObservation:
    """One submitted score: who gave it, on which scorecard, loop and dimension.

    Keys are any hashable values (database ids, names); use the interviewer's
    current scorecards only, one per interview.
    """

    scorecard: Hashable
    loop: Hashable
    interviewer: Hashable
    dimension: Hashable
    score: float


@dataclass(frozen=True)
class LeniencyEstimate:
    """An interviewer's measured leniency (positive) or severity (negative), in scale points."""

    interviewer: Hashable
    scorecards: int  # scorecards with at least one co-panelist comparison (n)
    comparisons: int  # dimension-level comparisons behind them
    raw_offset: float | None  # mean leave-one-out residual, unshrunk; None without history
    offset: float  # shrunk toward zero; 0.0 without history
    std_error: float
    low: float  # offset - z * std_error
    high: float  # offset + z * std_error
    z_score: float | None  # raw_offset / (sigma / sqrt(n)); None without history

    @property
    def has_history(self) -> bool:
        return self.scorecards > 0

    @property
    def direction(self) -> str:
        """'lenient' or 'severe' when the band excludes zero, 'in line' when not, 'no history' without data."""
        if not self.has_history:
            return "no history"
        if self.low > 0:
            return "lenient"
        if self.high < 0:
            return "severe"
        return "in line"

    def as_dict(self) -> dict[str, Any]:
        return {
            "interviewer": self.interviewer,
            "scorecards": self.scorecards,
            "comparisons": self.comparisons,
            "raw_offset": _round(self.raw_offset),
            "offset": _round(self.offset),
            "std_error": _round(self.std_error),
            "low": _round(self.low),
            "high": _round(self.high),
            "z_score": _round(self.z_score),
            "has_history": self.has_history,
            "direction": self.direction,
        }


def no_history_estimate(
    interviewer: Hashable,
    *,
    sigma: float = DEFAULT_SIGMA,
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    z: float = BAND_Z,
) -> LeniencyEstimate:
    """The estimate for someone with no comparable scorecards: offset 0, the prior's uncertainty."""
    std_error = sigma / math.sqrt(prior_strength)
    return LeniencyEstimate(
        interviewer=interviewer,
        scorecards=0,
        comparisons=0,
        raw_offset=None,
        offset=0.0,
        std_error=std_error,
        low=-z * std_error,
        high=z * std_error,
        z_score=None,
    )


@dataclass(frozen=True)
class LeniencyTable:
    """Estimates for every interviewer seen, plus the pooled sigma they share."""

    estimates: dict[Hashable, LeniencyEstimate]
    sigma: float
    sigma_estimated: bool  # False when too little data and ``default_sigma`` was used
    prior_strength: float
    z: float

    def get(self, interviewer: Hashable) -> LeniencyEstimate:
        """The interviewer's estimate, or the no-history one for someone not in the data."""
        found = self.estimates.get(interviewer)
        if found is not None:
            return found
        return no_history_estimate(interviewer, sigma=self.sigma, prior_strength=self.prior_strength, z=self.z)


def estimate_leniency(
    observations: Iterable[ScoreObservation],
    *,
    exclude_loops: Collection[Hashable] = (),
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    default_sigma: float = DEFAULT_SIGMA,
    min_sigma: float = MIN_SIGMA,
    min_df: int = MIN_DF,
    z: float = BAND_Z,
) -> LeniencyTable:
    """Estimate every interviewer's leave-one-out offset against co-panelists, shrunk toward zero.

    ``exclude_loops`` leaves loops out of the history, e.g. the loop being
    adjusted, so that its own disagreement does not feed its correction.
    The result is independent of the order of ``observations``.
    """
    if prior_strength <= 0:
        raise ValueError("prior_strength must be positive")
    excluded = set(exclude_loops)

    # (loop, dimension) -> interviewer -> scores; an interviewer may sit twice on one loop.
    cells: dict[tuple[Hashable, Hashable], dict[Hashable, list[float]]] = defaultdict(lambda: defaultdict(list))
    by_scorecard: dict[Hashable, list[ScoreObservation]] = defaultdict(list)
    interviewers: set[Hashable] = set()
    for obs in observations:
        if obs.loop in excluded:
            continue
        cells[(obs.loop, obs.dimension)][obs.interviewer].append(float(obs.score))
        by_scorecard[obs.scorecard].append(obs)
        interviewers.add(obs.interviewer)

    # Residual of each scorecard against the other interviewers on its loop.
    residuals: dict[Hashable, list[float]] = defaultdict(list)
    comparisons: dict[Hashable, int] = defaultdict(int)
    for scorecard_obs in by_scorecard.values():
        dimension_residuals = []
        for obs in scorecard_obs:
            others = [
                score
                for interviewer, scores in cells[(obs.loop, obs.dimension)].items()
                if interviewer != obs.interviewer
                for score in scores
            ]
            if others:
                dimension_residuals.append(float(obs.score) - math.fsum(others) / len(others))
        if dimension_residuals:
            interviewer = scorecard_obs[0].interviewer
            residuals[interviewer].append(math.fsum(dimension_residuals) / len(dimension_residuals))
            comparisons[interviewer] += len(dimension_residuals)

    raw = {who: math.fsum(values) / len(values) for who, values in residuals.items()}
    total = sum(len(values) for values in residuals.values())
    df = total - len(residuals)
    if df >= min_df:
        pooled = math.fsum((value - raw[who]) ** 2 for who, values in residuals.items() for value in values) / df
        sigma = max(math.sqrt(pooled), min_sigma)
        sigma_estimated = True
    else:
        sigma = default_sigma
        sigma_estimated = False

    estimates = {
        who: _estimate(
            who,
            len(residuals.get(who, ())),
            comparisons.get(who, 0),
            raw.get(who, 0.0),
            sigma=sigma,
            prior_strength=prior_strength,
            z=z,
        )
        for who in interviewers
    }
    return LeniencyTable(
        estimates=estimates, sigma=sigma, sigma_estimated=sigma_estimated, prior_strength=prior_strength, z=z
    )


def _estimate(
    who: Hashable, n: int, comparisons: int, raw: float, *, sigma: float, prior_strength: float, z: float
) -> LeniencyEstimate:
    """The shrunk estimate from ``n`` scorecard residuals averaging ``raw``."""
    if n == 0:
        return no_history_estimate(who, sigma=sigma, prior_strength=prior_strength, z=z)
    offset = raw * n / (n + prior_strength)
    std_error = sigma / math.sqrt(n + prior_strength)
    return LeniencyEstimate(
        interviewer=who,
        scorecards=n,
        comparisons=comparisons,
        raw_offset=raw,
        offset=offset,
        std_error=std_error,
        low=offset - z * std_error,
        high=offset + z * std_error,
        z_score=raw / (sigma / math.sqrt(n)),
    )


@dataclass(frozen=True)
class ResidualTotals:
    """Sums over some of one interviewer's scorecard residuals: all their offset and their share of sigma need.

    A scorecard's residual depends only on the scores of its own loop, so
    the totals over every loop but some are the totals over every loop
    minus those loops' parts.
    """

    scorecards: int = 0
    comparisons: int = 0
    residual_sum: float = 0.0
    residual_squares: float = 0.0

    def __add__(self, other: ResidualTotals) -> ResidualTotals:
        return ResidualTotals(
            scorecards=self.scorecards + other.scorecards,
            comparisons=self.comparisons + other.comparisons,
            residual_sum=self.residual_sum + other.residual_sum,
            residual_squares=self.residual_squares + other.residual_squares,
        )

    def __sub__(self, other: ResidualTotals) -> ResidualTotals:
        if other.scorecards >= self.scorecards:
            return ResidualTotals()  # all of it: no float dust left behind
        return ResidualTotals(
            scorecards=self.scorecards - other.scorecards,
            comparisons=self.comparisons - other.comparisons,
            residual_sum=self.residual_sum - other.residual_sum,
            residual_squares=self.residual_squares - other.residual_squares,
        )

    @property
    def within_squares(self) -> float:
        """Sum of squared deviations of the residuals from their mean (this interviewer's part of sigma)."""
        if self.scorecards == 0:
            return 0.0
        return max(self.residual_squares - self.residual_sum * self.residual_sum / self.scorecards, 0.0)


def residual_totals(residuals: Iterable[tuple[Hashable, float, int]]) -> dict[Hashable, ResidualTotals]:
    """Per-interviewer totals of (interviewer, scorecard residual, comparisons behind it) triples."""
    totals: dict[Hashable, ResidualTotals] = defaultdict(ResidualTotals)
    for who, residual, count in residuals:
        totals[who] += ResidualTotals(
            scorecards=1, comparisons=count, residual_sum=residual, residual_squares=residual * residual
        )
    return dict(totals)


class LeniencyHistory:
    """Every interviewer's residual totals over the whole history, and the tables that leave some loops out.

    ``table(leaving_out=...)`` gives what ``estimate_leniency(...,
    exclude_loops=...)`` gives (to float rounding) from totals alone: the
    left-out loops' parts are subtracted from their interviewers' totals and
    from the pooled sums of squares behind sigma, so a loop's table costs
    its panel's size, not the history's.
    """

    def __init__(
        self,
        totals: Mapping[Hashable, ResidualTotals],
        *,
        prior_strength: float = DEFAULT_PRIOR_STRENGTH,
        default_sigma: float = DEFAULT_SIGMA,
        min_sigma: float = MIN_SIGMA,
        min_df: int = MIN_DF,
        z: float = BAND_Z,
    ) -> None:
        if prior_strength <= 0:
            raise ValueError("prior_strength must be positive")
        self.totals = {who: part for who, part in totals.items() if part.scorecards > 0}
        self.prior_strength, self.default_sigma, self.min_sigma, self.min_df, self.z = (
            prior_strength, default_sigma, min_sigma, min_df, z
        )
        self._within = math.fsum(part.within_squares for part in self.totals.values())
        self._scorecards = sum(part.scorecards for part in self.totals.values())

    def table(
        self,
        *,
        leaving_out: Mapping[Hashable, ResidualTotals] | None = None,
        interviewers: Iterable[Hashable] | None = None,
    ) -> LeniencyTable:
        """Estimates without the parts in ``leaving_out`` (by interviewer), for ``interviewers`` (default: all)."""
        remaining: dict[Hashable, ResidualTotals] = {}
        within, total, people = self._within, self._scorecards, len(self.totals)
        for who, part in (leaving_out or {}).items():
            before = self.totals.get(who)
            if before is None or part.scorecards == 0:
                continue
            after = before - part
            remaining[who] = after
            within += after.within_squares - before.within_squares
            total -= before.scorecards - after.scorecards
            if after.scorecards == 0:
                people -= 1
        df = total - people
        if df >= self.min_df:
            sigma, sigma_estimated = max(math.sqrt(max(within, 0.0) / df), self.min_sigma), True
        else:
            sigma, sigma_estimated = self.default_sigma, False
        estimates = {}
        for who in self.totals if interviewers is None else interviewers:
            part = remaining[who] if who in remaining else self.totals.get(who, ResidualTotals())
            n = part.scorecards
            estimates[who] = _estimate(
                who,
                n,
                part.comparisons,
                part.residual_sum / n if n else 0.0,
                sigma=sigma,
                prior_strength=self.prior_strength,
                z=self.z,
            )
        return LeniencyTable(
            estimates=estimates,
            sigma=sigma,
            sigma_estimated=sigma_estimated,
            prior_strength=self.prior_strength,
            z=self.z,
        )


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)
