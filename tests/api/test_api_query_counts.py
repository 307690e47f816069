"""Every list endpoint costs the same number of queries for 1 row as for 50."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from hiring.models import User
from hiring.services.candidates import candidate_create
from scorecards.calibration.services import calibration_report_request
from scorecards.recommendations.services import recommendation_compute
from scorecards.rubrics.services import rubric_publish
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import fixture_spec, submit_scorecard

ROWS = (1, 50)


def _viewer() -> APIClient:
    client = APIClient()
    # Authentication is bypassed so the counts are the endpoint's own (a token adds one lookup).
    client.force_authenticate(UserFactory(kind="committee", username="cora"))
    return client


def _spec_with(slug: str, exercises: int) -> dict[str, Any]:
    spec = copy.deepcopy(fixture_spec("applied-ai-engineer"))
    spec["role"]["slug"] = slug
    spec["role"]["title"] = f"Role {slug}"
    template = spec["exercises"][0]
    spec["exercises"] = [{**template, "slug": f"exercise-{i}", "title": f"Exercise {i}"} for i in range(exercises)]
    return spec


def _assert_listed(
    client: APIClient, url: str, rows: int, queries: int, django_assert_num_queries, **params: Any
) -> None:
    with django_assert_num_queries(queries):
        response = client.get(url, {"page_size": 100, **params})
    assert response.status_code == 200
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", ROWS)
def test_api_query_counts_rubric_lists(rows: int, db, django_assert_num_queries) -> None:
    """Roles (with their newest version), rubric versions and exercises."""
    for number in range(rows):
        rubric_publish(spec=_spec_with(f"role-{number}", exercises=1))
    client = _viewer()

    # count + rows (the newest version is a subquery)
    _assert_listed(client, "/api/v1/roles/", rows, 2, django_assert_num_queries)
    # count + rows joined with their role
    _assert_listed(client, "/api/v1/rubrics/", rows, 2, django_assert_num_queries)
    # count + rows joined with their role
    _assert_listed(client, "/api/v1/exercises/", rows, 2, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_api_query_counts_calibration_reports(rows: int, db, django_assert_num_queries) -> None:
    client = _viewer()
    committee = User.objects.get(username="cora")
    for number in range(rows):
        calibration_report_request(actor=committee, role=None, date_from=date(2026, 1, 1),
                                   date_to=date(2026, 1, 1) + timedelta(days=number))

    # count + rows with role and requester joined (the stored result is not loaded)
    _assert_listed(client, "/api/v1/calibration-reports/", rows, 2, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_api_query_counts_people_lists(rows: int, db, django_assert_num_queries) -> None:
    """Users, candidates and the audit trail (each candidate added through the service writes an event)."""
    recruiter = UserFactory(kind="recruiter", username="rita")
    for number in range(rows):
        candidate_create(actor=recruiter, name=f"Candidate {number}", email=f"candidate{number}@example.org")
    UserFactory.create_batch(rows - 2, kind="interviewer")
    client = _viewer()

    _assert_listed(client, "/api/v1/candidates/", rows, 2, django_assert_num_queries)
    _assert_listed(client, "/api/v1/users/", User.objects.count(), 2, django_assert_num_queries)
    # count + events with their actor joined
    _assert_listed(client, "/api/v1/audit-events/", rows, 2, django_assert_num_queries, action="candidate.created")


@pytest.mark.parametrize("rows", ROWS)
def test_api_query_counts_loop_lists(rows: int, db, django_assert_num_queries) -> None:
    """Loops, interviews, scorecards and recommendations, each loop with a submitted scorecard."""
    recruiter = UserFactory(kind="recruiter", username="rita")
    interviewer = UserFactory(kind="interviewer", username="ivy")
    for _ in range(rows):
        loop = make_loop(recruiter=recruiter)
        submit_scorecard(make_interview(loop=loop, interviewer=interviewer))
        recommendation_compute(loop_id=loop.pk)
    client = _viewer()

    # count + rows with candidate, role, rubric and people joined, counts and panel visibility annotated
    _assert_listed(client, "/api/v1/loops/", rows, 2, django_assert_num_queries)
    # count + rows + focus dimensions (prefetched)
    _assert_listed(client, "/api/v1/interviews/", rows, 3, django_assert_num_queries)
    # count + rows + ratings + observed signals (prefetched) + one insert auditing the reads
    _assert_listed(client, "/api/v1/scorecards/", rows, 5, django_assert_num_queries)
    # count + rows with the pending-recompute flag annotated
    _assert_listed(client, "/api/v1/recommendations/", rows, 2, django_assert_num_queries)


@pytest.mark.parametrize("rows", ROWS)
def test_api_query_counts_take_home_lists(rows: int, db, django_assert_num_queries) -> None:
    """Take-home assignments (one per loop) and their submissions (one each)."""
    from django.utils import timezone

    from exercises.models import Exercise
    from exercises.services.assignments import take_home_assign
    from exercises.services.submissions import SubmissionInput, take_home_submit

    recruiter = UserFactory(kind="recruiter", username="rita")
    reviewer = UserFactory(kind="interviewer", username="rey")
    for number in range(rows):
        loop = make_loop(recruiter=recruiter)
        exercise = Exercise.objects.get(role=loop.role, slug="take-home-or-live-coding")
        _, token = take_home_assign(actor=recruiter, loop=loop, exercise=exercise, reviewer=reviewer,
                                    due_at=timezone.now() + timedelta(days=3))
        take_home_submit(token=token, data=SubmissionInput(repository_url=f"https://github.com/c/{number}"))
    client = _viewer()

    # count + rows with loop, candidate, role, reviewers, exercise joined and submissions counted
    _assert_listed(client, "/api/v1/take-homes/", rows, 2, django_assert_num_queries)
    # count + rows
    _assert_listed(client, "/api/v1/take-home-submissions/", rows, 2, django_assert_num_queries)
