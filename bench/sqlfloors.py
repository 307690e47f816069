"""The floors that are one hand-written SQL statement: the same rows as the product, fetched directly.

Each function runs on a plain psycopg connection (no Django) and returns
what it fetched, so that the harness can time it and check it found rows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ACTIVE = ("open", "awaiting_feedback", "in_review")

# The pipeline's first page (every active loop, most overdue first, 25 a page) with the total, in one query:
# per loop the interview counts, the oldest overdue feedback, the next interview, the recommendation, and who is
# overdue (with their names).
PIPELINE_SQL = """
WITH interview_state AS (
    SELECT i.loop_id, i.id, i.starts_at, i.ends_at, i.feedback_due_at, i.interviewer_id,
           EXISTS (SELECT 1 FROM scorecards_scorecard s
                   WHERE s.interview_id = i.id AND s.interviewer_id = i.interviewer_id
                     AND s.status = 'submitted' AND s.is_current) AS submitted
    FROM hiring_interview i
    JOIN hiring_interviewloop l ON l.id = i.loop_id
    WHERE l.status = ANY(%(active)s) AND i.cancelled_at IS NULL
), per_loop AS (
    SELECT loop_id,
           count(*) AS interview_count,
           count(*) FILTER (WHERE ends_at <= %(now)s) AS done_count,
           count(*) FILTER (WHERE ends_at > %(now)s) AS upcoming_count,
           count(*) FILTER (WHERE submitted) AS submitted_count,
           count(*) FILTER (WHERE NOT submitted AND ends_at <= %(now)s AND feedback_due_at > %(now)s) AS pending_count,
           count(*) FILTER (WHERE NOT submitted AND feedback_due_at <= %(now)s) AS overdue_count,
           min(feedback_due_at) FILTER (WHERE NOT submitted AND feedback_due_at <= %(now)s) AS oldest_due,
           min(starts_at) FILTER (WHERE starts_at > %(now)s) AS next_interview_at
    FROM interview_state GROUP BY loop_id
), page AS (
    SELECT l.id, l.status, l.opened_at, l.candidate_id, l.role_id, l.recruiter_id,
           coalesce(p.interview_count, 0) AS interview_count, coalesce(p.done_count, 0) AS done_count,
           coalesce(p.upcoming_count, 0) AS upcoming_count, coalesce(p.submitted_count, 0) AS submitted_count,
           coalesce(p.pending_count, 0) AS pending_count, coalesce(p.overdue_count, 0) AS overdue_count,
           p.oldest_due, p.next_interview_at, count(*) OVER () AS total
    FROM hiring_interviewloop l LEFT JOIN per_loop p ON p.loop_id = l.id
    WHERE l.status = ANY(%(active)s)
    ORDER BY overdue_count DESC NULLS LAST, p.oldest_due ASC NULLS LAST, l.id DESC
    LIMIT 25
)
SELECT page.*, c.name AS candidate_name, c.erased_at, r.title AS role_title,
       u.first_name || ' ' || u.last_name AS recruiter_name, rec.outcome,
       (SELECT json_agg(json_build_object('interviewer', iu.first_name || ' ' || iu.last_name,
                                          'due', s.feedback_due_at) ORDER BY s.feedback_due_at, s.id)
        FROM interview_state s JOIN hiring_user iu ON iu.id = s.interviewer_id
        WHERE s.loop_id = page.id AND NOT s.submitted AND s.feedback_due_at <= %(now)s) AS overdue_interviews
FROM page
JOIN hiring_candidate c ON c.id = page.candidate_id
JOIN hiring_role r ON r.id = page.role_id
LEFT JOIN hiring_user u ON u.id = page.recruiter_id
LEFT JOIN scorecards_recommendation rec ON rec.loop_id = page.id
ORDER BY page.overdue_count DESC NULLS LAST, page.oldest_due ASC NULLS LAST, page.id DESC
"""

# Everything the candidate summary shows: the candidate's loops, their interviews and interviewers, and each
# current submitted scorecard with its ratings and signals, as flat rows.
CANDIDATE_SQL = """
SELECT c.id, c.name, c.email, c.phone, c.source,
       l.id AS loop_id, l.status, l.decision, l.decision_rationale, l.opened_at, l.closed_at,
       ro.title AS role_title, rb.version AS rubric_version, rec.outcome, rec.weighted_score, rec.coverage,
       i.id AS interview_id, i.kind, i.starts_at, i.ends_at, i.feedback_due_at,
       iu.first_name || ' ' || iu.last_name AS interviewer, ex.title AS exercise,
       s.id AS scorecard_id, s.status AS scorecard_status, s.overall, s.summary, s.submitted_at,
       d.name AS dimension, d.position, d.weight_value, ra.score, ra.not_assessed, ra.evidence,
       (SELECT string_agg(sg.text, '; ') FROM scorecards_observedsignal os
          JOIN scorecards_signal sg ON sg.id = os.signal_id WHERE os.scorecard_id = s.id) AS signals
FROM hiring_candidate c
JOIN hiring_interviewloop l ON l.candidate_id = c.id
JOIN hiring_role ro ON ro.id = l.role_id
JOIN scorecards_rubric rb ON rb.id = l.rubric_id
LEFT JOIN scorecards_recommendation rec ON rec.loop_id = l.id
LEFT JOIN hiring_interview i ON i.loop_id = l.id AND i.cancelled_at IS NULL
LEFT JOIN hiring_user iu ON iu.id = i.interviewer_id
LEFT JOIN exercises_exercise ex ON ex.id = i.exercise_id
LEFT JOIN scorecards_scorecard s ON s.interview_id = i.id AND s.interviewer_id = i.interviewer_id AND s.is_current
LEFT JOIN scorecards_rating ra ON ra.scorecard_id = s.id AND s.status = 'submitted'
LEFT JOIN scorecards_dimension d ON d.id = ra.dimension_id
WHERE c.id = %(candidate)s
ORDER BY l.opened_at DESC, l.id DESC, i.starts_at, i.id, d.position
"""

# The recomputation's arithmetic core: per loop and dimension, the mean, count and spread of current submitted scores.
RECOMPUTE_SQL = """
SELECT i.loop_id, r.dimension_id, avg(r.score), count(r.score), max(r.score) - min(r.score)
FROM scorecards_rating r
JOIN scorecards_scorecard s ON s.id = r.scorecard_id
JOIN hiring_interview i ON i.id = s.interview_id
WHERE s.status = 'submitted' AND s.is_current AND r.score IS NOT NULL AND i.loop_id = ANY(%(loops)s)
GROUP BY i.loop_id, r.dimension_id
"""

# A report reads only loops whose panel is complete (the independence rule, scorecards.calibration.selectors
# .panel_complete): no interview of the loop lacks a submitted current scorecard from its interviewer.
PANEL_COMPLETE_SQL = """
NOT EXISTS (SELECT 1 FROM hiring_interview pi WHERE pi.loop_id = i.loop_id AND NOT EXISTS (
    SELECT 1 FROM scorecards_scorecard ps
    WHERE ps.interview_id = pi.id AND ps.interviewer_id = pi.interviewer_id AND ps.is_current
      AND ps.status = 'submitted'))
"""

# The calibration report's core: per interviewer, scorecards, ratings, mean and variance of their scores.
CALIBRATION_SQL = f"""
SELECT s.interviewer_id, count(DISTINCT s.id), count(r.score), avg(r.score), var_samp(r.score),
       count(DISTINCT s.id) FILTER (WHERE s.overall = 'strong_yes'),
       count(DISTINCT s.id) FILTER (WHERE s.overall = 'strong_no')
FROM scorecards_rating r
JOIN scorecards_scorecard s ON s.id = r.scorecard_id
JOIN hiring_interview i ON i.id = s.interview_id
WHERE s.status = 'submitted' AND s.is_current
  AND s.submitted_at >= %(start)s AND s.submitted_at < %(end)s
  AND {PANEL_COMPLETE_SQL}
GROUP BY s.interviewer_id
"""

# What Krippendorff's alpha is computed from, and no report can do without: per loop and dimension (a unit), how
# many of the scope's original scorecards gave each score. Timed alone as a part of the report, not a floor.
CALIBRATION_UNITS_SQL = f"""
SELECT i.loop_id, r.dimension_id, count(*) FILTER (WHERE r.score = 1), count(*) FILTER (WHERE r.score = 2),
       count(*) FILTER (WHERE r.score = 3), count(*) FILTER (WHERE r.score = 4), count(*) FILTER (WHERE r.score = 5)
FROM scorecards_rating r
JOIN scorecards_scorecard s ON s.id = r.scorecard_id
JOIN hiring_interview i ON i.id = s.interview_id
WHERE s.status = 'submitted' AND s.revision = 1 AND r.score IS NOT NULL
  AND i.ends_at >= %(start)s AND i.ends_at < %(end)s
  AND {PANEL_COMPLETE_SQL}
GROUP BY i.loop_id, r.dimension_id
"""

# The audit export's rows and columns, newest first.
EXPORT_SQL = """
SELECT e.id, to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
       e.actor_id, coalesce(u.username, 'system'), e.action, e.object_type, e.object_id, e.loop_id,
       e.before::text, e.after::text
FROM hiring_auditevent e LEFT JOIN hiring_user u ON u.id = e.actor_id
WHERE e.created_at >= {start} AND e.created_at < {end}
ORDER BY e.created_at DESC, e.id DESC
"""


def pipeline(connection: psycopg.Connection[Any], now: datetime) -> list[tuple[Any, ...]]:
    return connection.execute(PIPELINE_SQL, {"active": list(ACTIVE), "now": now}).fetchall()


def candidate(connection: psycopg.Connection[Any], candidate_id: int) -> list[tuple[Any, ...]]:
    return connection.execute(CANDIDATE_SQL, {"candidate": candidate_id}).fetchall()


def recompute(connection: psycopg.Connection[Any], loop_ids: list[int]) -> list[tuple[Any, ...]]:
    return connection.execute(RECOMPUTE_SQL, {"loops": loop_ids}).fetchall()


def calibration(connection: psycopg.Connection[Any], start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    return connection.execute(CALIBRATION_SQL, {"start": start, "end": end}).fetchall()


def calibration_units(connection: psycopg.Connection[Any], start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    return connection.execute(CALIBRATION_UNITS_SQL, {"start": start, "end": end}).fetchall()


def export_copy(connection: psycopg.Connection[Any], start: datetime, end: datetime, path: Path) -> int:
    """COPY the export's rows to a CSV file; returns the bytes written."""
    literal = sql.Literal
    query = sql.SQL(EXPORT_SQL).format(start=literal(start), end=literal(end))
    size = 0
    with connection.cursor() as cursor, path.open("wb") as handle:
        copy_sql = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(query)
        with cursor.copy(copy_sql) as copy:
            for block in copy:
                handle.write(block)
                size += len(block)
    return size
