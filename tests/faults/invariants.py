"""Invariants of the fault scenarios, checked in SQL against the database the workers wrote."""

from __future__ import annotations

from django.db import connection


def rows(sql: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def loops_without_current_recommendation() -> list[tuple]:
    """Loops whose recommendation is missing or was computed from fewer scorecards than are submitted."""
    return rows(
        """
        SELECT l.id, COUNT(s.id) AS submitted, r.scorecard_count
        FROM hiring_interviewloop l
        JOIN hiring_interview i ON i.loop_id = l.id
        JOIN scorecards_scorecard s ON s.interview_id = i.id AND s.status = 'submitted' AND s.is_current
        LEFT JOIN scorecards_recommendation r ON r.loop_id = l.id
        GROUP BY l.id, r.scorecard_count
        HAVING r.scorecard_count IS NULL OR r.scorecard_count <> COUNT(s.id)
        ORDER BY l.id
        """
    )


def duplicated_recommendations() -> list[tuple]:
    return rows("SELECT loop_id, COUNT(*) FROM scorecards_recommendation GROUP BY loop_id HAVING COUNT(*) > 1")


def pending_outbox() -> int:
    return rows("SELECT COUNT(*) FROM scorecards_recomputerequest WHERE processed_at IS NULL")[0][0]


def unfinished_reports() -> list[tuple]:
    return rows(
        """
        SELECT id, status FROM scorecards_calibrationreport
        WHERE status <> 'done' OR result IS NULL
        ORDER BY id
        """
    )


def completions_per_report() -> dict[int, int]:
    """How many times each report was recorded as completed (must be exactly once)."""
    return dict(
        rows(
            """
            SELECT CAST(r.id AS INTEGER), COUNT(e.id)
            FROM scorecards_calibrationreport r
            LEFT JOIN hiring_auditevent e
              ON e.object_type = 'scorecards.calibrationreport' AND e.object_id = CAST(r.id AS TEXT)
             AND e.action = 'calibration.completed'
            GROUP BY r.id
            """
        )
    )
