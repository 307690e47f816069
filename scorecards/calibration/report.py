"""The calibration report's core: staged rows in, a plain JSON-ready report out.

``report_from_database`` and ``report_from_rows`` differ only in how the
staging table is filled; the aggregates (SQL, ``aggregation.py``) and the
statistics (numpy, ``stats.py``) are the same code for both.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.utils import timezone

from scorecards.calibration.aggregation import Staging, staged
from scorecards.calibration.rows import RatingRow
from scorecards.calibration.selectors import ReportScope, calibration_rows_queryset
from scorecards.calibration.stats import SCALE, alpha_with_bootstrap, holm_adjust, mean_interval

SCHEMA_VERSION = 1
Progress = Callable[[int], None]


def _no_progress(_: int) -> None:
    return None


@dataclass(frozen=True)
class ReportOptions:
    """How the numbers are computed and read; stored with the report so it can be reproduced."""

    min_sample: int = 5
    confidence: float = 0.95
    bootstrap_resamples: int = 1000
    seed: int = 20240917


def report_from_database(
    scope: ReportScope,
    *,
    description: dict[str, Any],
    options: ReportOptions,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    with staged(queryset=calibration_rows_queryset(scope)) as staging:
        aggregates = _collect(staging)
    progress(50)
    return _assemble(aggregates, description={**description, "source": "database"}, options=options,
                     progress=progress)


def report_from_rows(
    rows: Iterable[RatingRow],
    *,
    description: dict[str, Any],
    options: ReportOptions,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    with staged(rows=rows) as staging:
        aggregates = _collect(staging)
    progress(50)
    return _assemble(aggregates, description=description, options=options, progress=progress)


def _collect(staging: Staging) -> dict[str, Any]:
    """Every SQL aggregate of the report, read while the staging table exists."""
    return {
        "totals": staging.totals(),
        "cards": staging.interviewer_cards(),
        "ratings": staging.interviewer_ratings(),
        "lags": staging.interviewer_lags(),
        "leniency": staging.leniency(),
        "interviewer_dimensions": staging.interviewer_dimensions(),
        "dimensions": staging.dimensions(),
        "unit_counts": staging.unit_value_counts(),
        "roles": staging.roles(),
        "vendor": staging.dialect.vendor,
    }


def _round(value: Any, places: int = 4) -> float | None:
    if value is None:
        return None
    return round(float(value), places)


def _share(part: Any, whole: Any) -> float | None:
    whole = int(whole or 0)
    return None if whole == 0 else _round(int(part or 0) / whole)


def _sqrt(variance: Any) -> float | None:
    return None if variance is None else _round(max(float(variance), 0.0) ** 0.5)


def _interviewers(aggregates: dict[str, Any], options: ReportOptions) -> list[dict[str, Any]]:
    ratings = {row["interviewer"]: row for row in aggregates["ratings"]}
    lags = aggregates["lags"]
    leniency = {row["interviewer"]: row for row in aggregates["leniency"]}
    people: list[dict[str, Any]] = []
    for card in aggregates["cards"]:
        who = card["interviewer"]
        rated = ratings.get(who, {})
        lag = lags.get(who, {})
        offset = leniency.get(who)
        interval = (
            mean_interval(
                n=int(offset["n"]),
                mean=float(offset["offset_mean"]),
                variance=None if offset["offset_variance"] is None else float(offset["offset_variance"]),
                confidence=options.confidence,
            )
            if offset
            else None
        )
        people.append({
            "interviewer": who,
            "name": card["name"],
            "scorecards": int(card["scorecards"]),
            "loops": int(card["loops"]),
            "scores": int(rated.get("scores") or 0),
            "mean_score": _round(rated.get("mean_score")),
            "offset": _round(interval.mean) if interval else None,
            "offset_low": _round(interval.low) if interval else None,
            "offset_high": _round(interval.high) if interval else None,
            "offset_n": interval.n if interval else 0,
            "offset_comparisons": int(offset["comparisons"]) if offset else 0,
            "offset_p": interval.p_value if interval else None,
            "offset_p_holm": None,
            "flag": "",
            "recommendations_n": int(card["with_recommendation"] or 0),
            "strong_yes_share": _share(card["strong_yes"], card["with_recommendation"]),
            "strong_no_share": _share(card["strong_no"], card["with_recommendation"]),
            "focus_n": int(rated.get("focus_n") or 0),
            "adherence": _share(rated.get("focus_scored"), rated.get("focus_n")),
            "majority_n": int(card["majority_n"] or 0),
            "majority_agreement": _share(card["majority_agree"], card["majority_n"]),
            "decision_n": int(card["decision_n"] or 0),
            "decision_agreement": _share(card["decision_agree"], card["decision_n"]),
            "lag_n": int(card["lag_n"] or 0),
            "lag_median_hours": _round(lag.get("median")),
            "lag_p90_hours": _round(lag.get("p90")),
            "late_n": int(card["late_n"] or 0),
            "late_share": _share(card["late"], card["late_n"]),
        })
    _flag(people, options)
    for person in people:
        person["offset_p"] = _round(person["offset_p"], 6)
    people.sort(key=lambda person: (person["name"].lower(), person["interviewer"]))
    return people


def _flag(people: list[dict[str, Any]], options: ReportOptions) -> None:
    """Flag lenient or severe only when the offset is clear of zero for the whole family compared.

    Only interviewers with at least ``min_sample`` compared scorecards are
    tested, and their p-values are Holm-adjusted: comparing 30 people at 95%
    would otherwise flag one or two of them by chance alone. A flag implies
    that the shown 95% interval excludes zero; not every interval that
    excludes zero is a flag.
    """
    tested = [p for p in people if p["offset_p"] is not None and p["offset_n"] >= options.min_sample]
    adjusted = holm_adjust([p["offset_p"] for p in tested])
    for person, p_adjusted in zip(tested, adjusted, strict=True):
        person["offset_p_holm"] = _round(p_adjusted, 6)
        if p_adjusted < 1.0 - options.confidence:
            person["flag"] = "lenient" if person["offset"] > 0 else "severe"


def _dimension_key_seed(options: ReportOptions, role: str, dimension: str) -> list[int]:
    return [options.seed, zlib.crc32(f"{role}\x1f{dimension}".encode())]


def _unit_matrix(counts: dict[str, list[int]]) -> np.ndarray:
    return np.asarray(list(counts.values()), dtype=float).reshape(-1, len(SCALE))


def _alpha_fields(
    matrix: np.ndarray, seed: list[int], options: ReportOptions, clusters: np.ndarray | None = None
) -> dict[str, Any]:
    keep = matrix.sum(axis=1) >= 2 if matrix.size else np.zeros(0, dtype=bool)
    pairable = matrix[keep] if matrix.size else matrix.reshape(0, len(SCALE))
    estimate = alpha_with_bootstrap(
        pairable, resamples=options.bootstrap_resamples, seed=seed, confidence=options.confidence,
        clusters=clusters[keep] if clusters is not None and matrix.size else None,
    )
    return {
        "alpha": _round(estimate.alpha),
        "alpha_low": _round(estimate.low),
        "alpha_high": _round(estimate.high),
        "alpha_loops": estimate.units,
        "alpha_values": estimate.pairable_values,
        "alpha_undefined_resamples": estimate.undefined_resamples,
    }


def _dimensions(aggregates: dict[str, Any], options: ReportOptions) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    by_dimension: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(dict)
    for role, dimension, loop, score, count in aggregates["unit_counts"]:
        unit = by_dimension[(role, dimension)].setdefault(loop, [0] * len(SCALE))
        unit[SCALE.index(score)] = count
    dimensions = []
    for row in aggregates["dimensions"]:
        key = (row["role"], row["dimension"])
        matrix = _unit_matrix(by_dimension.get(key, {}))
        dimensions.append({
            "role": row["role"],
            "dimension": row["dimension"],
            "n": int(row["n"]),
            "loops": int(row["loops"]),
            "mean": _round(row["mean"]),
            "sd": _sqrt(row["variance"]),
            **{f"score_{value}": int(row[f"score_{value}"]) for value in SCALE},
            **_alpha_fields(matrix, _dimension_key_seed(options, *key), options),
        })
    # All dimensions pooled: a unit is a loop and dimension; the bootstrap resamples whole loops.
    pooled_units = [units for _, units in sorted(by_dimension.items())]
    pooled = np.concatenate([_unit_matrix(units) for units in pooled_units]) if pooled_units else _unit_matrix({})
    loops = np.asarray([loop for units in pooled_units for loop in units], dtype=object)
    overall = _alpha_fields(pooled, [options.seed, 0], options, clusters=loops.astype(str))
    return dimensions, overall


def _roles(aggregates: dict[str, Any]) -> list[dict[str, Any]]:
    roles = []
    for row in aggregates["roles"]:
        decided = int(row["hired"] or 0) + int(row["not_hired"] or 0)
        roles.append({
            "role": row["role"],
            "loops": int(row["loops"]),
            "scorecards": int(row["scorecards"]),
            **{key: int(row[key] or 0) for key in ("strong_yes", "yes", "no", "strong_no")},
            "hired": int(row["hired"] or 0),
            "not_hired": int(row["not_hired"] or 0),
            "undecided": int(row["undecided"] or 0),
            "decided": decided,
            "pass_through": _share(row["hired"], decided),
        })
    return roles


def _notes(aggregates: dict[str, Any], options: ReportOptions) -> list[str]:
    notes = [
        "Only each interviewer's original submitted scorecard (revision 1, written before the debrief) is used: "
        "an amendment made after hearing the panel is no longer an independent rating.",
        f"Figures based on fewer than {options.min_sample} scorecards, ratings or loops are shown greyed "
        "with their n: they are reported, not hidden, and should not be over-read.",
        "Leniency offset: the mean, over an interviewer's scorecards, of their score minus the mean score of the "
        "other interviewers on the same loop and dimension (leave-one-out), in scale points, with a "
        f"{options.confidence:.0%} t interval. Positive is lenient, negative severe. An interviewer is flagged only "
        f"when at least {options.min_sample} scorecards were compared and the offset is clear of zero after a Holm "
        "correction for the number of interviewers compared.",
        "Agreement between raters: Krippendorff's alpha (ordinal, missing ratings allowed) over loops with two or "
        f"more ratings of the dimension; interval: percentile bootstrap over loops ({options.bootstrap_resamples} "
        "resamples, fixed seed). 1 is perfect agreement, 0 is what chance gives, below 0 is systematic disagreement.",
        "Agreement with the panel majority compares a hire-leaning (yes, strong yes) or not-hire-leaning "
        "recommendation with the majority of the other interviewers on the loop; ties are left out.",
    ]
    if aggregates["vendor"] == "postgresql":
        notes.append("Counts, means, spreads and percentiles were computed by PostgreSQL (percentile_cont).")
    else:
        notes.append(
            "Counts, means and spreads were computed by the embedded SQLite database; SQLite has no percentile "
            "aggregate, so the median and 90th percentile times were interpolated in Python the way "
            "PostgreSQL's percentile_cont does."
        )
    return notes


def _assemble(
    aggregates: dict[str, Any], *, description: dict[str, Any], options: ReportOptions, progress: Progress
) -> dict[str, Any]:
    interviewers = _interviewers(aggregates, options)
    progress(60)
    dimensions, overall = _dimensions(aggregates, options)
    progress(80)
    defined = [d for d in dimensions if d["alpha"] is not None]
    least = sorted(defined, key=lambda d: (d["alpha"], d["role"], d["dimension"]))[:3]
    generated_at: datetime = timezone.now()
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": generated_at.isoformat(),
        "scope": description,
        "options": asdict(options),
        "database": aggregates["vendor"],
        "totals": aggregates["totals"],
        "notes": _notes(aggregates, options),
        "interviewers": interviewers,
        "interviewer_dimensions": [
            {
                "interviewer": row["interviewer"],
                "role": row["role"],
                "dimension": row["dimension"],
                "n": int(row["n"]),
                "mean": _round(row["mean"]),
            }
            for row in aggregates["interviewer_dimensions"]
        ],
        "dimensions": dimensions,
        "agreement": overall,
        "least_agreement": [{"role": d["role"], "dimension": d["dimension"], "alpha": d["alpha"],
                             "alpha_loops": d["alpha_loops"]} for d in least],
        "roles": _roles(aggregates),
    }
