"""The audit trail as CSV bytes, streamed: PostgreSQL formats it with COPY, other databases in Python.

Both paths give the same columns, cells and row order, and neither holds the
trail in memory: COPY hands over the rows as the server produces them, the
Python path reads in chunks. Bytes are sent in blocks of about
``BLOCK_BYTES``, since each block becomes its own write to the client.

The events come from ``hiring.audit.selectors.audit_events``, which decides
in the query which values the reader may see: a withheld event's before and
after cells are empty and its ``values_withheld`` cell says ``true`` (the
independence rule holds in COPY's rows too, at no extra query).

Spreadsheets run a cell that starts like a formula, so such a cell gets a
leading apostrophe (both paths). The before/after cells are the JSON of the
values; their key order is the database's own (PostgreSQL's jsonb orders keys
by length), which no reader of JSON depends on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, transaction
from django.db.models import QuerySet

from hiring.models import AuditEvent

if TYPE_CHECKING:
    from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

CSV_COLUMNS = ["id", "at", "actor_id", "actor", "action", "object_type", "object_id", "loop_id", "before", "after",
               "values_withheld"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BLOCK_BYTES = 64 * 1024
PYTHON_CHUNK_ROWS = 2000
# ISO 8601 in UTC with microseconds, the same text from both paths.
TIME_FORMAT_SQL = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'
TIME_FORMAT_PY = "%Y-%m-%dT%H:%M:%S.%f+00:00"

# The shown values, never the stored ones: audit_events annotates them for the reader.
_FIELDS = ("id", "created_at", "actor_id", "actor__username", "action", "object_type", "object_id", "loop_id",
           "shown_before", "shown_after", "values_withheld")


def audit_csv(events: QuerySet[AuditEvent]) -> Iterator[bytes]:
    """The events (from ``audit_events``: filtered, ordered, values shown to the reader) as CSV, in blocks."""
    rows = events.values_list(*_FIELDS)
    if connection.vendor == "postgresql":
        return _copy_csv(rows)
    return _blocks(_python_csv(rows))


def _escaped(expression: str) -> str:
    """SQL for a text cell: empty becomes NULL (an unquoted empty cell), a formula-like start gets an apostrophe."""
    prefixes = ", ".join(f"chr({ord(p)})" for p in FORMULA_PREFIXES)
    return (f"CASE WHEN left({expression}, 1) IN ({prefixes}) THEN '''' || {expression} "
            f"ELSE NULLIF({expression}, '') END")


def _copy_csv(rows: QuerySet[Any]) -> Iterator[bytes]:
    inner, params = rows.query.sql_with_params()
    # COPY takes no bound parameters: the values are quoted into the text by psycopg's client-side binding.
    # Only called on PostgreSQL (audit_csv checks the vendor), whose operations add compose_sql.
    inner = cast("PostgresOperations", connection.ops).compose_sql(inner, params)
    actor = _escaped("coalesce(e.username, 'system')")
    before = _escaped("NULLIF(e.before::text, 'null')")
    after = _escaped("NULLIF(e.after::text, 'null')")
    # Every part is a constant of this module except the inner query, whose values psycopg quoted.
    statement = (
        "COPY (SELECT e.id AS id, "  # noqa: S608
        f"to_char(e.created_at AT TIME ZONE 'UTC', '{TIME_FORMAT_SQL}') AS at, "
        f"e.actor_id AS actor_id, {actor} AS actor, "
        f"{_escaped('e.action')} AS action, {_escaped('e.object_type')} AS object_type, "
        f"{_escaped('e.object_id')} AS object_id, e.loop_id AS loop_id, {before} AS before, {after} AS after, "
        "CASE WHEN e.values_withheld THEN 'true' ELSE 'false' END AS values_withheld "
        f"FROM ({inner}) AS e(id, created_at, actor_id, username, action, object_type, object_id, loop_id, "
        "before, after, values_withheld) ORDER BY e.created_at DESC, e.id DESC) "
        "TO STDOUT WITH (FORMAT csv, HEADER)"
    )
    # A client that goes away mid-download closes this generator: psycopg cancels the COPY, which aborts the
    # transaction, and leaving the atomic block rolls it back, so the connection serves the next request.
    # The server sends a message a row: they go into blocks as they are read (no copy of each row on its own, and
    # the generators hand on blocks, not a hundred thousand rows).
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        yield from _blocks(copy)


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else ("" if value is None else json.dumps(value, sort_keys=True))
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _python_csv(rows: QuerySet[Any]) -> Iterator[bytes]:
    buffer = io.StringIO()
    # COPY ends rows with a bare newline; the Python path does the same.
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    batch = []
    for pk, created_at, actor_id, username, action, object_type, object_id, loop_id, before, after, withheld in (
        rows.iterator(chunk_size=PYTHON_CHUNK_ROWS)
    ):
        batch.append((
            pk, created_at.astimezone(UTC).strftime(TIME_FORMAT_PY), actor_id or "",
            _cell(username or "system"), _cell(action), _cell(object_type), _cell(object_id),
            "" if loop_id is None else loop_id, _cell(before), _cell(after), "true" if withheld else "false",
        ))
        if len(batch) >= PYTHON_CHUNK_ROWS:
            writer.writerows(batch)
            batch.clear()
            yield _drain(buffer)
    writer.writerows(batch)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data


def _blocks(chunks: Iterable[bytes | memoryview]) -> Iterator[bytes]:
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        if len(pending) >= BLOCK_BYTES:
            yield bytes(pending)
            pending.clear()
    if pending:
        yield bytes(pending)

