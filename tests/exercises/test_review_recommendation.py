"""The take-home review is a scorecard like any other and feeds the loop's recommendation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scorecards.models import Recommendation
from scorecards.services.scorecards import scorecard_submit
from tests.exercises.factories import make_take_home, review_of, submit
from tests.scorecards.factories import scorecard_input

pytestmark = pytest.mark.django_db


def test_take_home_review_scorecard_flows_into_recommendation(django_capture_on_commit_callbacks):
    """The reviewer scores the exercise's focus dimensions; the recommendation counts it."""
    assignment, token = make_take_home()
    submit(token, repository_url="https://github.com/c/solution")
    review = review_of(assignment)
    data = scorecard_input(review, {"Software engineering": 4, "MLOps/operational readiness": 3}, overall="yes")
    with django_capture_on_commit_callbacks(execute=True):
        scorecard_submit(actor=assignment.reviewer, interview_id=review.pk, data=data, expected_version=None)
    recommendation = Recommendation.objects.get(loop=assignment.loop)
    assert recommendation.scorecard_count == 1
    # Weights 20% and 15% renormalised over the two assessed dimensions: (0.2*4 + 0.15*3) / 0.35.
    assert recommendation.weighted_score == Decimal("3.571")
    # Only 35% of the rubric's weight was assessed: below the 80% minimum.
    assert recommendation.coverage == Decimal("0.3500")
    assert recommendation.outcome == Recommendation.Outcome.INSUFFICIENT_EVIDENCE


def test_take_home_review_requires_the_exercise_dimensions():
    """The review's scorecard asks for exactly the exercise's dimensions, not the whole rubric."""
    from hiring.errors import ValidationFailed

    assignment, token = make_take_home()
    submit(token, repository_url="https://github.com/c/solution")
    review = review_of(assignment)
    data = scorecard_input(review, {"Software engineering": 4}, overall="yes")
    with pytest.raises(ValidationFailed) as caught:
        scorecard_submit(actor=assignment.reviewer, interview_id=review.pk, data=data, expected_version=None)
    ops = review.focus_dimensions.get(name="MLOps/operational readiness")
    assert caught.value.field_errors == {
        f"dimension-{ops.pk}-score": ["Score this focus dimension or mark it not assessed."]
    }


def test_take_home_review_submit_waits_for_the_candidates_work():
    """Before the candidate submits (and before the deadline) the review is refused, nothing written, the
    draft kept; it submits once the work is in."""
    from hiring.errors import Conflict
    from hiring.models import AuditEvent
    from scorecards.models import RecomputeRequest, Scorecard
    from tests.scorecards.factories import save_draft

    assignment, token = make_take_home()
    review = review_of(assignment)
    scores = {"Software engineering": 4, "MLOps/operational readiness": 3}
    draft = save_draft(review, scores, overall="yes")
    data = scorecard_input(review, scores, overall="yes")

    with pytest.raises(Conflict) as refused:
        scorecard_submit(actor=assignment.reviewer, interview_id=review.pk, data=data,
                         expected_version=draft.version)

    assert refused.value.code == "take_home_not_submitted"
    assert "has not submitted the take-home yet" in refused.value.message
    draft.refresh_from_db()
    assert draft.status == Scorecard.Status.DRAFT
    assert not AuditEvent.objects.filter(action="scorecard.submitted").exists()
    assert not RecomputeRequest.objects.filter(loop=assignment.loop).exists()

    submit(token, repository_url="https://github.com/c/solution")
    card = scorecard_submit(actor=assignment.reviewer, interview_id=review.pk, data=data,
                            expected_version=draft.version)
    assert card.status == Scorecard.Status.SUBMITTED


def test_take_home_review_submits_after_a_deadline_passed_without_work():
    """No submission by the deadline is itself something to review: the reviewer can record it."""
    from datetime import timedelta

    from django.utils import timezone

    from exercises.models import ExerciseAssignment
    from scorecards.models import Scorecard

    assignment, _ = make_take_home()
    ExerciseAssignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    review = review_of(assignment)
    data = scorecard_input(review, {"Software engineering": 1, "MLOps/operational readiness": None}, overall="no")

    card = scorecard_submit(actor=assignment.reviewer, interview_id=review.pk, data=data, expected_version=None)

    assert card.status == Scorecard.Status.SUBMITTED


def test_take_home_review_form_says_it_waits_for_the_candidates_work(client):
    """The reviewer's form says, before Submit is pressed, that the take-home is not in yet; then it is open."""
    from django.urls import reverse

    assignment, token = make_take_home()
    review = review_of(assignment)
    client.force_login(assignment.reviewer)
    url = reverse("scorecards:scorecard-edit", args=[review.pk])

    waiting = client.get(url).content.decode()
    submit(token, repository_url="https://github.com/c/solution")
    ready = client.get(url).content.decode()

    assert "The candidate has not submitted the take-home yet" in waiting
    assert 'value="submit" class="primary" disabled' in waiting
    assert "submit-blocked" not in ready
