"""Idempotency-Key on every API write: a retry gets the first answer back and the write is not done again.

The first tests walk the URL resolver and the OpenAPI schema, so that a write endpoint added without the
mechanism, or without a replay case below, fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from config.api.idempotency import IdempotentWritesMixin
from config.api.urls import v1
from hiring.accounts.tokens import api_token_create
from hiring.models import AuditEvent, Candidate, IdempotencyKey, InterviewLoop
from hiring.tasks import purge_idempotency_keys
from privacy.erasure import candidate_erase
from scorecards.api.scorecards import ScorecardViewSet
from scorecards.models import Recommendation, Scorecard
from tests.api import test_api_exercises_permissions as take_home_matrix
from tests.api import test_api_permissions as matrix
from tests.api.conftest import World
from tests.api.test_api_exercises_permissions import th  # noqa: F401 - the take-home world fixture
from tests.scorecards.factories import submit_scorecard

UNSAFE = ("post", "put", "patch", "delete")
KEY_RULE = "Use 1 to 255 printable ASCII characters without spaces."
REUSED = {"Idempotency-Key": ["Already used for a different request. Use a new key for a new request."]}


def _api_callbacks(patterns: list[Any], prefix: str = "/api/v1/") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _api_callbacks(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _writes(callback: Any) -> set[str]:
    """The unsafe methods a DRF view answers (a viewset's bound actions, an APIView's handlers)."""
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return {method for method in actions if method in UNSAFE}
    view_class = getattr(callback, "cls", None)
    return {method for method in UNSAFE if view_class is not None and hasattr(view_class, method)}


def test_api_idempotency_every_write_view_honours_the_key() -> None:
    """Every view under /api/v1/ that answers POST, PUT, PATCH or DELETE has IdempotentWritesMixin."""
    writers = {route: callback.cls for route, callback in _api_callbacks(v1) if _writes(callback)}

    assert len(writers) >= 10
    missing = sorted(route for route, view_class in writers.items()
                     if not issubclass(view_class, IdempotentWritesMixin))
    assert missing == [], "add config.api.idempotency.IdempotentWritesMixin to these views"


def _schema_writes() -> list[tuple[str, str, dict[str, Any]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method, path, operation) for path, methods in schema["paths"].items()
            for method, operation in methods.items() if method in UNSAFE]


def test_api_idempotency_every_write_operation_documents_the_key(db) -> None:
    """Every write operation of the schema documents the header and the 422 for a key reused."""
    writes = _schema_writes()

    assert len(writes) >= 20
    for method, path, operation in writes:
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert len(headers) == 1, f"{method.upper()} {path}"
        assert "422" in operation["responses"], f"{method.upper()} {path}"


def test_api_idempotency_every_write_operation_checks_the_key(world: World, api) -> None:
    """Every write operation reads the header: a malformed key is refused naming it, before anything is done."""
    client = api(world.admin)
    before = matrix.state()
    answers = {}
    for method, path, _ in _schema_writes():
        url = re.sub(r"\{[^}]+\}", "999999", path)
        response = getattr(client, method)(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="has spaces")
        answers[f"{method.upper()} {path}"] = (response.status_code, response.json())

    expected = (400, {"code": "invalid_idempotency_key",
                      "message": "The Idempotency-Key header must be 1 to 255 printable ASCII characters without "
                                 "spaces.",
                      "field_errors": {"Idempotency-Key": [KEY_RULE]}})
    assert {where: answer for where, answer in answers.items() if answer != expected} == {}
    assert matrix.state() == before


# --- Every write, replayed -----------------------------------------------------------------------------------------

# Writes no actor of the matrices can complete in their world; each has a replay test of its own below.
# Replayed in their own tests: the amendment in this file, the admins' webhook writes in test_api_webhooks.py,
REPLAYED_ELSEWHERE = {
    ("post", "/api/v1/scorecards/{id}/amend/"),
    ("post", "/api/v1/webhook-endpoints/"),
    ("put", "/api/v1/webhook-endpoints/{id}/"),
    ("patch", "/api/v1/webhook-endpoints/{id}/"),
    ("delete", "/api/v1/webhook-endpoints/{id}/"),
    ("post", "/api/v1/webhook-endpoints/{id}/disable/"),
    ("post", "/api/v1/webhook-endpoints/{id}/enable/"),
    ("post", "/api/v1/webhook-endpoints/{id}/rotate-secret/"),
    ("post", "/api/v1/webhook-deliveries/{id}/redeliver/"),
    # ... and the calendar's writes in test_api_interview_changes.py.
    ("post", "/api/v1/interviews/{id}/reschedule/"),
    ("post", "/api/v1/interviews/{id}/cancel/"),
    ("post", "/api/v1/loops/{id}/candidate-invites/"),
}


def _succeeds(case: Any) -> str:
    """The first actor the matrix expects to succeed ("" for none)."""
    return next((actor for actor, status in case.expected.items() if 200 <= status < 300), "")


HIRING_WRITES = [case for case in matrix.CASES if case.method in UNSAFE and _succeeds(case)]
TAKE_HOME_WRITES = [case for case in take_home_matrix.CASES if case.method in UNSAFE and _succeeds(case)]


def _template_matches(path: str, url: str) -> bool:
    return re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)), url.split("?")[0]) is not None


def test_api_idempotency_every_write_operation_has_a_replay_case(th: take_home_matrix.TakeHomeWorld) -> None:  # noqa: F811
    """Each write operation of the schema is replayed by a case below (a new endpoint needs one)."""
    urls = [(case.method, case.url(th.world)) for case in HIRING_WRITES]
    urls += [(case.method, case.url(th)) for case in TAKE_HOME_WRITES]

    uncovered = [
        f"{method.upper()} {path}" for method, path, _ in _schema_writes()
        if (method, path) not in REPLAYED_ELSEWHERE
        and not any(method == case_method and _template_matches(path, url) for case_method, url in urls)
    ]
    assert uncovered == [], "add a Case to tests/api/test_api_permissions.py (or the take-home matrix)"


def _replay(client: APIClient, method: str, url: str, body: dict[str, Any] | None, key: str) -> tuple[Any, Any]:
    kwargs: dict[str, Any] = {"format": "json", "HTTP_IDEMPOTENCY_KEY": key}
    if body is not None:
        kwargs["data"] = body
    first = getattr(client, method)(url, **kwargs)
    return first, kwargs


@pytest.mark.parametrize("case", HIRING_WRITES, ids=[case.name for case in HIRING_WRITES])
def test_api_idempotency_write_replays_first_answer(case: Any, world: World, api) -> None:
    """Sent again with the same key, the write answers exactly as the first time and writes nothing more: no row,
    no audit event, no recompute request, no second key."""
    actor = _succeeds(case)
    client = api(world.person(actor))
    if case.prepare is not None:
        case.prepare(world)
    url = case.url(world)
    body = case.body(world) if case.body is not None else None
    first, kwargs = _replay(client, case.method, url, body, f"retry-{case.name.replace(' ', '-')}")
    assert first.status_code == case.expected[actor], first.content
    written = matrix.state()

    again = getattr(client, case.method)(url, **kwargs)

    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.get("ETag") == first.get("ETag")
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert matrix.state() == written


@pytest.mark.parametrize("case", TAKE_HOME_WRITES, ids=[case.name for case in TAKE_HOME_WRITES])
def test_api_idempotency_take_home_write_replays_first_answer(
    case: Any, th: take_home_matrix.TakeHomeWorld, api, mailoutbox  # noqa: F811
) -> None:
    """The exercise and take-home writes too: the same answer, nothing written again, no second email."""
    actor = _succeeds(case)
    client = api(th.world.person(actor))
    url = case.url(th)
    body = case.body(th) if case.body is not None else None
    first, kwargs = _replay(client, case.method, url, body, f"retry-{case.name.replace(' ', '-')}")
    assert first.status_code == case.expected[actor], first.content
    written, emails = take_home_matrix.state(), len(mailoutbox)

    again = getattr(client, case.method)(url, **kwargs)

    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert take_home_matrix.state() == written
    assert len(mailoutbox) == emails


def test_api_idempotency_amend_replays_first_answer(world: World, api) -> None:
    """An amendment retried with its key is recorded once: one revision, one audit event, the same answer."""
    submit_scorecard(world.pending_interview)
    submit_scorecard(world.fresh_interview)
    assert InterviewLoop.objects.get(pk=world.loop.pk).status == "in_review"
    client = api(world.submitted)
    body = {**matrix._focus_content(world.submitted_interview), "reason": "Debrief: I misread the design answer."}
    url = f"/api/v1/scorecards/{world.submitted_card.pk}/amend/"

    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="amend-1")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="amend-1")

    assert first.status_code == 201, first.content
    assert (again.status_code, again.content) == (201, first.content)
    assert Scorecard.objects.filter(interview=world.submitted_interview).count() == 2
    assert AuditEvent.objects.filter(action="scorecard.amended").count() == 1


# --- The issue: a write saved, its answer lost ---------------------------------------------------------------------


def _content(world: World) -> dict[str, Any]:
    return {**matrix._focus_content(world.pending_interview), "version": world.pending_draft.version}


def test_api_idempotency_submit_answer_lost_after_commit_retry_replays(world: World, api) -> None:
    """The submit committed but its answer never arrived: the retry with the same key gets the submitted scorecard
    (200, not 409 already_submitted), and it was submitted and audited once."""
    client = api(world.pending)
    url = f"/api/v1/scorecards/{world.pending_draft.pk}/submit/"

    first = client.post(url, _content(world), format="json", HTTP_IDEMPOTENCY_KEY="submit-7")  # answer lost
    retry = client.post(url, _content(world), format="json", HTTP_IDEMPOTENCY_KEY="submit-7")

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert retry.json()["status"] == "submitted"
    assert retry["ETag"] == first["ETag"] == f'"{world.pending_draft.version + 1}"'
    assert AuditEvent.objects.filter(action="scorecard.submitted", object_id=str(world.pending_draft.pk)).count() == 1


def test_api_idempotency_submit_connection_lost_mid_request_rolls_back_then_retry_submits(
    world: World, api, monkeypatch
) -> None:
    """The database connection drops after the submit was written but before the answer: with a key the request is
    one transaction, so it answers 500 having saved nothing, and the retry submits once."""
    token = api_token_create(actor=world.pending, name="flaky").plaintext
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    real_render = ScorecardViewSet._render
    calls = []

    def connection_lost_once(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(ScorecardViewSet, "_render", connection_lost_once)
    url = f"/api/v1/scorecards/{world.pending_draft.pk}/submit/"

    failed = client.post(url, _content(world), format="json", HTTP_IDEMPOTENCY_KEY="submit-8")

    assert failed.status_code == 500
    draft = Scorecard.objects.get(pk=world.pending_draft.pk)
    assert (draft.status, draft.version) == ("draft", world.pending_draft.version)
    assert not IdempotencyKey.objects.filter(key="submit-8").exists()
    assert not AuditEvent.objects.filter(action="scorecard.submitted", object_id=str(draft.pk)).exists()

    retry = client.post(url, _content(world), format="json", HTTP_IDEMPOTENCY_KEY="submit-8")

    assert retry.status_code == 200
    assert retry.json()["status"] == "submitted"
    assert "Idempotent-Replayed" not in retry
    assert AuditEvent.objects.filter(action="scorecard.submitted", object_id=str(draft.pk)).count() == 1


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (lambda url, body: (url, {**body, "summary": "Another summary."}), "body"),
        (lambda url, body: (url.replace("/submit/", "/"), body), "path"),
    ],
    ids=["other body", "other path"],
)
def test_api_idempotency_key_reused_for_another_request_is_refused(world: World, api, change, what) -> None:
    """The same key with another body or path is refused with 422 naming the header, and changes nothing."""
    client = api(world.pending)
    url = f"/api/v1/scorecards/{world.pending_draft.pk}/submit/"
    client.post(url, _content(world), format="json", HTTP_IDEMPOTENCY_KEY="submit-9")
    written = matrix.state()

    other_url, other_body = change(url, _content(world))
    method = client.post if other_url.endswith("/submit/") else client.patch
    response = method(other_url, other_body, format="json", HTTP_IDEMPOTENCY_KEY="submit-9")

    assert response.status_code == 422, what
    assert response.json() == {
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was already sent with a different request (method, path or body); use a "
                   "new key for a new request.",
        "field_errors": REUSED,
    }
    assert matrix.state() == written


def test_api_idempotency_same_body_in_another_key_order_is_the_same_request(world: World, api) -> None:
    """The body is compared as data, not as bytes: the same JSON with its keys in another order replays."""
    client = api(world.recruiter)
    url = f"/api/v1/loops/{world.loop.pk}/withdraw/"
    first = client.post(url, '{"reason": "Accepted another offer."}', content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="w-1")
    again = client.post(url, '{ "reason" : "Accepted another offer." }', content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="w-1")

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert AuditEvent.objects.filter(action="loop.withdrawn").count() == 1


def test_api_idempotency_refusal_is_not_kept(world: World, api) -> None:
    """A refused write (409 stale version) keeps no answer: the retry runs again, and once corrected under the same
    key it goes through once."""
    client = api(world.pending)
    url = f"/api/v1/scorecards/{world.pending_draft.pk}/submit/"
    stale = {**_content(world), "version": world.pending_draft.version - 1}

    first = client.post(url, stale, format="json", HTTP_IDEMPOTENCY_KEY="submit-10")
    again = client.post(url, stale, format="json", HTTP_IDEMPOTENCY_KEY="submit-10")

    assert (first.status_code, again.status_code) == (409, 409)
    assert "Idempotent-Replayed" not in again
    assert not IdempotencyKey.objects.filter(key="submit-10").exists()
    assert Scorecard.objects.get(pk=world.pending_draft.pk).status == "draft"


def test_api_idempotency_refused_decision_still_stores_the_fresh_recommendation(world: World, api) -> None:
    """A decision refused as stale (recommendation_changed) stores the fresh recommendation with a key as without
    one, so the next attempt can name it; no answer is kept."""
    read = Recommendation.objects.get(loop=world.loop).fingerprint
    submit_scorecard(world.pending_interview)  # new feedback; its recompute waits for a worker

    response = api(world.committee).post(
        f"/api/v1/loops/{world.loop.pk}/decision/",
        {"decision": "no_hire", "rationale": "Not enough depth.", "justification": "Decided without the rest.",
         "confirm_outstanding": True, "expected_fingerprint": read},
        format="json", HTTP_IDEMPOTENCY_KEY="decide-1",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "recommendation_changed"
    assert Recommendation.objects.get(loop=world.loop).fingerprint != read
    assert InterviewLoop.objects.get(pk=world.loop.pk).decision == ""
    assert not IdempotencyKey.objects.exists()


def test_api_idempotency_keys_are_per_user(world: World, api) -> None:
    """Another user's identical key is another request: both withdrawals are attempted (the second finds it
    closed)."""
    url = f"/api/v1/loops/{world.loop.pk}/withdraw/"
    body = {"reason": "Accepted another offer."}
    first = api(world.recruiter).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    other = api(world.admin).post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert (first.status_code, other.status_code) == (200, 409)
    assert "Idempotent-Replayed" not in other


def test_api_idempotency_key_expires_and_is_purged(world: World, api, settings) -> None:
    """After HIRELOOP_IDEMPOTENCY_HOURS a key starts over, and the hourly purge forgets old answers."""
    settings.HIRELOOP_IDEMPOTENCY_HOURS = 24
    client = api(world.recruiter)
    body = {"name": "Amara Obi", "email": "amara.obi@example.org"}
    client.post("/api/v1/candidates/", body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))

    again = client.post("/api/v1/candidates/", {**body, "email": "amara@example.org"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="old")

    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Candidate.objects.filter(name="Amara Obi").count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    IdempotencyKey.objects.create(user=world.admin, key="fresh", endpoint="POST /x/", request_hash="0" * 64,
                                  status_code=200, response_body="{}")
    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_api_idempotency_erasure_scrubs_kept_answers(world: World, api) -> None:
    """A kept answer quoting the candidate (multi-line evidence, their name) is scrubbed by the erasure; the retry
    then replays the scrubbed answer instead of writing their data again."""
    candidate = world.loop.candidate
    client = api(world.pending)
    evidence = f"{candidate.name} walked through the eval harness:\n\"precision first\", then recall."
    body = {**_content(world), "ratings": [
        {"dimension": rating["dimension"], "score": 4, "evidence": evidence}
        for rating in _content(world)["ratings"]
    ]}
    url = f"/api/v1/scorecards/{world.pending_draft.pk}/submit/"
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="evidence-1")
    assert first.status_code == 200
    assert '\\"precision first\\"' in IdempotencyKey.objects.get(key="evidence-1").response_body

    candidate_erase(actor=world.admin, candidate_id=candidate.pk, via="api")

    kept = IdempotencyKey.objects.get(key="evidence-1").response_body
    assert "precision first" not in kept and candidate.name not in kept
    retry = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="evidence-1")
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert {rating["evidence"] for rating in retry.json()["ratings"]} == {"[erased]"}
    assert AuditEvent.objects.filter(action="scorecard.submitted", object_id=str(world.pending_draft.pk)).count() == 1
