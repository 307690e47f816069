"""Calibration reports through real Redis, PostgreSQL and a Celery worker process."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from scorecards.calibration.job import calibration_requeue_stale
from scorecards.models import CalibrationReport
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import broker_traffic, wait_until
from tests.scorecards.factories import submit_scorecard

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SE = "Software engineering"
ML = "Applied ML/AI fundamentals"


@pytest.fixture
def scored_loop():
    loop = make_loop()
    for name, score in (("ann", 4), ("bob", 2)):
        submit_scorecard(make_interview(loop=loop, interviewer=UserFactory(username=name)), {SE: score, ML: 3})
    return loop


def request_form(client, loop) -> int:
    today = timezone.localdate()
    response = client.post(reverse("scorecards:report-list"), {
        "role": loop.role_id, "date_from": (today - timedelta(days=7)).isoformat(), "date_to": today.isoformat(),
        "min_sample": "5",
    })
    assert response.status_code == 302
    return CalibrationReport.objects.latest("id").pk


def finished(report_id: int) -> CalibrationReport | None:
    report = CalibrationReport.objects.get(pk=report_id)
    return report if report.status in ("done", "failed") else None


def test_integration_report_requested_on_the_page_is_computed_by_a_worker(
    client, committee_member, scored_loop, celery_worker, tmp_path
):
    """The request returns at once with the report queued; a worker process computes it; the files are drawn from
    the stored result on the first download."""
    worker = celery_worker(env={"HIRELOOP_MEDIA_ROOT": str(tmp_path),
                                "HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES": "200"})
    client.force_login(committee_member)
    report_id = request_form(client, scored_loop)
    status = client.get(reverse("scorecards:report-status", args=[report_id])).json()
    assert status["status"] in ("queued", "running", "done")

    report = wait_until(lambda: finished(report_id), timeout=60, what="the worker's calibration report")
    assert (report.status, report.progress, report.error) == ("done", 100, "")
    assert sorted(row["interviewer"] for row in report.result["interviewers"]) == ["ann", "bob"]
    assert not report.pdf_file and not any(tmp_path.rglob("*.pdf"))
    download = client.get(reverse("scorecards:report-download", args=[report_id, "pdf"]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    assert "scorecards.tasks_calibration.calibration_compute" in worker.log()
    page = client.get(reverse("scorecards:report-detail", args=[report_id])).content.decode()
    assert "Downloads" in page


def test_integration_report_requested_while_redis_is_down_is_handed_over_later(
    client, committee_member, scored_loop, celery_worker, celery_broker
):
    """With the broker down the request still succeeds and the report waits, queued; the requeue delivers it."""
    celery_worker(env={"HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES": "200"})
    client.force_login(committee_member)
    celery_broker.stop()
    try:
        with broker_traffic(celery_broker.port) as request:
            report_id = request_form(client, scored_loop)
        assert CalibrationReport.objects.get(pk=report_id).status == "queued"
    finally:
        celery_broker.start()
    # The hand-over was tried and refused, then given up after its retries: the request did not wait for Redis.
    tries = 1 + celery_app.conf.broker_transport_options["max_retries"]
    assert request.connections >= tries and request.connections % tries == 0, request
    assert calibration_requeue_stale(older_than=timedelta(0)) == [report_id]
    report = wait_until(lambda: finished(report_id), timeout=60, what="the requeued calibration report")
    assert report.status == "done"
