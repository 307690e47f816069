"""The pipeline and the candidate summary cost the same number of queries for 1 loop and for 50."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from hiring.services.loops import loop_withdraw
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.scorecards.factories import publish_fixture_rubrics, submit_scorecard

pytestmark = pytest.mark.django_db

ROLES = ("applied-ai-engineer", "junior-applied-ai-engineer", "associate-applied-ai-engineer",
         "junior-ai-engineer", "associate-responsible-ai-engineer")

# Pipeline: session, user, count, the page of loops (annotated), the overdue interviews (prefetch), the page's
# candidates, roles and recruiters (one query: joined into the grouped one they cost more than a query), the
# role and recruiter choices of the filter form.
PIPELINE_QUERIES = 8
# Summary: session, user, the candidate's loops (annotated, with the candidate, rubric and recommendation),
# their recruiters, hiring managers and deciders, their interviews, the rubrics' dimensions, the scorecards,
# their ratings, their red flags, and one insert auditing the scorecard reads.
SUMMARY_QUERIES = 10


def build_pipeline(count: int, recruiter, panel) -> None:
    for n in range(count):
        loop = make_loop(recruiter=recruiter, role_slug=ROLES[n % len(ROLES)])
        done = make_interview(loop=loop, interviewer=panel[0], starts_in=timedelta(days=-3))
        make_interview(loop=loop, interviewer=panel[1], starts_in=timedelta(days=-3))  # overdue
        make_interview(loop=loop, interviewer=panel[2], starts_in=timedelta(days=1))
        submit_scorecard(done)


@pytest.mark.parametrize("loops", [1, 50])
def test_pipeline_query_count_fixed(client, django_assert_num_queries, loops):
    publish_fixture_rubrics()
    recruiter = UserFactory(recruiter=True)
    build_pipeline(loops, recruiter, [UserFactory(), UserFactory(), UserFactory()])
    client.force_login(recruiter)

    with django_assert_num_queries(PIPELINE_QUERIES):
        response = client.get(reverse("hiring:pipeline"), {"overdue": "1"})

    assert len(response.context["page"].object_list) == min(loops, 25)
    assert response.context["page"].paginator.count == loops


def build_summary(count: int, recruiter, panel):
    """One candidate, ``count`` loops with feedback; all but the newest withdrawn (one active loop per role)."""
    candidate = CandidateFactory()
    for n in range(count):
        loop = make_loop(recruiter=recruiter, role_slug=ROLES[n % len(ROLES)], candidate=candidate)
        first = make_interview(loop=loop, interviewer=panel[0], starts_in=timedelta(days=-2))
        make_interview(loop=loop, interviewer=panel[1])
        submit_scorecard(first)
        if n < count - 1:
            loop_withdraw(actor=recruiter, loop=loop, reason="Moved to another role.")
    return candidate


@pytest.mark.parametrize("loops", [1, 50])
def test_candidate_summary_query_count_fixed(client, django_assert_num_queries, loops):
    publish_fixture_rubrics()
    recruiter = UserFactory(recruiter=True)
    candidate = build_summary(loops, recruiter, [UserFactory(), UserFactory()])
    client.force_login(recruiter)

    with django_assert_num_queries(SUMMARY_QUERIES):
        response = client.get(reverse("hiring:candidate-summary", args=[candidate.pk]))

    summary = response.context["summary"]
    assert len(summary.loops) == loops
    assert all(len(entry.scorecards) == 1 and entry.matrix for entry in summary.loops)
