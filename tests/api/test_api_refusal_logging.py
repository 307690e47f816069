"""A refused request (403) is logged as one line that says who was refused what, never as a traceback.

A 403 is the access rules working, not a fault: a traceback per refusal buries real errors, and the
exception text or the chained ApplicationError may carry more than the log needs.
"""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.conftest import World
from tests.hiring.factories import CandidateFactory, UserFactory


@pytest.fixture
def request_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="django.request")
    return caplog


def _refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request" and getattr(r, "status_code", None) == 403]


def _assert_one_line(record: logging.LogRecord, caplog: pytest.LogCaptureFixture) -> None:
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None and record.stack_info is None
    assert "\n" not in record.getMessage()
    assert "Traceback" not in caplog.text


def test_page_permission_denied_is_logged_as_one_line_without_the_query(client, interviewer, request_log):
    """Django's PermissionDenied on a page: method, path, user id and reason; no traceback, no search terms."""
    candidate = CandidateFactory(name="Ottoline Vandermeer", email="ottoline.v@example.org")
    client.force_login(interviewer)

    response = client.get(reverse("hiring:candidate-list"), {"q": candidate.name})

    assert response.status_code == 403
    [record] = _refusals(request_log)
    _assert_one_line(record, request_log)
    assert record.getMessage() == (
        f"Forbidden: GET /candidates/ (user {interviewer.pk}): "
        "Only recruiters, the hiring committee and admins can open this page."
    )
    assert "Ottoline" not in request_log.text and "Vandermeer" not in request_log.text


def test_api_drf_permission_denied_is_logged_with_user_and_reason(api, world: World, request_log):
    """A permission class refusing over the API: one line with the refusal's code and message."""
    response = api(world.pending).get("/api/v1/audit-events/", {"search": world.loop.candidate.name})

    assert response.status_code == 403
    [record] = _refusals(request_log)
    _assert_one_line(record, request_log)
    assert record.getMessage() == (
        f"Forbidden: GET /api/v1/audit-events/ (user {world.pending.pk}): permission_denied: "
        f"{response.json()['message']}"
    )
    assert world.loop.candidate.name not in request_log.text


def test_api_permission_refused_by_a_service_is_logged_with_user_and_reason(api, world: World, request_log):
    """The application's PermissionRefused over the API: one line, its own code and message."""
    response = api(world.recruiter).post("/api/v1/scorecards/", {"interview": world.fresh_interview.pk},
                                         format="json")

    assert response.status_code == 403
    [record] = _refusals(request_log)
    _assert_one_line(record, request_log)
    assert record.getMessage() == (
        f"Forbidden: POST /api/v1/scorecards/ (user {world.recruiter.pk}): "
        "not_yours: Only the interview's interviewer writes its scorecard."
    )
    assert world.loop.candidate.name not in request_log.text


def test_api_refusal_of_an_unauthenticated_session_names_no_user(db, request_log):
    """A session write without its CSRF token: DRF drops the session's user, so the line says anonymous."""
    user = UserFactory(kind="recruiter", username="rosa")
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(user)

    response = session.post("/api/v1/candidates/", {"name": "A", "email": "a@example.org"}, format="json")

    assert response.status_code == 403
    [record] = _refusals(request_log)
    _assert_one_line(record, request_log)
    assert record.getMessage() == (
        "Forbidden: POST /api/v1/candidates/ (anonymous): permission_denied: "
        f"{response.json()['message']}"
    )


def test_page_refusal_keeps_its_reason_when_logging_was_configured_twice(client, interviewer, request_log):
    """django.setup() run a second time (Celery's Django fix-up in a worker) installs the filter twice: the
    line still carries the refusal's reason."""
    from config.request_logging import RefusalAsOneLine

    logger = logging.getLogger("django.request")
    extra = RefusalAsOneLine()
    logger.addFilter(extra)
    client.force_login(interviewer)
    try:
        response = client.get(reverse("hiring:candidate-list"))
    finally:
        logger.removeFilter(extra)

    assert response.status_code == 403
    [record] = _refusals(request_log)
    assert record.getMessage().endswith("): Only recruiters, the hiring committee and admins can open this page.")
