"""Simulated hiring histories with a known truth, for the validity report's tests and its coverage figure.

Each applicant has a true ability per dimension; each of a panel's interviewers
rates every dimension 1-5 from that ability plus their own leniency and noise;
the weighted composite of the panel means decides who is hired (only the top
share); the hires' later performance (1-5) is driven by some abilities and not
others. The truth the report must recover is the correlation, in the whole
applicant pool, between a dimension's panel mean and performance: estimated
here from a very large pool drawn from the same model.

    python -m bench.quality_of_hire --replications 1000

prints how often the corrected 95% intervals contain the truth (docs/quality-of-hire.md).
"""

from __future__ import annotations

import argparse
import csv
import io
from dataclasses import dataclass, field

import numpy as np

from outcomes.validity.stats import correlation, resample_index


@dataclass(frozen=True)
class World:
    dimensions: tuple[str, ...] = ("Software engineering", "AI system design", "Evaluation", "Communication")
    weights: tuple[float, ...] = (30, 30, 20, 20)
    # How much each ability drives performance: the first two predict, the last two do not.
    effects: tuple[float, ...] = (0.6, 0.4, 0.0, 0.0)
    panel: int = 4
    interviewers: int = 12
    rating_noise: float = 0.8
    leniency_sd: float = 0.25
    performance_noise: float = 0.7
    hired_share: float = 0.3
    red_flag_rate: float = 0.05
    # A role's critical dimensions and the floor of the recommendation rules.
    critical: tuple[str, ...] = ("Software engineering",)


@dataclass
class History:
    world: World
    scores: np.ndarray  # applicants x panel x dimensions, 1-5
    interviewer: np.ndarray  # applicants x panel: interviewer index
    overall: np.ndarray  # applicants x panel: 0 strong no .. 3 strong yes
    red_flag: np.ndarray  # applicants: a panelist raised a red flag
    hired: np.ndarray  # applicants: bool
    performance: np.ndarray  # applicants: 1-5 (meaningful for hires only)
    ability: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    @property
    def panel_means(self) -> np.ndarray:
        return self.scores.mean(axis=1)

    @property
    def composite(self) -> np.ndarray:
        weights = np.asarray(self.world.weights, dtype=float)
        return self.panel_means @ weights / weights.sum()


def _to_scale(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(3 + values), 1, 5).astype(int)


def simulate(world: World, applicants: int, seed: int) -> History:
    rng = np.random.default_rng(seed)
    k = len(world.dimensions)
    ability = rng.standard_normal((applicants, k))
    leniency = rng.normal(0, world.leniency_sd, world.interviewers)
    interviewer = np.stack([rng.choice(world.interviewers, world.panel, replace=False) for _ in range(applicants)])
    latent = ability[:, None, :] + leniency[interviewer][:, :, None]
    latent = latent + rng.normal(0, world.rating_noise, (applicants, world.panel, k))
    scores = _to_scale(latent)
    # The overall recommendation: each interviewer's overall impression, which weighs every dimension alike.
    impression = latent.mean(axis=2) + rng.normal(0, 0.5, (applicants, world.panel))
    overall = np.clip(np.rint(impression + 1.5), 0, 3).astype(int)
    red_flag = rng.random(applicants) < world.red_flag_rate
    weights = np.asarray(world.weights, dtype=float)
    composite = scores.mean(axis=1) @ weights / weights.sum()
    cutoff = np.quantile(composite, 1 - world.hired_share)
    hired = composite >= cutoff
    effects = np.asarray(world.effects)
    performance = _to_scale(ability @ effects + rng.normal(0, world.performance_noise, applicants))
    return History(world, scores, interviewer, overall, red_flag, hired, performance, ability)


def true_correlations(world: World, applicants: int = 400_000, seed: int = 1) -> dict[str, float]:
    """Each dimension's (and the composite's) correlation with performance in the applicant pool."""
    history = simulate(world, applicants, seed)
    performance = history.performance.astype(float)
    truth = {name: float(np.corrcoef(history.panel_means[:, i], performance)[0, 1])
             for i, name in enumerate(world.dimensions)}
    truth["composite"] = float(np.corrcoef(history.composite, performance)[0, 1])
    return truth


OVERALL_WORDS = ("strong no", "no", "yes", "strong yes")


def ratings_csv(history: History, role: str = "applied-ai-engineer") -> str:
    """The history's every loop in the calibration report's ratings-file format."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["loop", "interviewer", "dimension", "score", "recommendation", "decision", "role"])
    for loop in range(len(history.hired)):
        decision = "hire" if history.hired[loop] else "no hire"
        for seat in range(history.world.panel):
            who = f"interviewer-{history.interviewer[loop, seat]}"
            for d, name in enumerate(history.world.dimensions):
                writer.writerow([f"L{loop}", who, name, history.scores[loop, seat, d],
                                 OVERALL_WORDS[history.overall[loop, seat]], decision, role])
    return buffer.getvalue()


def outcomes_csv(history: History, label: str = "12m") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["loop", "checkin", "performance"])
    for loop in np.flatnonzero(history.hired):
        writer.writerow([f"L{loop}", label, history.performance[loop]])
    return buffer.getvalue()


def coverage(
    world: World, replications: int, applicants: int, seed: int = 7, resamples: int = 1000
) -> dict[str, float]:
    """Share of replications whose corrected 95% interval contains the true pool correlation, per predictor."""
    truth = true_correlations(world)
    hits = dict.fromkeys(truth, 0)
    counted = dict.fromkeys(truth, 0)
    for replication in range(replications):
        history = simulate(world, applicants, seed + replication)
        y = history.performance[history.hired].astype(float)
        columns = {name: history.panel_means[:, i] for i, name in enumerate(world.dimensions)}
        columns["composite"] = history.composite
        z = history.composite
        index = resample_index(len(y), resamples)
        for name, values in columns.items():
            result = correlation(values[history.hired], y, z[history.hired], pool_sd_x=float(np.std(values, ddof=1)),
                                 pool_sd_z=float(np.std(z, ddof=1)), index=index)
            if result.r_corrected_low is None or result.r_corrected_high is None:
                continue
            counted[name] += 1
            hits[name] += int(result.r_corrected_low <= truth[name] <= result.r_corrected_high)
    return {name: hits[name] / counted[name] for name in truth if counted[name]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--applicants", type=int, default=400)
    arguments = parser.parse_args()
    world = World()
    truth = true_correlations(world)
    print(f"{arguments.replications} histories of {arguments.applicants} applicants, "
          f"{world.hired_share:.0%} hired on the composite")
    for name, share in coverage(world, arguments.replications, arguments.applicants).items():
        print(f"  {name:24} true r {truth[name]:+.3f}   corrected 95% interval covers it in {share:.1%}")


if __name__ == "__main__":
    main()
