"""``manage.py recommend``: one loop, every open loop, and what-if files."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hiring.models import InterviewLoop
from scorecards.models import Recommendation
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "fixtures" / "examples" / "what-if.json"
RUBRIC_FILE = REPO / "fixtures" / "rubrics" / "applied-ai-engineer.yaml"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("recommend", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_recommend_what_if_example_with_rubric_file_never_touches_the_database():
    """No database fixture here: any query would fail the test. Values computed by hand.

    SE (4+5+3)/3 = 4, ML 3, SD (4+4+2)/3 = 10/3, OPS 3.5, Cost 4, RAI 4, Comm 3.5:
    0.8 + 0.45 + 0.6667 + 0.525 + 0.4 + 0.4 + 0.35 = 3.5917.
    """
    out, _ = run("--what-if", str(EXAMPLE), "--rubric-file", str(RUBRIC_FILE))
    result = json.loads(out)
    assert (result["outcome"], result["weighted_score"], result["coverage"], result["scorecard_count"]) == (
        "no_hire",
        "3.592",
        "1.0000",
        3,
    )
    assert result["reasons"] == [
        "Red flag 'Inflates claims about AI certainty or guarantees “perfect” outputs.' raised by 1 interviewer: "
        "no hire unless the committee overrides it with a written justification",
        "Interviewers are 2 points apart on Software engineering (scores from 3 to 5)",
        "Interviewers are 2 points apart on AI system design (scores from 2 to 4)",
        "A strong yes sits beside 1 no or strong no vote",
        "Weighted score 3.59 is at or above the 3.5 hire threshold",
    ]


def test_recommend_what_if_without_an_interviewer():
    """Leaving Sam out: SE 4.5, ML 3, SD 4, OPS 3.5, Cost 4, RAI 4, Comm 4 -> 3.875, a hire."""
    out, _ = run("--what-if", str(EXAMPLE), "--rubric-file", str(RUBRIC_FILE), "--without", "sam okafor")
    result = json.loads(out)
    assert (result["outcome"], result["weighted_score"], result["left_out"]) == ("hire", "3.875", ["sam okafor"])
    assert result["reasons"] == ["Weighted score 3.88 is at or above the 3.5 hire threshold"]


@pytest.mark.django_db
def test_recommend_what_if_reads_the_published_rubric(rubrics):
    """Without --rubric-file the role's newest published rubric version is used, read only."""
    out, _ = run("--what-if", str(EXAMPLE))
    result = json.loads(out)
    assert (result["rubric"], result["rubric_version"], result["weighted_score"]) == (
        "applied-ai-engineer",
        1,
        "3.592",
    )
    assert not Recommendation.objects.exists()


def test_recommend_what_if_reports_every_problem(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "rubric": "applied-ai-engineer",
                "scorecards": [
                    {"interviewer": "A", "overall": "maybe", "scores": {"Charisma": 3, "AI system design": 7},
                     "red_flags": ["Nope"]}
                ],
            }
        )
    )
    with pytest.raises(CommandError) as refused:
        run("--what-if", str(bad), "--rubric-file", str(RUBRIC_FILE), "--without", "Zed")
    assert str(refused.value).splitlines() == [
        "The what-if file is not valid.",
        "  scorecards[0].overall: Choose one of strong_no, no, yes, strong_yes.",
        "  scorecards[0].scores.Charisma: Not a dimension of this rubric (dimensions: "
        + ", ".join(ALL_DIMENSIONS) + ").",
        "  scorecards[0].scores.AI system design: Must be a whole number from 1 to 5, or null if not assessed.",
        "  scorecards[0].red_flags: 'Nope' is not a red flag of this rubric.",
        "  without: No scorecard in the file is by 'Zed'.",
    ]


def test_recommend_what_if_not_json(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{\"rubric\": ")
    with pytest.raises(CommandError, match=r"broken.json: not valid JSON \(Expecting value at line 1, column 12\)"):
        run("--what-if", str(broken))


def test_recommend_needs_exactly_one_mode():
    with pytest.raises(CommandError, match="Give exactly one of"):
        run()
    with pytest.raises(CommandError, match="Give exactly one of"):
        run("1", "--all")


def _loop_with_scores(*values: int) -> InterviewLoop:
    loop = make_loop()
    for value in values:
        interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
        submit_scorecard(interview, dict.fromkeys(ALL_DIMENSIONS, value))
    return loop


@pytest.mark.django_db
def test_recommend_one_loop_prints_and_stores_it():
    loop = _loop_with_scores(4, 3)
    out, _ = run(str(loop.pk))
    assert out.splitlines()[:6] == [
        f"Loop {loop.pk} · Applied AI Engineer rubric v1",
        "Recommendation: Hire",
        "Weighted score: 3.500   Coverage: 100%   Scorecards: 2",
        # No fit of the rater model yet: no adjustment, and the interval is the scoring noise (0.75) of two scores
        # per dimension: 1.96 * 0.75 / sqrt(2) * sqrt(sum of the squared weights, 0.1548) = 0.409.
        "Leniency-adjusted: 3.500 (95% interval for the candidate's level 3.091 to 3.909); shown beside the "
        "weighted score, it does not change the outcome",
        "Reasons:",
        "  - Weighted score 3.50 is at or above the 3.5 hire threshold",
    ]
    assert out.splitlines()[-1] == "(recomputed and stored)"
    assert Recommendation.objects.get(loop=loop).outcome == "hire"
    again, _ = run(str(loop.pk))
    assert again.splitlines()[-1] == "(inputs unchanged: nothing new stored)"


@pytest.mark.django_db
def test_recommend_missing_loop():
    with pytest.raises(CommandError, match="There is no loop 424242."):
        run("424242")


@pytest.mark.django_db
def test_recommend_all_recomputes_open_loops_with_progress():
    """Every undecided loop is recomputed; decided and withdrawn ones are left alone."""
    first, second = _loop_with_scores(4), _loop_with_scores(2)
    closed = _loop_with_scores(3)
    InterviewLoop.objects.filter(pk=closed.pk).update(status="withdrawn")
    out, err = run("--all")
    assert out.strip() == "Recomputed 2 open loop(s), 2 changed. Hire: 1, No hire: 1"
    assert err.endswith("[##############################] 2/2 loops\n")
    assert set(Recommendation.objects.values_list("loop_id", flat=True)) == {first.pk, second.pk}


@pytest.mark.django_db
def test_recommend_loop_as_what_if_round_trips(tmp_path):
    """A loop exported as a what-if file gives the same result as the stored recommendation."""
    loop = _loop_with_scores(4, 2)
    stored, _ = run(str(loop.pk), "--json")
    exported, _ = run(str(loop.pk), "--as-what-if")
    document = json.loads(exported)
    assert document["rubric"] == "applied-ai-engineer" and len(document["scorecards"]) == 2
    path = tmp_path / "loop.json"
    path.write_text(exported)
    what_if, _ = run("--what-if", str(path))
    stored_result, what_if_result = json.loads(stored), json.loads(what_if)
    for key in ("outcome", "weighted_score", "coverage", "reasons", "adjusted"):
        assert what_if_result[key] == stored_result[key], key
