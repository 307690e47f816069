"""Requests with one Idempotency-Key at the same moment do their write once (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from hiring.accounts.tokens import api_token_create
from hiring.models import AuditEvent, Candidate, IdempotencyKey
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import postgres_problem, require_service
from tests.scorecards.factories import save_draft

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 6


def test_api_idempotency_concurrent_same_key_creates_once() -> None:
    """Six clients race with the same key: one candidate, and every answer names it."""
    require_service(postgres_problem())
    recruiter = UserFactory(kind="recruiter", username="rita")
    token = api_token_create(actor=recruiter, name="race").plaintext
    barrier = threading.Barrier(ATTEMPTS)
    answers: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def post() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        try:
            response = client.post(
                "/api/v1/candidates/", {"name": "Ines Duarte", "email": "ines.duarte@example.org"},
                format="json", HTTP_IDEMPOTENCY_KEY="ats-sync-7731",
            )
            with lock:
                answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Candidate.objects.filter(email="ines.duarte@example.org").count() == 1
    candidate = Candidate.objects.get(email="ines.duarte@example.org")
    assert [status for status, _ in answers] == [201] * ATTEMPTS
    assert {body["id"] for _, body in answers} == {candidate.pk}
    assert IdempotencyKey.objects.filter(key="ats-sync-7731").count() == 1


def test_api_idempotency_concurrent_same_key_submits_once() -> None:
    """Six retries of one scorecard submit race with the same key: it is submitted and audited once, and every
    answer is the submitted scorecard (none is a 409 already_submitted)."""
    require_service(postgres_problem())
    interviewer = UserFactory(kind="interviewer", username="ivy")
    interview = make_interview(loop=make_loop(), interviewer=interviewer)
    draft = save_draft(interview, {d.name: 3 for d in interview.focus_dimensions.all()})
    token = api_token_create(actor=interviewer, name="race").plaintext
    body = {
        "version": draft.version, "overall": "yes",
        "ratings": [{"dimension": d.pk, "score": 4, "evidence": "Explained the trade-offs with numbers."}
                    for d in interview.focus_dimensions.all()],
    }
    barrier = threading.Barrier(ATTEMPTS)
    answers: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def post() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        try:
            response = client.post(f"/api/v1/scorecards/{draft.pk}/submit/", body, format="json",
                                   HTTP_IDEMPOTENCY_KEY="submit-race")
            with lock:
                answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in answers] == [200] * ATTEMPTS
    assert {(body["status"], body["version"]) for _, body in answers} == {("submitted", draft.version + 1)}
    assert AuditEvent.objects.filter(action="scorecard.submitted", object_id=str(draft.pk)).count() == 1
    assert IdempotencyKey.objects.filter(key="submit-race").count() == 1
