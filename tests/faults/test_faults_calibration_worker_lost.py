"""A worker killed in the middle of a calibration report: the report is noticed by its lapsed lease, said to have
lost its worker, and computed to the end by another worker, once.

To kill the worker at a known point, a second connection holds an exclusive lock on the ratings table: the
worker claims the report (running, 5%) and then waits on the lock, alive and renewing its lease, until it is
killed. Every wait polls the database with a deadline; nothing is asserted about how long anything took.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.urls import reverse
from django.utils import timezone

from hiring.models import AuditEvent
from scorecards.calibration.job import calibration_requeue_stale
from scorecards.models import CalibrationReport
from tests.faults.invariants import completions_per_report, loops_without_current_recommendation, pending_outbox
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import terminate_backends, wait_until, worker_database_url
from tests.scorecards.factories import submit_scorecard

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SE = "Software engineering"
ML = "Applied ML/AI fundamentals"


def report_row(report_id: int) -> CalibrationReport:
    return CalibrationReport.objects.get(pk=report_id)


def audit_of(report_id: int) -> list[tuple[str, Any]]:
    events = AuditEvent.objects.filter(object_type="scorecards.calibrationreport", object_id=str(report_id))
    return list(events.order_by("id").values_list("action", "after"))


@pytest.mark.timeout(300)
def test_faults_calibration_worker_killed_mid_report_is_recomputed_by_another(
    client, committee_member, celery_worker, celery_broker, tmp_path: Path
):
    """Killed at 5% while computing, the report is reported as stalled, requeued as attempt 2 of 3, and a second
    worker computes it to the end: done once, with the result of a full computation."""
    env = {
        "HIRELOOP_CALIBRATION_LEASE_SECONDS": "3",  # a heartbeat every second
        "HIRELOOP_CALIBRATION_REQUEUE_SECONDS": "1",
        "HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES": "200",
        "HIRELOOP_MEDIA_ROOT": str(tmp_path),
    }
    loop = make_loop()
    for name, score in (("ann", 4), ("bob", 2)):
        submit_scorecard(make_interview(loop=loop, interviewer=UserFactory(username=name)), {SE: score, ML: 3})
    doomed = celery_worker(name="doomed", env=env)
    broker = celery_broker.client()

    def idle() -> bool:
        """Nothing queued, nothing delivered and unfinished (the Redis transport's "unacked" hash)."""
        return broker.llen("celery") == 0 and broker.hlen("unacked") == 0

    # The recommendations (and notices) the submissions asked for come first, so that the next task to read the
    # ratings is the report's.
    wait_until(lambda: pending_outbox() == 0 and not loops_without_current_recommendation() and idle(), timeout=60,
               what=lambda: f"the recommendations:\n{doomed.log()[-3000:]}")

    locker = psycopg.connect(worker_database_url("hireloop-fault-locker"))
    try:
        locker.execute("LOCK TABLE scorecards_rating IN ACCESS EXCLUSIVE MODE")
        client.force_login(committee_member)
        today = timezone.localdate()
        response = client.post(reverse("scorecards:report-list"), {
            "role": loop.role_id, "date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat(),
            "min_sample": "5",
        })
        assert response.status_code == 302
        report_id = CalibrationReport.objects.latest("id").pk

        claimed = wait_until(
            lambda: (row := report_row(report_id)).status == "running" and row, timeout=60,
            what=lambda: f"the first worker's claim:\n{doomed.log()[-3000:]}",
        )
        assert (claimed.progress, claimed.attempts) == (5, 1)
        first_lease = claimed.lease_expires_at
        assert first_lease is not None

        # Alive and waiting on the lock, the worker keeps renewing its lease: past the first lease's end, the
        # periodic job still leaves the report alone.
        wait_until(lambda: timezone.now() > first_lease, timeout=30, what="the first lease's end")
        renewed = report_row(report_id)
        assert renewed.lease_expires_at is not None and renewed.lease_expires_at > first_lease
        assert calibration_requeue_stale() == []
        assert (report_row(report_id).status, report_row(report_id).attempts) == ("running", 1)

        doomed.kill()
        terminate_backends(doomed.application_name)
    finally:
        locker.rollback()
        locker.close()

    # The lease lapses with nobody to renew it: the page says the worker stopped, before anything else happened.
    status_url = reverse("scorecards:report-status", args=[report_id])
    stalled = wait_until(lambda: (state := client.get(status_url).json())["state"] == "stalled" and state,
                         timeout=30, what="the report to be seen as stalled")
    assert (stalled["status"], stalled["progress"], stalled["worker_stopped"]) == ("running", 5, True)
    assert stalled["message"] == "The worker stopped responding; retrying shortly (attempt 2 of 3)."

    rescuer = celery_worker(name="rescuer", beat=True, env=env)
    done = wait_until(
        lambda: (row := report_row(report_id)).status in ("done", "failed") and row, timeout=120,
        what=lambda: f"the second worker to finish the report:\n{rescuer.log()[-4000:]}",
    )

    assert (done.status, done.progress, done.attempts, done.error, done.lease_expires_at) == ("done", 100, 2, "", None)
    assert done.result is not None
    assert sorted(row["interviewer"] for row in done.result["interviewers"]) == ["ann", "bob"]
    events = audit_of(report_id)
    assert [action for action, _ in events] == [
        "calibration.requested", "calibration.worker_lost", "calibration.completed"
    ]
    assert events[1][1] == {"attempt": 1, "next_attempt": 2, "max_attempts": 3}
    assert completions_per_report()[report_id] == 1
    page = client.get(reverse("scorecards:report-detail", args=[report_id])).content.decode()
    assert "Downloads" in page
