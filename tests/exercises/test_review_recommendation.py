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

    assignment, _ = make_take_home()
    review = review_of(assignment)
    data = scorecard_input(review, {"Software engineering": 4}, overall="yes")
    with pytest.raises(ValidationFailed) as caught:
        scorecard_submit(actor=assignment.reviewer, interview_id=review.pk, data=data, expected_version=None)
    ops = review.focus_dimensions.get(name="MLOps/operational readiness")
    assert caught.value.field_errors == {
        f"dimension-{ops.pk}-score": ["Score this focus dimension or mark it not assessed."]
    }
