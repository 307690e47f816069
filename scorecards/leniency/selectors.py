"""Reads for leniency: scorecard residuals computed in SQL, the stored ones, and the whole history's totals.

The definition is ``scorecards.leniency.offsets`` (``estimate_leniency`` is the
reference in Python); here a scorecard's residual is computed by the
database with window functions, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from hiring.models import Interview
from scorecards.leniency.offsets import LeniencyHistory, ResidualTotals, residual_totals
from scorecards.models import LeniencyResidual, LeniencyTotals, Rating, Scorecard


@dataclass(frozen=True)
class ResidualRow:
    loop: int
    scorecard: int
    interviewer: int
    residual: float
    comparisons: int


def residuals_select_sql(loop_count: int | None) -> str:
    """SELECT loop, scorecard, interviewer, residual, comparisons for the current submitted scorecards.

    With ``loop_count``, only the loops given as that many parameters. A
    rating's residual is its score minus the mean of the *other*
    interviewers' scores on its loop and dimension; a scorecard's is the mean
    of its ratings' residuals, over the dimensions someone else also scored.
    """
    loops = "" if loop_count is None else f"AND i.loop_id IN ({', '.join(['%s'] * loop_count)})"
    return f"""
        WITH rated AS (
            SELECT i.loop_id, s.id AS scorecard_id, s.interviewer_id, r.score,
                   SUM(r.score) OVER (PARTITION BY i.loop_id, r.dimension_id) AS cell_sum,
                   COUNT(*) OVER (PARTITION BY i.loop_id, r.dimension_id) AS cell_n,
                   SUM(r.score) OVER (PARTITION BY i.loop_id, r.dimension_id, s.interviewer_id) AS own_sum,
                   COUNT(*) OVER (PARTITION BY i.loop_id, r.dimension_id, s.interviewer_id) AS own_n
            FROM {Rating._meta.db_table} r
            JOIN {Scorecard._meta.db_table} s ON s.id = r.scorecard_id
            JOIN {Interview._meta.db_table} i ON i.id = s.interview_id
            WHERE s.status = 'submitted' AND s.is_current AND r.score IS NOT NULL {loops}
        )
        SELECT loop_id, scorecard_id, interviewer_id,
               AVG(score - CAST(cell_sum - own_sum AS DOUBLE PRECISION) / (cell_n - own_n)), COUNT(*)
        FROM rated
        WHERE cell_n > own_n
        GROUP BY loop_id, scorecard_id, interviewer_id
    """  # noqa: S608 - table names from the models and placeholders only


def fresh_residuals(loop_ids: Sequence[int]) -> list[ResidualRow]:
    """The residuals of these loops' current submitted scorecards, computed now from their ratings (one query)."""
    if not loop_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(residuals_select_sql(len(loop_ids)), list(loop_ids))
        return [ResidualRow(*row) for row in cursor.fetchall()]


def stored_residuals(loop_ids: Collection[int]) -> list[ResidualRow]:
    """The residuals these loops' last recompute stored (one query)."""
    rows = LeniencyResidual.objects.filter(loop_id__in=loop_ids).values_list(
        "loop_id", "scorecard_id", "interviewer_id", "residual", "comparisons"
    )
    return [ResidualRow(*row) for row in rows]


def loop_parts(rows: Collection[ResidualRow]) -> dict[int, dict[Hashable, ResidualTotals]]:
    """Per loop, per interviewer: the totals its scorecards add to the history."""
    by_loop: dict[int, list[ResidualRow]] = {}
    for row in rows:
        by_loop.setdefault(row.loop, []).append(row)
    return {
        loop: residual_totals((row.interviewer, row.residual, row.comparisons) for row in loop_rows)
        for loop, loop_rows in by_loop.items()
    }


def leniency_history() -> LeniencyHistory:
    """Every interviewer's residual totals, with the product's prior (one query, a row per interviewer)."""
    totals: dict[Hashable, ResidualTotals] = {
        who: ResidualTotals(scorecards=n, comparisons=comparisons, residual_sum=total, residual_squares=squares)
        for who, n, comparisons, total, squares in LeniencyTotals.objects.filter(scorecards__gt=0).values_list(
            "interviewer_id", "scorecards", "comparisons", "residual_sum", "residual_squares"
        )
    }
    return LeniencyHistory(totals, prior_strength=float(settings.HIRELOOP_LENIENCY_PRIOR_STRENGTH))
