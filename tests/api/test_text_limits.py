"""Every free-text field has a documented maximum (``hiring.text.LIMITS``): beyond it the API answers 400 naming
the field and the limit, the web form shows the error on the field and keeps the text, the admin refuses it, the
importer reports the record, and nothing is saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from hiring.models import Candidate, InterviewLoop
from hiring.text import LIMITS
from scorecards.models import Rating, Scorecard
from tests.api.conftest import World
from tests.api.test_api_scorecards import content

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def over(field: str) -> str:
    return "x" * (LIMITS[field] + 1)


Send = Callable[[World, Callable[..., APIClient]], Any]

# (what is sent, the field the error is under, the LIMITS key)
API_CASES: dict[str, tuple[Send, str, str]] = {
    "candidate name on create": (lambda w, api: api(w.recruiter).post(
        "/api/v1/candidates/", {"name": over("candidate.name"), "email": "long@example.org"}, format="json"),
        "name", "candidate.name"),
    "candidate notes on create": (lambda w, api: api(w.recruiter).post(
        "/api/v1/candidates/", {"name": "Amara Obi", "email": "amara@example.org", "notes": over("candidate.notes")},
        format="json"), "notes", "candidate.notes"),
    "candidate notes on update": (lambda w, api: api(w.recruiter).patch(
        f"/api/v1/candidates/{w.spare_candidate.pk}/", {"notes": over("candidate.notes")}, format="json"),
        "notes", "candidate.notes"),
    "scorecard evidence": (lambda w, api: api(w.pending).post(
        "/api/v1/scorecards/", {"interview": w.fresh_interview.pk, **content(w.fresh_interview, ratings=[
            {"dimension": w.fresh_interview.focus_dimensions.all()[0].pk, "score": 4,
             "evidence": over("rating.evidence")}])}, format="json"),
        "ratings.0.evidence", "rating.evidence"),
    "scorecard summary": (lambda w, api: api(w.pending).post(
        "/api/v1/scorecards/", {"interview": w.fresh_interview.pk, **content(
            w.fresh_interview, summary=over("scorecard.summary"))}, format="json"),
        "summary", "scorecard.summary"),
    "withdrawal reason": (lambda w, api: api(w.recruiter).post(
        f"/api/v1/loops/{w.loop.pk}/withdraw/", {"reason": over("loop.withdrawn_reason")}, format="json"),
        "reason", "loop.withdrawn_reason"),
    "decision rationale": (lambda w, api: api(w.committee).post(
        f"/api/v1/loops/{w.loop.pk}/decision/", {"decision": "hire", "rationale": over("loop.decision_rationale")},
        format="json"), "rationale", "loop.decision_rationale"),
    "webhook name": (lambda w, api: api(w.admin).post(
        "/api/v1/webhook-endpoints/", {"kind": "webhook", "name": over("endpoint.name"), "url": "https://example.org/hook",
                              "events": ["scorecard.submitted"]}, format="json"),
        "name", "endpoint.name"),
}


@pytest.mark.parametrize("case", API_CASES.values(), ids=API_CASES.keys())
def test_api_over_long_text_is_a_400_naming_the_field_and_the_limit(world: World, api, case) -> None:
    send, field, key = case
    candidates, scorecards, ratings = Candidate.objects.count(), Scorecard.objects.count(), Rating.objects.count()
    loop_before = InterviewLoop.objects.values("status", "withdrawn_reason", "decision_rationale").get(pk=world.loop.pk)
    notes_before = Candidate.objects.get(pk=world.spare_candidate.pk).notes

    response = send(world, api)

    assert response.status_code == 400, response.content
    errors = response.json()["field_errors"]
    assert field in errors, errors
    assert str(LIMITS[key]) in " ".join(errors[field])
    assert (Candidate.objects.count(), Scorecard.objects.count(), Rating.objects.count()) == (
        candidates, scorecards, ratings)
    assert InterviewLoop.objects.values(
        "status", "withdrawn_reason", "decision_rationale").get(pk=world.loop.pk) == loop_before
    assert Candidate.objects.get(pk=world.spare_candidate.pk).notes == notes_before


def test_api_schema_documents_each_limit(db) -> None:
    """Clients learn the limit before sending: ``maxLength`` in the schema."""
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    assert schema["CandidateCreateRequest"]["properties"]["name"]["maxLength"] == LIMITS["candidate.name"]
    assert schema["RatingInputRequest"]["properties"]["evidence"]["maxLength"] == LIMITS["rating.evidence"]
    assert schema["LoopWithdrawRequest"]["properties"]["reason"]["maxLength"] == LIMITS["loop.withdrawn_reason"]


def test_page_candidate_form_shows_the_limit_on_the_field_and_keeps_the_text(client, recruiter) -> None:
    client.force_login(recruiter)
    notes = "Met at the meetup. " + over("candidate.notes")

    response = client.post(reverse("hiring:candidate-create"), {
        "name": "Amara Obi", "email": "amara@example.org", "notes": notes,
    })

    assert response.status_code == 400
    assert f"at most {LIMITS['candidate.notes']} characters" in response.context["form"].errors["notes"][0]
    assert notes in response.content.decode()  # what was typed is still in the textarea
    assert not Candidate.objects.filter(email="amara@example.org").exists()


def test_page_withdrawal_reason_over_the_limit_is_refused_on_the_field(client, world: World) -> None:
    client.force_login(world.recruiter)
    reason = over("loop.withdrawn_reason")

    response = client.post(reverse("hiring:loop-withdraw", args=[world.loop.pk]), {"reason": reason})

    assert response.status_code == 400
    assert str(LIMITS["loop.withdrawn_reason"]) in response.context["form"].errors["reason"][0]
    assert reason in response.content.decode()
    world.loop.refresh_from_db()
    assert world.loop.status != InterviewLoop.Status.WITHDRAWN


@pytest.mark.parametrize(("model_field", "key"), [
    ("candidate_notes", "candidate.notes"),
    ("rating_evidence", "rating.evidence"),
    ("scorecard_summary", "scorecard.summary"),
])
def test_model_validation_refuses_over_long_text_so_the_admin_does(world: World, model_field, key) -> None:
    """TextFields have no length in the database: the validator is what the admin's form and ``full_clean`` run."""
    instance: Any = {
        "candidate_notes": world.spare_candidate,
        "rating_evidence": world.submitted_card.ratings.first(),
        "scorecard_summary": world.submitted_card,
    }[model_field]
    field = model_field.split("_", 1)[1]
    setattr(instance, field, over(key))

    with pytest.raises(ValidationError) as refused:
        instance.full_clean()

    assert f"at most {LIMITS[key]} characters" in str(refused.value.message_dict[field])


def test_admin_refuses_an_over_long_role_purpose(client, world: World) -> None:
    client.force_login(world.admin)
    role = world.loop.role
    url = reverse("admin:hiring_role_change", args=[role.pk])
    before = role.purpose

    response = client.post(url, {"slug": role.slug, "title": role.title, "purpose": over("role.purpose")})

    assert response.status_code == 200
    assert f"at most {LIMITS['role.purpose']} characters" in response.content.decode()
    role.refresh_from_db()
    assert role.purpose == before


def test_docs_list_every_limit() -> None:
    """The table in docs/security.md is the one people read: it says what the code enforces."""
    text = DOCS.read_text()
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| ([\d,]+) \|", text, flags=re.M))

    assert {key: int(value.replace(",", "")) for key, value in rows.items()} == LIMITS
