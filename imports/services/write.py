"""Writing a plan in bulk: ids reserved up front, one COPY per table on PostgreSQL, executemany elsewhere.

Every statement runs inside the caller's transaction: the import is all or
nothing. Rows go in with raw SQL, not ``bulk_create``: the loops' opening
times and the scorecards' creation times come from the vendor, which
``auto_now_add`` would overwrite.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.db.models import Exists, OuterRef

from hiring.models import Candidate, Interview, InterviewLoop, User
from hiring.services.stages import stage_of
from imports.models import ExternalRecord, ImportRun
from imports.services.rows import SOURCE_NAMES, Plan, Table, resolve
from scorecards.models import Rating, RecomputeRequest, Scorecard

CHUNK = 5000
Progress = Callable[[str, int, int], None]


class BulkWriter:
    """Bulk inserts and updates in the caller's transaction.

    On PostgreSQL a foreign key is a trigger checked row by row at the commit:
    for a large import that is most of the time it takes. When the connection
    may (a superuser), the triggers are switched off around each COPY, for this
    transaction only, and every foreign key of the new rows is then checked
    set-wise, one anti-join per key, before the commit (as a restore does); a
    dangling reference rolls the whole import back. Otherwise the triggers
    check, slower but the same.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.cursor = connection.cursor()
        self.unchecked: list[tuple[type[models.Model], str, list[int]]] = []
        self.bypass = False
        if self.postgres:
            self.cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            self.bypass = bool(self.cursor.fetchone()[0])

    def reserve(self, model: type[models.Model], count: int) -> list[int]:
        """``count`` new primary keys for ``model``'s table, taken from its sequence (or past its largest id)."""
        if not count:
            return []
        table = model._meta.db_table
        if self.postgres:
            self.cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                                [table, count])
            return [row[0] for row in self.cursor.fetchall()]
        # Elsewhere the transaction holds the database's write lock: nobody takes these ids meanwhile.
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        first = self.cursor.fetchone()[0] + 1
        return list(range(first, first + count))

    def insert(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]],
               *, new_rows: tuple[str, list[int]]) -> int:
        """``new_rows``: (column, values) that pick out exactly the rows inserted, for the foreign-key check."""
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        table = quote(model._meta.db_table)
        count = 0
        if self.postgres:
            if self.bypass:
                self.cursor.execute("SET LOCAL session_replication_role = replica")
                self.unchecked.append((model, *new_rows))
            with self.cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            if self.bypass:
                self.cursor.execute("SET LOCAL session_replication_role = origin")
            return count
        fields = _fields(model, columns)
        statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[list[Any]] = []
        for row in rows:
            batch.append([f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)])
            if len(batch) >= CHUNK:
                self.cursor.executemany(statement, batch)
                count += len(batch)
                batch = []
        if batch:
            self.cursor.executemany(statement, batch)
            count += len(batch)
        return count

    def check_references(self) -> None:
        """The foreign keys of every row inserted with the triggers off, set-wise; RuntimeError when one dangles."""
        quote = connection.ops.quote_name
        dangling = []
        for model, column, values in self.unchecked:
            if not values:
                continue
            for fk in model._meta.concrete_fields:
                if not isinstance(fk, models.ForeignKey) or not getattr(fk, "db_constraint", True):
                    continue
                target = fk.related_model._meta
                self.cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} c "  # noqa: S608 - names from the models
                    f"WHERE c.{quote(column)} = ANY(%s) AND c.{quote(fk.column)} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {quote(target.db_table)} p WHERE p.{quote(str(target.pk.column))} "
                    f"= c.{quote(fk.column)})",
                    [values],
                )
                count = self.cursor.fetchone()[0]
                if count:
                    dangling.append(f"{model._meta.db_table}.{fk.column}: {count} row(s)")
        if dangling:
            raise RuntimeError("Imported rows refer to missing rows; nothing was saved: " + "; ".join(dangling))

    def update(self, model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """``rows``: (id, value per column)."""
        if not rows:
            return
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
        statement = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE id = %s"  # noqa: S608
        fields = _fields(model, columns)
        self.cursor.executemany(statement, [
            [*(f.get_db_prep_save(v, connection) for f, v in zip(fields, row[1:], strict=True)), row[0]]
            for row in rows
        ])

    def delete_where_in(self, model: type[models.Model], column: str, ids: Sequence[int]) -> None:
        table, quoted = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(column)
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start:start + CHUNK])
            self.cursor.execute(
                f"DELETE FROM {table} WHERE {quoted} IN ({', '.join(['%s'] * len(chunk))})", chunk  # noqa: S608
            )


def _fields(model: type[models.Model], columns: Sequence[str]) -> list[models.Field[Any, Any]]:
    by_column = {field.column: field for field in model._meta.concrete_fields}
    return [by_column[column] for column in columns]


def write_plan(plan: Plan, *, run: ImportRun, actor: User | None, now: datetime, progress: Progress) -> None:
    """Every row of the plan, inside the caller's transaction; the loops' stages derived afterwards."""
    writer = BulkWriter()
    steps = 9
    progress("writing", 0, steps)
    writer.delete_where_in(ExternalRecord, "id", plan.stale_records)
    user_ids = _users(writer, plan.users, now)
    progress("writing", 1, steps)
    candidate_ids = _candidates(writer, plan, actor, now)
    progress("writing", 2, steps)
    loop_ids = writer.reserve(InterviewLoop, len(plan.loops.new))
    writer.insert(InterviewLoop, (
        "id", "candidate_id", "role_id", "rubric_id", "recruiter_id", "hiring_manager_id", "status",
        "withdrawn_reason", "decision", "decision_rationale", "decision_justification", "decided_at", "opened_at",
        "closed_at", "candidate_invites",
    ), (
        (loop_ids[n], resolve(candidate, candidate_ids), role, rubric,
         None if recruiter is None else resolve(recruiter, user_ids), None, status, "", decision, "", "",
         closed if status == "decided" else None, opened, closed, False)
        for n, (candidate, role, rubric, recruiter, status, decision, opened, closed) in enumerate(plan.loops.new)
    ), new_rows=("id", loop_ids))
    writer.update(InterviewLoop, ("status", "decision", "closed_at", "decided_at", "recruiter_id"), [
        (loop, status, decision, closed, closed if status == "decided" else None,
         None if recruiter is None else resolve(recruiter, user_ids))
        for loop, status, decision, closed, recruiter in plan.loops.updates
    ])
    progress("writing", 3, steps)
    interview_ids = writer.reserve(Interview, len(plan.interviews.new))
    writer.insert(Interview, (
        "id", "loop_id", "kind", "interviewer_id", "starts_at", "ends_at", "feedback_due_at", "created_at",
        # The calendar's columns (COPY and a named INSERT fill no model default). An imported interview was
        # put in calendars by the ATS: no invite is owed for it (invites_pending false), only a UID of its own.
        "cancelled_at", "calendar_uid", "sequence", "changed_at", "invites_pending",
    ), (
        (interview_ids[n], resolve(loop, loop_ids), kind, resolve(interviewer, user_ids), starts, ends, due, now,
         None, uuid.uuid4(), 0, now, False)
        for n, (loop, kind, interviewer, starts, ends, due) in enumerate(plan.interviews.new)
    ), new_rows=("id", interview_ids))
    writer.update(Interview, ("kind", "starts_at", "ends_at", "feedback_due_at"), plan.interviews.updates)
    progress("writing", 4, steps)
    scorecard_ids = writer.reserve(Scorecard, len(plan.scorecards.new))
    writer.insert(Scorecard, (
        "id", "interview_id", "interviewer_id", "status", "overall", "summary", "revision", "amendment_reason",
        "is_current", "version", "created_at", "updated_at", "submitted_at", "source", "source_id",
    ), (
        (scorecard_ids[n], resolve(interview, interview_ids), resolve(interviewer, user_ids), "submitted", overall,
         summary, 1, "", True, 1, submitted, now, submitted, plan.source, source_id)
        for n, (interview, interviewer, overall, summary, submitted, source_id) in enumerate(plan.scorecards.new)
    ), new_rows=("id", scorecard_ids))
    writer.update(Scorecard, ("overall", "summary", "submitted_at", "updated_at"),
                  [(*row, now) for row in plan.scorecards.updates])
    progress("writing", 5, steps)
    writer.delete_where_in(Rating, "scorecard_id", [row[0] for row in plan.scorecards.updates])
    writer.insert(Rating, ("scorecard_id", "dimension_id", "score", "not_assessed", "evidence"), (
        (resolve(ref, scorecard_ids), dimension, score, not_assessed, evidence)
        for ref, ratings in plan.ratings.items()
        for dimension, score, not_assessed, evidence in ratings
    ), new_rows=("scorecard_id", [resolve(ref, scorecard_ids) for ref in plan.ratings]))
    progress("writing", 6, steps)
    ids = {"user": user_ids, "candidate": candidate_ids, "loop": loop_ids, "interview": interview_ids,
           "scorecard": scorecard_ids}
    _records(writer, plan, run, ids)
    writer.check_references()
    progress("writing", 7, steps)
    open_loops = _refresh_stages(writer, sorted(resolve(ref, loop_ids) for ref in plan.loops_to_refresh), now)
    # The outbox, not an enqueue per loop: the drain hands them to workers (docs/architecture.md).
    RecomputeRequest.objects.bulk_create(
        [RecomputeRequest(loop_id=loop, reason="imported") for loop in open_loops], batch_size=1000
    )
    progress("writing", 8, steps)


def _users(writer: BulkWriter, table: Table, now: datetime) -> list[int]:
    ids = writer.reserve(User, len(table.new))
    # Inactive, with no usable password: their history counts in calibration, and they cannot sign in.
    writer.insert(User, (
        "id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active",
        "date_joined", "kind",
    ), (
        (ids[n], make_password(None), False, username, first, last, email, False, False, now, "interviewer")
        for n, (username, first, last, email) in enumerate(table.new)
    ), new_rows=("id", ids))
    return ids


def _candidates(writer: BulkWriter, plan: Plan, actor: User | None, now: datetime) -> list[int]:
    ids = writer.reserve(Candidate, len(plan.candidates.new))
    source = f"{SOURCE_NAMES[plan.source]} import"
    writer.insert(Candidate, (
        "id", "name", "email", "phone", "source", "notes", "created_by_id", "created_at", "updated_at",
    ), (
        (ids[n], name, email, phone, source, "", actor.pk if actor else None, now, now)
        for n, (name, email, phone) in enumerate(plan.candidates.new)
    ), new_rows=("id", ids))
    writer.update(Candidate, ("name", "email", "phone", "updated_at"),
                  [(*row, now) for row in plan.candidates.updates])
    return ids


def _records(writer: BulkWriter, plan: Plan, run: ImportRun, ids: dict[str, list[int]]) -> None:
    tables = {"user": plan.users, "candidate": plan.candidates, "loop": plan.loops, "interview": plan.interviews,
              "scorecard": plan.scorecards}
    writer.insert(ExternalRecord, ("source", "kind", "external_id", "object_id", "fingerprint", "run_id"), (
        (plan.source, kind, external_id, resolve(ref, ids[kind]), print_, run.pk)
        for kind, table in tables.items()
        for external_id, ref, print_ in table.new_records
    ), new_rows=("run_id", [run.pk]))
    writer.update(ExternalRecord, ("fingerprint", "run_id"), [
        (record, print_, run.pk) for table in tables.values() for record, print_ in table.changed_records
    ])


def _refresh_stages(writer: BulkWriter, candidates: list[int], now: datetime) -> list[int]:
    """The stage of each loop still open, from its panel, as ``loop_refresh_status`` derives it for one; returns
    the loops it refreshed. A loop decided or withdrawn in Hireloop meanwhile is left as it is."""
    closed = (InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN)
    loop_ids = []
    for start in range(0, len(candidates), CHUNK):
        loop_ids += list(InterviewLoop.objects.filter(pk__in=candidates[start:start + CHUNK])
                         .exclude(status__in=closed).order_by("pk").values_list("pk", flat=True))
    submitted = Scorecard.objects.filter(interview=OuterRef("pk"), interviewer=OuterRef("interviewer"),
                                         status=Scorecard.Status.SUBMITTED, is_current=True)
    panels: dict[int, list[tuple[bool, datetime]]] = {loop: [] for loop in loop_ids}
    for start in range(0, len(loop_ids), CHUNK):
        rows = (Interview.objects.filter(loop_id__in=loop_ids[start:start + CHUNK]).order_by()
                .annotate(done=Exists(submitted)).values_list("loop_id", "done", "ends_at"))
        for loop, done, ends in rows:
            panels[loop].append((done, ends))
    by_stage: dict[str, list[int]] = {}
    for loop, panel in panels.items():
        by_stage.setdefault(stage_of(panel, now=now), []).append(loop)
    for stage, loops in by_stage.items():
        writer.update(InterviewLoop, ("status",), [(loop, stage) for loop in loops])
    return loop_ids
