"""API test fixtures: token-authenticated clients and a loop with every kind of person around it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from rest_framework.test import APIClient

from hiring.accounts.tokens import api_token_create
from hiring.models import Candidate, Interview, InterviewLoop, User
from scorecards.calibration.services import calibration_report_request
from scorecards.models import CalibrationReport, Scorecard
from scorecards.recommendations.services import recommendation_compute
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard


@pytest.fixture(autouse=True)
def api_test_settings(settings, tmp_path) -> None:
    """Files (report exports, erasure's sweep) stay in a temporary media root."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """A client that authenticates as the user with a freshly issued API token (anonymous for None)."""

    def client_for(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            issued = api_token_create(actor=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
        return client

    return client_for


@dataclass
class World:
    """One loop with a pending interviewer (draft), a submitted interviewer, and people around it."""

    loop: InterviewLoop
    other_loop: InterviewLoop
    recruiter: User
    pending: User  # interviews on the loop, has only a draft
    submitted: User  # interviews on the loop, has submitted
    outsider: User  # interviews on another loop only
    committee: User
    admin: User
    pending_interview: Interview
    submitted_interview: Interview
    outsider_interview: Interview
    fresh_interview: Interview  # the pending interviewer's second interview on the loop, no scorecard yet
    spare_candidate: Candidate  # on file, no loop yet
    report: CalibrationReport  # requested by the committee, still queued
    pending_draft: Scorecard
    submitted_card: Scorecard
    outsider_draft: Scorecard

    def person(self, who: str) -> User | None:
        return None if who == "anonymous" else getattr(self, who)


@pytest.fixture
def world(db) -> World:
    recruiter = UserFactory(kind="recruiter", username="rita")
    pending = UserFactory(kind="interviewer", username="ivy")
    submitted = UserFactory(kind="interviewer", username="sam")
    outsider = UserFactory(kind="interviewer", username="olga")
    committee = UserFactory(kind="committee", username="cora")
    admin = UserFactory(kind="admin", username="ada", is_staff=True, is_superuser=True)
    loop = make_loop(recruiter=recruiter)
    other_loop = make_loop(recruiter=recruiter)
    pending_interview = make_interview(loop=loop, interviewer=pending)
    submitted_interview = make_interview(loop=loop, interviewer=submitted)
    outsider_interview = make_interview(loop=other_loop, interviewer=outsider)
    fresh_interview = make_interview(loop=loop, interviewer=pending, kind=Interview.Kind.SYSTEM_DESIGN)
    focus = {d.name: 3 for d in pending_interview.focus_dimensions.all()}
    pending_draft = save_draft(pending_interview, focus)
    submitted_card = submit_scorecard(submitted_interview)
    outsider_draft = save_draft(outsider_interview, {d.name: 4 for d in outsider_interview.focus_dimensions.all()})
    recommendation_compute(loop_id=loop.pk)
    loop.refresh_from_db()
    return World(
        loop=loop,
        other_loop=other_loop,
        recruiter=recruiter,
        pending=pending,
        submitted=submitted,
        outsider=outsider,
        committee=committee,
        admin=admin,
        pending_interview=pending_interview,
        submitted_interview=submitted_interview,
        outsider_interview=outsider_interview,
        fresh_interview=fresh_interview,
        spare_candidate=CandidateFactory(name="Noor Haddad", email="noor.haddad@example.org"),
        report=calibration_report_request(
            actor=committee, role=loop.role, date_from=timezone.localdate() - timedelta(days=365),
            date_to=timezone.localdate(),
        ),
        pending_draft=pending_draft,
        submitted_card=submitted_card,
        outsider_draft=outsider_draft,
    )


@pytest.fixture
def wsgi_app_in_test_transaction() -> Any:
    """The real WSGI application, minus the per-request connection clean-up.

    Django closes a connection whose autocommit is off at the end of each request;
    inside the test's transaction that would close it (PostgreSQL) and lose the test
    data. Django's own test client disconnects the same handlers.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
