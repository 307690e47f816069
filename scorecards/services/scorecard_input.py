"""What a scorecard write receives and the checks on it that need no database.

``ScorecardInput`` is what the web form and the API both send; the checks
report each problem under the field name the form uses, so an error lands
beside its control. The services in ``scorecards.services.scorecards`` run
them against the rubric they read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from hiring.errors import ValidationFailed
from hiring.text import length_problem
from scorecards.models import Dimension, Overall, Scorecard, Signal


@dataclass
class RatingInput:
    dimension_id: int
    score: int | None = None
    not_assessed: bool = False
    evidence: str = ""


@dataclass
class SignalInput:
    signal_id: int
    note: str = ""


@dataclass
class ScorecardInput:
    ratings: list[RatingInput] = field(default_factory=list)
    signals: list[SignalInput] = field(default_factory=list)
    overall: str = ""
    summary: str = ""


def rating_field(dimension_id: int, part: str) -> str:
    """The field name a rating problem is reported under (the form uses the same names)."""
    return f"dimension-{dimension_id}-{part}"


def signal_field(signal_id: int) -> str:
    return f"signal-{signal_id}-note"


@dataclass
class RubricParts:
    dimensions: dict[int, Dimension]
    signals: dict[int, Signal]


def answered_ids(data: ScorecardInput) -> set[int]:
    """The dimensions scored or marked not assessed."""
    return {r.dimension_id for r in data.ratings if r.score is not None or r.not_assessed}


def check_shape(parts: RubricParts, data: ScorecardInput) -> None:
    """Refuse input that no form could produce: unknown ids, scores out of range, bad choices."""
    dimensions, signals = parts.dimensions, parts.signals
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for rating in data.ratings:
        if rating.dimension_id not in dimensions:
            errors.setdefault("ratings", []).append(f"Dimension {rating.dimension_id} is not part of this rubric.")
            continue
        if rating.dimension_id in seen:
            errors.setdefault("ratings", []).append(f"Dimension {rating.dimension_id} is rated twice.")
        seen.add(rating.dimension_id)
        if rating.score is not None and (isinstance(rating.score, bool) or rating.score not in (1, 2, 3, 4, 5)):
            errors[rating_field(rating.dimension_id, "score")] = ["Choose a score from 1 to 5."]
        if rating.score is not None and rating.not_assessed:
            errors[rating_field(rating.dimension_id, "score")] = ["Choose a score or 'not assessed', not both."]
        if problem := length_problem(rating.evidence, "rating.evidence"):
            errors[rating_field(rating.dimension_id, "evidence")] = [problem]
    seen_signals: set[int] = set()
    for signal in data.signals:
        if signal.signal_id not in signals:
            errors.setdefault("signals", []).append(f"Signal {signal.signal_id} is not part of this rubric.")
        elif signal.signal_id in seen_signals:
            errors.setdefault("signals", []).append(f"Signal {signal.signal_id} is ticked twice.")
        seen_signals.add(signal.signal_id)
        if problem := length_problem(signal.note, "observed_signal.note"):
            errors[signal_field(signal.signal_id)] = [problem]
    if problem := length_problem(data.summary, "scorecard.summary"):
        errors["summary"] = [problem]
    if data.overall and data.overall not in Overall.values:
        errors["overall"] = ["Choose strong no, no, yes or strong yes."]
    if errors:
        raise ValidationFailed(gettext("The scorecard has invalid values."), field_errors=errors)


def check_complete(parts: RubricParts, data: ScorecardInput, *, required_ids: list[int]) -> None:
    """Every problem at once, each under the field it belongs to.

    ``required_ids``: the dimensions a complete scorecard must answer (the interview's focus, else the rubric).
    """
    errors: dict[str, list[str]] = {}
    answered = answered_ids(data)
    for dimension_id in required_ids:
        if dimension_id not in answered:
            errors[rating_field(dimension_id, "score")] = ["Score this focus dimension or mark it not assessed."]
    for rating in data.ratings:
        if rating.score is not None and not rating.evidence.strip():
            errors[rating_field(rating.dimension_id, "evidence")] = [
                "Give the evidence for this score: what the candidate said or did."
            ]
    for signal in data.signals:
        if parts.signals[signal.signal_id].kind == Signal.Kind.RED_FLAG and not signal.note.strip():
            errors[signal_field(signal.signal_id)] = ["Say what you observed for this red flag."]
    if not data.overall:
        errors["overall"] = ["Choose an overall recommendation."]
    if errors:
        raise ValidationFailed(gettext("The scorecard is not complete yet."), code="incomplete", field_errors=errors)


def content_of(scorecard_or_data: Scorecard | ScorecardInput) -> tuple[Any, ...]:
    """What a reader of the scorecard sees, to tell whether an amendment changes anything."""
    if isinstance(scorecard_or_data, Scorecard):
        ratings = {(r.dimension_id, r.score, r.not_assessed, r.evidence) for r in scorecard_or_data.ratings.all()}
        signals = {(s.signal_id, s.note) for s in scorecard_or_data.observed_signals.all()}
    else:
        ratings = {
            (r.dimension_id, r.score, r.not_assessed, r.evidence.strip())
            for r in scorecard_or_data.ratings
            if r.score is not None or r.not_assessed or r.evidence.strip()
        }
        signals = {(s.signal_id, s.note.strip()) for s in scorecard_or_data.signals}
    return (frozenset(ratings), frozenset(signals), scorecard_or_data.overall, scorecard_or_data.summary.strip())
