"""The validity report's doors: the command on files, the committee's page and downloads, everyone else refused."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.quality_of_hire import World, outcomes_csv, ratings_csv, simulate
from hiring.models import AuditEvent
from outcomes.models import ValidityReport
from outcomes.services import CheckInInput, checkin_submit
from tests.hiring.factories import UserFactory
from tests.outcomes.helpers import make_hire

# The simulation on the Applied AI Engineer rubric's own dimensions and weights.
AAE = World(
    dimensions=("Software engineering", "Applied ML/AI fundamentals", "AI system design",
                "MLOps/operational readiness", "Cost/performance thinking", "Responsible AI / security / privacy",
                "Communication & collaboration"),
    weights=(20, 15, 20, 15, 10, 10, 10),
    effects=(0.6, 0.0, 0.4, 0.0, 0.0, 0.0, 0.0),
)
FIELDS = ("n", "r", "r_low", "r_high", "r_corrected", "r_corrected_low", "r_corrected_high")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    history = simulate(AAE, 800, seed=21)
    ratings, outcomes = tmp_path / "ratings.csv", tmp_path / "outcomes.csv"
    ratings.write_text(ratings_csv(history), encoding="utf-8")
    outcomes.write_text(outcomes_csv(history), encoding="utf-8")
    return ratings, outcomes


@pytest.mark.django_db
def test_the_command_writes_the_documented_json(files, tmp_path):
    ratings, outcomes = files
    output = tmp_path / "report.json"
    call_command("validity_report", "--from-csv", str(ratings), "--outcomes", str(outcomes),
                 "--role", "applied-ai-engineer", "--format", "json", "--output", str(output), stdout=io.StringIO())
    report = json.loads(output.read_text())
    for entry in [*report["dimensions"], report["composite"], report["overall_recommendation"]]:
        assert set(FIELDS) <= set(entry)
        assert entry["r_corrected_low"] <= entry["r_corrected"] <= entry["r_corrected_high"]
    assert [d["name"] for d in report["dimensions"] if d["predictive"]] == ["Software engineering", "AI system design"]
    assert report["composite"]["n"] == report["totals"]["hires_with_outcome"] > 100
    assert report["correction"]["u"] > 1


@pytest.mark.django_db
@pytest.mark.parametrize("fmt, check", [
    ("csv", lambda data: "predictors.csv" in zipfile.ZipFile(io.BytesIO(data)).namelist()),
    ("xlsx", lambda data: data[:2] == b"PK"),
    ("pdf", lambda data: data[:5] == b"%PDF-"),
])
def test_the_command_writes_every_export(files, tmp_path, fmt, check):
    ratings, outcomes = files
    output = tmp_path / f"report.{fmt}"
    call_command("validity_report", "--from-csv", str(ratings), "--outcomes", str(outcomes), "--role",
                 "applied-ai-engineer", "--format", fmt, "--output", str(output), "--resamples", "200",
                 stdout=io.StringIO())
    assert check(output.read_bytes())


@pytest.mark.django_db
def test_a_bad_outcomes_file_names_file_line_and_column_and_writes_nothing(files, tmp_path):
    ratings, _ = files
    outcomes = tmp_path / "bad.csv"
    outcomes.write_text("loop,checkin,performance,Top KPIs\nL1,90d,7,3\nL2,quarterly,3,x\n", encoding="utf-8")
    output = tmp_path / "report.json"
    errors = io.StringIO()
    with pytest.raises(CommandError, match="3 problem"):
        call_command("validity_report", "--from-csv", str(ratings), "--outcomes", str(outcomes), "--role",
                     "applied-ai-engineer", "--output", str(output), stderr=errors, stdout=io.StringIO())
    text = errors.getvalue()
    assert f"{outcomes}: line 2, column performance: '7' is not a whole number from 1 to 5" in text
    assert f"{outcomes}: line 3, column checkin: 'quarterly' is not a check-in" in text
    assert f"{outcomes}: line 3, column Top KPIs: 'x' is not a whole number" in text
    assert not output.exists()


@pytest.mark.django_db
def test_an_unknown_role_is_refused_with_the_known_ones(files, tmp_path):
    ratings, outcomes = files
    with pytest.raises(CommandError, match="known: .*applied-ai-engineer"):
        call_command("validity_report", "--from-csv", str(ratings), "--outcomes", str(outcomes), "--role",
                     "astronaut", "--output", str(tmp_path / "x.json"))


@pytest.mark.django_db
def test_the_committee_requests_reads_and_downloads_a_report_and_each_read_is_audited(
    client, django_capture_on_commit_callbacks
):
    manager = UserFactory(username="manny")
    hire = make_hire(manager=manager)
    checkin = hire.checkins.get(label="90d")
    checkin_submit(actor=manager, checkin_id=checkin.pk,
                   data=CheckInInput(performance="4", would_hire_again="yes", still_in_role="yes"))
    committee = UserFactory(committee=True)
    client.force_login(committee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outcomes:validity"), {"role": hire.loop.role_id, "checkin": "90d"})
    report = ValidityReport.objects.get()
    assert response.status_code == 302 and report.status == ValidityReport.Status.DONE  # eager without a broker
    page = client.get(reverse("outcomes:validity-detail", args=[report.pk])).content.decode()
    assert "Predictors of performance" in page and "Software engineering" in page
    assert "Only 1 hires have an outcome" in page and "small-sample" in page
    for fmt, kind in (("csv", "application/zip"), ("pdf", "application/pdf"), ("json", "application/json")):
        download = client.get(reverse("outcomes:validity-download", args=[report.pk, fmt]))
        assert download.status_code == 200 and download["Content-Type"] == kind
    assert AuditEvent.objects.filter(action="outcome.validity_read", actor=committee).count() == 4

    refused = client.post(reverse("outcomes:validity"), {"role": "", "checkin": "monthly"})
    assert refused.status_code == 400 and "Choose one of the roles." in refused.content.decode()


@pytest.mark.django_db
def test_nobody_but_the_committee_and_admins_reaches_the_report(client):
    report = ValidityReport.objects.create(role=make_hire().loop.role, status=ValidityReport.Status.DONE,
                                           result={"x": 1})
    for user in (UserFactory(), UserFactory(recruiter=True)):
        client.force_login(user)
        for url in (reverse("outcomes:validity"), reverse("outcomes:validity-detail", args=[report.pk]),
                    reverse("outcomes:validity-download", args=[report.pk, "json"])):
            assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="outcome.validity_read").exists()


@pytest.mark.django_db
def test_the_check_in_list_costs_the_same_queries_for_one_row_and_many(client):
    manager = UserFactory(committee=True, username="manny")
    make_hire(manager=manager)
    client.force_login(manager)
    url = reverse("outcomes:checkins")
    client.get(url)
    one = _queries(client, url)
    for _ in range(3):
        make_hire(manager=manager)
    page = client.get(url).content.decode()
    assert page.count("<td>90d</td>") == 4
    assert _queries(client, url) == one


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)
