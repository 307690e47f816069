"""The calibration report's evidence columns: per interviewer, the share of scorecards with evidence hints and the
median evidence length, computed by the database, on the page and in the exports."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from scorecards.calibration.exports import render_csv_zip
from scorecards.calibration.report import ReportOptions, report_from_database
from scorecards.calibration.selectors import ReportScope
from scorecards.calibration.tables import display_tables
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard

pytestmark = pytest.mark.django_db

SE = "Software engineering"
ML = "Applied ML/AI fundamentals"
OPTIONS = ReportOptions(bootstrap_resamples=50)
CLEAN = "Wrote the join, checked for duplicate rows and explained how the nulls would skew the weekly count."


def _report():
    today = timezone.localdate()
    scope = ReportScope(date_from=today - timedelta(days=1), date_to=today + timedelta(days=1))
    return report_from_database(scope, description={}, options=OPTIONS)


def test_flagged_share_and_median_evidence_length_per_interviewer():
    ivy = UserFactory(username="ivy")
    jo = UserFactory(username="jo")
    for evidence in ("great culture fit, very smart", CLEAN, CLEAN):
        loop = make_loop()
        submit_scorecard(make_interview(loop=loop, interviewer=ivy, focus=[SE, ML]), {SE: 3, ML: 3},
                         evidence=evidence)
        submit_scorecard(make_interview(loop=loop, interviewer=jo, focus=[SE, ML]), {SE: 4, ML: 4},
                         evidence=CLEAN)
    people = {row["interviewer"]: row for row in _report()["interviewers"]}
    assert (people["ivy"]["evidence_checked_n"], people["ivy"]["evidence_flagged_share"]) == (3, round(1 / 3, 4))
    assert (people["jo"]["evidence_checked_n"], people["jo"]["evidence_flagged_share"]) == (3, 0.0)
    # Ivy's six ratings: two of 29 characters, four of len(CLEAN); the median is the middle of the sorted six.
    assert people["ivy"]["evidence_n"] == 6
    assert people["ivy"]["evidence_median_chars"] == float(len(CLEAN))
    assert people["jo"]["evidence_median_chars"] == float(len(CLEAN))


def test_the_evidence_columns_are_on_the_page_table_and_in_the_csv():
    ivy = UserFactory(username="ivy", first_name="Ivy", last_name="Quinn")
    loop = make_loop()
    submit_scorecard(make_interview(loop=loop, interviewer=ivy, focus=[SE]), {SE: 3}, evidence="very smart")
    submit_scorecard(make_interview(loop=loop, interviewer=UserFactory(), focus=[SE]), {SE: 3}, evidence=CLEAN)
    result = _report()
    table = next(t for t in display_tables(result) if t.name == "evidence")
    assert any(row["name"] == "Ivy Quinn" and row["evidence_flagged_share"] == 1.0 for row in table.rows)
    with zipfile.ZipFile(io.BytesIO(render_csv_zip(result))) as archive:
        name = next(n for n in archive.namelist() if "interviewer" in n and "dimension" not in n)
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    ivy_row = next(row for row in rows if row["Interviewer"] == "ivy")
    assert ivy_row["Share with evidence hints"] in ("1.0", "1", "1.0000", "100%")
    assert ivy_row["Median evidence length (characters)"].startswith("10")
