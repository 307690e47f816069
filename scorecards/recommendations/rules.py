"""The hire recommendation: a pure function over plain data (docs/recommendation.md).

No ORM here: the Celery job, the ``recommend --what-if`` command and the
tests all feed it the same plain structures. Arithmetic is exact
(``Fraction``) so that a weighted score of exactly 3.5 is a hire and not
3.4999...; results are rounded only when reported.

Rules, in order; the first that fires sets the outcome and every rule that
fires adds a readable reason:

1. any red flag observed -> no hire (unless the committee overrides it with
   a written justification);
2. a critical dimension whose mean is below the floor -> no hire;
3. coverage (share of the rubric's weight assessed by anyone) below the
   minimum -> insufficient evidence;
4. strong disagreement (two interviewers 2+ points apart on a dimension, a
   strong yes beside a no or strong no, or a majority voting no while the
   weighted score says hire) -> needs discussion;
5. thresholds on the weighted score: hire at or above ``hire_threshold``,
   needs discussion at or above ``discuss_threshold``, no hire below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from scorecards.recommendations.adjustment import adjust
from scorecards.recommendations.text import (
    dimension_label,
    number_text,
    percent_text,
    plural,
    score_text,
    short,
)
from scorecards.recommendations.types import (
    DISAGREEMENT_POINTS,
    HIRE,
    INSUFFICIENT_EVIDENCE,
    NEEDS_DISCUSSION,
    NO_HIRE,
    NO_VOTES,
    OVERALL_CHOICES,
    DimensionResult,
    DimensionSpec,
    InterviewerOffset,
    RecommendationResult,
    RubricSpec,
    RuleResult,
    ScorecardInput,
)


def recommend(
    rubric: RubricSpec,
    scorecards: Sequence[ScorecardInput],
    *,
    offsets: Mapping[str, InterviewerOffset] | None = None,
) -> RecommendationResult:
    """Compute a loop's recommendation from its current submitted scorecards.

    ``offsets`` (by interviewer) turns on the leniency-adjusted score; an
    interviewer missing from it counts as having no history (offset 0).
    """
    _check_inputs(rubric, scorecards)
    numbers = _rubric_numbers(rubric)
    dimensions = tuple(
        _dimension_result(d, weight, scorecards) for d, weight in zip(rubric.dimensions, numbers.weights, strict=True)
    )
    assessed = [d for d in dimensions if d.assessed]
    # Exact, in integers: weight_i = unit_i / total_units, so coverage is the assessed units over the total,
    # and the weighted score sum(weight_i * mean_i) / coverage is sum(unit_i * mean_i) / assessed units.
    units = [unit for unit, d in zip(numbers.units, dimensions, strict=True) if d.assessed]
    covered = sum(units)
    coverage = Fraction(covered, numbers.total_units)
    weighted: Fraction | None = None
    if assessed:
        means = [d.mean for d in assessed if d.mean is not None]
        common = math.lcm(*(mean.denominator for mean in means))
        total = sum(
            unit * mean.numerator * (common // mean.denominator) for unit, mean in zip(units, means, strict=True)
        )
        weighted = Fraction(total, common * covered)

    votes = {choice: 0 for choice in OVERALL_CHOICES}
    for card in scorecards:
        if card.overall in votes:
            votes[card.overall] += 1

    red_flags = _red_flags(scorecards)
    disagreements = _disagreements(dimensions, scorecards, votes, weighted, numbers.hire)
    fired = _rules(rubric, dimensions, coverage, weighted, red_flags, disagreements)
    outcome = fired[0].outcome
    rules = tuple(
        RuleResult(rule=r.rule, outcome=r.outcome, reason=r.reason, decisive=(i == 0)) for i, r in enumerate(fired)
    )

    notes = []
    unassessed = [d for d in dimensions if not d.assessed]
    if unassessed and coverage >= numbers.minimum:
        notes.append("Not assessed by anyone: " + ", ".join(dimension_label(d) for d in unassessed) + ".")

    adjustment = None
    if offsets is not None and weighted is not None:
        adjustment = adjust(dimensions, coverage, scorecards, offsets)

    return RecommendationResult(
        outcome=outcome,
        weighted_score=weighted,
        coverage=coverage,
        dimensions=dimensions,
        rules=rules,
        red_flags=red_flags,
        disagreements=tuple(disagreements),
        votes=votes,
        scorecard_count=len(scorecards),
        adjustment=adjustment,
        notes=tuple(notes),
    )


# --- steps -------------------------------------------------------------------------


@dataclass(frozen=True)
class _RubricNumbers:
    """A rubric's exact numbers: the same for every loop on that rubric version, so worked out once."""

    weights: tuple[Fraction, ...]  # normalised over the whole rubric, in dimension order
    units: tuple[int, ...]  # the weights as integers: weights[i] == units[i] / total_units
    total_units: int
    hire: Fraction
    discuss: Fraction
    floor: Fraction
    minimum: Fraction


@lru_cache(maxsize=256)
def _rubric_numbers(rubric: RubricSpec) -> _RubricNumbers:
    given = [Fraction(d.weight) for d in rubric.dimensions]
    scale = math.lcm(*(weight.denominator for weight in given))
    units = tuple(int(weight * scale) for weight in given)
    return _RubricNumbers(
        weights=tuple(Fraction(unit, sum(units)) for unit in units),
        units=units,
        total_units=sum(units),
        hire=Fraction(rubric.hire_threshold),
        discuss=Fraction(rubric.discuss_threshold),
        floor=Fraction(rubric.critical_floor),
        minimum=Fraction(rubric.min_coverage),
    )


def _check_inputs(rubric: RubricSpec, scorecards: Sequence[ScorecardInput]) -> None:
    """Programming errors, not user errors: callers validate user input (see the what-if reader)."""
    if not rubric.dimensions:
        raise ValueError("the rubric has no dimensions")
    names = {d.name for d in rubric.dimensions}
    if len(names) != len(rubric.dimensions):
        raise ValueError("dimension names must be unique")
    if any(d.weight <= 0 for d in rubric.dimensions):
        raise ValueError("dimension weights must be positive")
    for card in scorecards:
        for name, score in card.scores.items():
            if name not in names:
                raise ValueError(f"unknown dimension {name!r}")
            if score is not None and (isinstance(score, bool) or score not in (1, 2, 3, 4, 5)):
                raise ValueError(f"score for {name!r} must be 1-5 or None, not {score!r}")
        if card.overall and card.overall not in OVERALL_CHOICES:
            raise ValueError(f"overall must be one of {OVERALL_CHOICES}, not {card.overall!r}")


def _dimension_result(spec: DimensionSpec, weight: Fraction, scorecards: Sequence[ScorecardInput]) -> DimensionResult:
    scores = tuple(
        (card.label or card.interviewer, int(score))
        for card in scorecards
        if (score := card.scores.get(spec.name)) is not None
    )
    values = [score for _, score in scores]
    return DimensionResult(
        name=spec.name,
        weight=weight,
        weight_label=spec.weight_label,
        critical=spec.critical,
        count=len(values),
        mean=Fraction(sum(values), len(values)) if values else None,
        spread=(max(values) - min(values)) if values else None,
        scores=scores,
    )


def _red_flags(scorecards: Sequence[ScorecardInput]) -> tuple[tuple[str, int], ...]:
    raised_by: dict[str, set[str]] = {}
    for card in scorecards:
        for text in card.red_flags:
            raised_by.setdefault(text, set()).add(card.interviewer)
    return tuple((text, len(people)) for text, people in raised_by.items())


def _disagreements(
    dimensions: Sequence[DimensionResult],
    scorecards: Sequence[ScorecardInput],
    votes: Mapping[str, int],
    weighted: Fraction | None,
    hire_threshold: Fraction,
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for dimension in dimensions:
        # Only scores of different people count: one person's two interviews are not a disagreement.
        by_person: dict[str, list[int]] = {}
        for card in scorecards:
            score = card.scores.get(dimension.name)
            if score is not None:
                by_person.setdefault(card.interviewer, []).append(score)
        gap = 0
        people = list(by_person)
        for i, first in enumerate(people):
            for second in people[i + 1 :]:
                for a in by_person[first]:
                    for b in by_person[second]:
                        gap = max(gap, abs(a - b))
        if gap >= DISAGREEMENT_POINTS:
            low = min(s for _, s in dimension.scores)
            high = max(s for _, s in dimension.scores)
            found.append(
                {
                    "kind": "dimension_spread",
                    "dimension": dimension.name,
                    "points": gap,
                    "text": f"Interviewers are {gap} points apart on {dimension.name} (scores from {low} to {high})",
                }
            )

    strong_yes = {card.interviewer for card in scorecards if card.overall == "strong_yes"}
    against = {card.interviewer for card in scorecards if card.overall in NO_VOTES}
    if any(first != second for first in strong_yes for second in against):
        no_count = votes["no"] + votes["strong_no"]
        found.append(
            {
                "kind": "strong_yes_beside_no",
                "dimension": None,
                "text": (
                    f"A strong yes sits beside {plural(no_count, 'no or strong no vote', 'no or strong no votes')}"
                ),
            }
        )

    voted = sum(votes.values())
    no_votes = votes["no"] + votes["strong_no"]
    if voted and weighted is not None and 2 * no_votes > voted and weighted >= hire_threshold:
        found.append(
            {
                "kind": "majority_no_but_hire_score",
                "dimension": None,
                "text": (
                    f"{no_votes} of {voted} interviewers voted no while the weighted score "
                    f"{score_text(weighted, hire_threshold)} says hire"
                ),
            }
        )
    return found


def _rules(
    rubric: RubricSpec,
    dimensions: Sequence[DimensionResult],
    coverage: Fraction,
    weighted: Fraction | None,
    red_flags: Sequence[tuple[str, int]],
    disagreements: Sequence[dict[str, Any]],
) -> list[RuleResult]:
    fired: list[RuleResult] = []

    def add(rule: str, outcome: str, reason: str) -> None:
        fired.append(RuleResult(rule=rule, outcome=outcome, reason=reason, decisive=False))

    for text, count in red_flags:
        add(
            "red_flag",
            NO_HIRE,
            f"Red flag '{text}' raised by {plural(count, 'interviewer', 'interviewers')}: no hire unless the "
            "committee overrides it with a written justification",
        )

    numbers = _rubric_numbers(rubric)
    floor = numbers.floor
    for dimension in dimensions:
        if dimension.critical and dimension.mean is not None and dimension.mean < floor:
            add(
                "critical_floor",
                NO_HIRE,
                f"{dimension_label(dimension)} averaged {short(score_text(dimension.mean, floor))}, "
                f"below the {number_text(rubric.critical_floor)} floor",
            )

    minimum = numbers.minimum
    if coverage < minimum or weighted is None:
        unassessed = [d for d in dimensions if not d.assessed]
        missing = ""
        if weighted is None:
            missing = " (no dimension has been scored)"
        elif unassessed:
            missing = " (not assessed: " + ", ".join(dimension_label(d) for d in unassessed) + ")"
        add(
            "coverage",
            INSUFFICIENT_EVIDENCE,
            f"Coverage {percent_text(coverage)} of the rubric's weight is below the "
            f"{percent_text(minimum)} minimum{missing}",
        )

    for disagreement in disagreements:
        add("disagreement", NEEDS_DISCUSSION, disagreement["text"])

    if weighted is not None:
        hire, discuss = numbers.hire, numbers.discuss
        hire_text, discuss_text = number_text(rubric.hire_threshold), number_text(rubric.discuss_threshold)
        if weighted >= hire:
            add(
                "threshold",
                HIRE,
                f"Weighted score {score_text(weighted, hire)} is at or above the {hire_text} hire threshold",
            )
        elif weighted >= discuss:
            add(
                "threshold",
                NEEDS_DISCUSSION,
                f"Weighted score {score_text(weighted, hire, discuss)} is at or above the {discuss_text} "
                f"discussion threshold but below the {hire_text} hire threshold",
            )
        else:
            add(
                "threshold",
                NO_HIRE,
                f"Weighted score {score_text(weighted, discuss)} is below the {discuss_text} discussion threshold",
            )
    return fired


# --- building the rubric input ---------------------------------------------------------


def weight_label(weight_given: str, weight_kind: str) -> str:
    """How a reason names a dimension's weight: '20%', 'High', or nothing for equal weights."""
    if weight_kind == "percent":
        return f"{weight_given}%"
    if weight_kind == "high_medium":
        return weight_given.capitalize()
    return ""


def rubric_from_spec(rubric: Mapping[str, Any]) -> RubricSpec:
    """The rubric input from a validated rubric specification (``validate_rubric(...)["rubric"]``)."""
    thresholds = rubric["thresholds"]
    return RubricSpec(
        dimensions=tuple(
            DimensionSpec(
                name=d["name"],
                weight=Decimal(d["weight_value"]),
                critical=bool(d["critical"]),
                weight_label=weight_label(d["weight"], d["weight_kind"]),
            )
            for d in rubric["dimensions"]
        ),
        hire_threshold=Decimal(thresholds["hire"]),
        discuss_threshold=Decimal(thresholds["discuss"]),
        critical_floor=Decimal(thresholds["critical_floor"]),
        min_coverage=Decimal(thresholds["min_coverage"]),
    )
