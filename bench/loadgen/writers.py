"""The generated rows, per table, and the two ways of saving them.

On PostgreSQL every table is written with ``COPY`` (psycopg 3), one per table
and chunk, inside the caller's transaction. Elsewhere (SQLite) ``bulk_create``
is correct but slow: use it only for small data sets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.core.management.base import CommandError
from django.db import connection, models

from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop
from scorecards.models import ObservedSignal, Rating, Recommendation, Scorecard


@dataclass
class Rows:
    """The rows of one chunk of loops, per table, in the column order of ``COLUMNS``."""

    tables: dict[type[models.Model] | str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, table: type[models.Model] | str, row: tuple[Any, ...]) -> None:
        self.tables.setdefault(table, []).append(row)

    def count(self, table: type[models.Model] | str) -> int:
        return len(self.tables.get(table, ()))


# The namespace of generated interviews' calendar UIDs: derived from the id, they cost the seeded history no draw.
BENCH_UIDS = uuid.UUID("6f1d2c1e-5b0a-4c3e-9a57-0b1e2c3d4e5f")


def interview_calendar_columns(interview_id: int, created: datetime) -> tuple[Any, ...]:
    """cancelled_at, calendar_uid, sequence, changed_at, invites_pending: COPY fills no model default."""
    return (None, uuid.uuid5(BENCH_UIDS, str(interview_id)), 0, created, False)


FOCUS_TABLE = "focus"  # Interview.focus_dimensions.through, resolved at run time
COLUMNS: dict[type[models.Model] | str, tuple[str, ...]] = {
    Candidate: ("id", "name", "email", "phone", "source", "notes", "created_by_id", "created_at", "updated_at"),
    InterviewLoop: (
        "id", "candidate_id", "role_id", "rubric_id", "recruiter_id", "hiring_manager_id", "status",
        "withdrawn_reason", "decision", "decision_rationale", "decision_justification", "decision_recommendation",
        "decided_by_id", "decided_at", "opened_at", "closed_at", "candidate_invites",
    ),
    Interview: (
        "id", "loop_id", "kind", "exercise_id", "interviewer_id", "starts_at", "ends_at", "feedback_due_at",
        "created_at", "cancelled_at", "calendar_uid", "sequence", "changed_at", "invites_pending",
    ),
    FOCUS_TABLE: ("interview_id", "dimension_id"),
    Scorecard: (
        "id", "interview_id", "interviewer_id", "status", "overall", "summary", "revision", "amends_id",
        "amendment_reason", "is_current", "version", "created_at", "updated_at", "submitted_at",
    ),
    Rating: ("scorecard_id", "dimension_id", "score", "not_assessed", "evidence"),
    ObservedSignal: ("scorecard_id", "signal_id", "note"),
    Recommendation: (
        "loop_id", "rubric_id", "outcome", "weighted_score", "coverage", "details", "fingerprint",
        "scorecard_count", "computed_at",
    ),
    AuditEvent: ("actor_id", "action", "object_type", "object_id", "loop_id", "before", "after", "created_at"),
}
# Parents before children, so foreign keys hold at every step.
TABLE_ORDER: tuple[type[models.Model] | str, ...] = (
    Candidate, InterviewLoop, Interview, FOCUS_TABLE, Scorecard, Rating, ObservedSignal, Recommendation, AuditEvent,
)
# Tables whose ids the generator assigns itself (children refer to them).
ID_TABLES: tuple[type[models.Model], ...] = (Candidate, InterviewLoop, Interview, Scorecard)


def _model(table: type[models.Model] | str) -> type[models.Model]:
    return Interview.focus_dimensions.through if table == FOCUS_TABLE else table  # type: ignore[return-value]


class CopyWriter:
    """PostgreSQL: one ``COPY ... FROM STDIN`` per table and chunk.

    Foreign keys are PostgreSQL triggers, checked row by row and deferred to
    the commit: for millions of rows that is most of the load time. When the
    connection may (superuser), they are switched off for this transaction
    only and every new row's references are then checked set-wise, one
    anti-join per foreign key, before the commit, as a restore does; a
    dangling reference aborts the whole run.
    """

    def __init__(self) -> None:
        self.cursor = connection.cursor()
        self.bulk_checked = False
        self.first_new_id: dict[str, int] = {}

    def lock(self) -> None:
        quote = connection.ops.quote_name
        names = [_model(t)._meta.db_table for t in TABLE_ORDER]
        # Nobody else may take ids from under us while we assign them ourselves.
        self.cursor.execute(f"LOCK TABLE {', '.join(quote(n) for n in names)} IN SHARE ROW EXCLUSIVE MODE")
        for name in names:
            self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {quote(name)}")  # noqa: S608
            self.first_new_id[name] = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if self.cursor.fetchone()[0]:
            self.cursor.execute("SET LOCAL session_replication_role = replica")
            self.bulk_checked = True

    def write(self, table: type[models.Model] | str, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        model = _model(table)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in COLUMNS[table])
        with self.cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _check_references(self) -> None:
        quote = connection.ops.quote_name
        dangling = []
        for table in TABLE_ORDER:
            model = _model(table)
            name = model._meta.db_table
            for fk in model._meta.concrete_fields:
                # The concrete relation fields are the foreign keys (one-to-one included).
                if not isinstance(fk, models.ForeignKey):
                    continue
                target = fk.related_model._meta
                column = quote(fk.column)
                self.cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(name)} c WHERE c.id >= %s AND c.{column} IS NOT NULL "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {quote(target.db_table)} p "
                    f"WHERE p.{quote(cast(str, target.pk.column))} = c.{column})",  # a primary key has a column
                    [self.first_new_id[name]],
                )
                count = self.cursor.fetchone()[0]
                if count:
                    dangling.append(f"{name}.{fk.column}: {count} row(s)")
        if dangling:
            raise CommandError("Generated rows refer to missing rows; nothing was saved: " + "; ".join(dangling))

    def finish(self) -> None:
        quote = connection.ops.quote_name
        if self.bulk_checked:
            self.cursor.execute("SET LOCAL session_replication_role = origin")
            self._check_references()
        for table in TABLE_ORDER:
            name = _model(table)._meta.db_table
            # Ids were assigned here, not by the sequence: move it past them.
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 - table names from models.
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {quote(name)}), 1))",
                [name],
            )
            # Fresh statistics, or the first queries plan as if the tables were empty.
            self.cursor.execute(f"ANALYZE {quote(name)}")


class OrmWriter:
    """Any other database: ``bulk_create``. Correct, and fine for a few hundred loops."""

    def lock(self) -> None:
        pass

    def write(self, table: type[models.Model] | str, rows: Sequence[tuple[Any, ...]]) -> None:
        model = _model(table)
        columns = COLUMNS[table]
        json_columns = {"decision_recommendation", "details", "before", "after"}
        objects = []
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            for column in json_columns & values.keys():
                if values[column] is not None:
                    values[column] = json.loads(values[column])
            objects.append(model(**values))
        model._default_manager.bulk_create(objects, batch_size=500)

    def finish(self) -> None:
        pass
