"""Calibration reports over the API: request, poll state and progress, download every format."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from hiring.models import AuditEvent
from scorecards.calibration.job import calibration_report_compute
from scorecards.models import CalibrationReport
from tests.api.conftest import World


def _today() -> str:
    return timezone.localdate().isoformat()


@pytest.fixture
def quick_reports(settings, tmp_path) -> None:
    # The bootstrap behind each agreement interval is the slow part; a few resamples keep the test quick.
    settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = 20
    settings.MEDIA_ROOT = tmp_path


def test_api_calibration_request_poll_download_committee(world: World, api, quick_reports) -> None:
    """The committee requests a report, polls it to done, and downloads CSV, XLSX, PDF and JSON."""
    client = api(world.committee)
    requested = client.post(
        "/api/v1/calibration-reports/",
        {"role": world.loop.role.slug, "date_from": "2024-01-01", "date_to": _today()},
        format="json",
    )
    assert requested.status_code == 202
    report = requested.json()
    assert (report["status"], report["progress"], report["downloads"]) == ("queued", 0, {})
    assert (report["role"]["slug"], report["requested_by"]["username"]) == (world.loop.role.slug, "cora")

    calibration_report_compute(report_id=report["id"])  # what the worker does once the request has committed

    polled = client.get(f"/api/v1/calibration-reports/{report['id']}/").json()
    assert (polled["status"], polled["progress"], polled["error"]) == ("done", 100, "")
    assert set(polled["downloads"]) == {"csv", "xlsx", "pdf", "json"}

    files = {fmt: client.get(url) for fmt, url in polled["downloads"].items()}
    assert {fmt: response.status_code for fmt, response in files.items()} == dict.fromkeys(files, 200)
    assert files["pdf"]["Content-Type"] == "application/pdf"
    assert b"".join(files["pdf"].streaming_content).startswith(b"%PDF")
    assert files["xlsx"]["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert zipfile.is_zipfile(io.BytesIO(b"".join(files["xlsx"].streaming_content)))
    assert files["csv"]["Content-Disposition"] == f'attachment; filename="calibration-report-{report["id"]}.zip"'
    assert zipfile.is_zipfile(io.BytesIO(b"".join(files["csv"].streaming_content)))
    assert json.loads(files["json"].content)["totals"]


def test_api_calibration_download_ignores_accept(world: World, api, quick_reports) -> None:
    """Asking for the file's own type in Accept is fine: the format is in the URL."""
    calibration_report_compute(report_id=world.report.pk)

    response = api(world.admin).get(
        f"/api/v1/calibration-reports/{world.report.pk}/download/pdf/", HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_api_calibration_download_unfinished_conflicts(world: World, api) -> None:
    response = api(world.committee).get(f"/api/v1/calibration-reports/{world.report.pk}/download/csv/",
                                        HTTP_ACCEPT="application/zip")

    assert response.status_code == 409
    assert response.json()["code"] == "not_finished"
    assert response["Content-Type"] == "application/json"


def test_api_calibration_request_invalid_scope(world: World, api) -> None:
    """A period that ends before it starts, or a minimum sample out of bounds, is refused field by field."""
    response = api(world.committee).post(
        "/api/v1/calibration-reports/",
        {"date_from": "2026-06-30", "date_to": "2026-01-01", "min_sample": 1},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["field_errors"] == {
        "date_to": ["The period must end on or after the day it starts."],
        "min_sample": ["Choose a minimum sample from 2 to 200."],
    }
    assert CalibrationReport.objects.count() == 1


def test_api_calibration_request_ending_after_today_is_refused(world: World, api) -> None:
    """A period ending tomorrow would read as complete while holding only the days so far: refused."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = api(world.committee).post(
        "/api/v1/calibration-reports/", {"date_from": "2026-01-01", "date_to": tomorrow.isoformat()}, format="json"
    )

    assert response.status_code == 400
    today = timezone.localdate()
    assert response.json()["field_errors"] == {
        "date_to": [f"The period cannot end after today ({today:%d %b %Y}): later days have no feedback yet."],
    }
    assert CalibrationReport.objects.count() == 1


def test_api_calibration_list_filters_by_status(world: World, api, quick_reports) -> None:
    client = api(world.committee)
    done = client.post(
        "/api/v1/calibration-reports/", {"date_from": "2024-01-01", "date_to": _today()}, format="json"
    ).json()
    calibration_report_compute(report_id=done["id"])

    queued = client.get("/api/v1/calibration-reports/", {"status": "queued"}).json()["results"]
    finished = client.get("/api/v1/calibration-reports/", {"status": "done"}).json()["results"]

    assert [row["id"] for row in queued] == [world.report.pk]
    assert [row["id"] for row in finished] == [done["id"]]


def test_api_calibration_poll_says_the_worker_stopped_and_retry_requeues_committee(world: World, api) -> None:
    """Polling names a stopped worker and the next attempt; a failed report's retry queues it again, audited."""
    client = api(world.committee)
    CalibrationReport.objects.filter(pk=world.report.pk).update(
        status="running", progress=5, attempts=1, lease_expires_at=timezone.now() - timedelta(seconds=10)
    )

    polled = client.get(f"/api/v1/calibration-reports/{world.report.pk}/").json()

    assert {key: polled[key] for key in ("status", "state", "message", "attempts", "max_attempts")} == {
        "status": "running", "state": "stalled", "attempts": 1, "max_attempts": 3,
        "message": "The worker stopped responding; retrying shortly (attempt 2 of 3).",
    }

    CalibrationReport.objects.filter(pk=world.report.pk).update(status="failed", attempts=3, error="Stopped.")
    retried = client.post(f"/api/v1/calibration-reports/{world.report.pk}/retry/", format="json")

    assert retried.status_code == 202
    assert {key: retried.json()[key] for key in ("status", "state", "attempts", "error", "lease_expires_at")} == {
        "status": "queued", "state": "queued", "attempts": 0, "error": "", "lease_expires_at": None,
    }
    event = AuditEvent.objects.get(action="calibration.retried", object_id=str(world.report.pk))
    assert (event.actor, event.before, event.after) == (
        world.committee, {"status": "failed", "attempts": 3}, {"status": "queued", "attempts": 0}
    )
    again = client.post(f"/api/v1/calibration-reports/{world.report.pk}/retry/", format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "not_failed"
    assert AuditEvent.objects.filter(action="calibration.retried").count() == 1
