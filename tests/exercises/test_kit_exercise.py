"""What the interview kit shows: the take-home as sent with its submissions, or the live exercise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template

from exercises.models import Exercise
from exercises.selectors.kits import exercise_context_for_interview, review_context_for_interview
from exercises.services.interview_kits import interview_attach_exercise
from hiring.errors import Conflict
from hiring.models import AuditEvent, Interview
from tests.exercises.factories import make_take_home, recruiter_of, submit
from tests.hiring.factories import make_interview, make_loop
from tests.scorecards.factories import submit_scorecard

pytestmark = pytest.mark.django_db

KIT = Template("{% load exercises_tags %}{% interview_exercise interview %}")


def render_kit(interview: Interview) -> str:
    return KIT.render(Context({"interview": interview}))


def test_kit_take_home_review_shows_brief_as_sent_criteria_and_submissions(django_assert_num_queries):
    assignment, token = make_take_home()
    submit(token, repository_url="https://github.com/c/v1")
    latest = submit(token, repository_url="https://github.com/c/v2")
    Exercise.objects.filter(pk=assignment.exercise_id).update(title="Renamed later", tasks=["Something else"])
    review_id = assignment.review_interview_id
    assert review_id is not None
    review = Interview.objects.get(pk=review_id)
    with django_assert_num_queries(2):  # the assignment with its loop, its submissions
        html = render_kit(review)
    assert "Take-home to review: <bdi>Take-home or live coding</bdi>" in html
    assert "Renamed later" not in html and "Something else" not in html
    assert "Demonstrate versioning/config patterns" in html
    assert "The brief below is exactly what the candidate received." in html
    assert html.index("https://github.com/c/v2") < html.index("https://github.com/c/v1")
    assert f"<strong>#{latest.number}</strong>" in html
    context = review_context_for_interview(review)
    assert context is not None
    assert context.dimension_names == ["Software engineering", "MLOps/operational readiness"]
    assert [s.number for s in context.submissions] == [2, 1]


def test_kit_live_exercise_shows_its_brief_and_criteria():
    loop = make_loop()
    interview = make_interview(loop=loop, kind=Interview.Kind.SYSTEM_DESIGN, starts_in=timedelta(days=1))
    design = loop.role.exercises.get(slug="applied-ai-system-design")
    interview_attach_exercise(actor=recruiter_of(loop), interview_id=interview.pk, exercise_id=design.pk)
    html = render_kit(Interview.objects.get(pk=interview.pk))
    assert "Exercise: <bdi>Applied AI system design exercise</bdi>" in html
    assert "60–90 minutes" in html
    for criterion in ["architecture", "rollout plan", "monitoring", "evaluation", "cost controls", "failure modes"]:
        assert f"<li><bdi>{criterion}</bdi></li>" in html
    assert "Take-home to review" not in html


def test_kit_without_exercise_renders_nothing():
    loop = make_loop()
    interview = make_interview(loop=loop)
    assert exercise_context_for_interview(interview) is None
    assert render_kit(interview).strip() == ""


def test_interview_attach_exercise_writes_audit_and_detach_restores():
    loop = make_loop()
    interview = make_interview(loop=loop, focus=["Software engineering"], starts_in=timedelta(days=1))
    live = loop.role.exercises.get(slug="evaluation-and-error-analysis")
    interview_attach_exercise(actor=recruiter_of(loop), interview_id=interview.pk, exercise_id=live.pk, add_focus=False)
    interview.refresh_from_db()
    assert interview.exercise == live
    assert list(interview.focus_dimensions.values_list("name", flat=True)) == ["Software engineering"]
    interview_attach_exercise(actor=recruiter_of(loop), interview_id=interview.pk, exercise_id=None)
    interview.refresh_from_db()
    assert interview.exercise is None
    assert list(AuditEvent.objects.filter(object_id=str(interview.pk), action__startswith="interview.exercise")
                .order_by("id").values_list("action", flat=True)) == [
        "interview.exercise_attached", "interview.exercise_detached"]


def test_interview_attach_exercise_after_feedback_submitted_is_refused():
    loop = make_loop()
    interview = make_interview(loop=loop)
    submit_scorecard(interview)
    live = loop.role.exercises.get(slug="evaluation-and-error-analysis")
    with pytest.raises(Conflict) as caught:
        interview_attach_exercise(actor=recruiter_of(loop), interview_id=interview.pk, exercise_id=live.pk)
    assert caught.value.code == "feedback_submitted"
    assert Interview.objects.get(pk=interview.pk).exercise_id is None


def test_interview_attach_exercise_on_take_home_review_is_refused():
    assignment, _ = make_take_home()
    live = assignment.loop.role.exercises.get(slug="evaluation-and-error-analysis")
    review_id = assignment.review_interview_id
    assert review_id is not None
    with pytest.raises(Conflict) as caught:
        interview_attach_exercise(actor=recruiter_of(assignment.loop), interview_id=review_id,
                                  exercise_id=live.pk)
    assert caught.value.code == "take_home_review"
    assert Interview.objects.get(pk=review_id).exercise_id == assignment.exercise_id
