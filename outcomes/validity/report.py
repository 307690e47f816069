"""The validity report, from plain rows: the ratings of every loop (the calibration report's rows) and the hires'
outcomes. The database path and the ``--from-csv`` command both end here (docs/quality-of-hire.md)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from outcomes.validity.outcomes_file import OutcomeRow
from outcomes.validity.stats import (
    LEVEL,
    corrected_difference,
    correlation,
    fisher_interval,
    hires_needed,
    pearson,
    resample_index,
)
from scorecards.calibration.rows import RatingRow
from scorecards.calibration.stats import holm_adjust, mean_interval

OVERALL_POINTS = {"strong_no": 1.0, "no": 2.0, "yes": 3.0, "strong_yes": 4.0}


@dataclass(frozen=True)
class DimensionSpec:
    name: str
    weight: float
    critical: bool


@dataclass(frozen=True)
class RubricSpec:
    dimensions: tuple[DimensionSpec, ...]
    critical_floor: float


@dataclass(frozen=True)
class ValidityOptions:
    checkin: str = ""  # which check-in's performance; "" = the latest label present (12m before 90d)
    min_sample: int = 10
    interval_width: float = 0.3
    resamples: int = 2000
    alpha: float = 0.05


def _label_days(label: str) -> int:
    number, unit = int(label[:-1]), label[-1]
    return number * {"d": 1, "m": 30, "y": 365}[unit]


@dataclass
class _Loop:
    panel: dict[str, list[int]]
    overall: dict[str, str]  # scorecard -> overall
    decision: str | None
    by_interviewer: dict[str, list[int]]


def _loops(ratings: Sequence[RatingRow]) -> dict[str, _Loop]:
    loops: dict[str, _Loop] = {}
    for row in ratings:
        loop = loops.setdefault(row.loop, _Loop(defaultdict(list), {}, row.decision, defaultdict(list)))
        if row.score is not None:
            loop.panel[row.dimension].append(row.score)
            loop.by_interviewer[row.interviewer].append(row.score)
        if row.overall:
            loop.overall[row.scorecard] = row.overall
    return loops


def _composite(means: dict[str, float], spec: RubricSpec) -> float | None:
    weights = [(d.weight, means[d.name]) for d in spec.dimensions if d.name in means]
    total = sum(weight for weight, _ in weights)
    return sum(weight * value for weight, value in weights) / total if total else None


def _needs(n: int, min_sample: int, width: float, r: float | None) -> dict[str, Any] | None:
    """Small samples stated plainly: how many more hires give an interval of the chosen width."""
    target = max(min_sample, hires_needed(width, r if r is not None and abs(r) < 0.9 else 0.3))
    interval = fisher_interval(r or 0.0, n) if n >= 4 else None
    current = (interval[1] - interval[0]) if interval else None
    if current is not None and current <= width and n >= min_sample:
        return None
    return {"hires_needed": target, "more_hires_needed": max(0, target - n), "interval_width": width,
            "current_width": round(current, 3) if current is not None else None}


def build_report(
    ratings: Sequence[RatingRow], outcomes: Sequence[OutcomeRow], spec: RubricSpec, *,
    options: ValidityOptions, area_names: Sequence[str] = (), red_flags: dict[str, bool] | None = None,
    description: dict[str, Any] | None = None,
) -> dict[str, Any]:
    loops = _loops(ratings)
    labels = sorted({row.checkin for row in outcomes}, key=_label_days)
    label = options.checkin or (labels[-1] if labels else "")
    performance = {row.loop: row for row in outcomes if row.checkin == label}
    unknown = sorted(set(performance) - set(loops))
    names = [d.name for d in spec.dimensions]
    extra = sorted({row.dimension for row in ratings} - set(names))

    # Every loop's predictors: the pool. The pool's spread is what hiring narrowed.
    means = {key: {d: float(np.mean(v)) for d, v in loop.panel.items() if v} for key, loop in loops.items()}
    composite = {key: _composite(m, spec) for key, m in means.items()}
    overall = {key: float(np.mean([OVERALL_POINTS[o] for o in loop.overall.values()]))
               for key, loop in loops.items() if loop.overall}
    z_pool = np.array([v for v in composite.values() if v is not None])
    pool_sd_z = float(np.std(z_pool, ddof=1)) if len(z_pool) >= 2 else None

    hires = [key for key in performance if key in loops and composite.get(key) is not None]
    not_marked = [key for key in hires if loops[key].decision not in (None, "hire")]

    def predictor(values: dict[str, float]) -> dict[str, Any]:
        pool = np.array(list(values.values()))
        keys = [key for key in hires if key in values]
        x = np.array([values[key] for key in keys])
        y = np.array([float(performance[key].performance) for key in keys])
        z = np.array([composite[key] for key in keys], dtype=float)
        index = resample_index(len(keys), options.resamples) if len(keys) >= 4 and options.resamples else None
        result = correlation(x, y, z, pool_sd_x=float(np.std(pool, ddof=1)) if len(pool) >= 2 else None,
                             pool_sd_z=pool_sd_z, index=index).as_dict()
        result["pool_n"] = len(pool)
        result["small_sample"] = len(keys) < options.min_sample
        result["needs"] = _needs(len(keys), options.min_sample, options.interval_width, result["r"])
        return result

    dimensions = []
    for d in spec.dimensions:
        entry = {"name": d.name, "weight": d.weight, "critical": d.critical,
                 **predictor({k: m[d.name] for k, m in means.items() if d.name in m})}
        dimensions.append(entry)
    p_values = [entry["p_value"] if entry["p_value"] is not None else 1.0 for entry in dimensions]
    for entry, adjusted in zip(dimensions, holm_adjust(p_values), strict=True):
        entry["p_holm"] = round(adjusted, 4)
        entry["predictive"] = bool(not entry["small_sample"] and adjusted < options.alpha
                                   and (entry["r_corrected"] or 0) > 0)
    composite_entry = predictor({k: v for k, v in composite.items() if v is not None})
    overall_entry = predictor(overall)

    both = [key for key in hires if key in overall]
    comparison = corrected_difference(
        np.array([composite[key] for key in both], dtype=float), np.array([overall[key] for key in both]),
        np.array([float(performance[key].performance) for key in both]),
        np.array([composite[key] for key in both], dtype=float), pool_sd_z=pool_sd_z or 0.0,
        index=resample_index(len(both), options.resamples) if len(both) >= 4 and options.resamples else None,
    ).as_dict()
    comparison["better"] = _better(comparison)

    return {
        "description": description or {},
        "checkin": label,
        "checkins_available": labels,
        "options": {"min_sample": options.min_sample, "interval_width": options.interval_width,
                    "resamples": options.resamples, "level": LEVEL, "alpha": options.alpha},
        "correction": {
            "method": "Thorndike case II for the composite (the score hiring selected on); case III, through the "
                      "composite, for every other predictor. 95% intervals of corrected figures: percentile "
                      "bootstrap over hires; of uncorrected r: Fisher's z.",
            "pool_sd_composite": round(pool_sd_z, 4) if pool_sd_z else None,
            "hired_sd_composite": composite_entry["sd_hired"],
            "u": round(pool_sd_z / composite_entry["sd_hired"], 4)
            if pool_sd_z and composite_entry["sd_hired"] else None,
        },
        "totals": {"loops": len(loops), "hires_with_outcome": len(hires), "outcomes": len(outcomes),
                   "outcomes_without_ratings": len(unknown)},
        "dimensions": dimensions,
        "composite": composite_entry,
        "overall_recommendation": overall_entry,
        "composite_vs_overall": comparison,
        "areas": _areas(area_names, hires, composite, performance, pool_sd_z, options),
        "interviewers": _interviewers(hires, loops, performance, options),
        "rules": _rules(hires, means, performance, spec, red_flags),
        "notes": _notes(unknown, extra, not_marked, len(hires), options),
    }


def _better(comparison: dict[str, Any]) -> str:
    if comparison["low"] is None or comparison["high"] is None:
        return "too few hires to compare"
    if comparison["low"] > 0:
        return "composite"
    if comparison["high"] < 0:
        return "overall recommendation"
    return "no clear difference"


def _areas(names: Sequence[str], hires: list[str], composite: dict[str, float | None],
           performance: dict[str, OutcomeRow], pool_sd_z: float | None,
           options: ValidityOptions) -> list[dict[str, Any]]:
    result = []
    for name in names:
        keys = [key for key in hires if performance[key].areas.get(name) is not None]
        x = np.array([composite[key] for key in keys], dtype=float)
        y = np.array([float(performance[key].areas[name] or 0) for key in keys])
        index = resample_index(len(keys), options.resamples) if len(keys) >= 4 and options.resamples else None
        entry = correlation(x, y, x, pool_sd_x=pool_sd_z, pool_sd_z=pool_sd_z, index=index).as_dict()
        result.append({"name": name, **entry, "small_sample": len(keys) < options.min_sample})
    return result


def _interviewers(hires: list[str], loops: dict[str, _Loop], performance: dict[str, OutcomeRow],
                  options: ValidityOptions) -> list[dict[str, Any]]:
    """How well each interviewer's own mean score on a hire predicts that hire's performance (uncorrected:
    one person's hires are too few to model their selection); figures only from the minimum sample up."""
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for key in hires:
        for interviewer, scores in loops[key].by_interviewer.items():
            if scores:
                pairs[interviewer].append((float(np.mean(scores)), float(performance[key].performance)))
    result = []
    for interviewer, values in sorted(pairs.items()):
        n = len(values)
        shown = n >= options.min_sample
        r = pearson(np.array([a for a, _ in values]), np.array([b for _, b in values])) if shown else None
        interval = fisher_interval(r, n) if r is not None else None
        result.append({"interviewer": interviewer, "n": n, "r": _round(r),
                       "r_low": _round(interval[0]) if interval else None,
                       "r_high": _round(interval[1]) if interval else None, "small_sample": not shown})
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _group(keys: list[str], performance: dict[str, OutcomeRow]) -> dict[str, Any]:
    values = [float(performance[key].performance) for key in keys]
    n = len(values)
    mean = float(np.mean(values)) if values else None
    variance = float(np.var(values, ddof=1)) if n >= 2 else None
    interval = mean_interval(n=n, mean=mean, variance=variance) if mean is not None else None
    return {"n": n, "mean_performance": _round(mean),
            "low": _round(getattr(interval, "low", None)), "high": _round(getattr(interval, "high", None))}


def _rules(hires: list[str], means: dict[str, dict[str, float]], performance: dict[str, OutcomeRow],
           spec: RubricSpec, red_flags: dict[str, bool] | None) -> list[dict[str, Any]]:
    """The recommendation's vetoes against what happened to the people hired over them."""
    critical = [d.name for d in spec.dimensions if d.critical]
    below = [key for key in hires if any(means[key].get(name, math.inf) < spec.critical_floor for name in critical)]
    rules: list[dict[str, Any]] = [{
        "rule": f"critical floor ({spec.critical_floor:g} on {', '.join(critical) or 'no critical dimension'})",
        "over_the_rule": _group(below, performance),
        "other_hires": _group([key for key in hires if key not in below], performance),
    }]
    if red_flags is None:
        rules.append({"rule": "red-flag veto", "over_the_rule": None, "other_hires": None,
                      "note": "A ratings file carries no red flags; the report from the database checks them."})
    else:
        flagged = [key for key in hires if red_flags.get(key)]
        rules.append({"rule": "red-flag veto", "over_the_rule": _group(flagged, performance),
                      "other_hires": _group([key for key in hires if key not in flagged], performance)})
    return rules


def _notes(unknown: list[str], extra: list[str], not_marked: list[str], hires: int,
           options: ValidityOptions) -> list[str]:
    notes = []
    if hires < options.min_sample:
        notes.append(f"Only {hires} hires have an outcome: every figure is a small sample and is not read as "
                     f"evidence either way.")
    if unknown:
        notes.append(f"{len(unknown)} outcome(s) name loops with no ratings and are left out.")
    if extra:
        notes.append(f"Dimensions not in the role's rubric are left out of the composite: {', '.join(extra)}.")
    if not_marked:
        notes.append(f"{len(not_marked)} loop(s) with an outcome are not marked hire in the ratings; "
                     "they are counted as hires.")
    return notes
