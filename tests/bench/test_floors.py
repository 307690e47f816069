"""The benchmark's floor views and its submission targets: they do the same work as the product."""

from __future__ import annotations

from typing import cast
from urllib.parse import parse_qsl

import pytest
from django.test import override_settings

from bench import targets
from bench.client import Session
from hiring.models import AuditEvent, Interview, InterviewLoop, User
from scorecards.models import Rating, RecomputeRequest, Scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(rubrics):
    from django.core.management import call_command

    call_command("generate_load_data", loops=1, seed=3, interviewers=8, verbosity=0)


def _body(username: str) -> dict[str, str]:
    return dict(parse_qsl(targets.form_body(Session(username, {"csrftoken": "unused-in-tests"}))))


def _effects(interview: Interview) -> dict[str, int]:
    cards = Scorecard.objects.filter(interview=interview, status="submitted")
    return {
        "scorecards": cards.count(),
        "ratings": Rating.objects.filter(scorecard__in=cards).count(),
        "audit_submitted": AuditEvent.objects.filter(action="scorecard.submitted", loop_id=interview.loop_id).count(),
        "outbox": RecomputeRequest.objects.filter(loop_id=interview.loop_id).count(),
    }


@override_settings(ROOT_URLCONF="bench.urls")
def test_bench_floor_submit_makes_the_same_rows_as_the_product_form(client, company):
    """The bare transaction view inserts what submitting the form inserts: a scorecard, 8 ratings, audit, outbox."""
    product_target, floor_target = targets.make_targets(loops=2, usernames=["load-iv-001"])
    client.force_login(User.objects.get(username="load-iv-001"))
    body = _body("load-iv-001")

    response = client.post(f"/interviews/{product_target.interview_id}/scorecard/", body)
    assert response.status_code == 302
    response = client.post(f"/bench/floor/submit/{floor_target.interview_id}/", body)
    assert response.status_code == 302

    product = _effects(Interview.objects.get(pk=product_target.interview_id))
    floor = _effects(Interview.objects.get(pk=floor_target.interview_id))
    assert product == {"scorecards": 1, "ratings": 8, "audit_submitted": 1, "outbox": 1}
    assert floor == product
    # Scores are nullable (not assessed); a None here would still fail sorted() or the comparison below.
    stored = sorted(cast("list[int]", list(Rating.objects.filter(scorecard__interview_id=floor_target.interview_id)
                                           .values_list("score", flat=True))))
    assert stored == sorted(targets.SCORES)


@override_settings(ROOT_URLCONF="bench.urls")
def test_bench_floor_views_refuse_anonymous_posts_and_answer_constant(client, rubrics):
    """The constant floor answers 'ok'; the transaction floor writes nothing for a signed-out client."""
    assert client.get("/bench/floor/constant/").content == b"ok"
    before = Scorecard.objects.count()
    assert client.post("/bench/floor/submit/1/", {"dimension-1-score": "3"}).status_code == 403
    assert Scorecard.objects.count() == before


@override_settings(ROOT_URLCONF="bench.urls")
def test_bench_page_floor_views_return_the_pages_rows_to_signed_in_users_only(client, company):
    """The pages' second floor: a signed-in view running the one hand-written query (PostgreSQL SQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the floors' hand-written SQL is PostgreSQL's")
    loop = InterviewLoop.objects.get()
    assert client.get("/bench/floor/pipeline/").status_code == 403
    client.force_login(User.objects.get(username="load-iv-001"))
    pipeline = client.get("/bench/floor/pipeline/").json()
    active = InterviewLoop.objects.filter(status__in=("open", "awaiting_feedback", "in_review")).count()
    assert len(pipeline) == min(active, 25)
    candidate = client.get(f"/bench/floor/candidate/{loop.candidate_id}/").json()
    # One row per rating of the candidate's current scorecards (at least one per interview).
    assert len(candidate) >= loop.interviews.count()
    assert {row[0] for row in candidate} == {loop.candidate_id}


def test_bench_floor_urls_are_not_in_the_product(client, admin_user):
    """The floors exist only in the benchmark's URLconf, never in the product's."""
    client.force_login(admin_user)
    assert client.get("/bench/floor/constant/").status_code == 404


def test_bench_targets_are_pending_interviews_of_the_named_interviewers(company):
    """Each prepared interview is over, due tomorrow, without a scorecard, on an eight-dimension loop."""
    made = targets.make_targets(loops=3, usernames=["load-iv-001", "load-iv-002"])
    assert len(made) == 6
    assert [t.username for t in made] == ["load-iv-001"] * 3 + ["load-iv-002"] * 3
    for target in made:
        interview = Interview.objects.select_related("loop__rubric__role", "interviewer").get(pk=target.interview_id)
        assert interview.interviewer.username == target.username
        assert interview.loop.rubric.role.slug == targets.ROLE
        assert interview.loop.rubric.dimensions.count() == 8
        assert interview.loop.status == InterviewLoop.Status.AWAITING_FEEDBACK
        assert interview.focus_dimensions.count() == 3
        assert not Scorecard.objects.filter(interview=interview).exists()
    assert targets.submitted([t.interview_id for t in made]) == set()
