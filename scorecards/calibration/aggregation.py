"""Aggregates of the calibration report, computed by the database over a staging table.

Both report sources load the same plain rows (see ``rows.py``) into a
temporary table; every count, mean, variance and percentile is then one SQL
query over it, written once for PostgreSQL and SQLite alike. The only
dialect differences are isolated in ``_Dialect``: the hours between two
timestamps, and percentiles. PostgreSQL computes percentiles with
``percentile_cont``; SQLite has no such aggregate, so on the embedded
database the values are read in order and interpolated in Python by
``stats.percentile_cont``, which follows the same definition.

Square roots are taken in Python because SQLite may be built without math
functions; the variances themselves come from SQL.
"""
# The SQL below is assembled only from this module's constants (table name, dialect snippets); every
# value travels as a query parameter, so the string building flagged by S608 carries no input.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from scorecards.calibration.rows import ROW_COLUMNS, RatingRow
from scorecards.calibration.stats import percentile_cont

TABLE = "hireloop_calibration_rows"
CARDS = "hireloop_calibration_cards"
REAL = "DOUBLE PRECISION"
HIRE_LEANING = "('yes', 'strong_yes')"
NO_LEANING = "('no', 'strong_no')"


@dataclass(frozen=True)
class _Dialect:
    vendor: str

    def hours_between(self, start: str, end: str) -> str:
        if self.vendor == "postgresql":
            return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS {REAL}) / 3600.0"
        return f"(julianday({end}) - julianday({start})) * 24.0"

    @property
    def has_percentile_cont(self) -> bool:
        return self.vendor == "postgresql"

    @property
    def temporary_suffix(self) -> str:
        # PostgreSQL drops the tables with the transaction even when the computation fails half-way.
        return " ON COMMIT DROP" if self.vendor == "postgresql" else ""

    def table_ddl(self) -> str:
        stamp = "TIMESTAMP WITH TIME ZONE" if self.vendor == "postgresql" else "DATETIME"
        boolean = "BOOLEAN" if self.vendor == "postgresql" else "BOOL"
        suffix = self.temporary_suffix
        return (
            f"CREATE TEMPORARY TABLE {TABLE} ("
            "scorecard VARCHAR(200) NOT NULL, loop VARCHAR(200) NOT NULL, interviewer VARCHAR(200) NOT NULL, "
            "interviewer_name VARCHAR(300) NOT NULL, role VARCHAR(200) NOT NULL, kind VARCHAR(200) NOT NULL, "
            f"dimension VARCHAR(300) NOT NULL, score INTEGER NULL, focus {boolean} NULL, overall VARCHAR(20) NULL, "
            f"decision VARCHAR(20) NULL, ended_at {stamp} NULL, submitted_at {stamp} NULL, due_at {stamp} NULL)"
            f"{suffix}"
        )


def _dialect() -> _Dialect:
    return _Dialect(connection.vendor)


def _number(value: Any) -> float | None:
    """PostgreSQL returns numeric aggregates as Decimal; the report carries floats."""
    return None if value is None else float(value)


def _cards_query(dialect: _Dialect) -> str:
    """One row per scorecard, with its feedback times and votes; the loop-wide votes leave out all of the
    interviewer's own scorecards on the loop."""
    lag = dialect.hours_between("ended_at", "submitted_at")
    late = dialect.hours_between("due_at", "submitted_at")
    return f"""
        WITH cards AS (
            SELECT scorecard, MIN(loop) AS loop, MIN(interviewer) AS interviewer,
                   MIN(interviewer_name) AS interviewer_name, MIN(role) AS role, MIN(overall) AS overall,
                   MIN(decision) AS decision, MIN(ended_at) AS ended_at, MIN(submitted_at) AS submitted_at,
                   MIN(due_at) AS due_at
            FROM {TABLE} GROUP BY scorecard
        ),
        timed AS (
            SELECT cards.*,
                   CASE WHEN submitted_at IS NOT NULL AND ended_at IS NOT NULL THEN {lag} END AS lag_hours,
                   CASE WHEN submitted_at IS NOT NULL AND due_at IS NOT NULL
                        THEN CASE WHEN {late} > 0 THEN 1 ELSE 0 END END AS is_late,
                   CASE WHEN overall IN {HIRE_LEANING} THEN 1 ELSE 0 END AS votes_hire,
                   CASE WHEN overall IN {NO_LEANING} THEN 1 ELSE 0 END AS votes_no
            FROM cards
        ),
        voted AS (
            SELECT timed.*,
                   SUM(votes_hire) OVER (PARTITION BY loop) - SUM(votes_hire) OVER (PARTITION BY loop, interviewer)
                       AS others_hire,
                   SUM(votes_no) OVER (PARTITION BY loop) - SUM(votes_no) OVER (PARTITION BY loop, interviewer)
                       AS others_no
            FROM timed
        )
        SELECT * FROM voted"""


class Staging:
    """The loaded rows of one report: run aggregate queries against it while it exists."""

    def __init__(self, dialect: _Dialect) -> None:
        self.dialect = dialect

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def fetch_dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # --- the aggregates -----------------------------------------------------------

    def totals(self) -> dict[str, int]:
        (row,) = self.fetch(
            f"SELECT (SELECT COUNT(*) FROM {CARDS}), (SELECT COUNT(DISTINCT loop) FROM {CARDS}), "
            f"(SELECT COUNT(DISTINCT interviewer) FROM {CARDS}), (SELECT COUNT(score) FROM {TABLE}), "
            f"(SELECT COUNT(DISTINCT role) FROM {CARDS}), (SELECT COUNT(*) FROM {TABLE})"
        )
        keys = ("scorecards", "loops", "interviewers", "scores", "roles", "rows")
        return {key: int(value or 0) for key, value in zip(keys, row, strict=True)}

    def interviewer_cards(self) -> list[dict[str, Any]]:
        """Per interviewer, from their scorecards: recommendations, agreement and timeliness counts."""
        return self.fetch_dicts(
            f"""
            SELECT interviewer, MIN(interviewer_name) AS name, COUNT(*) AS scorecards, COUNT(DISTINCT loop) AS loops,
                   COUNT(overall) AS with_recommendation,
                   SUM(CASE WHEN overall = 'strong_yes' THEN 1 ELSE 0 END) AS strong_yes,
                   SUM(CASE WHEN overall = 'strong_no' THEN 1 ELSE 0 END) AS strong_no,
                   SUM(CASE WHEN overall IS NOT NULL AND others_hire <> others_no THEN 1 ELSE 0 END) AS majority_n,
                   SUM(CASE WHEN (votes_hire = 1 AND others_hire > others_no)
                              OR (votes_no = 1 AND others_no > others_hire) THEN 1 ELSE 0 END) AS majority_agree,
                   SUM(CASE WHEN overall IS NOT NULL AND decision IS NOT NULL THEN 1 ELSE 0 END) AS decision_n,
                   SUM(CASE WHEN (votes_hire = 1 AND decision = 'hire')
                              OR (votes_no = 1 AND decision = 'no_hire') THEN 1 ELSE 0 END) AS decision_agree,
                   COUNT(lag_hours) AS lag_n,
                   COUNT(is_late) AS late_n, SUM(is_late) AS late
            FROM {CARDS} GROUP BY interviewer ORDER BY interviewer
            """
        )

    def interviewer_ratings(self) -> list[dict[str, Any]]:
        """Per interviewer, from their ratings: mean score and focus adherence counts."""
        return self.fetch_dicts(
            f"""
            SELECT interviewer, COUNT(score) AS scores, AVG(CAST(score AS {REAL})) AS mean_score,
                   SUM(CASE WHEN focus THEN 1 ELSE 0 END) AS focus_n,
                   SUM(CASE WHEN focus AND score IS NOT NULL THEN 1 ELSE 0 END) AS focus_scored
            FROM {TABLE} GROUP BY interviewer ORDER BY interviewer
            """
        )

    def interviewer_lags(self) -> dict[str, dict[str, float | None]]:
        """Median and 90th percentile hours from interview end to submitted feedback, per interviewer."""
        if self.dialect.has_percentile_cont:
            rows = self.fetch(
                f"""
                SELECT interviewer,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_hours) AS median,
                       percentile_cont(0.9) WITHIN GROUP (ORDER BY lag_hours) AS p90
                FROM {CARDS} WHERE lag_hours IS NOT NULL GROUP BY interviewer
                """
            )
            return {who: {"median": _number(median), "p90": _number(p90)} for who, median, p90 in rows}
        values: dict[str, list[float]] = defaultdict(list)
        for who, lag in self.fetch(
            f"SELECT interviewer, lag_hours FROM {CARDS} "
            "WHERE lag_hours IS NOT NULL ORDER BY interviewer, lag_hours"
        ):
            values[who].append(float(lag))
        return {
            who: {"median": percentile_cont(lags, 0.5), "p90": percentile_cont(lags, 0.9)}
            for who, lags in values.items()
        }

    def leniency(self) -> list[dict[str, Any]]:
        """Leave-one-out residuals against co-panelists, summarised per interviewer.

        A rating's residual is its score minus the mean score the *other*
        interviewers gave on the same loop and dimension (all of the
        interviewer's own scorecards on the loop are left out). A scorecard's
        residual is the mean of its ratings' residuals, so it counts once
        however many dimensions it covers; the offset is the mean of the
        interviewer's scorecard residuals, with their sample variance. This is
        the definition of ``scorecards.leniency.estimate_leniency`` (its
        ``raw_offset``), computed in SQL.
        """
        return self.fetch_dicts(
            f"""
            WITH rated AS (
                SELECT interviewer, scorecard, CAST(score AS {REAL}) AS score,
                       SUM(score) OVER (PARTITION BY loop, dimension) AS cell_sum,
                       COUNT(score) OVER (PARTITION BY loop, dimension) AS cell_n,
                       SUM(score) OVER (PARTITION BY loop, dimension, interviewer) AS own_sum,
                       COUNT(score) OVER (PARTITION BY loop, dimension, interviewer) AS own_n
                FROM {TABLE} WHERE score IS NOT NULL
            ),
            residuals AS (
                SELECT interviewer, scorecard,
                       score - CAST(cell_sum - own_sum AS {REAL}) / (cell_n - own_n) AS residual
                FROM rated WHERE cell_n > own_n
            ),
            per_card AS (
                SELECT interviewer, scorecard, AVG(residual) AS residual, COUNT(*) AS comparisons
                FROM residuals GROUP BY interviewer, scorecard
            ),
            centred AS (
                SELECT per_card.*, AVG(residual) OVER (PARTITION BY interviewer) AS centre FROM per_card
            )
            SELECT interviewer, COUNT(*) AS n, SUM(comparisons) AS comparisons, AVG(residual) AS offset_mean,
                   CASE WHEN COUNT(*) > 1
                        THEN SUM((residual - centre) * (residual - centre)) / (COUNT(*) - 1) END AS offset_variance
            FROM centred GROUP BY interviewer ORDER BY interviewer
            """
        )

    def interviewer_dimensions(self) -> list[dict[str, Any]]:
        return self.fetch_dicts(
            f"""
            SELECT interviewer, role, dimension, COUNT(score) AS n, AVG(CAST(score AS {REAL})) AS mean
            FROM {TABLE} WHERE score IS NOT NULL
            GROUP BY interviewer, role, dimension ORDER BY interviewer, role, dimension
            """
        )

    def dimensions(self) -> list[dict[str, Any]]:
        """Per dimension: scores, mean, sample variance and the count of each scale value."""
        return self.fetch_dicts(
            f"""
            WITH scored AS (
                SELECT role, dimension, loop, CAST(score AS {REAL}) AS score, score AS value,
                       AVG(CAST(score AS {REAL})) OVER (PARTITION BY role, dimension) AS centre
                FROM {TABLE} WHERE score IS NOT NULL
            )
            SELECT role, dimension, COUNT(*) AS n, COUNT(DISTINCT loop) AS loops, AVG(score) AS mean,
                   CASE WHEN COUNT(*) > 1 THEN SUM((score - centre) * (score - centre)) / (COUNT(*) - 1) END
                       AS variance,
                   SUM(CASE WHEN value = 1 THEN 1 ELSE 0 END) AS score_1,
                   SUM(CASE WHEN value = 2 THEN 1 ELSE 0 END) AS score_2,
                   SUM(CASE WHEN value = 3 THEN 1 ELSE 0 END) AS score_3,
                   SUM(CASE WHEN value = 4 THEN 1 ELSE 0 END) AS score_4,
                   SUM(CASE WHEN value = 5 THEN 1 ELSE 0 END) AS score_5
            FROM scored GROUP BY role, dimension ORDER BY role, dimension
            """
        )

    def unit_value_counts(self) -> list[tuple[str, str, str, int, int]]:
        """(role, dimension, loop, score, how many raters gave it): the input of Krippendorff's alpha."""
        return [
            (role, dimension, loop, int(score), int(count))
            for role, dimension, loop, score, count in self.fetch(
                f"SELECT role, dimension, loop, score, COUNT(*) FROM {TABLE} WHERE score IS NOT NULL "
                "GROUP BY role, dimension, loop, score ORDER BY role, dimension, loop, score"
            )
        ]

    def roles(self) -> list[dict[str, Any]]:
        """Pass-through per role: the mix of recommendations on scorecards and of decisions on loops."""
        return self.fetch_dicts(
            f"""
            WITH loops AS (SELECT role, loop, MIN(decision) AS decision FROM {CARDS} GROUP BY role, loop),
            decisions AS (
                SELECT role, COUNT(*) AS loops,
                       SUM(CASE WHEN decision = 'hire' THEN 1 ELSE 0 END) AS hired,
                       SUM(CASE WHEN decision = 'no_hire' THEN 1 ELSE 0 END) AS not_hired,
                       SUM(CASE WHEN decision IS NULL THEN 1 ELSE 0 END) AS undecided
                FROM loops GROUP BY role
            ),
            recommendations AS (
                SELECT role, COUNT(*) AS scorecards,
                       SUM(CASE WHEN overall = 'strong_yes' THEN 1 ELSE 0 END) AS strong_yes,
                       SUM(CASE WHEN overall = 'yes' THEN 1 ELSE 0 END) AS yes,
                       SUM(CASE WHEN overall = 'no' THEN 1 ELSE 0 END) AS no,
                       SUM(CASE WHEN overall = 'strong_no' THEN 1 ELSE 0 END) AS strong_no
                FROM {CARDS} GROUP BY role
            )
            SELECT decisions.role AS role, loops, scorecards, strong_yes, yes, no, strong_no,
                   hired, not_hired, undecided
            FROM decisions JOIN recommendations ON recommendations.role = decisions.role
            ORDER BY decisions.role
            """
        )


@contextmanager
def staged(*, rows: Iterable[RatingRow] | None = None, queryset: QuerySet[Any] | None = None) -> Iterator[Staging]:
    """Load the report's rows into the staging table for the duration of the block.

    ``queryset`` (a ``values_list`` of ``ROW_COLUMNS``, in that order) is
    copied with one ``INSERT ... SELECT`` without leaving the database;
    ``rows`` (from a ratings file) are inserted in batches. The block runs in
    one transaction so that every query reads the same rows.
    """
    if (rows is None) == (queryset is None):
        raise ValueError("give either rows or a queryset")
    dialect = _dialect()
    columns = ", ".join(ROW_COLUMNS)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(dialect.table_ddl())
            if queryset is not None:
                select_sql, params = queryset.query.sql_with_params()
                cursor.execute(f"INSERT INTO {TABLE} ({columns}) {select_sql}", params)
            elif dialect.vendor == "postgresql":
                # COPY streams a large ratings file in one round trip instead of a statement per batch.
                with cursor.cursor.copy(f"COPY {TABLE} ({columns}) FROM STDIN") as copy:
                    for row in rows or ():
                        copy.write_row(tuple(getattr(row, column) for column in ROW_COLUMNS))
            else:
                placeholders = ", ".join(["%s"] * len(ROW_COLUMNS))
                insert = f"INSERT INTO {TABLE} ({columns}) VALUES ({placeholders})"
                batch: list[tuple[Any, ...]] = []
                for row in rows or ():
                    batch.append(_adapt(row))
                    if len(batch) >= 1000:
                        cursor.executemany(insert, batch)
                        batch = []
                if batch:
                    cursor.executemany(insert, batch)
            cursor.execute(f"DROP TABLE IF EXISTS {CARDS}")
            cursor.execute(f"CREATE TEMPORARY TABLE {CARDS}{dialect.temporary_suffix} AS {_cards_query(dialect)}")
            if dialect.vendor == "postgresql":
                # Fresh statistics for the planner, and room to sort and hash the report's groups in memory
                # (SET LOCAL ends with this transaction).
                cursor.execute(f"ANALYZE {TABLE}")
                cursor.execute(f"ANALYZE {CARDS}")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        try:
            yield Staging(dialect)
        finally:
            if dialect.vendor != "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE IF EXISTS {CARDS}")
                    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def _adapt(row: RatingRow) -> tuple[Any, ...]:
    ops = connection.ops
    values: list[Any] = []
    for column in ROW_COLUMNS:
        value = getattr(row, column)
        if column in ("ended_at", "submitted_at", "due_at"):
            value = ops.adapt_datetimefield_value(value)
        values.append(value)
    return tuple(values)
