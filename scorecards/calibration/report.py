"""The calibration report's core: staged rows in, a plain JSON-ready report out.

``report_from_database`` and ``report_from_rows`` differ only in how the
staging table is filled; the aggregates (SQL, ``aggregation.py``) and the
statistics (numpy, ``stats.py``) are the same code for both.
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.utils import timezone

from scorecards.calibration.aggregation import Names, Staging
from scorecards.calibration.rater import ReportModel, flag, interviewer_fields, model_summary, report_model
from scorecards.calibration.rows import RatingRow
from scorecards.calibration.selectors import ReportScope, calibration_scorecards_queryset
from scorecards.calibration.staging import Keys, staged_queryset, staged_rows
from scorecards.calibration.stats import (
    SCALE,
    AlphaEstimate,
    alpha_with_bootstrap,
    alpha_with_bootstrap_groups,
)
from scorecards.models import EvidenceFlag, Rating, Scorecard

SCHEMA_VERSION = 2
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
    aggregates = database_aggregates(scope)
    progress(50)
    return assemble_report(aggregates, description={**description, "source": "database"}, options=options,
                           progress=progress)


def database_aggregates(scope: ReportScope) -> dict[str, Any]:
    """The database's share of a report: every SQL aggregate of the scope (``assemble_report`` does the rest)."""
    with staged_queryset(calibration_scorecards_queryset(scope)) as staging:
        evidence = staging.interviewer_evidence(scorecards=Scorecard._meta.db_table, ratings=Rating._meta.db_table,
                                                flags=EvidenceFlag._meta.db_table)
        return {**_collect(staging), "panels_checked": True, "evidence": evidence}


def report_from_rows(
    rows: Iterable[RatingRow],
    *,
    description: dict[str, Any],
    options: ReportOptions,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    scorecards, ratings, names = _numbered(rows)
    with staged_rows(scorecards, ratings, names) as staging:
        aggregates = {**_collect(staging), "panels_checked": False}
    progress(50)
    return assemble_report(aggregates, description=description, options=options, progress=progress)


def _numbered(rows: Iterable[RatingRow]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], Names]:
    """A ratings file's rows as the staged tables' integer-keyed scorecards and ratings, and the names behind."""
    key, names = Keys(), Names()
    scorecards: dict[int, tuple[Any, ...]] = {}
    ratings = []
    for row in rows:
        card, loop = key("scorecard", row.scorecard), key("loop", row.loop)
        who, role = key("interviewer", row.interviewer), key("role", row.role)
        # Per role, as the database keys a rubric dimension: the model gives each its own mean, the same either way.
        dimension = key("dimension", (row.role, row.dimension))
        names.interviewers.setdefault(who, (row.interviewer, row.interviewer_name))
        names.roles[role], names.dimensions[dimension] = row.role, row.dimension
        names.loops[loop] = row.loop
        # A ratings file is trusted as complete panels (the database source checks them, see docs/calibration.md).
        scorecards.setdefault(card, (card, None, loop, who, role, None, row.overall, row.decision, row.ended_at,
                                     row.submitted_at, row.due_at, True))
        ratings.append((card, loop, who, role, dimension, row.score, row.focus))
    # An interviewer with several scorecards on one loop: their own ratings are left out together (leniency).
    per_loop = Counter((card[2], card[3]) for card in scorecards.values())
    repeats = {card: int(per_loop[(values[2], values[3])] > 1) for card, values in scorecards.items()}
    return list(scorecards.values()), [(*rating, repeats[rating[0]]) for rating in ratings], names


def _collect(staging: Staging) -> dict[str, Any]:
    """Every SQL aggregate of the report, read while the staging tables exist."""
    return {
        "card_totals": staging.card_totals(),
        "cards": staging.interviewer_cards(),
        "lags": staging.interviewer_lags(),
        "model_ratings": staging.model_ratings(),
        "interviewer_dimensions": staging.interviewer_dimensions(),
        "cells": staging.cell_aggregates(),
        "roles": staging.roles(),
        "names": staging.names,
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


def _variance(n: int, total: Any, squares: Any) -> float | None:
    """The sample variance from a count, a sum and a sum of squares (SQL sends the sums, not the values)."""
    if n < 2:
        return None
    total, squares = float(total), float(squares)
    return max(squares - total * total / n, 0.0) / (n - 1)


def _interviewer_ratings(aggregates: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Per interviewer key: scores given, their mean, and focus adherence counts, summed over roles and dimensions."""
    totals: dict[int, dict[str, int]] = defaultdict(lambda: {"scores": 0, "total": 0, "focus_n": 0, "focus_scored": 0})
    for row in aggregates["interviewer_dimensions"]:
        person = totals[row["interviewer"]]
        person["scores"] += int(row["n"])
        person["total"] += int(row["total"] or 0)
        person["focus_n"] += int(row["focus_n"] or 0)
        person["focus_scored"] += int(row["focus_scored"] or 0)
    return {
        who: {**person, "mean_score": person["total"] / person["scores"] if person["scores"] else None}
        for who, person in totals.items()
    }


def _interviewers(aggregates: dict[str, Any], options: ReportOptions, model: ReportModel) -> list[dict[str, Any]]:
    ratings = _interviewer_ratings(aggregates)
    names = aggregates["names"].interviewers
    lags = aggregates["lags"]
    people: list[dict[str, Any]] = []
    for card in aggregates["cards"]:
        who = card["interviewer"]
        rated = ratings.get(who, {})
        lag = lags.get(who, {})
        username, name = names[who]
        people.append({
            "interviewer": username,
            "name": name,
            "scorecards": int(card["scorecards"]),
            "loops": int(card["loops"]),
            "scores": int(rated.get("scores") or 0),
            "mean_score": _round(rated.get("mean_score")),
            **interviewer_fields(model, who, options.confidence),
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
            **_evidence_columns(aggregates.get("evidence", {}).get(who)),
        })
    flag(people, min_sample=options.min_sample, confidence=options.confidence)
    for person in people:
        person["offset_p"] = _round(person["offset_p"], 6)
    people.sort(key=lambda person: (person["name"].lower(), person["interviewer"]))
    return people


def _evidence_columns(evidence: dict[str, Any] | None) -> dict[str, Any]:
    """The evidence columns of an interviewer's row; empty for a ratings file, which carries no evidence."""
    evidence = evidence or {}
    return {
        "evidence_checked_n": int(evidence.get("checked") or 0),
        "evidence_flagged_share": _share(evidence.get("flagged"), evidence.get("checked")),
        "evidence_n": int(evidence.get("n") or 0),
        "evidence_median_chars": _round(evidence.get("median"), 1),
    }


def _dimension_key_seed(options: ReportOptions, role: str, dimension: str) -> list[int]:
    return [options.seed, zlib.crc32(f"{role}\x1f{dimension}".encode())]


def _alpha_fields(estimate: AlphaEstimate) -> dict[str, Any]:
    return {
        "alpha": _round(estimate.alpha),
        "alpha_low": _round(estimate.low),
        "alpha_high": _round(estimate.high),
        "alpha_loops": estimate.units,
        "alpha_values": estimate.pairable_values,
        "alpha_undefined_resamples": estimate.undefined_resamples,
    }


def _dimension_alpha(types: dict[tuple[int, ...], int], seed: list[int], options: ReportOptions) -> dict[str, Any]:
    """Alpha over the loops with two or more scores of one dimension, from how many loops had each score mix."""
    pairable = [(counts, units) for counts, units in sorted(types.items()) if sum(counts) >= 2]
    matrix = np.asarray([counts for counts, _ in pairable], dtype=float).reshape(-1, len(SCALE))
    multiplicity = np.asarray([units for _, units in pairable], dtype=float)
    return _alpha_fields(alpha_with_bootstrap(matrix, resamples=options.bootstrap_resamples, seed=seed,
                                              confidence=options.confidence, multiplicity=multiplicity))


def _pooled_alpha(aggregates: dict[str, Any], options: ReportOptions) -> dict[str, Any]:
    """All dimensions pooled: a unit is a loop and dimension; the bootstrap resamples whole loops."""
    rows = aggregates["cells"][1]
    width = len(SCALE)
    # Per loop: the pair coincidences (c < k), then the score counts.
    features = np.asarray([row[0] for row in rows], dtype=float).reshape(-1, width * (width - 1) // 2 + width)
    multiplicity = np.asarray([row[2] for row in rows], dtype=float)
    units = int(sum(row[1] * row[2] for row in rows))
    pairable_values = int(features[:, -width:].sum(axis=1) @ multiplicity) if rows else 0
    return _alpha_fields(alpha_with_bootstrap_groups(
        features, multiplicity, units=units, pairable_values=pairable_values,
        resamples=options.bootstrap_resamples, seed=[options.seed, 0], confidence=options.confidence,
    ))


def _dimensions(aggregates: dict[str, Any], options: ReportOptions) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per role and dimension (by name, across rubric versions): score distribution, mean, spread and alpha."""
    names = aggregates["names"]
    by_dimension: dict[tuple[str, str], dict[tuple[int, ...], int]] = defaultdict(lambda: defaultdict(int))
    for role, dimension, counts, units in aggregates["cells"][0]:
        by_dimension[(names.roles[role], names.dimensions[dimension])][counts] += units
    dimensions = []
    for (role, dimension), types in sorted(by_dimension.items()):
        scored = [sum(counts[index] * units for counts, units in types.items()) for index in range(len(SCALE))]
        n = sum(scored)
        first = sum(value * count for value, count in zip(SCALE, scored, strict=True))
        second = sum(value * value * count for value, count in zip(SCALE, scored, strict=True))
        dimensions.append({
            "role": role,
            "dimension": dimension,
            "n": n,
            "loops": sum(types.values()),
            "mean": _round(first / n),
            # The sample variance from integer sums, exact until the one division.
            "sd": _sqrt((n * second - first * first) / (n * (n - 1)) if n > 1 else None),
            **{f"score_{value}": count for value, count in zip(SCALE, scored, strict=True)},
            **_dimension_alpha(types, _dimension_key_seed(options, role, dimension), options),
        })
    return dimensions, _pooled_alpha(aggregates, options)


def _interviewer_dimensions(aggregates: dict[str, Any]) -> list[dict[str, Any]]:
    names = aggregates["names"]
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in aggregates["interviewer_dimensions"]:
        if not row["n"]:
            continue
        cell = cells[(names.interviewers[row["interviewer"]][0], names.roles[row["role"]],
                      names.dimensions[row["dimension"]])]
        cell[0] += int(row["n"])
        cell[1] += int(row["total"])
    return [
        {"interviewer": who, "role": role, "dimension": dimension, "n": n, "mean": _round(total / n)}
        for (who, role, dimension), (n, total) in sorted(cells.items())
    ]


def _roles(aggregates: dict[str, Any]) -> list[dict[str, Any]]:
    keys = ("loops", "scorecards", "strong_yes", "yes", "no", "strong_no", "hired", "not_hired", "undecided")
    by_title: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    for row in aggregates["roles"]:
        merged = by_title[aggregates["names"].roles[row["role"]]]
        for key in keys:
            merged[key] += int(row[key] or 0)
    roles = []
    for title, row in sorted(by_title.items()):
        decided = row["hired"] + row["not_hired"]
        roles.append({
            "role": title,
            "loops": row["loops"],
            "scorecards": row["scorecards"],
            **{key: row[key] for key in ("strong_yes", "yes", "no", "strong_no")},
            "hired": row["hired"],
            "not_hired": row["not_hired"],
            "undecided": row["undecided"],
            "decided": decided,
            "pass_through": _share(row["hired"], decided),
        })
    return roles


def _totals(aggregates: dict[str, Any], roles: list[dict[str, Any]]) -> dict[str, int]:
    rated = aggregates["interviewer_dimensions"]
    cards = aggregates["card_totals"]
    return {
        "scorecards": cards["scorecards"],
        "loops": cards["loops"],
        "loops_left_out": cards["loops_left_out"],
        "interviewers": cards["interviewers"],
        "scores": sum(int(row["n"]) for row in rated),
        "roles": len(roles),
        "rows": sum(int(row["ratings"]) for row in rated),
    }


def _notes(aggregates: dict[str, Any], options: ReportOptions, model: ReportModel) -> list[str]:
    if aggregates["panels_checked"]:
        left_out = aggregates["card_totals"]["loops_left_out"]
        panels = (
            "Only loops whose panel is complete are used: every interview on the loop has its interviewer's "
            "submitted scorecard, whatever the loop's status. No panelist may read the panel's feedback before "
            f"submitting their own, so loops still missing feedback are left out ({left_out} in this scope) until "
            "it arrives."
        )
    else:
        panels = ("The ratings file's rows are used as given: they are trusted to come from loops whose panel is "
                  "complete (no panelist still owes feedback on them).")
    notes = [
        *(["The rater model was not fitted: " + " ".join(model.fit.notes) + " Offsets, scale use, flags and "
           "adjusted scores are left empty; widen the scope (more loops, a longer period) so that more loops share "
           "interviewers."] if not model.fit.fitted else []),
        panels,
        "Only each interviewer's original submitted scorecard (revision 1, written before the debrief) is used: "
        "an amendment made after hearing the panel is no longer an independent rating.",
        f"Figures based on fewer than {options.min_sample} scorecards, ratings or loops are shown greyed "
        "with their n: they are reported, not hidden, and should not be over-read.",
        "Leniency offset and scale use: from a rater model fitted to every score of the report (each score is the "
        "candidate's level on the dimension, plus the interviewer's leniency, times their scale use around the "
        "middle of the scale, plus noise; 1s and 5s are read as clipped). The offset is how many points above the "
        "typical interviewer they score a middling candidate, shrunk toward 0 by the spread between interviewers "
        "that the data show; scale 1 is the typical spread of scores, below 1 only the middle of the scale, above 1 "
        f"the ends. Both with {options.confidence:.0%} intervals. An interviewer is flagged only with at least "
        f"{options.min_sample} loops in the model and an offset clear of zero after a Holm correction for the "
        "number of interviewers compared. The loops table gives each loop's raw weighted score and the adjusted "
        "one, with an interval for the candidate's level (scoring noise, scores per dimension, the effects' "
        "uncertainty).",
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


def assemble_report(
    aggregates: dict[str, Any],
    *,
    description: dict[str, Any],
    options: ReportOptions,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    """The statistics of a report from its SQL aggregates, in Python and numpy with no query: intervals and
    flags, Krippendorff's alpha and its bootstrap, the tables."""
    model = report_model(aggregates, options.confidence)
    interviewers = _interviewers(aggregates, options, model)
    progress(60)
    dimensions, overall = _dimensions(aggregates, options)
    progress(80)
    defined = [d for d in dimensions if d["alpha"] is not None]
    least = sorted(defined, key=lambda d: (d["alpha"], d["role"], d["dimension"]))[:3]
    generated_at: datetime = timezone.now()
    roles = _roles(aggregates)
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": generated_at.isoformat(),
        "scope": description,
        "options": asdict(options),
        "database": aggregates["vendor"],
        "totals": _totals(aggregates, roles),
        "notes": _notes(aggregates, options, model),
        "interviewers": interviewers,
        "model": model_summary(model),
        "loops": model.loops,
        "interviewer_dimensions": _interviewer_dimensions(aggregates),
        "dimensions": dimensions,
        "agreement": overall,
        "least_agreement": [{"role": d["role"], "dimension": d["dimension"], "alpha": d["alpha"],
                             "alpha_loops": d["alpha_loops"]} for d in least],
        "roles": roles,
    }
