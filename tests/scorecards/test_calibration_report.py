"""The report core over the staging table: every figure on a small panel worked out by hand.

The panel (role "Eng", feedback due 24 hours after the interview):

    loop L1 (decided: hire)        loop L2 (undecided)
      ann  Coding 4, Design 3  yes   ann  Coding 5 (not a focus)  strong yes
      bob  Coding 2, Design -  no    bob  Coding 3                yes
                                     cy   Coding 4                yes
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scorecards.calibration.report import ReportOptions, report_from_rows
from scorecards.calibration.rows import RatingRow
from scorecards.calibration.stats import krippendorff_alpha_ordinal

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 1, 10, 10, 0, tzinfo=UTC)


def rating(loop, who, dimension, score, *, overall=None, decision=None, ended=T0, submitted_after=None,
           focus=True, role="Eng", scorecard=None):
    submitted = ended + submitted_after if submitted_after is not None else None
    return RatingRow(
        scorecard=scorecard or f"{loop}/{who}", loop=loop, interviewer=who, interviewer_name=who.title(),
        role=role, kind="coding", dimension=dimension, score=score, focus=focus, overall=overall,
        decision=decision, ended_at=ended, submitted_at=submitted,
        due_at=ended + timedelta(hours=24),
    )


def panel() -> list[RatingRow]:
    l2_end = T0 + timedelta(days=1)
    return [
        rating("L1", "ann", "Coding", 4, overall="yes", decision="hire", submitted_after=timedelta(hours=4)),
        rating("L1", "ann", "Design", 3, overall="yes", decision="hire", submitted_after=timedelta(hours=4)),
        rating("L1", "bob", "Coding", 2, overall="no", decision="hire", submitted_after=timedelta(hours=48)),
        rating("L1", "bob", "Design", None, overall="no", decision="hire", submitted_after=timedelta(hours=48)),
        rating("L2", "ann", "Coding", 5, overall="strong_yes", ended=l2_end, submitted_after=timedelta(hours=2),
               focus=False),
        rating("L2", "bob", "Coding", 3, overall="yes", ended=l2_end, submitted_after=timedelta(hours=10)),
        rating("L2", "cy", "Coding", 4, overall="yes", ended=l2_end, submitted_after=timedelta(hours=1)),
    ]


def compute(rows, **options):
    return report_from_rows(rows, description={"source": "test"},
                            options=ReportOptions(bootstrap_resamples=200, **options))


def by_interviewer(result):
    return {row["interviewer"]: row for row in result["interviewers"]}


def test_report_totals_by_hand():
    """5 scorecards by 3 interviewers on 2 loops; 6 scores (bob left Design unscored)."""
    result = compute(panel())
    assert result["totals"] == {"scorecards": 5, "loops": 2, "loops_left_out": 0, "interviewers": 3, "scores": 6,
                                 "roles": 1, "rows": 7}


def test_interviewer_scores_shares_and_adherence_by_hand():
    """ann: scores 4, 3, 5 (mean 4.0), 1 strong yes of 2; focus 2 of 2 scored (L2 Coding was no focus).

    bob: scores 2, 3 (mean 2.5); focus dimensions L1 Coding, L1 Design, L2 Coding, of which Design unscored: 2/3.
    """
    people = by_interviewer(compute(panel()))
    ann, bob = people["ann"], people["bob"]
    assert (ann["scorecards"], ann["loops"], ann["scores"], ann["mean_score"]) == (2, 2, 3, 4.0)
    assert (ann["strong_yes_share"], ann["strong_no_share"], ann["recommendations_n"]) == (0.5, 0.0, 2)
    assert (ann["adherence"], ann["focus_n"]) == (1.0, 2)
    assert (bob["scores"], bob["mean_score"], bob["adherence"], bob["focus_n"]) == (2, 2.5, 0.6667, 3)
    assert people["cy"]["name"] == "Cy"


def test_agreement_with_majority_and_decision_by_hand():
    """Majority of the *other* interviewers: ann says yes on L1 (others: no) and L2 (others: yes, yes).

    Decision: only L1 is decided (hire): ann's yes agrees, bob's no does not.
    """
    people = by_interviewer(compute(panel()))
    assert (people["ann"]["majority_agreement"], people["ann"]["majority_n"]) == (0.5, 2)
    assert (people["bob"]["majority_agreement"], people["bob"]["majority_n"]) == (0.5, 2)
    assert (people["cy"]["majority_agreement"], people["cy"]["majority_n"]) == (1.0, 1)
    assert (people["ann"]["decision_agreement"], people["ann"]["decision_n"]) == (1.0, 1)
    assert (people["bob"]["decision_agreement"], people["bob"]["decision_n"]) == (0.0, 1)
    assert (people["cy"]["decision_agreement"], people["cy"]["decision_n"]) == (None, 0)


def test_majority_ties_are_left_out():
    """With one other yes and one other no there is no majority to agree with."""
    rows = [
        rating("L", "a", "X", 3, overall="yes"),
        rating("L", "b", "X", 3, overall="no"),
        rating("L", "c", "X", 3, overall="yes"),
    ]
    people = by_interviewer(compute(rows))
    assert (people["c"]["majority_n"], people["c"]["majority_agreement"]) == (0, None)
    assert (people["b"]["majority_n"], people["b"]["majority_agreement"]) == (1, 0.0)


def test_feedback_times_percentiles_and_lateness_by_hand():
    """bob took 48 and 10 hours: median 29, 90th percentile 10 + 0.9 * 38 = 44.2; one of two past the 24 h due."""
    people = by_interviewer(compute(panel()))
    bob, ann = people["bob"], people["ann"]
    assert (bob["lag_median_hours"], bob["lag_p90_hours"], bob["lag_n"]) == (29.0, 44.2, 2)
    assert (bob["late_share"], bob["late_n"]) == (0.5, 2)
    assert (ann["lag_median_hours"], ann["lag_p90_hours"], ann["late_share"]) == (3.0, 3.8, 0.0)


def test_dimension_distribution_mean_spread_and_alpha_by_hand():
    """Coding scores 4, 2, 5, 3, 4: counts 0/1/1/2/1, mean 3.6, sd sqrt(1.3) = 1.1402.

    Alpha over loops (4, 2) and (5, 3, 4) equals the pure function's; Design
    has one score and so neither spread nor alpha.
    """
    result = compute(panel())
    coding, design = result["dimensions"]
    assert (coding["dimension"], coding["n"], coding["loops"], coding["mean"], coding["sd"]) == (
        "Coding", 5, 2, 3.6, 1.1402,
    )
    assert [coding[f"score_{v}"] for v in range(1, 6)] == [0, 1, 1, 2, 1]
    expected_alpha = krippendorff_alpha_ordinal([[4, 2], [5, 3, 4]])
    assert expected_alpha is not None
    assert coding["alpha"] == round(expected_alpha, 4)
    assert (coding["alpha_loops"], coding["alpha_values"]) == (2, 5)
    assert (design["n"], design["sd"], design["alpha"], design["alpha_loops"]) == (1, None, None, 0)
    assert result["least_agreement"] == [
        {"role": "Eng", "dimension": "Coding", "alpha": coding["alpha"], "alpha_loops": 2}
    ]


def test_interviewer_dimension_means_by_hand():
    """ann's Coding scores 4 and 5 average 4.5; her Design 3 is a single score."""
    result = compute(panel())
    means = {(row["interviewer"], row["dimension"]): (row["n"], row["mean"])
             for row in result["interviewer_dimensions"]}
    assert means == {("ann", "Coding"): (2, 4.5), ("ann", "Design"): (1, 3.0), ("bob", "Coding"): (2, 2.5),
                     ("cy", "Coding"): (1, 4.0)}


def test_role_pass_through_by_hand():
    """Eng: 2 loops, one hired, one undecided: pass-through 1 of 1 decided; 1 strong yes, 3 yes, 1 no."""
    (role,) = compute(panel())["roles"]
    assert role == {"role": "Eng", "loops": 2, "scorecards": 5, "strong_yes": 1, "yes": 3, "no": 1, "strong_no": 0,
                    "hired": 1, "not_hired": 0, "undecided": 1, "decided": 1, "pass_through": 1.0}


def test_empty_scope_gives_an_empty_report():
    """No rows: zero totals, empty tables, no alpha; nothing breaks."""
    result = compute([])
    assert result["totals"]["scorecards"] == 0
    assert result["interviewers"] == [] and result["dimensions"] == [] and result["roles"] == []
    assert result["agreement"]["alpha"] is None
