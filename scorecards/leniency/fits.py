"""The stored rater model: fitting it to every current submitted score, and reading the newest fit.

A recommendation needs the panel's effects, not the history: it reads them
from the newest ``RaterModelFit`` row (one query), so a submit recomputes one
loop. The fit itself reads every score in one query (a million in about a
second) and runs ``scorecards.leniency.model.fit_rater_model``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from hiring.jobs import enqueue
from hiring.models import Interview
from scorecards.leniency.model import RaterFit, fit_rater_model
from scorecards.models import RaterModelFit, Rating, Scorecard

logger = logging.getLogger(__name__)

# Scoring noise assumed before any fit exists (scale points): the interval is then honest about the noise.
DEFAULT_NOISE = 0.75
# Fits kept: the newest is used, the few before it show how the figures moved.
KEEP_FITS = 10


@dataclass(frozen=True)
class ModelEstimate:
    """One interviewer's effects in the stored fit, as a recommendation uses them."""

    interviewer: Hashable
    offset: float
    std_error: float
    scale: float
    scale_std_error: float
    loops: int
    scorecards: int  # loops behind the estimate (0: no history, no adjustment); the old name, kept for callers

    @property
    def has_history(self) -> bool:
        return self.scorecards > 0


@dataclass(frozen=True)
class ModelTable:
    """The newest fit's interviewers, read for a panel; an interviewer it does not know has no history."""

    estimates: dict[Hashable, ModelEstimate]
    sigma: float  # scoring noise
    sigma_offset: float
    sigma_scale: float
    fitted: bool

    def get(self, interviewer: Hashable) -> ModelEstimate:
        found = self.estimates.get(interviewer)
        if found is not None:
            return found
        return ModelEstimate(interviewer=interviewer, offset=0.0, std_error=self.sigma_offset if self.fitted else 0.0,
                             scale=1.0, scale_std_error=self.sigma_scale if self.fitted else 0.0, loops=0,
                             scorecards=0)


def ratings_select_sql() -> str:
    """Every score on a current submitted scorecard: loop, dimension, interviewer, score."""
    return f"""
        SELECT i.loop_id, r.dimension_id, s.interviewer_id, r.score
        FROM {Rating._meta.db_table} r
        JOIN {Scorecard._meta.db_table} s ON s.id = r.scorecard_id
        JOIN {Interview._meta.db_table} i ON i.id = s.interview_id
        WHERE s.status = 'submitted' AND s.is_current AND r.score IS NOT NULL
    """  # noqa: S608 - table names from the models


RATER_MODEL_FIT_TASK = "scorecards.tasks.rater_model_fit"


def rater_model_refit_enqueue() -> bool:
    """Ask a worker to refit (after a calibration report); a broker that is down leaves it to beat."""
    return enqueue(RATER_MODEL_FIT_TASK, failure="Could not enqueue the rater model's refit (%s); beat will refit.")


def _read_ratings() -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute(ratings_select_sql())
        rows = cursor.fetchall()
    return np.asarray(rows, dtype=np.int64).reshape(-1, 4)


def fit_arrays(loops: np.ndarray, dimensions: np.ndarray, interviewers: np.ndarray,
               scores: np.ndarray) -> tuple[RaterFit, np.ndarray]:
    """Fit ratings keyed by any integer ids; returns the fit and the interviewer id of each of its indices."""
    interviewer_ids, rater = np.unique(interviewers, return_inverse=True)
    fit = fit_rater_model(loops, dimensions, rater, scores, raters=len(interviewer_ids),
                          min_connected_loops=settings.HIRELOOP_RATER_MODEL_MIN_LOOPS)
    return fit, interviewer_ids


def rater_model_refit() -> RaterModelFit:
    """Fit the model to every current submitted score and store it as the newest fit."""
    started = time.perf_counter()
    data = _read_ratings()
    fit, interviewer_ids = fit_arrays(data[:, 0], data[:, 1], data[:, 2], data[:, 3].astype(float))
    row = RaterModelFit.objects.create(
        fitted_at=timezone.now(),
        ratings=len(data),
        loops=len(np.unique(data[:, 0])) if len(data) else 0,
        connected_loops=fit.connected_loops,
        fitted=fit.fitted,
        converged=fit.converged,
        iterations=fit.iterations,
        sigma=_finite(fit.sigma),
        tau=_finite(fit.tau),
        sigma_offset=_finite(fit.sigma_offset),
        sigma_scale=_finite(fit.sigma_scale),
        seconds=time.perf_counter() - started,
        notes=list(fit.notes),
        interviewers=stored_interviewers(fit, interviewer_ids) if fit.fitted else {},
    )
    stale = list(RaterModelFit.objects.order_by("-pk").values_list("pk", flat=True)[KEEP_FITS:])
    if stale:
        RaterModelFit.objects.filter(pk__in=stale).delete()
    logger.info("Rater model fitted: %s ratings, %s iterations, %.2f s.", row.ratings, row.iterations, row.seconds)
    return row


def stored_interviewers(fit: RaterFit, interviewer_ids: Iterable[int]) -> dict[str, list[float | int | bool]]:
    return {
        str(int(who)): [
            round(float(fit.offset[i]), 6), round(float(fit.offset_sd[i]), 6), round(float(fit.scale[i]), 6),
            round(float(fit.scale_sd[i]), 6), int(fit.loops[i]), int(fit.ratings[i]), bool(fit.connected[i]),
        ]
        for i, who in enumerate(interviewer_ids)
    }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def current_fit() -> RaterModelFit | None:
    return RaterModelFit.objects.order_by("-pk").first()


def model_table(interviewers: Iterable[int] | None = None) -> ModelTable:
    """The newest fit's estimates for these interviewers (all by default); one query."""
    return table_from_fit(current_fit(), interviewers)


def table_from_fit(row: RaterModelFit | None, interviewers: Iterable[int] | None = None) -> ModelTable:
    """A fit's estimates for these interviewers (all by default).

    Before any fit, or when the history was too thin to fit, every
    interviewer has no history (adjustment 0) and the noise is
    ``DEFAULT_NOISE``.
    """
    if row is None or not row.fitted:
        return ModelTable(estimates={}, sigma=DEFAULT_NOISE, sigma_offset=0.0, sigma_scale=0.0, fitted=False)
    wanted = None if interviewers is None else {str(who) for who in interviewers}
    estimates: dict[Hashable, ModelEstimate] = {}
    for key, values in row.interviewers.items():
        if wanted is not None and key not in wanted:
            continue
        offset, offset_sd, scale, scale_sd, loops, _ratings, connected = values
        if not connected:
            continue
        estimates[int(key)] = ModelEstimate(interviewer=int(key), offset=offset, std_error=offset_sd, scale=scale,
                                            scale_std_error=scale_sd, loops=loops, scorecards=loops)
    return ModelTable(estimates=estimates, sigma=row.sigma or DEFAULT_NOISE, sigma_offset=row.sigma_offset or 0.0,
                      sigma_scale=row.sigma_scale or 0.0, fitted=True)
