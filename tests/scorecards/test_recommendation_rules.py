"""The hire recommendation's pure function, table-driven, with expected values computed by hand.

Rubrics come from the real fixture files, read and validated here: no database involved.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from scorecards.recommendations.rules import (
    DimensionSpec,
    InterviewerOffset,
    RubricSpec,
    ScorecardInput,
    recommend,
    rubric_from_spec,
)
from scorecards.rubrics.io import read_rubric_file, validate_rubric

RUBRIC_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "rubrics"


@cache
def fixture_spec(slug: str) -> dict[str, Any]:
    path = RUBRIC_DIR / f"{slug}.yaml"
    return validate_rubric(read_rubric_file(path), str(path))

# Applied AI Engineer: percent weights, the two 20% dimensions are critical.
SE = "Software engineering"  # 20%, critical
ML = "Applied ML/AI fundamentals"  # 15%
SD = "AI system design"  # 20%, critical
OPS = "MLOps/operational readiness"  # 15%
COST = "Cost/performance thinking"  # 10%
RAI = "Responsible AI / security / privacy"  # 10%
COMM = "Communication & collaboration"  # 10%
AAIE_ORDER = (SE, ML, SD, OPS, COST, RAI, COMM)

# Junior Applied AI Engineer: High (x2) / Medium; the High ones are critical. Total weight 3*2 + 5*1 = 11.
PY, JML, DATA, SYS, REPRO, JCOMM, JRAI, LEARN = (
    "Python engineering",
    "ML fundamentals",
    "Data handling",
    "Applied system thinking",
    "Reproducibility discipline",
    "Communication",
    "Responsible AI/privacy",
    "Learning mindset",
)
HIGH = (PY, JML, JCOMM)
MEDIUM = (DATA, SYS, REPRO, JRAI, LEARN)

RED_FLAG = "Inflates claims about AI certainty or guarantees “perfect” outputs."


def aaie() -> RubricSpec:
    return rubric_from_spec(fixture_spec("applied-ai-engineer")["rubric"])


def jaaie() -> RubricSpec:
    return rubric_from_spec(fixture_spec("junior-applied-ai-engineer")["rubric"])


def card(
    who: str, scores: Mapping[str, int | None], overall: str = "yes", red_flags: tuple[str, ...] = ()
) -> ScorecardInput:
    return ScorecardInput(interviewer=who, scores=scores, overall=overall, red_flags=red_flags)


def aaie_scores(*values: int | None) -> dict[str, int | None]:
    """Scores in rubric order: SE, ML, SD, OPS, COST, RAI, COMM."""
    return dict(zip(AAIE_ORDER, values, strict=True))


def test_recommendation_reads_weights_and_critical_dimensions_from_the_rubric():
    """The Applied AI Engineer's percentages and High/Medium are read as given; the top class is critical."""
    rubric = aaie()
    assert [(d.name, d.weight, d.critical, d.weight_label) for d in rubric.dimensions] == [
        (SE, Decimal(20), True, "20%"),
        (ML, Decimal(15), False, "15%"),
        (SD, Decimal(20), True, "20%"),
        (OPS, Decimal(15), False, "15%"),
        (COST, Decimal(10), False, "10%"),
        (RAI, Decimal(10), False, "10%"),
        (COMM, Decimal(10), False, "10%"),
    ]
    assert (rubric.hire_threshold, rubric.discuss_threshold, rubric.critical_floor, rubric.min_coverage) == (
        Decimal("3.5"),
        Decimal("3"),
        Decimal("2.5"),
        Decimal("0.8"),
    )
    junior = jaaie()
    assert {d.name: (d.weight, d.critical, d.weight_label) for d in junior.dimensions} == {
        **{name: (Decimal(2), True, "High") for name in HIGH},
        **{name: (Decimal(1), False, "Medium") for name in MEDIUM},
    }


# (case, scorecards, outcome, weighted score, coverage)
AAIE_CASES = [
    # 0.2*4 + 0.15*3 + 0.2*4 + 0.15*3 + 0.1*2 + 0.1*3 + 0.1*5 = 3.5 exactly: the hire edge.
    ("exactly 3.5 is hire", [card("a", aaie_scores(4, 3, 4, 3, 2, 3, 5))], "hire", Fraction(7, 2), Fraction(1)),
    # Same with Communication 4: 3.4.
    ("3.4 needs discussion", [card("a", aaie_scores(4, 3, 4, 3, 2, 3, 4))], "needs_discussion", Fraction(17, 5), 1),
    # All 3: exactly 3.0, the discussion edge.
    ("exactly 3.0 needs discussion", [card("a", aaie_scores(3, 3, 3, 3, 3, 3, 3))], "needs_discussion", 3, 1),
    # Cost 2 pulls 0.1 off: 2.9.
    ("2.9 is no hire", [card("a", aaie_scores(3, 3, 3, 3, 2, 3, 3))], "no_hire", Fraction(29, 10), 1),
    # Two interviewers, means SE 4.5, ML 4, SD 3.5, OPS 3, COST 3, RAI 4, COMM 4.5:
    # 0.9 + 0.6 + 0.7 + 0.45 + 0.3 + 0.4 + 0.45 = 3.8.
    (
        "means over two interviewers",
        [card("a", aaie_scores(5, 4, 4, 3, 3, 4, 5)), card("b", aaie_scores(4, 4, 3, 3, 3, 4, 4))],
        "hire",
        Fraction(19, 5),
        1,
    ),
    # Cost unassessed: (0.8 + 0.6 + 0.8 + 0.6 + 0.3 + 0.3) / 0.9 = 3.4 / 0.9 = 3.777...; as a zero it would be 3.4.
    ("renormalised over assessed", [card("a", aaie_scores(4, 4, 4, 4, None, 3, 3))], "hire", Fraction(34, 9), 0.9),
    # Cost and RAI unassessed: coverage exactly 80% is enough. (0.6+0.45+0.6+0.45+0.3)/0.8 = 3.0625.
    (
        "coverage exactly 80%",
        [card("a", aaie_scores(3, 3, 3, 3, None, None, 3)), card("b", aaie_scores(3, 3, 3, 3, None, None, 4))],
        "needs_discussion",
        Fraction(49, 16),
        0.8,
    ),
    # COST, RAI, COMM unassessed: 70% < 80%.
    ("coverage 70%", [card("a", aaie_scores(4, 4, 4, 4, None, None, None))], "insufficient_evidence", 4, 0.7),
    # System design mean (2+3)/2 = 2.5: at the floor is not below it. 0.8+0.6+0.5+0.6+0.4+0.4+0.4 = 3.7.
    (
        "critical mean exactly at floor",
        [card("a", aaie_scores(4, 4, 2, 4, 4, 4, 4)), card("b", aaie_scores(4, 4, 3, 4, 4, 4, 4))],
        "hire",
        Fraction(37, 10),
        1,
    ),
    # System design mean 2.0 under otherwise strong scores: 0.8+0.6+0.4+0.6+0.4+0.4+0.4 = 3.6.
    (
        "critical below floor",
        [card("a", aaie_scores(4, 4, 2, 4, 4, 4, 4)), card("b", aaie_scores(4, 4, 2, 4, 4, 4, 4))],
        "no_hire",
        Fraction(18, 5),
        1,
    ),
    # A non-critical dimension below the floor does not decide: ML 2 -> 0.8+0.3+0.8+0.6+0.4+0.4+0.4 = 3.7.
    ("non-critical low is fine", [card("a", aaie_scores(4, 2, 4, 4, 4, 4, 4))], "hire", Fraction(37, 10), 1),
    # All 5s, but a red flag.
    ("red flag", [card("a", aaie_scores(5, 5, 5, 5, 5, 5, 5), "strong_yes", (RED_FLAG,))], "no_hire", 5, 1),
    # Two points apart on SE (3 vs 5); means 4,4,4,4,4,4,4 otherwise.
    (
        "two points apart",
        [card("a", aaie_scores(5, 4, 4, 4, 4, 4, 4)), card("b", aaie_scores(3, 4, 4, 4, 4, 4, 4))],
        "needs_discussion",
        4,
        1,
    ),
    # One point apart is ordinary: SE mean 4.5 -> 4 + 0.2*0.5 = 4.1.
    (
        "one point apart",
        [card("a", aaie_scores(5, 4, 4, 4, 4, 4, 4)), card("b", aaie_scores(4, 4, 4, 4, 4, 4, 4))],
        "hire",
        Fraction(41, 10),
        1,
    ),
    # The same person's two interviews 2 points apart are not a disagreement between interviewers.
    (
        "same interviewer twice",
        [card("a", aaie_scores(5, 4, 4, 4, 4, 4, 4)), card("a", aaie_scores(3, 4, 4, 4, 4, 4, 4))],
        "hire",
        4,
        1,
    ),
    (
        "strong yes beside a no",
        [card("a", aaie_scores(4, 4, 4, 4, 4, 4, 4), "strong_yes"), card("b", aaie_scores(4, 4, 4, 4, 4, 4, 4), "no")],
        "needs_discussion",
        4,
        1,
    ),
    # Majority no (2 of 3) with a weighted score that says hire: 0.8+0.6+0.8+0.45+0.3+0.3+0.4 = 3.65.
    (
        "majority no against a hire score",
        [
            card("a", aaie_scores(4, 4, 4, 3, 3, 3, 4), "no"),
            card("b", aaie_scores(4, 4, 4, 3, 3, 3, 4), "no"),
            card("c", aaie_scores(4, 4, 4, 3, 3, 3, 4), "yes"),
        ],
        "needs_discussion",
        Fraction(73, 20),
        1,
    ),
    # Half voting no is not a majority: 0.8+0.6+0.8+0.45+0.3+0.3+0.4 = 3.65.
    (
        "half no is not a majority",
        [card("a", aaie_scores(4, 4, 4, 3, 3, 3, 4), "no"), card("b", aaie_scores(4, 4, 4, 3, 3, 3, 4), "yes")],
        "hire",
        Fraction(73, 20),
        1,
    ),
    # Majority no and a score that says no hire anyway: the thresholds decide, no disagreement.
    (
        "majority no with a low score",
        [card("a", aaie_scores(3, 3, 3, 3, 2, 3, 3), "no"), card("b", aaie_scores(3, 3, 3, 3, 2, 3, 3), "no")],
        "no_hire",
        Fraction(29, 10),
        1,
    ),
    ("no scorecards", [], "insufficient_evidence", None, 0),
]


@pytest.mark.parametrize(
    ("cards", "outcome", "weighted", "coverage"),
    [pytest.param(c, o, w, cov, id=name) for name, c, o, w, cov in AAIE_CASES],
)
def test_recommendation_applied_ai_engineer_table(cards, outcome, weighted, coverage):
    """Each row's outcome, exact weighted score and coverage, computed by hand from the percent weights."""
    result = recommend(aaie(), cards)
    assert result.outcome == outcome
    assert result.weighted_score == (None if weighted is None else Fraction(weighted))
    assert result.coverage == Fraction(str(coverage))


def test_recommendation_reasons_name_the_rules_that_fired_in_order():
    """A red flag decides; every other rule that fires still reads as a reason, in rule order."""
    cards = [
        card("a", aaie_scores(4, 4, 2, 4, None, None, None), "strong_yes", (RED_FLAG,)),
        card("b", aaie_scores(2, 4, 2, 4, None, None, None), "no"),
    ]
    result = recommend(aaie(), cards)
    assert result.outcome == "no_hire"
    assert result.reasons == [
        f"Red flag '{RED_FLAG}' raised by 1 interviewer: no hire unless the committee overrides it with a "
        "written justification",
        "AI system design (20%) averaged 2.0, below the 2.5 floor",
        "Coverage 70% of the rubric's weight is below the 80% minimum (not assessed: Cost/performance thinking "
        "(10%), Responsible AI / security / privacy (10%), Communication & collaboration (10%))",
        "Interviewers are 2 points apart on Software engineering (scores from 2 to 4)",
        "A strong yes sits beside 1 no or strong no vote",
        # (0.2*3 + 0.15*4 + 0.2*2 + 0.15*4) / 0.7 = 2.2 / 0.7 = 3.142857...
        "Weighted score 3.14 is at or above the 3.0 discussion threshold but below the 3.5 hire threshold",
    ]
    assert [(r.rule, r.outcome, r.decisive) for r in result.rules] == [
        ("red_flag", "no_hire", True),
        ("critical_floor", "no_hire", False),
        ("coverage", "insufficient_evidence", False),
        ("disagreement", "needs_discussion", False),
        ("disagreement", "needs_discussion", False),
        ("threshold", "needs_discussion", False),
    ]
    assert result.red_flags == ((RED_FLAG, 1),)
    assert result.votes == {"strong_no": 0, "no": 1, "yes": 0, "strong_yes": 1}


def test_recommendation_red_flag_counts_interviewers_not_mentions():
    """Two people raising the same flag reads '2 interviewers'; one person's two interviews count once."""
    scores = aaie_scores(4, 4, 4, 4, 4, 4, 4)
    result = recommend(
        aaie(), [card("a", scores, red_flags=(RED_FLAG,)), card("a", scores, red_flags=(RED_FLAG,)),
                 card("b", scores, red_flags=(RED_FLAG,))]
    )
    assert result.reasons[0].startswith(f"Red flag '{RED_FLAG}' raised by 2 interviewers:")


def test_recommendation_threshold_reasons_at_each_edge():
    """Exactly 3.5 reads 'at or above the 3.5 hire threshold'; exactly 3.0 reads as discussion."""
    hire = recommend(aaie(), [card("a", aaie_scores(4, 3, 4, 3, 2, 3, 5))])
    assert hire.reasons == ["Weighted score 3.50 is at or above the 3.5 hire threshold"]
    discuss = recommend(aaie(), [card("a", aaie_scores(3, 3, 3, 3, 3, 3, 3))])
    assert discuss.reasons == [
        "Weighted score 3.00 is at or above the 3.0 discussion threshold but below the 3.5 hire threshold"
    ]
    below = recommend(aaie(), [card("a", aaie_scores(3, 3, 3, 3, 2, 3, 3))])
    assert below.reasons == ["Weighted score 2.90 is below the 3.0 discussion threshold"]


def test_recommendation_score_just_below_a_threshold_never_prints_as_the_threshold():
    """A score a hair under 3.5 prints with enough decimals to show it is under."""
    rubric = RubricSpec(dimensions=tuple(DimensionSpec(name=f"d{i}", weight=Decimal(1)) for i in range(1000)))
    scores = {f"d{i}": 4 for i in range(499)} | {f"d{i}": 3 for i in range(499, 1000)}  # 3.499
    result = recommend(rubric, [card("a", scores)])
    assert result.weighted_score == Fraction(3499, 1000)
    assert result.outcome == "needs_discussion"
    assert result.reasons == [
        "Weighted score 3.499 is at or above the 3.0 discussion threshold but below the 3.5 hire threshold"
    ]


def test_recommendation_unassessed_dimension_is_a_note_when_coverage_suffices():
    """Enough coverage: the unassessed dimension is named in a note, not a rule."""
    result = recommend(aaie(), [card("a", aaie_scores(4, 4, 4, 4, None, 3, 3))])
    assert result.notes == ("Not assessed by anyone: Cost/performance thinking (10%).",)
    assert [r.rule for r in result.rules] == ["threshold"]


def test_recommendation_no_scorecards_reason():
    result = recommend(aaie(), [])
    assert result.reasons == [
        "Coverage 0% of the rubric's weight is below the 80% minimum (no dimension has been scored)"
    ]
    assert result.scorecard_count == 0


def test_recommendation_per_dimension_mean_count_and_spread():
    """Per dimension: exact mean, number of scores and highest minus lowest."""
    result = recommend(
        aaie(),
        [
            card("a", aaie_scores(5, 4, 2, 3, None, 4, 5)),
            card("b", aaie_scores(4, 4, 3, 3, None, None, 3)),
            card("c", aaie_scores(3, None, 3, 4, None, None, 4)),
        ],
    )
    by_name = {d.name: (d.count, d.mean, d.spread) for d in result.dimensions}
    assert by_name == {
        SE: (3, Fraction(4), 2),
        ML: (2, Fraction(4), 0),
        SD: (3, Fraction(8, 3), 1),
        OPS: (3, Fraction(10, 3), 1),
        COST: (0, None, None),
        RAI: (1, Fraction(4), 0),
        COMM: (3, Fraction(4), 2),
    }
    assert [d["dimension"] for d in result.disagreements] == [SE, COMM]


# --- High / Medium -----------------------------------------------------------------------


def junior_scores(high: int | None, medium: int | None, **overrides: int | None) -> dict[str, int | None]:
    names = {"py": PY, "ml": JML, "comm": JCOMM, "data": DATA, "sys": SYS, "repro": REPRO, "rai": JRAI, "learn": LEARN}
    scores = {name: high for name in HIGH} | {name: medium for name in MEDIUM}
    return scores | {names[key]: value for key, value in overrides.items()}


JUNIOR_CASES = [
    # (3 * 2 * 4 + 5 * 1 * 3) / 11 = 39 / 11 = 3.545...
    ("high 4 medium 3", junior_scores(4, 3), "hire", Fraction(39, 11), 1),
    # (3 * 2 * 3 + 5 * 1 * 4) / 11 = 38 / 11 = 3.4545...
    ("high 3 medium 4", junior_scores(3, 4), "needs_discussion", Fraction(38, 11), 1),
    # ML fundamentals (High, critical) at 2: (2*4 + 2*2 + 2*4 + 5*4) / 11 = 40 / 11 = 3.636...
    ("high dimension below floor", junior_scores(4, 4, ml=2), "no_hire", Fraction(40, 11), 1),
    # A Medium dimension at 1 is not critical: (6*4 + 1 + 4*4) / 11 = 41 / 11 = 3.727...
    ("medium dimension at 1", junior_scores(4, 4, learn=1), "hire", Fraction(41, 11), 1),
    # Communication (High) unassessed: coverage 9/11 = 81.8% >= 80%; (2*4 + 2*4 + 5*3) / 9 = 31/9 = 3.444...
    ("high unassessed renormalised", junior_scores(4, 3, comm=None), "needs_discussion", Fraction(31, 9),
     Fraction(9, 11)),
    # Communication and Data unassessed: coverage 8/11 = 72.7%.
    ("coverage 8 of 11", junior_scores(4, 4, comm=None, data=None), "insufficient_evidence", 4, Fraction(8, 11)),
]


@pytest.mark.parametrize(
    ("scores", "outcome", "weighted", "coverage"),
    [pytest.param(s, o, w, c, id=name) for name, s, o, w, c in JUNIOR_CASES],
)
def test_recommendation_high_medium_table(scores, outcome, weighted, coverage):
    """High counts twice Medium; the High dimensions are critical."""
    result = recommend(jaaie(), [card("a", scores)])
    assert result.outcome == outcome
    assert result.weighted_score == Fraction(weighted)
    assert result.coverage == Fraction(coverage)


def test_recommendation_high_medium_reasons():
    result = recommend(jaaie(), [card("a", junior_scores(4, 4, ml=2))])
    assert result.reasons == [
        "ML fundamentals (High) averaged 2.0, below the 2.5 floor",
        "Weighted score 3.64 is at or above the 3.5 hire threshold",
    ]
    low_coverage = recommend(jaaie(), [card("a", junior_scores(4, 4, comm=None, data=None))])
    assert low_coverage.reasons[0] == (
        "Coverage 72.7% of the rubric's weight is below the 80% minimum "
        "(not assessed: Data handling (Medium), Communication (High))"
    )


def test_recommendation_equal_weights_have_no_critical_dimension():
    """Equal weights: no dimension is critical by default, so a low one is averaged in, not a veto."""
    rubric = rubric_from_spec(fixture_spec("junior-ai-engineer")["rubric"])
    assert not any(d.critical for d in rubric.dimensions)
    names = [d.name for d in rubric.dimensions]
    scores = {name: 4 for name in names} | {names[0]: 1}
    result = recommend(rubric, [card("a", scores)])
    # (5 * 4 + 1) / 6 = 3.5
    assert (result.outcome, result.weighted_score) == ("hire", Fraction(7, 2))


def test_recommendation_thresholds_come_from_the_rubric_version():
    """A rubric with its own thresholds is judged by them, not by the defaults."""
    strict = RubricSpec(
        dimensions=(DimensionSpec("A", Decimal(3), True, "High"), DimensionSpec("B", Decimal(1), False, "Medium")),
        hire_threshold=Decimal("4.0"),
        discuss_threshold=Decimal("3.25"),
        critical_floor=Decimal("3"),
        min_coverage=Decimal("1"),
    )
    # (3*4 + 1*3) / 4 = 3.75: a hire by default, discussion here.
    result = recommend(strict, [card("a", {"A": 4, "B": 3})])
    assert result.outcome == "needs_discussion"
    assert result.reasons == [
        "Weighted score 3.75 is at or above the 3.25 discussion threshold but below the 4.0 hire threshold"
    ]
    # A at 2.5 is below this rubric's floor of 3.0.
    floor = recommend(strict, [card("a", {"A": 2, "B": 5}), card("b", {"A": 3, "B": 5})])
    assert floor.reasons[0] == "A (High) averaged 2.5, below the 3.0 floor"
    coverage = recommend(strict, [card("a", {"A": 5})])
    assert coverage.outcome == "insufficient_evidence"
    assert coverage.reasons[0] == (
        "Coverage 75% of the rubric's weight is below the 100% minimum (not assessed: B (Medium))"
    )


def test_recommendation_is_deterministic_whatever_the_scorecard_order():
    cards = [
        card("a", aaie_scores(5, 4, 2, 3, None, 4, 5), "yes"),
        card("b", aaie_scores(4, 4, 3, 3, 2, None, 3), "no"),
    ]
    first = recommend(aaie(), cards).as_dict()
    second = recommend(aaie(), list(reversed(cards))).as_dict()
    for result in (first, second):
        for dimension in result["dimensions"]:
            dimension["scores"].sort(key=lambda s: s["scorecard"])
    assert first == second


def test_recommendation_rejects_scores_outside_the_scale():
    with pytest.raises(ValueError, match="1-5"):
        recommend(aaie(), [card("a", {SE: 6})])
    with pytest.raises(ValueError, match="unknown dimension"):
        recommend(aaie(), [card("a", {"Charisma": 3})])


# --- the leniency-adjusted score --------------------------------------------------------


def test_recommendation_adjusted_score_subtracts_offsets_with_a_band():
    """A lenient interviewer's +0.5 is taken off their scores; the interval adds the noise of each score.

    Two equal dimensions. a scores d1=4, d2=4; b scores d1=3. Raw: (3.5 + 4) / 2 = 3.75.
    Adjusted: d1 = ((4 - 0.5) + 3) / 2 = 3.25, d2 = 3.5, so 3.375.
    Shares of the score: per score on d1 0.25, on d2 0.5; so a = 0.75, b = 0.25.
    Noise (0.75 a score): 0.75^2 * (0.25^2 + 0.25^2 + 0.5^2) = 0.2109375.
    Offsets: (0.75 * 0.2)^2 + (0.25 * 0.4)^2 = 0.0325.
    Half width = 1.96 * sqrt(0.2434375) = 0.96705.
    """
    rubric = RubricSpec(dimensions=(DimensionSpec("d1", Decimal(1)), DimensionSpec("d2", Decimal(1))))
    result = recommend(
        rubric,
        [card("a", {"d1": 4, "d2": 4}), card("b", {"d1": 3})],
        offsets={
            "a": InterviewerOffset(offset=0.5, std_error=0.2, scorecards=12),
            "b": InterviewerOffset(offset=0.0, std_error=0.4, scorecards=0),
        },
    )
    assert result.weighted_score == Fraction(15, 4)
    assert result.outcome == "hire"  # the adjusted score is shown beside the outcome, never deciding it
    data = result.as_dict()["adjusted"]
    assert (data["score"], data["low"], data["high"]) == ("3.375", "2.408", "4.342")
    assert data["interviewers"] == [
        {"interviewer": "a", "offset": 0.5, "std_error": 0.2, "scale": 1.0, "history": 12,
         "note": "+0.50 (lenient, from 12 loops in the rater model)"},
        {"interviewer": "b", "offset": 0.0, "std_error": 0.4, "scale": 1.0, "history": 0,
         "note": "No history yet: adjustment 0"},
    ]


def test_recommendation_without_offsets_has_no_adjusted_score():
    assert recommend(aaie(), [card("a", aaie_scores(3, 3, 3, 3, 3, 3, 3))]).adjustment is None
