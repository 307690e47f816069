"""Loops: opening (pinning the rubric), assigning people, withdrawing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, InterviewLoop, Role
from hiring.services.interviews import InterviewPlan, interview_schedule
from hiring.services.loops import loop_assign, loop_open, loop_withdraw
from scorecards.models import Rubric
from scorecards.rubrics.services import rubric_publish
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.scorecards.factories import fixture_spec, publish_fixture_rubrics

pytestmark = pytest.mark.django_db


def test_loop_open_pins_current_rubric_version(recruiter):
    """A loop keeps the rubric version it started with when the role's rubric changes later."""
    rubric = publish_fixture_rubrics(["applied-ai-engineer"])["applied-ai-engineer"]
    manager = UserFactory(committee=True)

    loop = loop_open(actor=recruiter, candidate=CandidateFactory(), role=rubric.role, hiring_manager=manager)
    spec = fixture_spec("applied-ai-engineer")
    changed = {**spec, "rubric": {**spec["rubric"], "thresholds": {**spec["rubric"]["thresholds"], "hire": "3.6"}}}
    newer, created = rubric_publish(spec=changed)

    loop.refresh_from_db()
    assert created and newer.version == rubric.version + 1
    assert (loop.rubric_id, loop.recruiter, loop.hiring_manager, loop.status) == (
        rubric.pk, recruiter, manager, InterviewLoop.Status.OPEN)
    event = AuditEvent.objects.get(action="loop.opened")
    assert event.after == {"role": "applied-ai-engineer", "rubric_version": rubric.version,
                           "candidate_id": loop.candidate_id, "recruiter_id": recruiter.pk,
                           "hiring_manager_id": manager.pk, "candidate_invites": False}


def test_loop_open_second_active_loop_for_same_role_refused(recruiter):
    """One active loop per candidate and role; after withdrawal a new one may start."""
    loop = make_loop(recruiter=recruiter)

    with pytest.raises(Conflict) as caught:
        loop_open(actor=recruiter, candidate=loop.candidate, role=loop.role)
    assert caught.value.code == "loop_exists"
    assert InterviewLoop.objects.count() == 1

    loop_withdraw(actor=recruiter, loop=loop, reason="Paused the search.")
    again = loop_open(actor=recruiter, candidate=loop.candidate, role=loop.role)
    assert again.pk != loop.pk


def test_loop_open_role_without_rubric_refused(recruiter):
    """A role with no published rubric cannot be interviewed for yet."""
    role = Role.objects.create(slug="data-engineer", title="Data Engineer")

    with pytest.raises(NotFound):
        loop_open(actor=recruiter, candidate=CandidateFactory(), role=role)
    assert InterviewLoop.objects.count() == 0


def test_loop_open_recruiter_must_be_a_recruiter(recruiter):
    """The loop's recruiter is a recruiter (or admin), and people must be active."""
    publish_fixture_rubrics(["applied-ai-engineer"])
    role = Role.objects.get(slug="applied-ai-engineer")

    with pytest.raises(ValidationFailed) as caught:
        loop_open(actor=recruiter, candidate=CandidateFactory(), role=role, recruiter=UserFactory(),
                  hiring_manager=UserFactory(is_active=False))

    assert caught.value.field_errors == {
        "recruiter": ["Choose a recruiter (or an admin) to run the loop."],
        "hiring_manager": ["This user is deactivated."],
    }
    assert InterviewLoop.objects.count() == 0


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_loop_open_refused_for_non_recruiters(kind):
    publish_fixture_rubrics(["applied-ai-engineer"])
    with pytest.raises(PermissionRefused):
        loop_open(actor=UserFactory(kind=kind), candidate=CandidateFactory(),
                  role=Role.objects.get(slug="applied-ai-engineer"))
    assert InterviewLoop.objects.count() == 0


def test_loop_assign_changes_people_and_audits(recruiter):
    """Another recruiter can take the loop over, and a hiring manager can be named later."""
    loop = make_loop(recruiter=recruiter)
    other = UserFactory(recruiter=True)
    manager = UserFactory(committee=True)

    loop_assign(actor=recruiter, loop=loop, recruiter=other, hiring_manager=manager)

    loop.refresh_from_db()
    assert (loop.recruiter, loop.hiring_manager) == (other, manager)
    event = AuditEvent.objects.get(action="loop.assigned")
    assert (event.before, event.after) == (
        {"recruiter_id": recruiter.pk, "hiring_manager_id": None},
        {"recruiter_id": other.pk, "hiring_manager_id": manager.pk},
    )


def test_loop_withdraw_closes_with_reason_kept_out_of_audit(recruiter):
    """Withdrawal records the reason on the loop, closes it, and audits only the status change."""
    loop = make_loop(recruiter=recruiter)
    make_interview(loop=loop)

    loop_withdraw(actor=recruiter, loop=loop, reason="  Accepted an offer from Initech.  ")

    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.WITHDRAWN
    assert loop.withdrawn_reason == "Accepted an offer from Initech."
    assert loop.closed_at is not None and timezone.now() - loop.closed_at < timedelta(minutes=1)
    event = AuditEvent.objects.get(action="loop.withdrawn")
    assert (event.before, event.after) == ({"status": "awaiting_feedback"}, {"status": "withdrawn"})


def test_loop_withdraw_without_reason_refused(recruiter):
    loop = make_loop(recruiter=recruiter)

    with pytest.raises(ValidationFailed) as caught:
        loop_withdraw(actor=recruiter, loop=loop, reason="   ")

    assert caught.value.field_errors == {"reason": ["A reason is required."]}
    loop.refresh_from_db()
    assert (loop.status, loop.withdrawn_reason, loop.closed_at) == (InterviewLoop.Status.OPEN, "", None)


def test_loop_withdraw_twice_refused_and_closed_loop_takes_no_interviews(recruiter):
    """A withdrawn loop stays as it was: no second withdrawal, no new interviews, no reassignment of people."""
    loop = make_loop(recruiter=recruiter)
    loop_withdraw(actor=recruiter, loop=loop, reason="Role closed.")

    with pytest.raises(Conflict):
        loop_withdraw(actor=recruiter, loop=loop, reason="Again.")
    now = timezone.now()
    with pytest.raises(Conflict):
        interview_schedule(actor=recruiter, loop=loop, plan=InterviewPlan(
            kind="coding", interviewer=UserFactory(), starts_at=now, ends_at=now + timedelta(hours=1)))
    with pytest.raises(Conflict):
        loop_assign(actor=recruiter, loop=loop, recruiter=UserFactory(recruiter=True), hiring_manager=None)

    loop.refresh_from_db()
    assert (loop.withdrawn_reason, loop.recruiter, loop.interviews.count()) == ("Role closed.", recruiter, 0)


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_loop_withdraw_refused_for_non_recruiters(kind, recruiter):
    loop = make_loop(recruiter=recruiter)

    with pytest.raises(PermissionRefused):
        loop_withdraw(actor=UserFactory(kind=kind), loop=loop, reason="No.")

    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.OPEN


def test_loop_open_rubric_from_fixture_is_current_version(recruiter):
    """Sanity: the factory pins the newest rubric of the role."""
    loop = make_loop(recruiter=recruiter)
    assert loop.rubric == Rubric.objects.filter(role=loop.role).order_by("-version").first()
