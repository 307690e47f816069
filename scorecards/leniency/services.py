"""Writes for leniency: the stored scorecard residuals (``LeniencyResidual``) and their sums (``LeniencyTotals``).

A loop's residual rows are replaced only by a transaction that holds the
loop's lock (its recompute), so two writers never interleave on a loop. The
totals move by the difference each replacement makes, in one statement per
transaction that takes the interviewers' rows in id order: transactions that
touch the same interviewers queue up instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from django.db import connection, transaction

from hiring.models import InterviewLoop
from scorecards.leniency.selectors import ResidualRow, fresh_residuals, residuals_select_sql, stored_residuals
from scorecards.models import LeniencyResidual, LeniencyTotals, RecomputeRequest

# Loops with a pending recompute whose residuals one recompute brings up to date, at most.
CATCH_UP_LIMIT = 200
# Residuals computed twice from the same scores may differ in the last bits (summation order): not a change.
RESIDUAL_PLACES = 12

Delta = dict[int, list[float]]  # interviewer -> [scorecards, comparisons, residual sum, residual squares]


def leniency_residuals_refresh(loop_ids: Sequence[int]) -> list[ResidualRow]:
    """Store the residuals of these loops (locked by the caller) as their scores give them now; returns them.

    Loops whose recompute is still pending elsewhere are brought up to date
    too (up to ``CATCH_UP_LIMIT``; those locked by their own recompute are
    skipped, it is writing them): a recommendation computed now counts the
    scorecards submitted a moment ago, or while the broker was down. Call
    inside the transaction that holds the locks.
    """
    fresh = fresh_residuals(loop_ids)
    delta = _replace(loop_ids, fresh)
    others = _pending_loops_locked(besides=loop_ids)
    if others:
        _merge(delta, _replace(others, fresh_residuals(others)))
    _add_to_totals(delta)
    return fresh


def leniency_residuals_rebuild() -> int:
    """Recompute every stored residual and total from the ratings, in the database; returns the residuals.

    For data that did not come through the services (a bulk load). Not
    meant to run beside recomputes.
    """
    residuals, totals = LeniencyResidual._meta.db_table, LeniencyTotals._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {totals}")  # noqa: S608 - table names from the models, no user input
        cursor.execute(f"DELETE FROM {residuals}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {residuals} (loop_id, scorecard_id, interviewer_id, residual, comparisons) "  # noqa: S608
            + residuals_select_sql(None)
        )
        written = cursor.rowcount
        cursor.execute(totals_rebuild_sql())
    return written


def totals_rebuild_sql() -> str:
    return f"""
        INSERT INTO {LeniencyTotals._meta.db_table}
               (interviewer_id, scorecards, comparisons, residual_sum, residual_squares)
        SELECT interviewer_id, COUNT(*), SUM(comparisons), SUM(residual), SUM(residual * residual)
        FROM {LeniencyResidual._meta.db_table} GROUP BY interviewer_id
    """  # noqa: S608 - table names from the models


def _pending_loops_locked(*, besides: Collection[int]) -> list[int]:
    pending = list(
        RecomputeRequest.objects.filter(processed_at__isnull=True)
        .exclude(loop_id__in=list(besides))
        .order_by("loop_id")
        .values_list("loop_id", flat=True)
        .distinct()[:CATCH_UP_LIMIT]
    )
    if not pending:
        return []
    return list(
        InterviewLoop.objects.select_for_update(skip_locked=True)
        .filter(pk__in=pending)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _replace(loop_ids: Sequence[int], fresh: Sequence[ResidualRow]) -> Delta:
    """Replace the rows of the loops whose residuals changed (none: one query); returns the totals' change."""
    if not loop_ids:
        return {}
    stored = stored_residuals(loop_ids)
    wanted_by_loop, stored_by_loop = _by_loop(fresh), _by_loop(stored)
    changed = {loop for loop in loop_ids if wanted_by_loop.get(loop) != stored_by_loop.get(loop)}
    if not changed:
        return {}
    removed = [row for row in stored if row.loop in changed]
    added = [row for row in fresh if row.loop in changed]
    LeniencyResidual.objects.filter(loop_id__in=changed).delete()
    LeniencyResidual.objects.bulk_create(
        LeniencyResidual(
            loop_id=row.loop,
            scorecard_id=row.scorecard,
            interviewer_id=row.interviewer,
            residual=row.residual,
            comparisons=row.comparisons,
        )
        for row in added
    )
    delta: Delta = {}
    _accumulate(delta, added, 1)
    _accumulate(delta, removed, -1)
    return delta


def _accumulate(delta: Delta, rows: Iterable[ResidualRow], sign: int) -> None:
    for row in rows:
        sums = delta.setdefault(row.interviewer, [0, 0, 0.0, 0.0])
        sums[0] += sign
        sums[1] += sign * row.comparisons
        sums[2] += sign * row.residual
        sums[3] += sign * row.residual * row.residual


def _merge(delta: Delta, other: Delta) -> None:
    for who, sums in other.items():
        mine = delta.setdefault(who, [0, 0, 0.0, 0.0])
        for i, value in enumerate(sums):
            mine[i] += value


def _add_to_totals(delta: Delta) -> None:
    """One upsert adding ``delta`` to the interviewers' totals, rows taken in interviewer order."""
    if not delta:
        return
    table = LeniencyTotals._meta.db_table
    who = sorted(delta)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(who))
    params = [value for interviewer in who for value in (interviewer, *delta[interviewer])]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (interviewer_id, scorecards, comparisons, residual_sum, residual_squares)
            VALUES {values}
            ON CONFLICT (interviewer_id) DO UPDATE SET
                scorecards = {table}.scorecards + EXCLUDED.scorecards,
                comparisons = {table}.comparisons + EXCLUDED.comparisons,
                residual_sum = {table}.residual_sum + EXCLUDED.residual_sum,
                residual_squares = {table}.residual_squares + EXCLUDED.residual_squares
            """,  # noqa: S608 - table name from the model, values as parameters
            params,
        )


def _by_loop(rows: Iterable[ResidualRow]) -> dict[int, frozenset[tuple[int, int, int, float]]]:
    grouped: dict[int, set[tuple[int, int, int, float]]] = {}
    for row in rows:
        grouped.setdefault(row.loop, set()).add(
            (row.scorecard, row.interviewer, row.comparisons, round(row.residual, RESIDUAL_PLACES))
        )
    return {loop: frozenset(items) for loop, items in grouped.items()}
