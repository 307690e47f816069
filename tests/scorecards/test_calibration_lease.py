"""A calibration report whose worker stopped: noticed by its lapsed lease, computed again, failed after the last
attempt, and retried by the committee."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hiring.models import AuditEvent, User
from scorecards import tasks
from scorecards.calibration import job
from scorecards.calibration.lease import Heartbeat, LeaseLost
from scorecards.calibration.services import calibration_report_request
from scorecards.models import CalibrationReport
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard

pytestmark = pytest.mark.django_db

SE = "Software engineering"
ML = "Applied ML/AI fundamentals"


@pytest.fixture(autouse=True)
def quick_reports(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = 50
    settings.HIRELOOP_CALIBRATION_LEASE_SECONDS = 90
    settings.HIRELOOP_CALIBRATION_MAX_ATTEMPTS = 3


@pytest.fixture
def scored_loop():
    loop = make_loop()
    for name, score in (("ann", 4), ("bob", 2)):
        submit_scorecard(make_interview(loop=loop, interviewer=UserFactory(username=name)), {SE: score, ML: 3})
    return loop


def queued_report(actor: User) -> CalibrationReport:
    """Requested; its hand-over to the broker (on commit) never runs inside the test's transaction."""
    today = timezone.localdate()
    return calibration_report_request(actor=actor, role=None, date_from=today - timedelta(days=30), date_to=today)


def worker_dies(report: CalibrationReport, *, seconds_ago: int = 1) -> None:
    """The worker that claimed the report stopped: its heartbeat last renewed the lease, which has now lapsed."""
    CalibrationReport.objects.filter(pk=report.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def actions(report: CalibrationReport) -> list[tuple[str, Any]]:
    events = AuditEvent.objects.filter(object_type="scorecards.calibrationreport", object_id=str(report.pk))
    return list(events.order_by("id").values_list("action", "after"))


def test_services_calibration_claim_takes_a_lease_committee(committee_member):
    """A worker's claim starts attempt 1: running at 5% with a lease of HIRELOOP_CALIBRATION_LEASE_SECONDS."""
    report = queued_report(committee_member)
    before = timezone.now()
    claimed = job._claim(report.pk)
    assert claimed is not None
    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts) == ("running", 5, 1)
    assert report.lease_expires_at is not None
    assert before + timedelta(seconds=90) <= report.lease_expires_at <= timezone.now() + timedelta(seconds=90)


def test_services_calibration_requeue_lost_worker_queues_the_next_attempt(
    committee_member, scored_loop, django_capture_on_commit_callbacks
):
    """A report claimed by a worker whose lease lapsed is queued again by the periodic job (attempt 2 of 3), and
    the next worker computes it to the end."""
    report = queued_report(committee_member)
    job._claim(report.pk)
    worker_dies(report)

    with django_capture_on_commit_callbacks(execute=False) as handed_over:
        assert tasks.calibration_requeue() == 1
    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts, report.lease_expires_at) == ("queued", 0, 1, None)
    assert actions(report)[-1] == (
        "calibration.worker_lost", {"attempt": 1, "next_attempt": 2, "max_attempts": 3}
    )
    assert len(handed_over) == 1

    handed_over[0]()  # the broker delivers the requeued message; eager Celery runs the job here
    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts, report.error) == ("done", 100, 2, "")
    assert report.result is not None and report.result["totals"]["scorecards"] == 2
    assert [action for action, _ in actions(report)] == [
        "calibration.requested", "calibration.worker_lost", "calibration.completed"
    ]


def test_services_calibration_requeue_leaves_a_fresh_heartbeat_alone(committee_member):
    """A running report whose worker renews its lease is not touched, however long it has been running."""
    report = queued_report(committee_member)
    job._claim(report.pk)
    CalibrationReport.objects.filter(pk=report.pk).update(
        started_at=timezone.now() - timedelta(hours=2), progress=40,
        lease_expires_at=timezone.now() + timedelta(seconds=5),
    )
    report.refresh_from_db()
    audit_before = AuditEvent.objects.count()

    assert job.calibration_requeue_stale() == []

    again = CalibrationReport.objects.get(pk=report.pk)
    assert (again.status, again.progress, again.attempts, again.lease_expires_at) == (
        "running", 40, 1, report.lease_expires_at
    )
    assert AuditEvent.objects.count() == audit_before


def test_services_calibration_duplicate_message_skips_a_report_a_live_worker_holds(committee_member):
    """A redelivered message for a report another worker is computing starts nothing: no second attempt."""
    report = queued_report(committee_member)
    job._claim(report.pk)
    report.refresh_from_db()

    assert job.calibration_report_compute(report_id=report.pk) is None

    again = CalibrationReport.objects.get(pk=report.pk)
    assert (again.status, again.attempts, again.lease_expires_at) == ("running", 1, report.lease_expires_at)


def test_services_calibration_redelivered_message_takes_over_a_lapsed_lease(committee_member, scored_loop):
    """The broker's own redelivery of a dead worker's message starts the next attempt at once."""
    report = queued_report(committee_member)
    job._claim(report.pk)
    worker_dies(report)

    finished = job.calibration_report_compute(report_id=report.pk)

    assert finished is not None
    assert (finished.status, finished.attempts) == ("done", 2)
    assert [action for action, _ in actions(report)] == [
        "calibration.requested", "calibration.worker_lost", "calibration.completed"
    ]


def test_services_calibration_after_the_last_attempt_the_report_fails(committee_member):
    """Three workers stop in turn: the third lapse marks the report failed with a reason, and it is not requeued."""
    report = queued_report(committee_member)
    for attempt in (1, 2, 3):
        job._claim(report.pk)
        worker_dies(report)
        requeued = job.calibration_requeue_stale()
        assert requeued == ([] if attempt == 3 else [report.pk])

    report.refresh_from_db()
    assert (report.status, report.attempts, report.lease_expires_at) == ("failed", 3, None)
    assert report.error == (
        "The worker computing this report stopped 3 times before finishing (it may have run out of memory or "
        "been restarted). Retry it; if it stops again, choose a narrower scope (one role or a shorter period)."
    )
    assert actions(report)[1:] == [
        ("calibration.worker_lost", {"attempt": 1, "next_attempt": 2, "max_attempts": 3}),
        ("calibration.worker_lost", {"attempt": 2, "next_attempt": 3, "max_attempts": 3}),
        ("calibration.worker_lost", {"attempt": 3, "next_attempt": None, "max_attempts": 3}),
        ("calibration.failed", {"status": "failed", "attempts": 3}),
    ]
    assert job.calibration_requeue_stale() == []
    assert job.calibration_report_compute(report_id=report.pk) is None
    assert CalibrationReport.objects.get(pk=report.pk).status == "failed"


def test_services_calibration_worker_that_lost_its_lease_writes_nothing(committee_member, scored_loop, monkeypatch):
    """A worker paused past its lease wakes up after a second worker took the report: its progress and result are
    dropped, and the second attempt's state stands."""
    report = queued_report(committee_member)
    real = job.report_from_database

    def paused_then_overtaken(scope: Any, *, progress: Any, **kwargs: Any) -> Any:
        worker_dies(report)
        job.calibration_requeue_stale()
        assert job._claim(report.pk) is not None  # the second worker's claim: attempt 2
        progress(50)  # the first worker wakes up and reports progress
        return real(scope, progress=progress, **kwargs)

    monkeypatch.setattr(job, "report_from_database", paused_then_overtaken)
    assert job.calibration_report_compute(report_id=report.pk) is None

    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts, report.result) == ("running", 5, 2, None)
    assert [action for action, _ in actions(report)] == ["calibration.requested", "calibration.worker_lost"]
    with pytest.raises(LeaseLost):
        job._set_progress(report.pk, 1, 60)
    assert job._finish(report, 1, {"totals": {}}) is None
    assert CalibrationReport.objects.get(pk=report.pk).status == "running"


@pytest.mark.django_db(transaction=True)
def test_services_calibration_heartbeat_renews_the_lease_while_the_job_runs(settings, committee_member):
    """The heartbeat thread pushes the lease forward while the block runs, and stops with it."""
    settings.HIRELOOP_CALIBRATION_LEASE_SECONDS = 3  # a beat every second
    # Made directly: in a transactional test the request's hand-over (eager here) would compute it at once.
    today = timezone.localdate()
    report = CalibrationReport.objects.create(requested_by=committee_member, date_from=today, date_to=today)
    job._claim(report.pk)
    first = CalibrationReport.objects.get(pk=report.pk).lease_expires_at
    assert first is not None

    def renewed() -> bool:
        lease = CalibrationReport.objects.get(pk=report.pk).lease_expires_at
        return lease is not None and lease > first

    with Heartbeat(report.pk, 1) as heartbeat:
        deadline = time.monotonic() + 20
        while not renewed() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert renewed()
        assert not heartbeat.lost
    stopped_at = CalibrationReport.objects.get(pk=report.pk).lease_expires_at

    # Another attempt takes the report: the beat finds it gone and says so.
    CalibrationReport.objects.filter(pk=report.pk).update(attempts=2)
    with Heartbeat(report.pk, 1) as heartbeat:
        deadline = time.monotonic() + 20
        while not heartbeat.lost and time.monotonic() < deadline:
            time.sleep(0.1)
        assert heartbeat.lost
    assert CalibrationReport.objects.get(pk=report.pk).lease_expires_at == stopped_at


# --- The page, its status poll and the Retry button ------------------------------------------------------------------


def test_views_calibration_page_says_the_worker_stopped(client, committee_member):
    """While the lease has lapsed the page says the worker stopped; once requeued it says which attempt is next."""
    report = queued_report(committee_member)
    job._claim(report.pk)
    worker_dies(report, seconds_ago=30)
    client.force_login(committee_member)
    status_url = reverse("scorecards:report-status", args=[report.pk])

    stalled = client.get(status_url).json()
    assert {key: stalled[key] for key in ("status", "state", "message", "worker_stopped", "attempt",
                                          "max_attempts", "finished")} == {
        "status": "running", "state": "stalled",
        "message": "The worker stopped responding; retrying shortly (attempt 2 of 3).",
        "worker_stopped": True, "attempt": 1, "max_attempts": 3, "finished": False,
    }
    page = client.get(reverse("scorecards:report-detail", args=[report.pk])).content.decode()
    assert ('<p id="report-progress-text" role="status" aria-live="polite" class="warning">The worker stopped '
            "responding; retrying shortly (attempt 2 of 3).</p>") in page

    job.calibration_requeue_stale()
    retrying = client.get(status_url).json()
    assert (retrying["state"], retrying["message"]) == (
        "retrying", "The worker stopped; retrying (attempt 2 of 3). Waiting for a worker."
    )
    job._claim(report.pk)
    running = client.get(status_url).json()
    assert (running["state"], running["message"], running["worker_stopped"]) == (
        "running", "Running (attempt 2 of 3): 5% done.", False
    )


def failed_report(actor: User) -> CalibrationReport:
    """A report whose three workers all stopped, failed by the periodic job."""
    report = queued_report(actor)
    for _ in range(3):
        job._claim(report.pk)
        worker_dies(report)
        job.calibration_requeue_stale()
    report.refresh_from_db()
    assert report.status == "failed"
    return report


def test_views_calibration_failed_after_max_attempts_shows_retry(client, committee_member):
    """After the last attempt the page says why it failed and offers Retry, and the poll says it is finished."""
    report = failed_report(committee_member)
    client.force_login(committee_member)

    page = client.get(reverse("scorecards:report-detail", args=[report.pk])).content.decode()

    assert "The worker computing this report stopped 3 times before finishing" in page
    assert (f'<form method="post" action="{reverse("scorecards:report-retry", args=[report.pk])}">' in page)
    assert '<button type="submit" class="primary">Retry</button>' in page
    status = client.get(reverse("scorecards:report-status", args=[report.pk])).json()
    assert (status["state"], status["finished"], status["attempt"]) == ("failed", True, 3)


@pytest.mark.parametrize("user_fixture", ["committee_member", "admin_user"])
def test_views_calibration_retry_requeues_and_is_audited(
    client, committee_member, scored_loop, user_fixture, request, django_capture_on_commit_callbacks
):
    """Retry queues the failed report again with fresh attempts, audited as the person who pressed it; a worker
    then computes it."""
    report = failed_report(committee_member)
    actor = request.getfixturevalue(user_fixture)
    client.force_login(actor)

    with django_capture_on_commit_callbacks(execute=False) as handed_over:
        response = client.post(reverse("scorecards:report-retry", args=[report.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("scorecards:report-detail", args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.progress, report.error, report.attempts, report.finished_at) == (
        "queued", 0, "", 0, None
    )
    event = AuditEvent.objects.get(action="calibration.retried", object_id=str(report.pk))
    assert (event.actor, event.before, event.after) == (
        actor, {"status": "failed", "attempts": 3}, {"status": "queued", "attempts": 0}
    )
    page = client.get(response["Location"]).content.decode()
    assert f"Calibration report #{report.pk} was queued again." in page
    assert "Queued: waiting for a worker." in page

    handed_over[0]()
    report.refresh_from_db()
    assert (report.status, report.attempts) == ("done", 1)


def test_views_calibration_retry_twice_is_harmless(client, committee_member):
    """A second press finds the report queued: one retry is recorded and the page says why nothing more happened."""
    report = failed_report(committee_member)
    client.force_login(committee_member)
    url = reverse("scorecards:report-retry", args=[report.pk])
    client.post(url)

    second = client.post(url, follow=True)

    assert second.redirect_chain == [(reverse("scorecards:report-detail", args=[report.pk]), 302)]
    assert "This report is queued; only a failed report can be retried." in second.content.decode()
    assert AuditEvent.objects.filter(action="calibration.retried", object_id=str(report.pk)).count() == 1


@pytest.mark.parametrize("kind", ["interviewer", "recruiter"])
def test_views_calibration_retry_refused_for_non_committee(client, committee_member, kind):
    """Interviewers and recruiters cannot retry a report: 403, and the report and the audit trail are unchanged."""
    report = failed_report(committee_member)
    audit_before = AuditEvent.objects.count()
    client.force_login(UserFactory(kind=kind))

    response = client.post(reverse("scorecards:report-retry", args=[report.pk]))

    assert response.status_code == 403
    again = CalibrationReport.objects.get(pk=report.pk)
    assert (again.status, again.attempts, again.error) == ("failed", 3, report.error)
    assert AuditEvent.objects.count() == audit_before


def test_views_calibration_retry_is_post_only(client, committee_member):
    report = failed_report(committee_member)
    client.force_login(committee_member)
    assert client.get(reverse("scorecards:report-retry", args=[report.pk])).status_code == 405
    assert CalibrationReport.objects.get(pk=report.pk).status == "failed"
