"""The stored rater model: refitted from the database, read by every recommendation, refreshed by the jobs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from scorecards.leniency.fits import rater_model_refit
from scorecards.models import RaterModelFit, Recommendation
from scorecards.recommendations.services import OFFSET_PLACES, recommendation_compute, recommendation_compute_many
from scorecards.tasks import rater_model_fit
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard
from tests.scorecards.test_recommendation_leniency_database import random_history

pytestmark = pytest.mark.django_db


def store_fit(interviewers: dict[int, list], sigma: float = 0.6) -> RaterModelFit:
    return RaterModelFit.objects.create(
        fitted_at=timezone.now(), ratings=100, loops=30, connected_loops=30, fitted=True, converged=True,
        iterations=12, sigma=sigma, tau=0.3, sigma_offset=0.4, sigma_scale=0.1, seconds=0.1,
        interviewers={str(who): values for who, values in interviewers.items()},
    )


def test_a_recompute_uses_the_stored_fit(django_assert_num_queries):
    """Lena is +1.0 lenient in the stored fit: her 4s on a new loop adjust to 3; the interval carries the noise
    of one score per dimension, so it is far wider than the offset's own +-0.2."""
    lena = UserFactory(username="lena")
    store_fit({lena.pk: [1.0, 0.1, 1.0, 0.05, 12, 80, True]})
    loop = make_loop()
    submit_scorecard(make_interview(loop=loop, interviewer=lena, focus=[]), dict.fromkeys(ALL_DIMENSIONS, 4))
    recommendation = recommendation_compute(loop_id=loop.pk).recommendation
    assert recommendation is not None
    assert recommendation.weighted_score == Decimal("4.000")
    assert recommendation.adjusted_score == Decimal("3.000")
    assert recommendation.adjusted_low is not None and recommendation.adjusted_high is not None
    assert Decimal("2.4") < recommendation.adjusted_low < Decimal("2.8")
    assert Decimal("3.2") < recommendation.adjusted_high < Decimal("3.6")
    assert recommendation.details["leniency"][str(lena.pk)] == {
        "offset": 1.0, "std_error": 0.1, "scorecards": 12, "scale": 1.0, "scale_std_error": 0.05}
    assert recommendation.details["adjusted"]["interviewers"][0]["note"] == (
        "+1.00 (lenient, from 12 loops in the rater model)"
    )


def test_an_interviewer_outside_the_fit_has_no_adjustment():
    store_fit({})
    newcomer = UserFactory()
    loop = make_loop()
    submit_scorecard(make_interview(loop=loop, interviewer=newcomer, focus=[]), dict.fromkeys(ALL_DIMENSIONS, 4))
    recommendation = recommendation_compute(loop_id=loop.pk).recommendation
    assert recommendation is not None
    assert recommendation.adjusted_score == Decimal("4.000")
    assert recommendation.details["adjusted"]["interviewers"][0]["note"] == "No history yet: adjustment 0"


def test_refit_from_the_database_is_what_recommendations_then_use(settings):
    settings.HIRELOOP_RATER_MODEL_MIN_LOOPS = 3
    loops, people = random_history(3, loops=6)
    fit = rater_model_refit()
    assert fit.fitted
    assert fit.loops == 6
    assert fit.ratings > 0 and fit.sigma is not None and fit.sigma > 0
    recommendation_compute_many([loop.pk for loop in loops])
    for loop in loops:
        details = Recommendation.objects.get(loop=loop).details
        for key, stored in details["leniency"].items():
            offset, offset_sd, scale, _, fitted_loops, _, connected = fit.interviewers[key]
            if not connected:
                continue
            assert stored["offset"] == round(offset, OFFSET_PLACES)
            assert stored["std_error"] == round(offset_sd, OFFSET_PLACES)
            assert stored["scale"] == round(scale, OFFSET_PLACES)
            assert stored["scorecards"] == fitted_loops


def test_too_thin_a_history_is_stored_unfitted_and_adjusts_nothing():
    loops, _ = random_history(4, loops=4)
    fit = rater_model_fit()  # the beat task, run in-process
    row = RaterModelFit.objects.get(pk=fit)
    assert not row.fitted
    assert "at least 30 are needed" in row.notes[0]
    recommendation = recommendation_compute(loop_id=loops[0].pk).recommendation
    assert recommendation is not None
    if recommendation.weighted_score is not None:
        assert recommendation.adjusted_score == recommendation.weighted_score


def test_beat_refits_the_model():
    entry = settings.CELERY_BEAT_SCHEDULE["scorecards-rater-model-fit"]
    assert entry["task"] == "scorecards.tasks.rater_model_fit"
    assert entry["schedule"].total_seconds() == settings.HIRELOOP_RATER_MODEL_FIT_MINUTES * 60


def test_only_the_newest_fits_are_kept():
    for _ in range(12):
        rater_model_refit()
    assert RaterModelFit.objects.count() == 10
