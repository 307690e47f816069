"""The recommendation's plain inputs and results, and the outcomes it chooses between."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scorecards.recommendations.text import decimal_str

HIRE = "hire"
NO_HIRE = "no_hire"
NEEDS_DISCUSSION = "needs_discussion"
INSUFFICIENT_EVIDENCE = "insufficient_evidence"
OUTCOME_LABELS = {
    HIRE: "Hire",
    NO_HIRE: "No hire",
    NEEDS_DISCUSSION: "Needs discussion",
    INSUFFICIENT_EVIDENCE: "Insufficient evidence",
}
OVERALL_CHOICES = ("strong_no", "no", "yes", "strong_yes")
NO_VOTES = ("strong_no", "no")
DISAGREEMENT_POINTS = 2
BAND_Z = 1.96


@dataclass(frozen=True)
class DimensionSpec:
    """A rubric dimension: ``weight`` is the numeric weight as stored (20, 2 for High, 1), any scale."""

    name: str
    weight: Decimal
    critical: bool = False
    weight_label: str = ""  # how the rubric gives it, for reasons: "20%", "High"


@dataclass(frozen=True)
class RubricSpec:
    dimensions: tuple[DimensionSpec, ...]
    hire_threshold: Decimal = Decimal("3.5")
    discuss_threshold: Decimal = Decimal("3.0")
    critical_floor: Decimal = Decimal("2.5")
    min_coverage: Decimal = Decimal("0.8")


@dataclass(frozen=True)
class ScorecardInput:
    """One interviewer's current submitted scorecard.

    ``scores`` maps dimension name to 1-5; a dimension missing or None was not
    assessed. ``interviewer`` identifies the person (two interviews by the same
    person never count as a disagreement between interviewers).
    """

    interviewer: str
    scores: Mapping[str, int | None]
    overall: str = ""
    red_flags: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    label: str = ""  # what to show for this scorecard (defaults to the interviewer)


@dataclass(frozen=True)
class InterviewerOffset:
    """An interviewer's effects in the rater model as the adjustment uses them (scorecards.leniency.model)."""

    offset: float
    std_error: float
    scorecards: int  # loops behind it; 0 means no history and an offset of 0
    scale: float = 1.0  # scale use, 1 typical
    scale_std_error: float = 0.0
    noise_sd: float = 0.75  # the model's scoring noise (scale points), shared by every interviewer of one fit


@dataclass(frozen=True)
class DimensionResult:
    name: str
    weight: Fraction  # normalised over the whole rubric
    weight_label: str
    critical: bool
    count: int
    mean: Fraction | None
    spread: int | None  # highest minus lowest score
    scores: tuple[tuple[str, int], ...]  # (scorecard label, score)

    @property
    def assessed(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class RuleResult:
    rule: str  # red_flag | critical_floor | coverage | disagreement | threshold
    outcome: str
    reason: str
    decisive: bool


@dataclass(frozen=True)
class Adjustment:
    """The leniency-adjusted weighted score, with a 95% interval for the candidate's level (noise, the number of
    scores and the interviewers' effects' uncertainty)."""

    score: Fraction | float
    low: float
    high: float
    interviewers: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class RecommendationResult:
    outcome: str
    weighted_score: Fraction | None
    coverage: Fraction
    dimensions: tuple[DimensionResult, ...]
    rules: tuple[RuleResult, ...]
    red_flags: tuple[tuple[str, int], ...]  # (text, interviewers who raised it)
    disagreements: tuple[dict[str, Any], ...]
    votes: dict[str, int]
    scorecard_count: int
    adjustment: Adjustment | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def reasons(self) -> list[str]:
        return [rule.reason for rule in self.rules]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: decimals as strings, so nothing is lost in storage or printing."""
        adjustment = None
        if self.adjustment is not None:
            adjustment = {
                "score": decimal_str(self.adjustment.score),
                "low": decimal_str(self.adjustment.low),
                "high": decimal_str(self.adjustment.high),
                "interviewers": list(self.adjustment.interviewers),
            }
        return {
            "outcome": self.outcome,
            "outcome_label": self.outcome_label,
            "weighted_score": decimal_str(self.weighted_score),
            "coverage": decimal_str(self.coverage, 4),
            "scorecard_count": self.scorecard_count,
            "reasons": self.reasons,
            "rules": [
                {"rule": r.rule, "outcome": r.outcome, "reason": r.reason, "decisive": r.decisive} for r in self.rules
            ],
            "dimensions": [
                {
                    "name": d.name,
                    "weight": decimal_str(d.weight, 4),
                    "weight_label": d.weight_label,
                    "critical": d.critical,
                    "count": d.count,
                    "mean": decimal_str(d.mean),
                    "spread": d.spread,
                    "scores": [{"scorecard": label, "score": score} for label, score in d.scores],
                }
                for d in self.dimensions
            ],
            "red_flags": [{"text": text, "interviewers": count} for text, count in self.red_flags],
            "disagreements": list(self.disagreements),
            "votes": dict(self.votes),
            "notes": list(self.notes),
            "adjusted": adjustment,
        }
