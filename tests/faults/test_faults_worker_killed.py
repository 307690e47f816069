"""A worker killed with SIGKILL, again and again, at random moments of recommendation and report tasks.

Nothing is lost and nothing is duplicated: every loop ends with exactly one
recommendation computed from all its submitted scorecards, every requested
calibration report ends done with its three files, recorded complete once.
"""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from django.utils import timezone

from bench.processes import child_pids
from hiring.models import Role
from scorecards.calibration.services import (
    calibration_report_enqueue,
    calibration_report_file,
    calibration_report_request,
)
from scorecards.models import CalibrationReport
from scorecards.services.recompute import recommendation_enqueue
from tests.faults.invariants import (
    completions_per_report,
    duplicated_recommendations,
    loops_without_current_recommendation,
    pending_outbox,
    unfinished_reports,
)
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import terminate_backends, wait_until
from tests.scorecards.factories import submit_scorecard

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

KILLS = 20
LOOPS = 8
REPORTS = 3


def _pool_replaced(pid: int, old: list[int]) -> bool:
    now = child_pids(pid)
    return bool(now) and now != old


@pytest.mark.timeout(600)
def test_faults_worker_sigkilled_20_times_loses_and_duplicates_nothing(
    celery_worker, prefork_worker, celery_broker, settings, tmp_path: Path
):
    """20 SIGKILLs at random moments while recommendation and report tasks run; then everything completes once."""
    seed = int(os.environ.get("HIRELOOP_FAULT_SEED", random.SystemRandom().randrange(10**6)))
    rng = random.Random(seed)
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    # A report whose worker was killed waits for its lease to lapse before another worker takes it over: a short
    # lease, a requeue every second, and attempts enough for every kill (giving up is tested elsewhere: here nothing
    # may be lost).
    env = {"HIRELOOP_MEDIA_ROOT": str(media), "HIRELOOP_OUTBOX_DRAIN_SECONDS": "1",
           "HIRELOOP_OUTBOX_GRACE_SECONDS": "0", "HIRELOOP_CALIBRATION_LEASE_SECONDS": "3",
           "HIRELOOP_CALIBRATION_REQUEUE_SECONDS": "1", "HIRELOOP_CALIBRATION_MAX_ATTEMPTS": str(KILLS + 1)}

    loops = []
    for _ in range(LOOPS):
        loop = make_loop()
        for _ in range(2):
            interview = make_interview(loop=loop, interviewer=UserFactory())
            submit_scorecard(interview, {d.name: rng.randint(1, 5) for d in interview.focus_dimensions.all()})
        loops.append(loop)
    committee = UserFactory(committee=True)
    today = timezone.localdate()
    role = Role.objects.get(slug="applied-ai-engineer")
    reports = [
        calibration_report_request(actor=committee, role=role if n % 2 else None,
                                   date_from=today - timedelta(days=30 + n), date_to=today)
        for n in range(REPORTS)
    ]

    # Most kills hit the pool process running the task (the parent forks a new one within a second);
    # every fifth kills the whole worker, as a lost machine would, and a new worker is started.
    kills: list[tuple[int, str, float]] = []
    worker = prefork_worker(name="k0", env=env)
    for round_number in range(1, KILLS + 1):
        for loop in rng.sample(loops, k=3):
            recommendation_enqueue(loop.pk)
        for report in reports:
            calibration_report_enqueue(report.pk)
        delay = rng.uniform(0.1, 1.2)
        time.sleep(delay)
        if round_number % 5 == 0:
            worker.kill()
            terminate_backends(worker.application_name)
            kills.append((round_number, "worker", round(delay, 2)))
            worker = prefork_worker(name=f"k{round_number}", env=env)
            continue
        pid = worker.process.pid
        children = wait_until(partial(child_pids, pid), timeout=30, what="a pool process")
        os.kill(children[0], signal.SIGKILL)
        kills.append((round_number, "pool process", round(delay, 2)))
        wait_until(partial(_pool_replaced, pid, children), timeout=30,
                   what=f"the pool process to be replaced:\n{worker.log()[-2000:]}")
    assert len(kills) == KILLS
    worker.stop()

    survivor = celery_worker(name="survivor", beat=True, env=env)
    wait_until(
        lambda: not loops_without_current_recommendation() and not unfinished_reports() and pending_outbox() == 0,
        timeout=120,
        what=f"every recommendation and report to complete (seed {seed}):\n{survivor.log()[-3000:]}",
    )

    assert loops_without_current_recommendation() == []
    assert duplicated_recommendations() == []
    assert pending_outbox() == 0
    assert unfinished_reports() == []
    assert completions_per_report() == {report.pk: 1 for report in reports}
    # The files are rendered on the first download, from the stored result, and kept in the media storage.
    for report in CalibrationReport.objects.filter(pk__in=[r.pk for r in reports]):
        for fmt in ("csv", "xlsx", "pdf"):
            rendered = calibration_report_file(report, fmt)
            assert not isinstance(rendered, bytes)  # only JSON comes back as bytes; the stored formats as files
            assert rendered.read(), f"report {report.pk}: no {fmt} (seed {seed})"
            stored = getattr(report, f"{fmt}_file")
            assert (media / stored.name).is_file(), f"report {report.pk}: {stored.name} missing (seed {seed})"
