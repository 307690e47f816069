"""The report's SQL aggregation against a plain Python computation of the same definitions, on random data.

The report never reads a rating into Python: the database sums and counts
(``aggregation.py``). Here the same figures are computed the obvious way,
one rating at a time, from the rows themselves, and must agree; on
PostgreSQL and on SQLite (run this file with and without DATABASE_URL).
Random rows cover what the simple fixtures do not: several roles and
dimensions, an interviewer with two scorecards on one loop, missing
scores, focus, recommendations, decisions and times.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from statistics import mean, variance

import pytest
from django.core.management import call_command

from scorecards.calibration.report import ReportOptions, report_from_database, report_from_rows
from scorecards.calibration.rows import RatingRow
from scorecards.calibration.selectors import ReportScope, calibration_rows
from scorecards.calibration.stats import krippendorff_alpha_ordinal, percentile_cont

pytestmark = pytest.mark.django_db

OPTIONS = ReportOptions(bootstrap_resamples=200)
HIRE, NO = ("yes", "strong_yes"), ("no", "strong_no")
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def random_rows(seed: int) -> list[RatingRow]:
    rng = random.Random(seed)
    roles = {"Role A": ["Coding", "Design", "Ownership"], "Role B": ["Coding", "ML depth", "Communication", "Craft"]}
    people = [f"rater{number}" for number in range(9)]
    rows = []
    for loop in range(45):
        role = rng.choice(sorted(roles))
        decision = rng.choice([None, "hire", "no_hire"])
        ended = START + timedelta(hours=7 * loop)
        panel = rng.sample(people, rng.randint(1, 5))
        if loop % 7 == 0:
            panel.append(panel[0])  # one interviewer writes two scorecards on this loop
        for number, who in enumerate(panel):
            overall = rng.choice([None, "strong_no", "no", "yes", "strong_yes"])
            submitted = None if rng.random() < 0.1 else ended + timedelta(hours=rng.uniform(0.5, 60))
            due = None if rng.random() < 0.1 else ended + timedelta(hours=24)
            for dimension in rng.sample(roles[role], rng.randint(1, len(roles[role]))):
                rows.append(RatingRow(
                    scorecard=f"{loop}/{number}", loop=f"loop{loop}", interviewer=who, interviewer_name=who.title(),
                    role=role, kind="coding", dimension=dimension,
                    score=None if rng.random() < 0.08 else rng.randint(1, 5),
                    focus=rng.choice([True, True, False, None]), overall=overall, decision=decision,
                    ended_at=ended, submitted_at=submitted, due_at=due,
                ))
    return rows


def reference(rows: list[RatingRow]) -> dict:
    """The report's figures computed one rating at a time, following the definitions in the report's notes."""
    cards = {row.scorecard: row for row in rows}
    by_card = defaultdict(list)
    for row in rows:
        by_card[row.scorecard].append(row)
    people = {}
    for who in sorted({row.interviewer for row in rows}):
        mine = [card for card in cards.values() if card.interviewer == who]
        ratings = [row for card in mine for row in by_card[card.scorecard]]
        scores = [row.score for row in ratings if row.score is not None]
        votes = [card for card in mine if card.overall]
        majority = []
        for card in votes:
            other_votes = [other.overall for other in cards.values()
                           if other.loop == card.loop and other.interviewer != who]
            hire, no = sum(vote in HIRE for vote in other_votes), sum(vote in NO for vote in other_votes)
            if hire != no:
                majority.append((card.overall in HIRE and hire > no) or (card.overall in NO and no > hire))
        decided = [(card.overall in HIRE and card.decision == "hire")
                   or (card.overall in NO and card.decision == "no_hire") for card in votes if card.decision]
        lags = [(card.submitted_at - card.ended_at).total_seconds() / 3600 for card in mine
                if card.submitted_at and card.ended_at]
        late = [card.submitted_at > card.due_at for card in mine if card.submitted_at and card.due_at]
        focus = [row for row in ratings if row.focus]
        people[who] = {
            "scorecards": len(mine), "loops": len({card.loop for card in mine}), "scores": len(scores),
            "mean_score": mean(scores) if scores else None,
            # Schema 2: the offset itself comes from the rater model (tested in tests/leniency); what is counted
            # here is what stands behind it, the loops and the scores the interviewer gave.
            "offset_n": len({row.loop for row in ratings if row.score is not None}),
            "offset_loops": len({row.loop for row in ratings if row.score is not None}),
            "offset_comparisons": len(scores), "recommendations_n": len(votes),
            "strong_yes_share": sum(card.overall == "strong_yes" for card in votes) / len(votes) if votes else None,
            "strong_no_share": sum(card.overall == "strong_no" for card in votes) / len(votes) if votes else None,
            "focus_n": len(focus),
            "adherence": sum(row.score is not None for row in focus) / len(focus) if focus else None,
            "majority_n": len(majority), "majority_agreement": mean(majority) if majority else None,
            "decision_n": len(decided), "decision_agreement": mean(decided) if decided else None,
            "lag_n": len(lags), "lag_median_hours": percentile_cont(lags, 0.5),
            "lag_p90_hours": percentile_cont(lags, 0.9), "late_n": len(late),
            "late_share": mean(late) if late else None,
        }
    dimensions = {}
    pooled = []
    for role, dimension in sorted({(row.role, row.dimension) for row in rows if row.score is not None}):
        units = defaultdict(list)
        for row in rows:
            if (row.role, row.dimension) == (role, dimension) and row.score is not None:
                units[row.loop].append(row.score)
        scores = [score for unit in units.values() for score in unit]
        pairable = [unit for unit in units.values() if len(unit) >= 2]
        pooled += pairable
        dimensions[(role, dimension)] = {
            "n": len(scores), "loops": len(units), "mean": mean(scores),
            "sd": math.sqrt(variance(scores)) if len(scores) > 1 else None,
            **{f"score_{value}": scores.count(value) for value in range(1, 6)},
            "alpha": krippendorff_alpha_ordinal(pairable), "alpha_loops": len(pairable),
            "alpha_values": sum(len(unit) for unit in pairable),
        }
    roles = {}
    for role in sorted({row.role for row in rows}):
        mine = [card for card in cards.values() if card.role == role]
        decisions = {card.loop: card.decision for card in mine}
        hired = sum(value == "hire" for value in decisions.values())
        not_hired = sum(value == "no_hire" for value in decisions.values())
        roles[role] = {
            "loops": len(decisions), "scorecards": len(mine),
            **{key: sum(card.overall == key for card in mine) for key in ("strong_yes", "yes", "no", "strong_no")},
            "hired": hired, "not_hired": not_hired, "undecided": sum(value is None for value in decisions.values()),
            "pass_through": hired / (hired + not_hired) if hired + not_hired else None,
        }
    # A ratings file's rows are trusted as complete panels: none is left out.
    totals = {"scorecards": len(cards), "loops": len({row.loop for row in rows}), "loops_left_out": 0,
              "interviewers": len(people), "scores": sum(row.score is not None for row in rows),
              "roles": len(roles), "rows": len(rows)}
    agreement = {"alpha": krippendorff_alpha_ordinal(pooled), "alpha_loops": len(pooled)}
    return {"people": people, "dimensions": dimensions, "roles": roles, "totals": totals, "agreement": agreement}


def close(computed, expected) -> bool:
    if expected is None or computed is None:
        return computed is None and expected is None
    # The report rounds to 4 places (p-values to 6).
    return computed == pytest.approx(expected, abs=6e-5)


def assert_matches(result: dict, expected: dict) -> None:
    assert result["totals"] == expected["totals"]
    people = {row["interviewer"]: row for row in result["interviewers"]}
    assert set(people) == set(expected["people"])
    for who, figures in expected["people"].items():
        for key, value in figures.items():
            assert close(people[who][key], value), (who, key, people[who][key], value)
    dimensions = {(row["role"], row["dimension"]): row for row in result["dimensions"]}
    assert list(dimensions) == sorted(expected["dimensions"])
    for key, figures in expected["dimensions"].items():
        for name, value in figures.items():
            assert close(dimensions[key][name], value), (key, name, dimensions[key][name], value)
    assert [row["role"] for row in result["roles"]] == sorted(expected["roles"])
    for row in result["roles"]:
        for name, value in expected["roles"][row["role"]].items():
            assert close(row[name], value), (row["role"], name, row[name], value)
    assert close(result["agreement"]["alpha"], expected["agreement"]["alpha"])
    assert result["agreement"]["alpha_loops"] == expected["agreement"]["alpha_loops"]


@pytest.mark.parametrize("seed", [3, 8])
def test_ratings_file_report_equals_the_rating_by_rating_computation(seed):
    rows = random_rows(seed)
    assert_matches(report_from_rows(rows, description={}, options=OPTIONS), reference(rows))


def test_database_report_equals_the_same_rows_as_a_file_and_the_rating_by_rating_computation():
    """A generated history: the database path, the ratings-file path and the reference give the same figures,
    and both paths the same bootstrap intervals (same units, same seeds)."""
    call_command("generate_load_data", loops=60, seed=5, interviewers=12, verbosity=0)
    scope = ReportScope(date_from=None, date_to=None)
    from_database = report_from_database(scope, description={}, options=OPTIONS)
    rows = calibration_rows(scope)
    from_rows = report_from_rows(rows, description={}, options=OPTIONS)
    # The loops still missing feedback are left out of the database's rows, so the file has none to leave out.
    assert (from_database["totals"]["loops_left_out"], from_rows["totals"]["loops_left_out"]) == (4, 0)
    from_rows["totals"]["loops_left_out"] = from_database["totals"]["loops_left_out"]
    # A ratings file has no evidence text: the evidence figures (from the database's scorecards) are compared
    # with the database alone; every other figure, the rater model's offsets and scales included, must agree.
    evidence = ("evidence_checked_n", "evidence_flagged_share", "evidence_n", "evidence_median_chars")
    assert any(row["evidence_n"] for row in from_database["interviewers"])
    for row in from_database["interviewers"] + from_rows["interviewers"]:
        for field in evidence:
            row.pop(field)
    for key in ("totals", "interviewers", "interviewer_dimensions", "dimensions", "agreement", "roles", "model"):
        assert from_database[key] == from_rows[key], key
    assert any(row["offset"] is not None for row in from_database["interviewers"])
    assert from_database["totals"]["scorecards"] > 100
    assert_matches({**from_database, "totals": {**from_database["totals"], "loops_left_out": 0}}, reference(rows))
