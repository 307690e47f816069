"""The leniency-adjusted score of the hire recommendation: the rater model's effects undone, and its interval.

Split out of ``scorecards.recommendations.rules``; ``recommend`` calls ``adjust``
when it is given interviewers' offsets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from scorecards.leniency.model import RatingInput, adjusted_score
from scorecards.recommendations.text import plural
from scorecards.recommendations.types import BAND_Z, Adjustment, DimensionResult, InterviewerOffset, ScorecardInput

# The noise assumed when no interviewer of the loop carries the fit's (a what-if file without leniency).
NO_FIT_NOISE = 0.75


def adjust(
    dimensions: Sequence[DimensionResult],
    coverage: Fraction,
    scorecards: Sequence[ScorecardInput],
    offsets: Mapping[str, InterviewerOffset],
) -> Adjustment:
    """Each score as the typical interviewer would have given it, weighted as the raw score; with a 95% interval.

    The interval is for the candidate's level given this panel
    (``scorecards.leniency.model.adjusted_score``): the scoring noise of each
    score, so that a dimension scored once is less certain than one scored
    four times, plus the uncertainty of each interviewer's offset and scale
    use. An interviewer without history is taken as typical.
    """
    weights = {d.name: float(d.weight / coverage) for d in dimensions if d.assessed}
    ratings = []
    noise = NO_FIT_NOISE
    for card in scorecards:
        estimate = offsets.get(card.interviewer)
        if estimate is not None:
            noise = estimate.noise_sd
        for name, score in card.scores.items():
            if score is None or name not in weights:
                continue
            ratings.append(RatingInput(
                rater=card.interviewer, dimension=name, score=float(score),
                offset=estimate.offset if estimate else 0.0, offset_sd=estimate.std_error if estimate else 0.0,
                scale=estimate.scale if estimate else 1.0, scale_sd=estimate.scale_std_error if estimate else 0.0,
                in_model=bool(estimate and estimate.scorecards > 0),
            ))
    result = adjusted_score(ratings, weights, noise_sd=noise, z=BAND_Z)
    people = []
    seen: set[str] = set()
    for card in scorecards:
        if card.interviewer in seen:
            continue
        seen.add(card.interviewer)
        estimate = offsets.get(card.interviewer) or InterviewerOffset(offset=0.0, std_error=0.0, scorecards=0)
        people.append(
            {
                "interviewer": card.label or card.interviewer,
                "offset": round(estimate.offset, 3),
                "std_error": round(estimate.std_error, 3),
                "scale": round(estimate.scale, 3),
                "history": estimate.scorecards,
                "note": _offset_note(estimate),
            }
        )
    if result is None:  # the caller adjusts only a loop with a weighted score
        return Adjustment(score=0.0, low=1.0, high=5.0, interviewers=tuple(people))
    return Adjustment(
        score=min(max(result.score, 1.0), 5.0),
        low=min(max(result.low, 1.0), 5.0),
        high=max(min(result.high, 5.0), 1.0),
        interviewers=tuple(people),
    )


def _offset_note(estimate: InterviewerOffset) -> str:
    if estimate.scorecards == 0:
        return "No history yet: adjustment 0"
    direction = "lenient" if estimate.offset > 0 else "severe" if estimate.offset < 0 else "in line"
    history = plural(estimate.scorecards, "loop", "loops")
    spread = "" if abs(estimate.scale - 1.0) < 0.005 else f", scale use {estimate.scale:.2f}"
    return f"{estimate.offset:+.2f} ({direction}{spread}, from {history} in the rater model)"
