"""The leniency-adjusted score of the hire recommendation: interviewers' offsets and the band around it.

Split out of ``scorecards.recommendations.rules``; ``recommend`` calls ``adjust``
when it is given interviewers' offsets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

from scorecards.recommendations.text import plural
from scorecards.recommendations.types import BAND_Z, Adjustment, DimensionResult, InterviewerOffset, ScorecardInput


def adjust(
    dimensions: Sequence[DimensionResult],
    coverage: Fraction,
    scorecards: Sequence[ScorecardInput],
    offsets: Mapping[str, InterviewerOffset],
) -> Adjustment:
    """Subtract each interviewer's offset from their scores; the band propagates the offsets' std errors.

    The adjusted score is linear in the offsets: raw - sum_i c_i * offset_i,
    with c_i the share of the weighted score that interviewer i's scores
    carry. Offsets of different people are estimated independently, so the
    variance is sum_i c_i^2 * se_i^2.
    """
    share: dict[str, float] = {}
    adjusted_total = 0.0
    for dimension in dimensions:
        if not dimension.assessed:
            continue
        # float(weight / coverage), without building the Fraction: int / int is correctly rounded too.
        weight = (dimension.weight.numerator * coverage.denominator) / (
            dimension.weight.denominator * coverage.numerator
        )
        values = []
        for card in scorecards:
            score = card.scores.get(dimension.name)
            if score is None:
                continue
            offset = offsets.get(card.interviewer)
            values.append(score - (offset.offset if offset else 0.0))
            share[card.interviewer] = share.get(card.interviewer, 0.0) + weight / dimension.count
        adjusted_total += weight * math.fsum(values) / len(values)

    variance = 0.0
    people = []
    seen: set[str] = set()
    for card in scorecards:
        if card.interviewer in seen:
            continue
        seen.add(card.interviewer)
        estimate = offsets.get(card.interviewer) or InterviewerOffset(offset=0.0, std_error=0.0, scorecards=0)
        variance += (share.get(card.interviewer, 0.0) * estimate.std_error) ** 2
        people.append(
            {
                "interviewer": card.label or card.interviewer,
                "offset": round(estimate.offset, 3),
                "std_error": round(estimate.std_error, 3),
                "history": estimate.scorecards,
                "note": _offset_note(estimate),
            }
        )
    half_width = BAND_Z * math.sqrt(variance)
    adjusted_score = min(max(adjusted_total, 1.0), 5.0)
    return Adjustment(
        score=adjusted_score,
        low=max(adjusted_total - half_width, 1.0),
        high=min(adjusted_total + half_width, 5.0),
        interviewers=tuple(people),
    )


def _offset_note(estimate: InterviewerOffset) -> str:
    if estimate.scorecards == 0:
        return "No history yet: adjustment 0"
    direction = "lenient" if estimate.offset > 0 else "severe" if estimate.offset < 0 else "in line"
    history = plural(estimate.scorecards, "scorecard", "scorecards")
    return f"{estimate.offset:+.2f} ({direction}, from {history} with co-panelists)"
