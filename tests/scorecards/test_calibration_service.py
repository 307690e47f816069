"""Requesting, computing and scheduling calibration reports."""

from __future__ import annotations

import json
import zipfile
from datetime import date, timedelta
from typing import IO, Any, cast

import pytest
from django.utils import timezone

from hiring.errors import PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, Role, User
from scorecards import tasks as tasks_calibration
from scorecards.calibration import job
from scorecards.calibration import services as service
from scorecards.models import CalibrationReport
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import publish_fixture_rubrics, submit_scorecard

pytestmark = pytest.mark.django_db

SE = "Software engineering"
ML = "Applied ML/AI fundamentals"


@pytest.fixture(autouse=True)
def isolated_files(settings, tmp_path):
    """Reports' files go to a temporary media root; factory users hash passwords quickly."""
    settings.MEDIA_ROOT = tmp_path
    settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = 100


@pytest.fixture
def scored_loop():
    loop = make_loop()
    for name, score, overall in (("ann", 4, "yes"), ("bob", 2, "no")):
        submit_scorecard(make_interview(loop=loop, interviewer=UserFactory(username=name)), {SE: score, ML: 3},
                         overall=overall)
    return loop


def request(actor: User, **overrides: Any) -> CalibrationReport:
    today = timezone.localdate()
    values: dict[str, Any] = {"role": None, "date_from": today - timedelta(days=30), "date_to": today,
                               "interview_kind": "", "min_sample": None}
    values.update(overrides)
    return service.calibration_report_request(actor=actor, **values)


def report_file(report: CalibrationReport, fmt: str) -> IO[bytes]:
    """Only JSON comes back as bytes; the other formats are files."""
    file = service.calibration_report_file(report, fmt)
    assert not isinstance(file, bytes)
    return file


def report_json(report: CalibrationReport) -> bytes:
    content = service.calibration_report_file(report, "json")
    assert isinstance(content, bytes)
    return content


def test_services_calibration_request_committee_computes_after_commit(
    committee_member, scored_loop, django_capture_on_commit_callbacks
):
    """The report is queued in the request and computed after commit: done; its files are rendered on first download
    and stored for the next one."""
    with django_capture_on_commit_callbacks(execute=True):
        report = request(committee_member, role=scored_loop.role)
        assert report.status == CalibrationReport.Status.QUEUED
    report.refresh_from_db()
    assert (report.status, report.progress, report.error, report.min_sample) == ("done", 100, "", 5)
    assert report.result is not None
    assert report.result["totals"]["scorecards"] == 2
    assert report.result["scope"]["role"] == "Applied AI Engineer"
    assert report.started_at is not None and report.finished_at is not None
    assert report.started_at <= report.finished_at
    assert not (report.csv_file or report.xlsx_file or report.pdf_file)
    assert "interviewers.csv" in zipfile.ZipFile(report_file(report, "csv")).namelist()
    assert report_file(report, "xlsx").read()[:2] == b"PK"
    assert report_file(report, "pdf").read()[:5] == b"%PDF-"
    assert json.loads(report_json(report))["totals"] == report.result["totals"]
    report.refresh_from_db()
    with report.csv_file.open("rb") as handle:
        assert "interviewers.csv" in zipfile.ZipFile(handle).namelist()
    assert report.xlsx_file.read()[:2] == b"PK"
    assert report.pdf_file.read()[:5] == b"%PDF-"
    stored = report.pdf_file.name
    again = CalibrationReport.objects.get(pk=report.pk)
    assert again.pdf_file.name == stored and report_file(again, "pdf").read()[:5] == b"%PDF-"
    actions = list(AuditEvent.objects.filter(object_type="scorecards.calibrationreport", object_id=str(report.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["calibration.requested", "calibration.completed"]


@pytest.mark.parametrize("kind", ["interviewer", "recruiter"])
def test_services_calibration_request_refused_for_non_committee(kind, django_capture_on_commit_callbacks):
    """Interviewers and recruiters cannot request reports; nothing is created or audited."""
    actor = UserFactory(kind=kind)
    audit_before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionRefused):
        request(actor)
    assert CalibrationReport.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_services_calibration_request_admin_allowed(admin_user, django_capture_on_commit_callbacks):
    """Admins may request reports too; an empty scope gives a finished, empty report."""
    with django_capture_on_commit_callbacks(execute=True):
        report = request(admin_user)
    report.refresh_from_db()
    assert report.status == "done" and report.result is not None and report.result["totals"]["scorecards"] == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date_from": date(2025, 5, 2), "date_to": date(2025, 5, 1)}, "date_to",
         "The period must end on or after the day it starts."),
        ({"date_from": None}, "date_from", "Give the first day of the period."),
        ({"date_from": date(2015, 1, 1), "date_to": date(2025, 1, 1)}, "date_from",
         "Choose a period of at most five years."),
        ({"interview_kind": "karaoke"}, "interview_kind", "Unknown interview kind 'karaoke'."),
        ({"min_sample": 1}, "min_sample", "Choose a minimum sample from 2 to 200."),
    ],
)
def test_services_calibration_request_invalid_scope(committee_member, overrides, field, message):
    """A bad scope is refused under the field it concerns, and no report is queued."""
    with pytest.raises(ValidationFailed) as caught:
        request(committee_member, **overrides)
    assert caught.value.field_errors[field] == [message]
    assert CalibrationReport.objects.count() == 0


def test_services_calibration_compute_failure_is_recorded(committee_member, monkeypatch):
    """An unexpected error marks the report failed with a reason the committee can act on."""
    report = request(committee_member)

    def broken(*args, **kwargs):
        raise RuntimeError("division by zero somewhere deep")

    monkeypatch.setattr(job, "report_from_database", broken)
    job.calibration_report_compute(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "failed"
    assert report.error.startswith("An unexpected error stopped the computation")
    assert "division" not in report.error
    assert report.result is None and not report.pdf_file
    assert AuditEvent.objects.filter(action="calibration.failed", object_id=str(report.pk)).count() == 1


def test_services_calibration_compute_is_idempotent(committee_member, scored_loop):
    """Running the job again on a finished report changes nothing."""
    report = request(committee_member)
    job.calibration_report_compute(report_id=report.pk)
    report.refresh_from_db()
    finished_at, result = report.finished_at, report.result
    assert job.calibration_report_compute(report_id=report.pk) is None
    report.refresh_from_db()
    assert (report.finished_at, report.result) == (finished_at, result)
    assert job.calibration_report_compute(report_id=999999) is None


def test_services_calibration_broker_down_leaves_report_queued_then_requeue(
    committee_member, scored_loop, monkeypatch, django_capture_on_commit_callbacks
):
    """A dead broker never fails the request; the periodic requeue hands the report over later."""
    def refuse(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks_calibration.calibration_compute, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        report = request(committee_member)
    report.refresh_from_db()
    assert report.status == "queued"

    monkeypatch.undo()
    assert job.calibration_requeue_stale() == []  # too recent to be stale
    CalibrationReport.objects.filter(pk=report.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    assert tasks_calibration.calibration_requeue() == 1
    report.refresh_from_db()
    assert report.status == "done" and report.result is not None and report.result["totals"]["scorecards"] == 2


def test_services_calibration_monthly_schedule_is_idempotent(django_capture_on_commit_callbacks):
    """On the first of the month each role with a rubric gets last month's report, once."""
    publish_fixture_rubrics(["applied-ai-engineer", "junior-ai-engineer"])
    Role.objects.create(slug="no-rubric", title="No rubric yet")
    with django_capture_on_commit_callbacks(execute=True):
        created = service.calibration_schedule_monthly(today=date(2025, 3, 1))
    # A None role still fails here, as an AttributeError: the monthly schedule only creates per-role reports.
    assert sorted(cast(Role, report.role).slug for report in created) == ["applied-ai-engineer", "junior-ai-engineer"]
    for report in CalibrationReport.objects.all():
        assert (report.date_from, report.date_to, report.scheduled, report.requested_by) == (
            date(2025, 2, 1), date(2025, 2, 28), True, None)
        assert report.status == "done"
    assert service.calibration_schedule_monthly(today=date(2025, 3, 1)) == []
    assert CalibrationReport.objects.count() == 2
    assert service.previous_month(date(2024, 1, 15)) == (date(2023, 12, 1), date(2023, 12, 31))


def test_calibration_tasks_are_registered_and_scheduled(settings):
    """The worker knows the tasks (CELERY_IMPORTS) and beat runs the monthly report on the 1st."""
    from config.celery import app

    app.loader.import_default_modules()
    for name in ("calibration_compute", "calibration_monthly", "calibration_requeue"):
        assert f"scorecards.tasks_calibration.{name}" in app.tasks
    monthly = settings.CELERY_BEAT_SCHEDULE["calibration-monthly"]
    assert monthly["task"] == "scorecards.tasks_calibration.calibration_monthly"
    assert monthly["schedule"].day_of_month == {1}
    # Often enough that a report whose worker stopped is noticed within a few minutes (with the lease).
    assert settings.CELERY_BEAT_SCHEDULE["calibration-requeue"]["schedule"] == timedelta(seconds=60)
