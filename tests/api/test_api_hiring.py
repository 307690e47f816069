"""Candidates, loops, interviews and decisions over the API: the services' rules, reached through thin views."""

from __future__ import annotations

import pytest

from hiring.models import AuditEvent, Candidate, IdempotencyKey, InterviewLoop
from scorecards.recommendations.services import recommendation_compute
from tests.api.conftest import World
from tests.scorecards.factories import submit_scorecard

NEW_CANDIDATE = {
    "name": "Amara Obi", "email": "amara.obi@example.org", "phone": "+44 20 7946 0321", "source": "Referral",
}


def test_api_candidates_create_recruiter(world: World, api) -> None:
    """A recruiter adds a candidate; the audit records which fields were given, never their values."""
    response = api(world.recruiter).post("/api/v1/candidates/", NEW_CANDIDATE, format="json")

    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in NEW_CANDIDATE} == NEW_CANDIDATE
    assert (body["is_erased"], body["erased_at"]) == (False, None)
    event = AuditEvent.objects.get(action="candidate.created", object_id=str(body["id"]))
    assert event.after == {"fields": ["name", "email", "phone", "source"]}
    assert "Amara" not in str(event.after)


def test_api_candidates_create_idempotency_key_recruiter(world: World, api) -> None:
    """The same Idempotency-Key sent twice adds the candidate once and answers the same both times."""
    client = api(world.recruiter)
    first = client.post("/api/v1/candidates/", NEW_CANDIDATE, format="json", HTTP_IDEMPOTENCY_KEY="ats-42")
    retry = client.post("/api/v1/candidates/", NEW_CANDIDATE, format="json", HTTP_IDEMPOTENCY_KEY="ats-42")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Candidate.objects.filter(email="amara.obi@example.org").count() == 1
    assert IdempotencyKey.objects.filter(user=world.recruiter, endpoint="POST /api/v1/candidates/").count() == 1


def test_api_candidates_idempotency_key_scoped_per_user(world: World, api) -> None:
    """Two users may pick the same key: each gets their own result (here, the second is a duplicate email)."""
    api(world.recruiter).post("/api/v1/candidates/", NEW_CANDIDATE, format="json", HTTP_IDEMPOTENCY_KEY="same")
    other = api(world.admin).post("/api/v1/candidates/", NEW_CANDIDATE, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert other.status_code == 409
    assert other.json()["code"] == "duplicate_email"
    assert Candidate.objects.filter(email="amara.obi@example.org").count() == 1


def test_api_candidates_invalid_idempotency_key(world: World, api) -> None:
    """A key with spaces is bad input and nothing is created."""
    response = api(world.recruiter).post(
        "/api/v1/candidates/", NEW_CANDIDATE, format="json", HTTP_IDEMPOTENCY_KEY="has spaces"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Candidate.objects.filter(email="amara.obi@example.org").exists()


def test_api_candidates_duplicate_email_conflicts(world: World, api) -> None:
    """An email already on file (any case) is a 409 naming the email field."""
    existing = world.loop.candidate
    response = api(world.recruiter).post(
        "/api/v1/candidates/", {"name": "Someone", "email": existing.email.upper()}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["field_errors"] == {"email": ["A candidate with this email already exists."]}
    assert Candidate.objects.count() == 3


def test_api_candidates_invalid_values_named(world: World, api) -> None:
    """Missing name and a malformed email are both reported, each under its field."""
    response = api(world.recruiter).post("/api/v1/candidates/", {"name": " ", "email": "not-an-email"}, format="json")

    assert response.status_code == 400
    assert response.json()["field_errors"] == {
        "name": ["Enter the candidate's name."],
        "email": ["Enter a valid email address."],
    }


def test_api_loops_open_and_schedule_recruiter(world: World, api) -> None:
    """A recruiter opens a loop for a candidate and schedules an interview with focus dimensions."""
    client = api(world.recruiter)
    opened = client.post(
        "/api/v1/loops/", {"candidate": world.spare_candidate.pk, "role": "applied-ai-engineer"}, format="json"
    )
    assert opened.status_code == 201
    loop = opened.json()
    assert (loop["status"], loop["rubric"]["version"], loop["recruiter"]["username"]) == ("open", 1, "rita")

    dimension_ids = list(world.loop.rubric.dimensions.order_by("position").values_list("pk", flat=True)[:3])
    scheduled = client.post(
        "/api/v1/interviews/",
        {"loop": loop["id"], "kind": "system_design", "interviewer": world.outsider.pk,
         "starts_at": "2031-03-02T10:00:00+01:00", "ends_at": "2031-03-02T11:00:00+01:00",
         "focus_dimensions": dimension_ids},
        format="json",
    )
    assert scheduled.status_code == 201, scheduled.content
    interview = scheduled.json()
    assert [d["id"] for d in interview["focus_dimensions"]] == dimension_ids
    assert interview["feedback_due_at"] == "2031-03-03T10:00:00Z"
    assert (interview["feedback_status"], interview["is_overdue"]) == ("pending", False)
    # One interview covers three of seven dimensions: the pages' coverage warnings come back with it.
    uncovered = world.loop.rubric.dimensions.order_by("position")[3]
    assert f"No interview covers {uncovered.name}." in interview["warnings"]


def test_api_interviews_schedule_and_reassign_return_the_pages_warnings(world: World, api) -> None:
    """A start in the past and a second interview by the same person are warned about, not refused."""
    client = api(world.recruiter)
    earlier = client.post(
        "/api/v1/interviews/",
        {"loop": world.loop.pk, "kind": "behavioural", "interviewer": world.pending.pk,
         "starts_at": "2026-01-05T10:00:00Z", "ends_at": "2026-01-05T11:00:00Z"},
        format="json",
    )
    assert earlier.status_code == 201, earlier.content
    warnings = earlier.json()["warnings"]
    assert warnings[0].startswith("This interview started in the past (Mon 05 Jan, 10:00)")
    assert warnings[1].startswith(f"{world.pending.display_name} already interviews on this loop")

    moved = client.post(f"/api/v1/interviews/{earlier.json()['id']}/reassign/", {"interviewer": world.outsider.pk},
                        format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["interviewer"]["username"] == "olga"
    assert not any("already interviews on this loop" in warning for warning in moved.json()["warnings"])


def test_api_interviews_schedule_invalid_times_and_dimensions(world: World, api) -> None:
    """An interview that ends before it starts, with another rubric's dimension, is refused field by field."""
    response = api(world.recruiter).post(
        "/api/v1/interviews/",
        {"loop": world.loop.pk, "kind": "coding", "interviewer": world.outsider.pk,
         "starts_at": "2031-03-02T10:00:00Z", "ends_at": "2031-03-02T09:00:00Z", "focus_dimensions": [999999]},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["field_errors"]
    assert errors["ends_at"] == ["The interview must end after it starts."]
    assert errors["focus_dimensions"] == ["Choose focus dimensions from this loop's rubric."]
    assert world.loop.interviews.count() == 3


@pytest.mark.parametrize(("times", "field", "message"), [
    ({"starts_at": "9999-12-31T22:00:00Z", "ends_at": "9999-12-31T23:00:00Z"}, "starts_at",
     "Schedule interviews within ten years of today."),
    ({"starts_at": "2031-03-02T10:00:00Z", "ends_at": "2031-03-04T10:00:00Z"}, "ends_at",
     "A live interview lasts at most 12 hours; check the end time."),
    ({"starts_at": "2031-03-02T10:00:00Z", "ends_at": "2031-03-02T11:00:00Z",
      "feedback_due_at": "2033-03-02T11:00:00Z"}, "feedback_due_at",
     "Feedback must be due within a year of the interview's end."),
])
def test_api_interviews_schedule_refuses_far_off_times_naming_the_field(world: World, api, times, field,
                                                                        message) -> None:
    """A year-9999 end once overflowed the feedback deadline into a 500; typos like it are a 400 now."""
    response = api(world.recruiter).post(
        "/api/v1/interviews/",
        {"loop": world.loop.pk, "kind": "coding", "interviewer": world.outsider.pk, **times},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["field_errors"][field] == [message]
    assert world.loop.interviews.count() == 3


def test_api_loops_withdraw_twice_conflicts(world: World, api) -> None:
    """A withdrawn loop is closed: withdrawing again is a state conflict."""
    client = api(world.recruiter)
    url = f"/api/v1/loops/{world.loop.pk}/withdraw/"
    first = client.post(url, {"reason": "Took another offer."}, format="json")
    second = client.post(url, {"reason": "Again."}, format="json")

    assert first.status_code == 200
    assert first.json()["status"] == "withdrawn"
    assert (second.status_code, second.json()["code"]) == (409, "loop_closed")
    world.loop.refresh_from_db()
    assert world.loop.withdrawn_reason == "Took another offer."


def test_api_loops_decision_committee(world: World, api) -> None:
    """The committee decides once the panel has submitted; a second decision is refused."""
    submit_scorecard(world.pending_interview)
    submit_scorecard(world.fresh_interview)
    recommendation_compute(loop_id=world.loop.pk)  # what the worker does after the submissions commit
    client = api(world.committee)
    url = f"/api/v1/loops/{world.loop.pk}/decision/"
    recommendation = client.get(f"/api/v1/loops/{world.loop.pk}/recommendation/").json()

    decided = client.post(url, {"decision": "hire", "rationale": "Strong across the panel.",
                                "justification": "Panel was unanimous.",
                                "expected_fingerprint": recommendation["fingerprint"]}, format="json")
    again = client.post(url, {"decision": "no_hire", "rationale": "Changed my mind."}, format="json")

    assert decided.status_code == 200, decided.content
    assert (decided.json()["decision"], decided.json()["decided_by"]["username"]) == ("hire", "cora")
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    world.loop.refresh_from_db()
    assert (world.loop.status, world.loop.decision) == (InterviewLoop.Status.DECIDED, "hire")


def test_api_loops_decision_on_a_changed_recommendation_committee(world: World, api) -> None:
    """Deciding on a recommendation that new feedback has changed is refused until it is read again."""
    client = api(world.committee)
    stale = client.get(f"/api/v1/loops/{world.loop.pk}/recommendation/").json()
    submit_scorecard(world.pending_interview)

    response = client.post(
        f"/api/v1/loops/{world.loop.pk}/decision/",
        {"decision": "no_hire", "rationale": "Weak evidence.", "confirm_outstanding": True,
         "expected_fingerprint": stale["fingerprint"]},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "recommendation_changed")
    world.loop.refresh_from_db()
    assert (world.loop.decision, world.loop.decided_by) == ("", None)


def test_api_loops_decision_hidden_from_pending_interviewer(world: World, api) -> None:
    """An interviewer who has not submitted sees the loop but not the decision or its rationale."""
    world.loop.__class__.objects.filter(pk=world.loop.pk).update(
        status="decided", decision="no_hire", decision_rationale="Weak on evaluation."
    )
    pending = api(world.pending).get(f"/api/v1/loops/{world.loop.pk}/").json()
    submitted = api(world.submitted).get(f"/api/v1/loops/{world.loop.pk}/").json()

    assert (pending["panel_visible"], pending["decision"], pending["decision_rationale"]) == (False, None, None)
    assert (submitted["panel_visible"], submitted["decision"]) == (True, "no_hire")


def test_api_interviews_filter_feedback_status_recruiter(world: World, api) -> None:
    """Recruiters find pending and overdue feedback with filters."""
    client = api(world.recruiter)
    submitted = client.get("/api/v1/interviews/", {"feedback_status": "submitted"}).json()["results"]
    drafts = client.get("/api/v1/interviews/", {"feedback_status": "draft", "loop": world.loop.pk}).json()["results"]

    assert [i["id"] for i in submitted] == [world.submitted_interview.pk]
    assert [i["id"] for i in drafts] == [world.pending_interview.pk]


def test_api_candidates_erase_admin_replays_erased(world: World, api) -> None:
    """After erasure the candidate reads as erased everywhere, an idempotent replay included."""
    client = api(world.admin)
    created = client.post("/api/v1/candidates/", NEW_CANDIDATE, format="json", HTTP_IDEMPOTENCY_KEY="erase-me").json()

    erased = client.post(f"/api/v1/candidates/{created['id']}/erase/", format="json")
    replay = client.post("/api/v1/candidates/", NEW_CANDIDATE, format="json", HTTP_IDEMPOTENCY_KEY="erase-me")

    assert erased.status_code == 200
    assert erased.json()["is_erased"] is True
    assert "Amara" not in erased.content.decode()
    assert replay.status_code == 201
    assert replay.json()["id"] == created["id"]
    assert (replay.json()["name"], replay.json()["email"]) == ("[erased]", "[erased]")
    assert "Amara" not in replay.content.decode()
    assert "amara.obi" not in str(list(IdempotencyKey.objects.values()))
    # The key stays used: the retry did not add the erased candidate again.
    assert Candidate.objects.filter(pk__gt=created["id"]).count() == 0
