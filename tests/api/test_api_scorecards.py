"""Scorecards over the API: draft, update, submit, amend, with versions, idempotency and the independence rule."""

from __future__ import annotations

from typing import Any

from hiring.models import AuditEvent, IdempotencyKey, Interview
from scorecards.models import Rating, Scorecard
from tests.api.conftest import World
from tests.scorecards.factories import submit_scorecard


def content(interview: Interview, score: int = 4, **extra: Any) -> dict[str, Any]:
    return {
        "ratings": [
            {"dimension": d.pk, "score": score, "evidence": "Reasoned about latency budgets with numbers."}
            for d in interview.focus_dimensions.all()
        ],
        "overall": "yes",
        "summary": "Clear thinker.",
        **extra,
    }


def test_api_scorecards_create_draft_interviewer(world: World, api) -> None:
    """The interviewer starts a draft with content; it is theirs, version 2 after the first save."""
    response = api(world.pending).post(
        "/api/v1/scorecards/", {"interview": world.fresh_interview.pk, **content(world.fresh_interview)}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    card = Scorecard.objects.get(pk=body["id"])
    assert (card.interviewer, card.status, card.overall, card.version) == (world.pending, "draft", "yes", 2)
    assert body["interview"] == world.fresh_interview.pk
    assert body["loop"] == world.loop.pk
    assert sorted(r["dimension"] for r in body["ratings"]) == sorted(
        d.pk for d in world.fresh_interview.focus_dimensions.all()
    )
    assert all(r["score"] == 4 for r in body["ratings"])
    assert AuditEvent.objects.filter(action="scorecard.created", object_id=str(card.pk)).count() == 1


def test_api_scorecards_create_idempotency_key_replays_interviewer(world: World, api) -> None:
    """A retried create with the same Idempotency-Key returns the first scorecard instead of a 409 or a copy."""
    client = api(world.pending)
    payload = {"interview": world.fresh_interview.pk, **content(world.fresh_interview)}

    first = client.post("/api/v1/scorecards/", payload, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    again = client.post("/api/v1/scorecards/", payload, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Scorecard.objects.filter(interview=world.fresh_interview).count() == 1
    assert AuditEvent.objects.filter(action="scorecard.created", object_id=str(first.json()["id"])).count() == 1
    assert IdempotencyKey.objects.get().endpoint == "POST /api/v1/scorecards/"


def test_api_scorecards_create_idempotency_key_other_body_refused(world: World, api) -> None:
    """Reusing a key for a different request is refused and creates nothing more."""
    client = api(world.pending)
    client.post("/api/v1/scorecards/", {"interview": world.fresh_interview.pk}, format="json",
                HTTP_IDEMPOTENCY_KEY="k-1")

    response = client.post("/api/v1/scorecards/", {"interview": world.fresh_interview.pk, "summary": "x"},
                           format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["field_errors"] == {
        "Idempotency-Key": ["Already used for a different request. Use a new key for a new request."]
    }
    assert Scorecard.objects.filter(interview=world.fresh_interview).count() == 1


def test_api_scorecards_create_twice_without_key_conflicts(world: World, api) -> None:
    """A second start of the same scorecard is a state conflict, and the draft stays as it was."""
    response = api(world.pending).post(
        "/api/v1/scorecards/", {"interview": world.pending_interview.pk, "summary": "Overwrite?"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "scorecard_exists"
    world.pending_draft.refresh_from_db()
    assert world.pending_draft.summary == "Solid interview."


def test_api_scorecards_create_failed_content_rolls_back_the_start(world: World, api) -> None:
    """Content that the service refuses leaves no empty draft behind: create is all or nothing."""
    response = api(world.pending).post(
        "/api/v1/scorecards/",
        {"interview": world.fresh_interview.pk, "ratings": [{"dimension": 999999, "score": 3}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["field_errors"] == {"ratings": ["Dimension 999999 is not part of this rubric."]}
    assert not Scorecard.objects.filter(interview=world.fresh_interview).exists()


def test_api_scorecards_update_stale_version_interviewer(world: World, api) -> None:
    """A save based on an older version is refused with 409 and nothing changes."""
    card = world.pending_draft
    response = api(world.pending).patch(
        f"/api/v1/scorecards/{card.pk}/", {"summary": "From an old tab.", "version": card.version - 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    card.refresh_from_db()
    assert (card.summary, card.version) == ("Solid interview.", 2)


def test_api_scorecards_update_if_match_interviewer(world: World, api) -> None:
    """If-Match carries the version: the current one saves and returns the next ETag, an old one is refused."""
    client = api(world.pending)
    url = f"/api/v1/scorecards/{world.pending_draft.pk}/"
    etag = client.get(url)["ETag"]
    assert etag == '"2"'

    saved = client.patch(url, {"summary": "Sharper summary."}, format="json", HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"summary": "Lost update."}, format="json", HTTP_IF_MATCH=etag)

    assert saved.status_code == 200
    assert saved["ETag"] == '"3"'
    assert saved.json()["summary"] == "Sharper summary."
    assert stale.status_code == 409
    assert Scorecard.objects.get(pk=world.pending_draft.pk).summary == "Sharper summary."


def test_api_scorecards_update_version_and_if_match_disagree(world: World, api) -> None:
    """Two different versions in one request are bad input, not a guess."""
    response = api(world.pending).patch(
        f"/api/v1/scorecards/{world.pending_draft.pk}/", {"summary": "?", "version": 2}, format="json",
        HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 400
    assert set(response.json()["field_errors"]) == {"version", "If-Match"}


def test_api_scorecards_patch_keeps_put_replaces(world: World, api) -> None:
    """PATCH changes only the fields sent; PUT replaces the whole content."""
    client = api(world.pending)
    url = f"/api/v1/scorecards/{world.pending_draft.pk}/"

    patched = client.patch(url, {"summary": "Only the summary."}, format="json").json()
    assert (patched["summary"], patched["overall"], len(patched["ratings"])) == ("Only the summary.", "yes", 2)

    replaced = client.put(url, {"overall": "no"}, format="json").json()
    assert (replaced["summary"], replaced["overall"], replaced["ratings"]) == ("", "no", [])


def test_api_scorecards_patch_merges_ratings_by_dimension(world: World, api) -> None:
    """PATCH ratings replace only the dimensions sent: one score changes, the other stays; an empty one clears."""
    client = api(world.pending)
    url = f"/api/v1/scorecards/{world.pending_draft.pk}/"
    before = {r["dimension"]: r for r in client.get(url).json()["ratings"]}
    first, second = sorted(before)

    changed = client.patch(url, {"ratings": [{"dimension": first, "score": 2, "evidence": "Struggled with tests."}]},
                           format="json").json()
    after = {r["dimension"]: r for r in changed["ratings"]}
    assert (after[first]["score"], after[first]["evidence"]) == (2, "Struggled with tests.")
    assert after[second] == before[second]

    cleared = client.patch(url, {"ratings": [{"dimension": second}]}, format="json").json()
    assert [(r["dimension"], r["score"]) for r in cleared["ratings"]] == [(first, 2)]


def test_api_scorecards_submit_incomplete_names_fields(world: World, api) -> None:
    """Submitting without evidence or an overall names each missing field, as the web form does."""
    interview = world.fresh_interview
    client = api(world.pending)
    card = client.post("/api/v1/scorecards/", {"interview": interview.pk}, format="json").json()
    dimension = interview.focus_dimensions.order_by("position").first()
    assert dimension is not None

    response = client.post(
        f"/api/v1/scorecards/{card['id']}/submit/",
        {"ratings": [{"dimension": dimension.pk, "score": 4}]},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "incomplete"
    assert body["field_errors"][f"dimension-{dimension.pk}-evidence"] == [
        "Give the evidence for this score: what the candidate said or did."
    ]
    assert body["field_errors"]["overall"] == ["Choose an overall recommendation."]
    assert Scorecard.objects.get(pk=card["id"]).status == "draft"


def test_api_scorecards_submit_then_resubmit_conflicts(world: World, api) -> None:
    """A complete draft is submitted as saved; submitting it again is a 409 and editing it too."""
    client = api(world.pending)
    url = f"/api/v1/scorecards/{world.pending_draft.pk}/"

    submitted = client.post(url + "submit/", {"version": 2}, format="json")
    again = client.post(url + "submit/", {}, format="json")
    edit = client.patch(url, {"summary": "Too late."}, format="json")

    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"] is not None
    assert (again.status_code, again.json()["code"]) == (409, "already_submitted")
    assert (edit.status_code, edit.json()["code"]) == (409, "already_submitted")
    assert Scorecard.objects.get(pk=world.pending_draft.pk).summary == "Solid interview."


def test_api_scorecards_amend_after_debrief(world: World, api) -> None:
    """Once the panel has submitted, an amendment is a new revision; the original stays exactly as submitted."""
    submit_scorecard(world.pending_interview)
    submit_scorecard(world.fresh_interview)
    original = world.submitted_card
    original_scores = list(Rating.objects.filter(scorecard=original).values_list("dimension_id", "score"))
    client = api(world.submitted)

    response = client.post(
        f"/api/v1/scorecards/{original.pk}/amend/",
        {"ratings": content(world.submitted_interview, score=2)["ratings"], "overall": "no",
         "reason": "The debrief showed I over-credited the design answer."},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["revision"], body["amends"], body["is_current"], body["overall"]) == (2, original.pk, True, "no")
    assert body["amendment_reason"] == "The debrief showed I over-credited the design answer."
    original.refresh_from_db()
    assert (original.is_current, original.overall) == (False, "yes")
    assert list(Rating.objects.filter(scorecard=original).values_list("dimension_id", "score")) == original_scores

    old_revision = client.post(
        f"/api/v1/scorecards/{original.pk}/amend/", {"overall": "strong_no", "reason": "Again."}, format="json"
    )
    assert (old_revision.status_code, old_revision.json()["code"]) == (409, "not_current")


def test_api_scorecards_list_independence_interviewer(world: World, api) -> None:
    """An interviewer lists only their own scorecards until they submit; then the panel's submitted ones appear."""
    client = api(world.pending)
    before = {card["id"] for card in client.get("/api/v1/scorecards/").json()["results"]}
    assert before == {world.pending_draft.pk}

    submit_scorecard(world.pending_interview)
    submit_scorecard(world.fresh_interview)

    after = client.get("/api/v1/scorecards/", {"loop": world.loop.pk, "status": "submitted"}).json()["results"]
    assert {card["interviewer"]["username"] for card in after} == {"ivy", "sam"}
    assert world.outsider_draft.pk not in {card["id"] for card in after}


def test_api_scorecards_invalid_score_named_by_dimension(world: World, api) -> None:
    """A score outside 1-5 is refused under the dimension's field name."""
    dimension = world.pending_interview.focus_dimensions.first()
    assert dimension is not None
    response = api(world.pending).patch(
        f"/api/v1/scorecards/{world.pending_draft.pk}/",
        {"ratings": [{"dimension": dimension.pk, "score": 7, "evidence": "?"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["field_errors"] == {f"dimension-{dimension.pk}-score": ["Choose a score from 1 to 5."]}


def test_api_scorecards_bad_types_are_400_with_dotted_fields(world: World, api) -> None:
    """Wrong JSON types are named by their path in the body."""
    response = api(world.pending).patch(
        f"/api/v1/scorecards/{world.pending_draft.pk}/",
        {"ratings": [{"dimension": "first", "score": "high"}], "overall": "maybe"},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["field_errors"]
    assert set(errors) == {"ratings.0.dimension", "ratings.0.score", "overall"}
    assert errors["overall"] == ['"maybe" is not a valid choice.']
