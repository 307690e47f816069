"""A simulated hiring history with raters of known severity: the report must find them, and only them.

300 loops, 30 raters, four raters per loop, each scoring three of the
rubric's five dimensions; scores are rounded and clipped to 1-5 as real
ones are. The seed is fixed, so the test is exact and repeatable.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from scorecards.calibration.report import ReportOptions, report_from_rows
from scorecards.calibration.rows import RatingRow
from scorecards.calibration.stats import spearman

pytestmark = pytest.mark.django_db

RATERS = 30
LOOPS = 300
DIMENSIONS = ("Coding", "Design", "ML depth", "Communication", "Ownership")
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def simulate(severity: np.ndarray, *, seed: int) -> list[RatingRow]:
    rng = np.random.default_rng(seed)
    dimension_effect = rng.normal(0.0, 0.3, size=len(DIMENSIONS))
    rows = []
    for loop in range(LOOPS):
        quality = rng.normal(3.0, 0.7)
        ended = START + timedelta(hours=loop * 7)
        for rater in rng.choice(RATERS, size=4, replace=False):
            who = f"rater{rater:02d}"
            submitted = ended + timedelta(hours=float(rng.exponential(12.0)))
            for dimension in rng.choice(len(DIMENSIONS), size=3, replace=False):
                raw = quality + dimension_effect[dimension] + severity[rater] + rng.normal(0.0, 0.6)
                rows.append(RatingRow(
                    scorecard=f"{loop}/{who}", loop=f"loop{loop}", interviewer=who, interviewer_name=who,
                    role="Applied AI Engineer", kind="coding", dimension=DIMENSIONS[dimension],
                    score=int(np.clip(np.round(raw), 1, 5)), focus=True,
                    overall="yes" if quality + severity[rater] >= 3.0 else "no", decision=None,
                    ended_at=ended, submitted_at=submitted, due_at=ended + timedelta(hours=24),
                ))
    return rows


def report(rows: list[RatingRow]) -> dict:
    return report_from_rows(rows, description={"source": "simulation"},
                            options=ReportOptions(bootstrap_resamples=200))


def test_simulation_ranks_raters_by_true_leniency():
    """With severities spread over -0.9..+0.9 points, the offsets rank raters with Spearman >= 0.9.

    Every flag points the right way (lenient flags only on truly lenient
    raters, severe flags only on truly severe ones), and every rater more
    than half a point off is flagged.
    """
    severity = np.linspace(-0.9, 0.9, RATERS)
    np.random.default_rng(1).shuffle(severity)
    result = report(simulate(severity, seed=20240917))
    people = {row["interviewer"]: row for row in result["interviewers"]}
    assert len(people) == RATERS
    truth = [severity[int(who[5:])] for who in sorted(people)]
    measured = [people[who]["offset"] for who in sorted(people)]
    assert spearman(truth, measured) >= 0.9
    flagged = [(people[who]["flag"], severity[int(who[5:])]) for who in sorted(people) if people[who]["flag"]]
    assert all((flag == "lenient") == (true > 0) for flag, true in flagged)
    # Raters more than half a point off are found, every one of them.
    clear = sorted(who for who in people if abs(severity[int(who[5:])]) > 0.5)
    assert len(clear) == 14
    assert [who for who in clear if not people[who]["flag"]] == []


def test_simulation_without_severity_flags_nobody():
    """Raters who all score alike: offsets hover around zero and no one is flagged lenient or severe."""
    result = report(simulate(np.zeros(RATERS), seed=20240917))
    people = result["interviewers"]
    assert len(people) == RATERS
    assert [row["interviewer"] for row in people if row["flag"]] == []
    assert max(abs(row["offset"]) for row in people) < 0.3
    # Each offset is tested (enough scorecards), so the absence of flags is a finding, not a small sample.
    assert all(row["offset_n"] >= result["options"]["min_sample"] for row in people)
    assert all(row["offset_p_holm"] is not None for row in people)


def test_simulation_agreement_is_positive_and_reproducible():
    """Raters share the candidate's quality, so alpha is clearly positive; the same seed gives the same report."""
    rows = simulate(np.zeros(RATERS), seed=7)
    first, second = report(rows), report(rows)
    assert first["agreement"]["alpha"] > 0.3
    assert first["agreement"]["alpha_low"] < first["agreement"]["alpha"] < first["agreement"]["alpha_high"]
    assert first["dimensions"] == second["dimensions"]
    assert first["interviewers"] == second["interviewers"]


def rows_from(history) -> list[RatingRow]:
    """A simulated history (bench.rater_sim) as a ratings file's rows."""
    return [
        RatingRow(scorecard=f"{loop}/{who}", loop=f"loop{loop}", interviewer=f"rater{who:02d}",
                  interviewer_name=f"rater{who:02d}", role="Applied AI Engineer", kind="coding",
                  dimension=DIMENSIONS[dimension], score=int(score), focus=True, overall=None, decision=None,
                  ended_at=START, submitted_at=START + timedelta(hours=2), due_at=START + timedelta(hours=24))
        for loop, who, dimension, score in zip(history.loop.tolist(), history.rater.tolist(),
                                               history.dimension.tolist(), history.score.tolist(), strict=True)
    ]


def test_report_reads_scale_use_apart_from_leniency_and_adjusts_every_loop():
    """A strong pool; a sixth of the raters use only the middle of the scale, a sixth only its ends, none is
    lenient: no flag (the leave-one-out offsets flagged 41 of 180 in three such histories), narrow and wide
    scale use, and a loops table whose intervals contain the candidates' true levels."""
    from bench.rater_sim import simulate

    history = simulate("restricted", seed=2, loops=300, raters=30)
    result = report(rows_from(history))
    assert result["schema"] == 2 and result["model"]["fitted"]
    people = {row["interviewer"]: row for row in result["interviewers"]}
    assert [who for who, row in people.items() if row["flag"]] == []
    narrow = [people[f"rater{who:02d}"]["scale"] for who in range(5)]
    wide = [people[f"rater{who:02d}"]["scale"] for who in range(5, 10)]
    assert max(narrow) < 0.7 < 1.3 < min(wide)
    row = people["rater00"]
    assert row["scale_low"] < row["scale"] < row["scale_high"]
    assert row["offset_low"] < row["offset"] < row["offset_high"]
    assert row["offset_loops"] == row["scale_loops"] == row["loops"]
    loops = {row["loop"]: row for row in result["loops"]}
    assert len(loops) == 300
    inside = 0
    for loop in range(300):
        figures = loops[f"loop{loop}"]
        assert set(figures) == {"loop", "raw_score", "adjusted_score", "adjusted_low", "adjusted_high"}
        scored = sorted(set(history.dimension[history.loop == loop].tolist()))
        truth = min(max(float(np.mean(history.level[loop, scored])), 1.0), 5.0)
        inside += int(figures["adjusted_low"] - 1e-4 <= truth <= figures["adjusted_high"] + 1e-4)
    assert inside / 300 >= 0.9


def test_report_with_too_few_connected_loops_says_so_and_shows_no_offsets():
    result = report(simulate_small())
    assert not result["model"]["fitted"]
    assert result["notes"][0].startswith("The rater model was not fitted: Only 12 loops")
    assert all(row["offset"] is None and row["flag"] == "" and row["scale"] is None for row in result["interviewers"])
    assert len(result["loops"]) == 12
    assert all(row["raw_score"] is not None and row["adjusted_score"] is None for row in result["loops"])


def simulate_small() -> list[RatingRow]:
    from bench.rater_sim import simulate

    return rows_from(simulate("balanced", seed=3, loops=12, raters=8))
