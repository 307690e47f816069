"""The ratings file and the calibration_report command: good files give the report, bad rows stop it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from scorecards.calibration.report import ReportOptions, report_from_rows
from scorecards.calibration.rows import RatingsFileInvalid, parse_ratings_csv
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard

REPO = Path(__file__).resolve().parents[2]

GOOD = """\ufeffLoop ID,Interviewer,Dimension,Score,Overall Recommendation,Decision,Interview End,Submitted At,\
Role,Focus
L1,ann,Coding,4,Yes,Hire,2025-01-10T10:00:00Z,2025-01-10T14:00:00Z,Eng,yes
L1,ann,Design,3,,,,,Eng,yes
L1,bob,Coding,2,Strong No,Hire,2025-01-10T11:00:00+00:00,2025-01-12T11:00:00+00:00,Eng,yes
L1,bob,Design,not assessed,strong no,hire,2025-01-10T11:00:00+00:00,2025-01-12T11:00:00+00:00,Eng,yes
L2,ann,Coding,5,strong yes,,2025-02-11 10:00,2025-02-11 12:00,Eng,no
L2,bob,Coding,3,yes,,2025-02-11 10:00,2025-02-11 20:00,Eng,yes

L3,cy,Coding,NA,no,no hire,2025-02-12T10:00:00+00:00,2025-02-12T11:00:00+00:00,Data,
"""


def parse(text: str, **kwargs):
    return parse_ratings_csv(io.StringIO(text), feedback_due_hours=24, **kwargs)


def test_ratings_file_is_read_with_header_aliases_and_spellings():
    """Header names and choices are matched loosely; card-wide values given once apply to all its rows."""
    rows = parse(GOOD)
    assert len(rows) == 7
    design = rows[1]
    assert (design.scorecard, design.loop, design.interviewer, design.dimension, design.score) == (
        "L1 / ann", "L1", "ann", "Design", 3)
    assert (design.overall, design.decision, design.focus) == ("yes", "hire", True)
    assert design.ended_at == datetime(2025, 1, 10, 10, tzinfo=UTC)
    assert design.due_at == datetime(2025, 1, 11, 10, tzinfo=UTC)
    assert rows[3].score is None and rows[3].overall == "strong_no"
    assert rows[4].focus is False and rows[4].ended_at == datetime(2025, 2, 11, 10, tzinfo=UTC)
    assert (rows[6].decision, rows[6].focus, rows[6].role) == ("no_hire", None, "Data")


def test_ratings_file_scope_filters_by_role_and_interview_end():
    """--role matches the role column; --since and --until the day the interview ended."""
    assert {row.loop for row in parse(GOOD, role="eng")} == {"L1", "L2"}
    assert {row.loop for row in parse(GOOD, since=date(2025, 2, 1))} == {"L2", "L3"}
    assert {row.loop for row in parse(GOOD, until=date(2025, 1, 31))} == {"L1"}


def problems(text: str, **kwargs) -> list[str]:
    with pytest.raises(RatingsFileInvalid) as caught:
        parse(text, **kwargs)
    return [str(error) for error in caught.value.errors]


def test_bad_rows_are_reported_by_line_number():
    """Every bad row is named with its line (the header is line 1), all at once."""
    text = (
        "loop,interviewer,dimension,score,recommendation,interview_end\n"
        "L1,ann,Coding,6,yes,2025-01-10T10:00:00Z\n"
        "L1,ann,Design,three,yes,2025-01-10T10:00:00Z\n"
        ",bob,Coding,3,maybe,yesterday\n"
        "L1,ann,Coding,4,yes,2025-01-10T10:00:00Z\n"
        "L1,ann,Ethics,4,no,2025-01-10T10:00:00Z\n"
    )
    assert problems(text) == [
        "line 2: score '6' is not a whole number from 1 to 5 (or empty)",
        "line 3: score 'three' is not a whole number from 1 to 5 (or empty)",
        "line 4: loop is empty",
        "line 4: recommendation 'maybe' is not strong no, no, yes or strong yes",
        "line 4: interview_end 'yesterday' is not an ISO 8601 date-time such as 2025-03-04T15:30:00+00:00",
        "line 6: overall 'no' differs from 'yes' on line 5 for the same scorecard",
    ]


def test_duplicate_ratings_and_inconsistent_loops_are_refused():
    """A dimension rated twice on one scorecard, or two decisions for one loop, cannot both be true."""
    text = (
        "loop,interviewer,dimension,score,decision\n"
        "L1,ann,Coding,4,hire\n"
        "L1,ann,Coding,3,hire\n"
        "L1,bob,Coding,3,no hire\n"
    )
    assert problems(text) == [
        "line 3: dimension 'Coding' is rated twice on this scorecard (first on line 2)",
        "line 4: decision 'no_hire' differs from 'hire' on line 2 for the same loop",
    ]


def test_header_problems_stop_before_any_row():
    """Unknown or missing columns are named; filters need the column they filter on."""
    assert problems("loop,rater,criterion,grade\n") == [
        "line 1: unknown column 'grade'",
        "line 1: missing required column(s): score",
    ]
    assert problems("loop,interviewer,dimension,score\nL1,a,X,3\n", since=date(2025, 1, 1)) == [
        "line 1: a start date needs the interview_end column to filter on",
    ]
    assert problems("") == ["line 1: the file is empty; expected a header row"]
    assert problems("loop,interviewer,dimension,score\n\n") == ["line 2: the file has a header but no ratings"]


@pytest.mark.django_db
def test_command_from_csv_writes_the_same_report_as_the_core(tmp_path):
    """The command's JSON is the core's report of the same rows."""
    source = tmp_path / "ratings.csv"
    source.write_text(GOOD, encoding="utf-8")
    output = tmp_path / "out" / "report.json"
    stdout = io.StringIO()
    call_command("calibration_report", "--from-csv", str(source), "--format", "json", "--output", str(output),
                 "--resamples", "50", stdout=stdout)
    written = json.loads(output.read_text(encoding="utf-8"))
    expected = report_from_rows(parse(GOOD), description={}, options=ReportOptions(bootstrap_resamples=50))
    assert written["interviewers"] == expected["interviewers"]
    assert written["dimensions"] == expected["dimensions"]
    assert written["scope"]["source"] == "ratings file ratings.csv"
    assert "Wrote" in stdout.getvalue() and "3 interviewers" in stdout.getvalue()


@pytest.mark.django_db
def test_command_with_bad_rows_writes_nothing(tmp_path):
    """Bad rows are listed by line on stderr, the command fails and no file (not even a partial one) appears."""
    source = tmp_path / "ratings.csv"
    source.write_text("loop,interviewer,dimension,score\nL1,ann,Coding,9\nL1,bob,Coding,3\n", encoding="utf-8")
    output = tmp_path / "report.pdf"
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("calibration_report", "--from-csv", str(source), "--format", "pdf", "--output", str(output),
                     stderr=stderr)
    assert "line 2: score '9' is not a whole number from 1 to 5" in stderr.getvalue()
    assert list(tmp_path.iterdir()) == [source]


def test_command_exits_non_zero_from_the_shell(tmp_path):
    """Run as a real process: exit status 1, the line on stderr, no report file."""
    source = tmp_path / "ratings.csv"
    source.write_text("loop,interviewer,dimension,score\nL1,ann,Coding,3\nL1,,Coding,3\n", encoding="utf-8")
    output = tmp_path / "report.csv"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "CELERY_BROKER_URL": ""}
    finished = subprocess.run(
        [sys.executable, "manage.py", "calibration_report", "--from-csv", str(source), "--format", "csv",
         "--output", str(output)],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )
    assert finished.returncode == 1
    assert "line 3: interviewer is empty" in finished.stderr
    assert not output.exists()


@pytest.mark.django_db
def test_command_from_database_by_role_and_since(tmp_path, settings):
    """--role and --since choose the scorecards; an unknown role is refused with the known slugs."""
    loop = make_loop()
    for name, score in (("ann", 4), ("bob", 2)):
        submit_scorecard(make_interview(loop=loop, interviewer=UserFactory(username=name)),
                         {"Software engineering": score, "Applied ML/AI fundamentals": 3})
    output = tmp_path / "report.json"
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    call_command("calibration_report", "--role", "applied-ai-engineer", "--since", since, "--format", "json",
                 "--output", str(output), "--resamples", "20", stdout=io.StringIO())
    written = json.loads(output.read_text(encoding="utf-8"))
    assert sorted((row["interviewer"], row["mean_score"]) for row in written["interviewers"]) == [
        ("ann", 3.5), ("bob", 2.5)]
    assert (written["scope"]["role"], written["scope"]["source"]) == ("Applied AI Engineer", "database")

    with pytest.raises(CommandError, match="No role with slug 'nope' \\(known: applied-ai-engineer\\)"):
        call_command("calibration_report", "--role", "nope", "--format", "json", "--output", str(output))
    with pytest.raises(CommandError, match="not a date"):
        call_command("calibration_report", "--since", "last week", "--format", "json", "--output", str(output))
