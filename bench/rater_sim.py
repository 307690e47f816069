"""Simulated hiring histories with a known truth, for checking the rater model (tests and ``bench.rater_check``).

Candidates have a true level per dimension, interviewers a true leniency and
scale use; a score is the latent ``3 + scale * (level - 3) + leniency +
noise``, rounded and clipped to 1-5, as real scores are. Panels of 3-6
interviewers; each interviewer scores each of the rubric's dimensions with
probability 0.7 (at least one).

Designs (``DESIGNS``):

- ``balanced``: interviewers drawn uniformly for every panel;
- ``sparse``: a third of the interviewers sit on only 3-5 loops;
- ``clustered``: lenient interviewers are put on panels with strong candidates;
- ``restricted``: a strong pool, and some interviewers use only the middle of
  the scale (scale 0.35) or only its ends (scale 2.2), all with leniency 0;
- ``null``: no leniency and no scale use at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIMENSIONS = 5
DESIGNS = ("balanced", "sparse", "clustered", "restricted", "null")


@dataclass(frozen=True)
class History:
    loop: np.ndarray  # per rating
    dimension: np.ndarray
    rater: np.ndarray
    score: np.ndarray
    leniency: np.ndarray  # per rater, the truth
    scale: np.ndarray
    level: np.ndarray  # per loop and dimension, the candidate's true level (loops x DIMENSIONS)
    raters: int
    loops: int


def simulate(design: str, *, seed: int, loops: int = 400, raters: int = 60, noise: float = 0.6,
             leniency_sd: float = 0.4) -> History:
    if design not in DESIGNS:
        raise ValueError(f"unknown design {design!r}")
    rng = np.random.default_rng(seed)
    pool_mean = 3.8 if design == "restricted" else 3.1
    ability = rng.normal(pool_mean, 0.7, size=loops)
    dimension_effect = rng.normal(0.0, 0.25, size=DIMENSIONS)
    level = ability[:, None] + dimension_effect[None, :] + rng.normal(0.0, 0.35, size=(loops, DIMENSIONS))
    leniency = np.zeros(raters) if design in ("null", "restricted") else rng.normal(0.0, leniency_sd, size=raters)
    scale = np.ones(raters)
    if design == "restricted":
        scale[: raters // 6] = 0.35
        scale[raters // 6 : raters // 3] = 2.2

    sizes = rng.integers(3, 7, size=loops)
    panels: list[np.ndarray] = []
    if design == "sparse":
        sparse_raters = raters // 3
        budget = {who: int(rng.integers(3, 6)) for who in range(sparse_raters)}
        sparse_loops = rng.choice(loops, size=sum(budget.values()), replace=True)
        extra: dict[int, list[int]] = {}
        position = 0
        for who, count in budget.items():
            for loop in sparse_loops[position : position + count]:
                extra.setdefault(int(loop), []).append(who)
            position += count
        for loop in range(loops):
            chosen = list(dict.fromkeys(extra.get(loop, [])))[: sizes[loop] - 2]
            rest = rng.choice(np.arange(sparse_raters, raters), size=sizes[loop] - len(chosen), replace=False)
            panels.append(np.asarray(chosen + list(rest)))
    elif design == "clustered":
        strength = (ability - ability.mean()) / ability.std()
        z_len = leniency / max(leniency.std(), 1e-9)
        for loop in range(loops):
            weights = np.exp(1.5 * strength[loop] * z_len)
            panels.append(rng.choice(raters, size=sizes[loop], replace=False, p=weights / weights.sum()))
    else:
        panels = [rng.choice(raters, size=size, replace=False) for size in sizes]

    rows_loop, rows_dim, rows_rater, rows_score = [], [], [], []
    for loop, panel in enumerate(panels):
        for who in panel:
            scored = rng.random(DIMENSIONS) < 0.7
            if not scored.any():
                scored[rng.integers(DIMENSIONS)] = True
            for dim in np.flatnonzero(scored):
                latent = 3.0 + scale[who] * (level[loop, dim] - 3.0) + leniency[who] + rng.normal(0.0, noise)
                rows_loop.append(loop)
                rows_dim.append(dim)
                rows_rater.append(int(who))
                rows_score.append(float(np.clip(np.round(latent), 1, 5)))
    return History(
        loop=np.asarray(rows_loop), dimension=np.asarray(rows_dim), rater=np.asarray(rows_rater),
        score=np.asarray(rows_score), leniency=leniency, scale=scale, level=level, raters=raters, loops=loops,
    )
