"""Staging a calibration report's rows: the temporary tables that ``aggregation.Staging`` queries.

The database source copies the scope's scorecards and their ratings with
``INSERT ... SELECT`` (no rating passes through Python); a ratings file is
numbered in Python (``Keys``) and copied in. Both end in the same tables,
in one transaction: PostgreSQL drops them at its end, SQLite explicitly.
"""
# The SQL below is assembled only from module constants (table names, dialect snippets); every value
# travels as a query parameter, so the string building flagged by S608 carries no input.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import QuerySet

from hiring.models import Interview, Role
from scorecards.calibration.aggregation import (
    CARDS,
    CELLS,
    RATING_COLUMNS,
    ROWS,
    SCORECARD_COLUMNS,
    SCORECARDS,
    Dialect,
    Names,
    Staging,
    cards_query,
    cells_query,
    current_dialect,
)
from scorecards.models import Dimension, Rating


@dataclass
class Keys:
    """Numbers the text keys of a ratings file, so that it stages into the same integer tables."""

    codes: dict[str, dict[Any, int]] = field(default_factory=lambda: defaultdict(dict))

    def __call__(self, kind: str, value: Any) -> int:
        table = self.codes[kind]
        return table.setdefault(value, len(table) + 1)


def _ratings_sql(dialect: Dialect) -> str:
    """The database source's ratings: the staged scorecards' ratings, with the focus read from the interview.

    An interview scheduled without focus dimensions asks for every dimension
    (as the submit form does), so then every rating is a focus rating.
    """
    focus = Interview.focus_dimensions.through._meta.db_table
    true = "TRUE" if dialect.vendor == "postgresql" else "1"
    return (
        f"INSERT INTO {ROWS} ({', '.join(RATING_COLUMNS)}) "
        f"SELECT c.scorecard, c.loop, c.interviewer, c.role, r.dimension_id, r.score, "
        f"CASE WHEN c.has_focus THEN f.dimension_id IS NOT NULL ELSE {true} END, c.repeat "
        f"FROM {Rating._meta.db_table} r JOIN {CARDS} c ON c.scorecard = r.scorecard_id "
        f"LEFT JOIN {focus} f ON c.has_focus AND f.interview_id = c.interview AND f.dimension_id = r.dimension_id"
    )


def _database_names(dialect: Dialect) -> Names:
    people = [who for (who,) in Staging(dialect, Names()).fetch(f"SELECT DISTINCT interviewer FROM {CARDS}")]
    names = Names(
        roles=dict(Role.objects.values_list("pk", "title")),
        dimensions=dict(Dimension.objects.values_list("pk", "name")),
        weights={pk: float(weight) for pk, weight in Dimension.objects.values_list("pk", "weight_value")},
    )
    for pk, username, first, last in get_user_model().objects.filter(pk__in=people).values_list(
        "pk", "username", "first_name", "last_name"
    ):
        names.interviewers[pk] = (username, f"{first} {last}".strip(" ") or username)
    return names


def _create_tables(cursor: Any, dialect: Dialect, scorecards: tuple[str, Sequence[Any]] | None = None) -> None:
    """The empty staging tables; with ``scorecards`` (a query and its parameters) the scorecards table is that
    query's result, copied without leaving the database."""
    for table in (CELLS, CARDS, ROWS, SCORECARDS):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    if dialect.vendor == "postgresql":
        # Room to sort and hash the report's groups in memory (SET LOCAL ends with this transaction).
        cursor.execute("SET LOCAL work_mem = '256MB'")
    for ddl in dialect.tables_ddl(scorecards=scorecards is None):
        cursor.execute(ddl)
    if scorecards is not None:
        select_sql, params = scorecards
        cursor.execute(f"CREATE TEMPORARY TABLE {SCORECARDS}{dialect.temporary_suffix} AS {select_sql}", params)


def _create_cards(cursor: Any, dialect: Dialect) -> None:
    # Every staged scorecard, those of incomplete panels included: cards_query keeps the complete ones.
    source = f"SELECT * FROM {SCORECARDS}"
    cursor.execute(f"CREATE TEMPORARY TABLE {CARDS}{dialect.temporary_suffix} AS {cards_query(dialect, source)}")
    if dialect.vendor == "postgresql":
        # Statistics for the planner: the ratings are joined to the (smaller) scorecards, not the other way.
        cursor.execute(f"ANALYZE {CARDS}")


def _create_cells(cursor: Any, dialect: Dialect) -> None:
    cursor.execute(f"CREATE TEMPORARY TABLE {CELLS}{dialect.temporary_suffix} AS {cells_query()}")
    if dialect.vendor == "postgresql":
        # Without statistics the planner sorts both sides to merge the ratings with their cells; it should hash.
        cursor.execute(f"ANALYZE {CELLS}")


@contextmanager
def _staging_transaction(dialect: Dialect) -> Iterator[None]:
    with transaction.atomic():
        try:
            yield
        finally:
            if dialect.vendor != "postgresql":
                with connection.cursor() as cursor:
                    for table in (CELLS, CARDS, ROWS, SCORECARDS):
                        cursor.execute(f"DROP TABLE IF EXISTS {table}")


@contextmanager
def staged_queryset(scorecards: QuerySet[Any]) -> Iterator[Staging]:
    """Stage the scope's scorecards (a ``values_list`` of ``SCORECARD_COLUMNS`` prefixed ``c_``) and their ratings.

    Both are copied with ``CREATE TABLE ... AS`` and ``INSERT ... SELECT``
    without leaving the database; the scorecards of incomplete panels only
    as far as the scorecards table, to be counted as left out.
    The block runs in one transaction so that every query reads the same rows.
    """
    dialect = current_dialect()
    with _staging_transaction(dialect):
        with connection.cursor() as cursor:
            _create_tables(cursor, dialect, scorecards.query.sql_with_params())
            _create_cards(cursor, dialect)
            cursor.execute(_ratings_sql(dialect))
            _create_cells(cursor, dialect)
        yield Staging(dialect, _database_names(dialect))


@contextmanager
def staged_rows(scorecards: list[tuple[Any, ...]], ratings: list[tuple[Any, ...]], names: Names) -> Iterator[Staging]:
    """Stage rows already numbered in Python (a ratings file, see ``report.report_from_rows``).

    A ratings file's rows are trusted as given: every scorecard comes with ``complete`` true.
    """
    dialect = current_dialect()
    with _staging_transaction(dialect):
        with connection.cursor() as cursor:
            _create_tables(cursor, dialect)
            staged = ((SCORECARDS, [f"c_{name}" for name in SCORECARD_COLUMNS], scorecards),
                      (ROWS, RATING_COLUMNS, ratings))
            for table, columns, values in staged:
                if dialect.vendor == "postgresql":
                    # COPY streams a large ratings file in one round trip instead of a statement per batch.
                    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in values:
                            copy.write_row(row)
                    continue
                insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
                for start in range(0, len(values), 1000):
                    cursor.executemany(insert, [_adapt(row) for row in values[start:start + 1000]])
            _create_cards(cursor, dialect)
            _create_cells(cursor, dialect)
        yield Staging(dialect, names)


def _adapt(row: tuple[Any, ...]) -> tuple[Any, ...]:
    adapt = connection.ops.adapt_datetimefield_value
    return tuple(adapt(value) if hasattr(value, "tzinfo") and hasattr(value, "hour") else value for value in row)
