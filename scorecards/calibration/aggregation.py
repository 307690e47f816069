"""Aggregates of the calibration report, computed by the database over narrow staging tables.

Both report sources stage the same tables of integer keys (``staging.py``):
one row per scorecard (its loop, interviewer, role, recommendation,
decision, times and votes) and one row per rating (its scorecard, loop,
interviewer, role, dimension, score and whether the dimension was a focus),
then one row per loop and dimension (the score counts). Names are read once
at the end, for the few hundred keys the report shows.

Every count, sum, variance and percentile is then one SQL query over the
staged tables, written once for PostgreSQL and SQLite alike; the dialect
differences are isolated in ``Dialect``: the hours between two
timestamps, and percentiles. PostgreSQL computes percentiles with
``percentile_cont``; SQLite has no such aggregate, so on the embedded
database the values are read in order and interpolated in Python by
``stats.percentile_cont``, which follows the same definition.

The queries return sums and counts, never rows: Krippendorff's alpha needs,
per role and dimension, how many loops had each combination of scores
(``unit_types``), and for the pooled bootstrap each loop's summed
coincidences (``loop_features``); a few thousand rows for a million ratings.
"""
# The SQL below is assembled only from this module's constants (table names, dialect snippets); every
# value travels as a query parameter, so the string building flagged by S608 carries no input.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.db import connection

from scorecards.calibration.stats import SCALE, percentile_cont

SCORECARDS = "hireloop_calibration_scorecards"
ROWS = "hireloop_calibration_rows"
CARDS = "hireloop_calibration_cards"
CELLS = "hireloop_calibration_cells"
REAL = "DOUBLE PRECISION"
HIRE_LEANING = "('yes', 'strong_yes')"
NO_LEANING = "('no', 'strong_no')"
# ``complete``: the loop's panel is complete. Only those scorecards are reported (``cards_query``); the others are
# staged only to count their loops as left out.
SCORECARD_COLUMNS = ("scorecard", "interview", "loop", "interviewer", "role", "has_focus", "overall", "decision",
                     "ended_at", "submitted_at", "due_at", "complete")
RATING_COLUMNS = ("scorecard", "loop", "interviewer", "role", "dimension", "score", "focus", "repeat")
VALUE_COUNTS = tuple(f"n{value}" for value in SCALE)
PAIRS = tuple(combinations(range(len(SCALE)), 2))
# The least common multiple of 1..15: a unit's coincidence n_c n_k / (m - 1) is a whole multiple of its inverse
# for up to 16 ratings, so the database sums the scaled values exactly, in whatever order it adds them, and both
# report sources resample the same loops.
COINCIDENCE_SCALE = 720720


@dataclass(frozen=True)
class Dialect:
    vendor: str

    def hours_between(self, start: str, end: str) -> str:
        if self.vendor == "postgresql":
            # date_part is double precision; EXTRACT is NUMERIC since PostgreSQL 14 (several times slower).
            return f"date_part('epoch', {end} - {start}) / 3600.0"
        return f"(julianday({end}) - julianday({start})) * 24.0"

    @property
    def has_percentile_cont(self) -> bool:
        return self.vendor == "postgresql"

    @property
    def temporary_suffix(self) -> str:
        # PostgreSQL drops the tables with the transaction even when the computation fails half-way.
        return " ON COMMIT DROP" if self.vendor == "postgresql" else ""

    def tables_ddl(self, *, scorecards: bool = True) -> list[str]:
        """The staging tables filled by inserts; without ``scorecards`` when they are created from a query."""
        stamp = "TIMESTAMP WITH TIME ZONE" if self.vendor == "postgresql" else "DATETIME"
        boolean = "BOOLEAN" if self.vendor == "postgresql" else "BOOL"
        suffix = self.temporary_suffix
        rows = (f"CREATE TEMPORARY TABLE {ROWS} (scorecard BIGINT NOT NULL, loop BIGINT NOT NULL, "
                "interviewer BIGINT NOT NULL, role BIGINT NOT NULL, dimension BIGINT NOT NULL, score SMALLINT NULL, "
                f"focus {boolean} NULL, repeat SMALLINT NOT NULL){suffix}")
        if not scorecards:
            return [rows]
        return [
            f"CREATE TEMPORARY TABLE {SCORECARDS} (c_scorecard BIGINT NOT NULL, c_interview BIGINT NULL, "
            "c_loop BIGINT NOT NULL, c_interviewer BIGINT NOT NULL, c_role BIGINT NOT NULL, "
            f"c_has_focus {boolean} NULL, c_overall VARCHAR(20) NULL, c_decision VARCHAR(20) NULL, "
            f"c_ended_at {stamp} NULL, c_submitted_at {stamp} NULL, c_due_at {stamp} NULL, "
            f"c_complete {boolean} NOT NULL){suffix}",
            rows,
        ]


def current_dialect() -> Dialect:
    return Dialect(connection.vendor)


def _number(value: Any) -> float | None:
    """PostgreSQL returns numeric aggregates as Decimal; the report carries floats."""
    return None if value is None else float(value)


@dataclass
class Names:
    """What the keys of the staged tables stand for: interviewers (username, name), roles and dimensions.

    Aggregates come back per key; the report groups roles and dimensions by
    name, so that the same dimension in two versions of a rubric is one row.
    """

    interviewers: dict[int, tuple[str, str]] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)
    dimensions: dict[int, str] = field(default_factory=dict)
    weights: dict[int, float] = field(default_factory=dict)  # by dimension key; a ratings file's are all 1
    loops: dict[int, str] = field(default_factory=dict)  # a ratings file's loop keys (the database's are ids)


def cards_query(dialect: Dialect, source: str) -> str:
    """One row per scorecard of ``source`` (columns ``c_`` + ``SCORECARD_COLUMNS``) with its feedback times and
    votes; the loop-wide votes leave out all of the interviewer's own scorecards on the loop.

    Only scorecards of loops whose panel is complete (``c_complete``) are
    kept: this is where the independence rule applies to every figure of
    the report, whichever source staged the scorecards."""
    lag = dialect.hours_between("c_ended_at", "c_submitted_at")
    late = dialect.hours_between("c_due_at", "c_submitted_at")
    return f"""
        WITH timed AS (
            SELECT c_scorecard AS scorecard, c_interview AS interview, c_loop AS loop, c_interviewer AS interviewer,
                   c_role AS role, c_has_focus AS has_focus, c_overall AS overall, c_decision AS decision,
                   CASE WHEN c_submitted_at IS NOT NULL AND c_ended_at IS NOT NULL THEN {lag} END AS lag_hours,
                   CASE WHEN c_submitted_at IS NOT NULL AND c_due_at IS NOT NULL
                        THEN CASE WHEN {late} > 0 THEN 1 ELSE 0 END END AS is_late,
                   CASE WHEN c_overall IN {HIRE_LEANING} THEN 1 ELSE 0 END AS votes_hire,
                   CASE WHEN c_overall IN {NO_LEANING} THEN 1 ELSE 0 END AS votes_no
            FROM ({source}) AS source
            WHERE c_complete
        )
        SELECT timed.*,
               SUM(votes_hire) OVER (PARTITION BY loop) - SUM(votes_hire) OVER (PARTITION BY loop, interviewer)
                   AS others_hire,
               SUM(votes_no) OVER (PARTITION BY loop) - SUM(votes_no) OVER (PARTITION BY loop, interviewer)
                   AS others_no,
               CASE WHEN COUNT(*) OVER (PARTITION BY loop, interviewer) > 1 THEN 1 ELSE 0 END AS repeat
        FROM timed"""


def cells_query() -> str:
    """Per loop and dimension (a unit of Krippendorff's alpha): how many raters gave each score, and their sum."""
    # INTEGER, so that sums over cells stay integer sums (PostgreSQL sums BIGINT as NUMERIC, much slower).
    counts = ", ".join(f"CAST(SUM(CASE WHEN score = {value} THEN 1 ELSE 0 END) AS INTEGER) AS n{value}"
                       for value in SCALE)
    return (f"SELECT loop, dimension, MIN(role) AS role, {counts}, CAST(SUM(score) AS INTEGER) AS total, "
            f"CAST(COUNT(score) AS INTEGER) AS n FROM {ROWS} WHERE score IS NOT NULL GROUP BY loop, dimension")


class Staging:
    """The staged rows of one report: run aggregate queries against them while they exist."""

    def __init__(self, dialect: Dialect, names: Names) -> None:
        self.dialect = dialect
        self.names = names

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

    def card_totals(self) -> dict[str, int]:
        """The report's scorecards, loops and interviewers, and the loops of the scope left out because their
        panel is incomplete (staged, but not in ``CARDS``)."""
        (row,) = self.fetch(
            f"SELECT COUNT(*), COUNT(DISTINCT loop), COUNT(DISTINCT interviewer), "
            f"(SELECT COUNT(DISTINCT c_loop) FROM {SCORECARDS} WHERE NOT c_complete) FROM {CARDS}"
        )
        keys = ("scorecards", "loops", "interviewers", "loops_left_out")
        return {key: int(value or 0) for key, value in zip(keys, row, strict=True)}

    def interviewer_cards(self) -> list[dict[str, Any]]:
        """Per interviewer, from their scorecards: recommendations, agreement and timeliness counts."""
        return self.fetch_dicts(
            f"""
            SELECT interviewer, COUNT(*) AS scorecards, COUNT(DISTINCT loop) AS loops,
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
            FROM {CARDS} GROUP BY interviewer
            """
        )

    def interviewer_lags(self) -> dict[int, dict[str, float | None]]:
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
        values: dict[int, list[float]] = defaultdict(list)
        for who, lag in self.fetch(
            f"SELECT interviewer, lag_hours FROM {CARDS} "
            "WHERE lag_hours IS NOT NULL ORDER BY interviewer, lag_hours"
        ):
            values[who].append(float(lag))
        return {
            who: {"median": percentile_cont(lags, 0.5), "p90": percentile_cont(lags, 0.9)}
            for who, lags in values.items()
        }

    def interviewer_evidence(self, *, scorecards: str, ratings: str, flags: str) -> dict[int, dict[str, Any]]:
        """Per interviewer, from the staged scorecards as stored (the database source only; a ratings file has no
        evidence): how many were written in Hireloop and how many of those carry evidence hints (``flags``,
        stored at submit), and the median length in characters of their non-empty evidence."""
        counts = self.fetch(
            f"""
            SELECT c.interviewer, COUNT(*) AS checked,
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM {flags} f WHERE f.scorecard_id = c.scorecard)
                            THEN 1 ELSE 0 END) AS flagged
            FROM {CARDS} c JOIN {scorecards} s ON s.id = c.scorecard
            WHERE s.source = '' GROUP BY c.interviewer
            """
        )
        result: dict[int, dict[str, Any]] = {
            who: {"checked": int(checked), "flagged": int(flagged or 0), "n": 0, "median": None}
            for who, checked, flagged in counts
        }
        length = "LENGTH(TRIM(r.evidence))"
        source = f"FROM {CARDS} c JOIN {ratings} r ON r.scorecard_id = c.scorecard WHERE {length} > 0"
        if self.dialect.has_percentile_cont:
            rows = self.fetch(f"SELECT c.interviewer, COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY "
                              f"{length}) {source} GROUP BY c.interviewer")
        else:
            values: dict[int, list[float]] = defaultdict(list)
            for who, chars in self.fetch(f"SELECT c.interviewer, {length} AS chars {source} "
                                         "ORDER BY c.interviewer, chars"):
                values[who].append(float(chars))
            rows = [(who, len(lengths), percentile_cont(lengths, 0.5)) for who, lengths in values.items()]
        for who, n, median in rows:
            person = result.setdefault(who, {"checked": 0, "flagged": 0, "n": 0, "median": None})
            person["n"], person["median"] = int(n), _number(median)
        return result

    def leniency(self) -> list[dict[str, Any]]:
        """Leave-one-out residuals against co-panelists, summarised per interviewer.

        A rating's residual is its score minus the mean score the *other*
        interviewers gave on the same loop and dimension (all of the
        interviewer's own scorecards on the loop are left out). A scorecard's
        residual is the mean of its ratings' residuals, so it counts once
        however many dimensions it covers; the offset is the mean of the
        interviewer's scorecard residuals, with their sample variance (from the
        sums of residuals and of their squares, see ``report``). This is
        the definition of ``scorecards.leniency.offsets.estimate_leniency`` (its
        ``raw_offset``), computed in SQL.

        The others' mean is the loop and dimension's sum and count (``CELLS``)
        less the interviewer's own ratings: the rating itself, unless the
        interviewer wrote several scorecards on the loop (``repeat``, rare),
        whose own sums are grouped separately.
        """
        return self.fetch_dicts(
            f"""
            WITH own AS (
                SELECT loop, dimension, interviewer, SUM(score) AS own_sum, COUNT(score) AS own_n
                FROM {ROWS} WHERE repeat = 1 AND score IS NOT NULL GROUP BY loop, dimension, interviewer
            ),
            rated AS (
                -- Nearly every rating is its interviewer's only one on the loop and dimension: those skip the
                -- join to their own sums, which cost a third of the query when every rating went through it.
                SELECT r.interviewer, r.scorecard, CAST(r.score AS {REAL}) AS score,
                       cells.total - r.score AS others_sum, cells.n - 1 AS others_n
                FROM {ROWS} r JOIN {CELLS} cells ON cells.loop = r.loop AND cells.dimension = r.dimension
                WHERE r.score IS NOT NULL AND r.repeat = 0
                UNION ALL
                SELECT r.interviewer, r.scorecard, CAST(r.score AS {REAL}) AS score,
                       cells.total - own.own_sum AS others_sum, cells.n - own.own_n AS others_n
                FROM {ROWS} r JOIN {CELLS} cells ON cells.loop = r.loop AND cells.dimension = r.dimension
                JOIN own ON own.loop = r.loop AND own.dimension = r.dimension AND own.interviewer = r.interviewer
                WHERE r.score IS NOT NULL AND r.repeat = 1
            ),
            per_card AS (
                SELECT interviewer, scorecard, AVG(score - CAST(others_sum AS {REAL}) / others_n) AS residual,
                       CAST(COUNT(*) AS INTEGER) AS comparisons
                FROM rated WHERE others_n > 0 GROUP BY interviewer, scorecard
            )
            SELECT interviewer, COUNT(*) AS n, SUM(comparisons) AS comparisons, AVG(residual) AS offset_mean,
                   SUM(residual) AS offset_sum, SUM(residual * residual) AS offset_squares
            FROM per_card GROUP BY interviewer
            """
        )

    def model_ratings(self) -> list[tuple[int, int, int, int]]:
        """Every staged score (loop, dimension, interviewer, score): what the rater model is fitted to."""
        return [tuple(row) for row in self.fetch(f"SELECT loop, dimension, interviewer, score FROM {ROWS} "
                                                  "WHERE score IS NOT NULL")]

    def interviewer_dimensions(self) -> list[dict[str, Any]]:
        """Per interviewer, role and dimension: ratings, scores, their sum, and focus adherence counts."""
        return self.fetch_dicts(
            f"""
            SELECT interviewer, role, dimension, COUNT(*) AS ratings, COUNT(score) AS n, SUM(score) AS total,
                   SUM(CASE WHEN focus THEN 1 ELSE 0 END) AS focus_n,
                   SUM(CASE WHEN focus AND score IS NOT NULL THEN 1 ELSE 0 END) AS focus_scored
            FROM {ROWS} GROUP BY interviewer, role, dimension
            """
        )

    def cell_aggregates(self) -> tuple[list[tuple[int, int, tuple[int, ...], int]], list[tuple[list[float], int, int]]]:
        """Krippendorff's alpha's inputs, from one pass over the ratings grouped per loop and dimension (a unit).

        First, (role, dimension, score counts, loops): how many loops had each
        combination of scores on a dimension; the per-dimension alpha, the
        score distribution and the loops that scored a dimension follow.
        Second, for the pooled bootstrap, which resamples whole loops: per
        loop, (features, units, 1), the features being the sums
        over the loop's units with two or more scores of
        ``stats.alpha_features`` (pair coincidences n_c n_k / (m - 1), then
        the score counts).
        """
        counts = ", ".join(VALUE_COUNTS)
        total = " + ".join(VALUE_COUNTS)
        pairs = [f"SUM(CAST(n{SCALE[c]} * n{SCALE[k]} AS {REAL}) * {COINCIDENCE_SCALE} / ({total} - 1)) AS p{c}{k}"
                 for c, k in PAIRS]
        sums = [f"SUM(n{value}) AS s{value}" for value in SCALE]
        features = [f"p{c}{k}" for c, k in PAIRS] + [f"s{value}" for value in SCALE]
        no_pairs = ", ".join(f"NULL AS p{c}{k}" for c, k in PAIRS)
        rows = self.fetch(
            f"""
            WITH per_loop AS (
                SELECT loop, {", ".join(pairs + sums)}, COUNT(*) AS units
                FROM {CELLS} WHERE {total} >= 2 GROUP BY loop
            )
            SELECT 0 AS kind, role, dimension, {no_pairs}, {counts}, COUNT(*) AS units, NULL AS loops
            FROM {CELLS} GROUP BY role, dimension, {counts}
            UNION ALL
            SELECT 1, NULL, NULL, {", ".join(features)}, units, 1 FROM per_loop
            """
        )
        width = len(PAIRS) + len(SCALE)
        types = [(row[1], row[2], tuple(int(value) for value in row[3 + len(PAIRS):3 + width]), int(row[-2]))
                 for row in rows if row[0] == 0]
        loops = [([float(value) / COINCIDENCE_SCALE for value in row[3:3 + len(PAIRS)]]
                  + [float(value) for value in row[3 + len(PAIRS):3 + width]], int(row[-2]), int(row[-1]))
                 for row in rows if row[0] == 1]
        return types, loops

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
            """
        )
