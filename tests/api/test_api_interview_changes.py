"""Rescheduling and cancelling interviews, and the candidate's calendar invites, over the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from hiring.models import AuditEvent, Interview, InterviewLoop
from hiring.services.interviews import InterviewPlan, interview_schedule
from tests.api.conftest import World

pytestmark = pytest.mark.django_db


def upcoming(world: World, days: int = 5) -> Interview:
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return interview_schedule(actor=world.recruiter, loop=world.loop, plan=InterviewPlan(
        kind="behavioural", interviewer=world.outsider, starts_at=start, ends_at=start + timedelta(hours=1)))


def snapshot(interview: Interview) -> tuple:
    interview.refresh_from_db()
    return (interview.starts_at, interview.ends_at, interview.feedback_due_at, interview.cancelled_at,
            interview.sequence, AuditEvent.objects.filter(object_type="hiring.interview").count())


def test_api_interviews_reschedule_recruiter(world: World, api, settings) -> None:
    """The interview moves; the answer is the interview with the pages' warnings (here, the week's load)."""
    settings.HIRELOOP_INTERVIEWS_PER_WEEK_WARNING = 0
    interview = upcoming(world)
    today = timezone.now().date()
    monday = today + timedelta(days=35 - today.weekday())  # a week nobody has interviews in
    start = datetime(monday.year, monday.month, monday.day, 10, tzinfo=UTC)

    response = api(world.recruiter).post(f"/api/v1/interviews/{interview.pk}/reschedule/", {
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(minutes=45)).isoformat()}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    interview.refresh_from_db()
    assert (interview.starts_at, interview.ends_at, interview.sequence) == (start, start + timedelta(minutes=45), 1)
    assert body["starts_at"] == start.isoformat().replace("+00:00", "Z")
    assert body["cancelled_at"] is None
    assert f"{world.outsider.display_name} has 1 interviews in the week of {start:%a %d %b} (ISO week " \
           f"{start.isocalendar().week}), over the limit of 0 a week." in body["warnings"]


def test_api_interviews_reschedule_invalid_times_named(world: World, api) -> None:
    interview = upcoming(world)
    before = snapshot(interview)
    start = timezone.now() + timedelta(days=3)

    response = api(world.recruiter).post(f"/api/v1/interviews/{interview.pk}/reschedule/", {
        "starts_at": start.isoformat(), "ends_at": (start - timedelta(hours=1)).isoformat()}, format="json")
    missing = api(world.recruiter).post(f"/api/v1/interviews/{interview.pk}/reschedule/", {"starts_at": "soon"},
                                        format="json")

    assert response.status_code == 400
    assert response.json()["field_errors"] == {"ends_at": ["The interview must end after it starts."]}
    assert missing.status_code == 400
    assert set(missing.json()["field_errors"]) == {"starts_at", "ends_at"}
    assert snapshot(interview) == before


def test_api_interviews_reschedule_after_feedback_conflicts(world: World, api) -> None:
    before = snapshot(world.submitted_interview)
    start = timezone.now() + timedelta(days=3)

    response = api(world.recruiter).post(f"/api/v1/interviews/{world.submitted_interview.pk}/reschedule/", {
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "feedback_submitted")
    assert snapshot(world.submitted_interview) == before


def test_api_interviews_cancel_recruiter(world: World, api) -> None:
    interview = upcoming(world)

    response = api(world.recruiter).post(f"/api/v1/interviews/{interview.pk}/cancel/")
    again = api(world.recruiter).post(f"/api/v1/interviews/{interview.pk}/cancel/")

    assert response.status_code == 200, response.content
    interview.refresh_from_db()
    assert interview.cancelled_at is not None
    assert response.json()["cancelled_at"] == interview.cancelled_at.isoformat().replace("+00:00", "Z")
    assert (again.status_code, again.json()["code"]) == (409, "interview_cancelled")
    loop = api(world.recruiter).get(f"/api/v1/loops/{world.loop.pk}/").json()
    assert loop["interview_count"] == 3
    listed = api(world.recruiter).get(f"/api/v1/interviews/?loop={world.loop.pk}&cancelled=true").json()
    kept = api(world.recruiter).get(f"/api/v1/interviews/?loop={world.loop.pk}&cancelled=false").json()
    assert [row["id"] for row in listed["results"]] == [interview.pk]
    assert interview.pk not in [row["id"] for row in kept["results"]] and len(kept["results"]) == 3


@pytest.mark.parametrize("who", ["pending", "outsider", "committee"])
def test_api_interviews_reschedule_and_cancel_refused_for_non_recruiters(world: World, api, who: str) -> None:
    interview = world.fresh_interview
    before = snapshot(interview)
    start = timezone.now() + timedelta(days=3)
    client = api(world.person(who))

    moved = client.post(f"/api/v1/interviews/{interview.pk}/reschedule/", {
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}, format="json")
    cancelled = client.post(f"/api/v1/interviews/{interview.pk}/cancel/")

    assert (moved.status_code, cancelled.status_code) == (403, 403)
    assert moved.json()["code"] == "permission_denied"
    assert snapshot(interview) == before


def test_api_loops_candidate_invites_recruiter(world: World, api) -> None:
    client = api(world.recruiter)

    on = client.post(f"/api/v1/loops/{world.loop.pk}/candidate-invites/", {"enabled": True}, format="json")
    invalid = client.post(f"/api/v1/loops/{world.loop.pk}/candidate-invites/", {"enabled": "maybe"}, format="json")

    assert on.status_code == 200
    assert on.json()["candidate_invites"] is True
    assert invalid.status_code == 400
    assert set(invalid.json()["field_errors"]) == {"enabled"}
    assert InterviewLoop.objects.get(pk=world.loop.pk).candidate_invites is True


def test_api_interviews_reschedule_cancel_and_invites_replay_with_the_same_idempotency_key(world: World, api) -> None:
    """Retried with the same key, a reschedule, a cancellation and the invites switch answer as the first time
    and change nothing more (the second cancel is not a 409, the sequence moves once)."""
    interview = upcoming(world)
    client = api(world.recruiter)
    start = (timezone.now() + timedelta(days=9)).replace(microsecond=0)
    move = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}

    moved = [client.post(f"/api/v1/interviews/{interview.pk}/reschedule/", move, format="json",
                         HTTP_IDEMPOTENCY_KEY="move-1") for _ in range(2)]
    after_move = snapshot(interview)
    cancelled = [client.post(f"/api/v1/interviews/{interview.pk}/cancel/", HTTP_IDEMPOTENCY_KEY="cancel-1")
                 for _ in range(2)]
    after_cancel = snapshot(interview)
    invites = [client.post(f"/api/v1/loops/{world.loop.pk}/candidate-invites/", {"enabled": True}, format="json",
                           HTTP_IDEMPOTENCY_KEY="invites-1") for _ in range(2)]

    for first, again in (moved, cancelled, invites):
        assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
        assert again.json() == first.json()
    assert after_move[4] == 1 and after_cancel[4] == 2
    assert snapshot(interview) == after_cancel
