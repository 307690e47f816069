"""The calibration report's rater model: the model fitted to the report's own ratings, per interviewer and per loop.

The report fits ``scorecards.leniency.model`` to the scores it covers (the
original scorecards of complete panels in its scope), so its figures are
those of its scope; the recommendations' stored fit covers every current
scorecard and is refitted after each report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from scorecards.calibration.stats import holm_adjust
from scorecards.leniency.fits import fit_arrays
from scorecards.leniency.model import RaterFit, adjusted_scores


@dataclass(frozen=True)
class ReportModel:
    fit: RaterFit
    interviewer_ids: np.ndarray  # the staged interviewer key of each of the fit's indices
    loops: list[dict[str, Any]]


def _z(confidence: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(0.5 + confidence / 2.0))


def report_model(aggregates: dict[str, Any], confidence: float) -> ReportModel:
    data = np.asarray(aggregates["model_ratings"], dtype=np.int64).reshape(-1, 4)
    fit, interviewer_ids = fit_arrays(data[:, 0], data[:, 1], data[:, 2], data[:, 3].astype(float))
    names = aggregates["names"]
    loops: list[dict[str, Any]] = []
    if len(data):
        dimensions = int(data[:, 1].max()) + 1
        weights = np.ones(dimensions)
        for key, weight in names.weights.items():
            if key < dimensions:
                weights[key] = weight
        rater = np.searchsorted(interviewer_ids, data[:, 2])
        table = adjusted_scores(data[:, 0], data[:, 1], rater, data[:, 3].astype(float), weights=weights, fit=fit,
                                z=_z(confidence))
        for i, key in enumerate(table.loops.tolist()):
            # Unfitted, there is no adjustment and no noise to size an interval with: the raw score alone.
            loops.append({
                "loop": names.loops.get(key, key),
                "raw_score": _round(table.raw[i]),
                "adjusted_score": _round(_clip(table.adjusted[i])) if fit.fitted else None,
                "adjusted_low": _round(_clip(table.low[i])) if fit.fitted else None,
                "adjusted_high": _round(_clip(table.high[i])) if fit.fitted else None,
            })
    return ReportModel(fit=fit, interviewer_ids=interviewer_ids, loops=loops)


def interviewer_fields(model: ReportModel, who: int, confidence: float) -> dict[str, Any]:
    """The interviewer's leniency (``offset``) and scale use from the model, with intervals and the loops behind."""
    fit = model.fit
    index = int(np.searchsorted(model.interviewer_ids, who))
    found = index < len(model.interviewer_ids) and model.interviewer_ids[index] == who
    if not (fit.fitted and found and fit.connected[index]):
        behind = int(fit.loops[index]) if found else 0
        return {"offset": None, "offset_low": None, "offset_high": None, "offset_sd": None, "offset_n": behind,
                "offset_loops": behind, "offset_comparisons": int(fit.ratings[index]) if found else 0,
                "offset_p": None, "scale": None, "scale_low": None, "scale_high": None, "scale_loops": behind}
    z = _z(confidence)
    offset, sd = float(fit.offset[index]), float(fit.offset_sd[index])
    scale, scale_sd = float(fit.scale[index]), float(fit.scale_sd[index])
    p_value = math.erfc(abs(offset) / sd / math.sqrt(2.0)) if sd > 0 else None
    loops = int(fit.loops[index])
    return {
        "offset": _round(offset), "offset_low": _round(offset - z * sd), "offset_high": _round(offset + z * sd),
        "offset_sd": _round(sd), "offset_n": loops, "offset_loops": loops,
        "offset_comparisons": int(fit.ratings[index]), "offset_p": p_value,
        "scale": _round(scale), "scale_low": _round(max(scale - z * scale_sd, 0.0)),
        "scale_high": _round(scale + z * scale_sd), "scale_loops": loops,
    }


def flag(people: list[dict[str, Any]], *, min_sample: int, confidence: float) -> None:
    """Flag lenient or severe only when the offset is clear of zero for the whole family compared.

    Only interviewers behind whom the model has at least ``min_sample`` loops
    are tested (a z test of the shrunk offset against its posterior sd), and
    the p-values are Holm-adjusted: comparing 30 people at 95% would otherwise
    flag one or two of them by chance alone.
    """
    tested = [p for p in people if p["offset_p"] is not None and p["offset_loops"] >= min_sample]
    adjusted = holm_adjust([p["offset_p"] for p in tested])
    for person, p_adjusted in zip(tested, adjusted, strict=True):
        person["offset_p_holm"] = _round(p_adjusted, 6)
        if p_adjusted < 1.0 - confidence:
            person["flag"] = "lenient" if person["offset"] > 0 else "severe"


def model_summary(model: ReportModel) -> dict[str, Any]:
    fit = model.fit
    return {
        "fitted": fit.fitted,
        "converged": fit.converged,
        "iterations": fit.iterations,
        "connected_loops": fit.connected_loops,
        "noise_sd": _round(fit.sigma) if fit.fitted else None,
        "level_sd": _round(fit.tau) if fit.fitted else None,
        "leniency_sd": _round(fit.sigma_offset) if fit.fitted else None,
        "scale_sd": _round(fit.sigma_scale) if fit.fitted else None,
        "notes": list(fit.notes),
    }


def _clip(value: float) -> float:
    return min(max(float(value), 1.0), 5.0)


def _round(value: Any, places: int = 4) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if not math.isfinite(number) else round(number, places)
