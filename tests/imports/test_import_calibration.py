"""A calibration report over an imported history ranks interviewers by the leniency they were given."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.loadgen.ats import JobSpec, write_greenhouse_history
from scorecards.calibration.report import ReportOptions, report_from_database
from scorecards.calibration.selectors import ReportScope
from scorecards.models import Scorecard
from tests.imports.helpers import run_import

pytestmark = pytest.mark.django_db

# Points each interviewer adds to what the candidate deserves, by Greenhouse user id.
LENIENCY = {10000: 1.0, 10001: 0.5, 10002: 0.0, 10003: 0.0, 10004: -0.5, 10005: -1.0}


def test_calibration_report_over_an_imported_history_ranks_interviewers_by_leniency(rubrics, tmp_path):
    dimensions = tuple(rubrics["applied-ai-engineer"].dimensions.order_by("position").values_list("name", flat=True))
    job = JobSpec(4000, "Applied AI Engineer", "applied-ai-engineer", dimensions)
    written = write_greenhouse_history(tmp_path, applications=80, jobs=[job], interviewers=6, panel=4, seed=7,
                                       offsets=LENIENCY, now=datetime(2026, 6, 1, tzinfo=UTC))
    run_import(tmp_path)
    assert Scorecard.objects.filter(source="greenhouse").count() == written["scorecards"]

    report = report_from_database(ReportScope(date_from=None, date_to=None), description={},
                                  options=ReportOptions(min_sample=5, bootstrap_resamples=50))

    people = sorted(report["interviewers"], key=lambda p: p["offset"], reverse=True)
    ranking = [p["interviewer"] for p in people]
    assert ranking[:2] == ["greenhouse-10000", "greenhouse-10001"]
    assert set(ranking[2:4]) == {"greenhouse-10002", "greenhouse-10003"}
    assert ranking[4:] == ["greenhouse-10004", "greenhouse-10005"]
    flags = {p["interviewer"]: p.get("flag") for p in people}
    assert flags["greenhouse-10000"] == "lenient" and flags["greenhouse-10005"] == "severe"
    assert flags["greenhouse-10002"] == flags["greenhouse-10003"] == ""
