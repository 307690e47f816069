"""Before and after on simulated histories with a known truth: ``python -m bench.rater_check [--replications N]``.

"Before" is the leave-one-out offset against co-panelists
(``scorecards.leniency.offsets``; the report's unshrunk mean with its t
interval, the recommendation's shrunk offset and its band); "after" is the
rater model (``scorecards.leniency.model``). Prints a Markdown table of
Spearman's rho between measured and true leniency, flags on the null and
restricted-range designs, and the share of 95% intervals that contain the
truth (offsets, and the adjusted score's for the candidate's true level).
No database: the plain-data halves of both methods. Alpha's interval
coverage (the percentile bootstrap before, BCa after) at 150 loops is the
last row.
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np
from scipy.stats import spearmanr

from bench.rater_sim import DESIGNS, simulate
from scorecards.calibration.stats import SCALE, alpha_with_bootstrap, holm_adjust, mean_interval
from scorecards.leniency.model import RatingInput, adjusted_score, fit_rater_model
from scorecards.leniency.offsets import ScoreObservation, estimate_leniency


def _old(history) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], object]:
    observations = [
        ScoreObservation(scorecard=(int(lp), int(who)), loop=int(lp), interviewer=int(who), dimension=int(d),
                         score=float(y))
        for lp, who, d, y in zip(history.loop, history.rater, history.dimension, history.score, strict=True)
    ]
    table = estimate_leniency(observations)
    raw = np.zeros(history.raters)
    low, high = np.full(history.raters, np.nan), np.full(history.raters, np.nan)
    p_values = []
    for who in range(history.raters):
        estimate = table.get(who)
        raw[who] = estimate.raw_offset or 0.0
        interval = mean_interval(n=estimate.scorecards, mean=raw[who], variance=table.sigma**2)
        low[who], high[who] = interval.low or np.nan, interval.high or np.nan
        p_values.append(interval.p_value if interval.p_value is not None and estimate.scorecards >= 5 else 1.0)
    flags = ["x" if p < 0.05 else "" for p in holm_adjust(p_values)]
    return raw, low, high, flags, table


def _new(history):
    fit = fit_rater_model(history.loop, history.dimension, history.rater, history.score, raters=history.raters)
    p_values = [math.erfc(abs(b) / sd / math.sqrt(2)) if fit.loops[i] >= 5 else 1.0
                for i, (b, sd) in enumerate(zip(fit.offset, fit.offset_sd, strict=True))]
    flags = ["x" if p < 0.05 else "" for p in holm_adjust(p_values)]
    return fit, flags


def _score_coverage(history, fit, old_table) -> tuple[float, float]:
    old_hits = new_hits = 0
    order = np.argsort(history.loop, kind="stable")
    bounds = np.searchsorted(history.loop[order], np.arange(history.loops + 1))
    weights = dict.fromkeys(range(5), 1.0)
    for loop in range(history.loops):
        rows = order[bounds[loop]:bounds[loop + 1]]
        truth = float(np.mean(history.level[loop, sorted(set(history.dimension[rows].tolist()))]))
        new = adjusted_score([RatingInput(
            rater=int(history.rater[i]), dimension=int(history.dimension[i]), score=float(history.score[i]),
            offset=float(fit.offset[history.rater[i]]), offset_sd=float(fit.offset_sd[history.rater[i]]),
            scale=float(fit.scale[history.rater[i]]), scale_sd=float(fit.scale_sd[history.rater[i]]))
            for i in rows], weights, noise_sd=fit.sigma)
        # The old band: offsets' standard errors only (noise_sd 0), the shrunk leave-one-out offsets.
        old = adjusted_score([RatingInput(
            rater=int(history.rater[i]), dimension=int(history.dimension[i]), score=float(history.score[i]),
            offset=old_table.get(int(history.rater[i])).offset,
            offset_sd=old_table.get(int(history.rater[i])).std_error,
            in_model=False) for i in rows], weights, noise_sd=0.0)
        assert new is not None and old is not None
        new_hits += int(new.low <= truth <= new.high)
        old_hits += int(old.low <= truth <= old.high)
    return old_hits / history.loops, new_hits / history.loops


def _alpha_coverage(replications: int, *, bca: bool) -> float:
    """Share of 95% intervals at 150 loops (one dimension, 3-6 raters) that contain the population alpha."""
    from scorecards.calibration import stats

    def counts(rng: np.random.Generator, loops: int) -> np.ndarray:
        level = rng.normal(3.1, 0.8, size=loops)
        rows = []
        for value in level:
            raters = rng.integers(3, 7)
            scores = np.clip(np.round(value + rng.normal(0.0, 0.7, size=raters)), 1, 5).astype(int)
            rows.append([int(np.sum(scores == v)) for v in SCALE])
        return np.asarray(rows, dtype=float)

    truth = stats.alpha_from_counts(counts(np.random.default_rng(0), 200_000))
    original = stats._bca_interval
    if not bca:
        def percentile(draws, alpha, distinct, repeats, confidence):
            return tuple(float(q) for q in np.quantile(draws, [0.025, 0.975]))
        stats._bca_interval = percentile
    try:
        hits = 0
        for replication in range(replications):
            estimate = alpha_with_bootstrap(counts(np.random.default_rng(1000 + replication), 150), resamples=1000,
                                            seed=[replication])
            low, high = estimate.low, estimate.high
            hits += int(low is not None and high is not None and truth is not None and low <= truth <= high)
    finally:
        stats._bca_interval = original
    return hits / replications


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--alpha-replications", type=int, default=200)
    options = parser.parse_args(argv)
    print("| design | figure | before (leave-one-out) | after (rater model) |")
    print("|---|---|---|---|")
    for design in DESIGNS:
        rho_old, rho_new, cover_old, cover_new, flags_old, flags_new, score_old, score_new = ([] for _ in range(8))
        for replication in range(options.replications):
            history = simulate(design, seed=7000 + replication)
            raw, low, high, old_flags, old_table = _old(history)
            fit, new_flags = _new(history)
            truth = history.leniency - history.leniency.mean()
            if history.leniency.std() > 0:
                rho_old.append(spearmanr(history.leniency, raw).statistic)
                rho_new.append(spearmanr(history.leniency, fit.offset).statistic)
                cover_old.append(np.nanmean((low <= truth) & (truth <= high)))
                cover_new.append(np.mean(np.abs(fit.offset - truth) <= 1.96 * fit.offset_sd))
            flags_old.append(sum(1 for flag in old_flags if flag))
            flags_new.append(sum(1 for flag in new_flags if flag))
            before, after = _score_coverage(history, fit, old_table)
            score_old.append(before)
            score_new.append(after)
        if rho_old:
            print(f"| {design} | Spearman, measured vs true leniency (mean) | {np.mean(rho_old):.3f} | "
                  f"{np.mean(rho_new):.3f} |")
            print(f"| {design} | offsets' 95% intervals containing the truth | {np.mean(cover_old):.1%} | "
                  f"{np.mean(cover_new):.1%} |")
        else:
            print(f"| {design} | interviewers flagged (of {history.raters} x {options.replications}) | "
                  f"{sum(flags_old)} | {sum(flags_new)} |")
        print(f"| {design} | adjusted score's 95% interval containing the true level | {np.mean(score_old):.1%} | "
              f"{np.mean(score_new):.1%} |")
    if options.alpha_replications:
        print(f"| alpha, 150 loops | 95% interval containing the population alpha | "
              f"{_alpha_coverage(options.alpha_replications, bca=False):.1%} | "
              f"{_alpha_coverage(options.alpha_replications, bca=True):.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
