"""The report's tables, defined once for the page, the CSV, XLSX and PDF exports.

Data tables hold one value per column (CSV and XLSX: numbers stay numbers);
display tables (page and PDF) combine an estimate with its interval. A
column's ``n_key`` names the count behind its statistic: below the report's
minimum sample the cell is shown greyed with that n.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

INT, NUMBER, SHARE, HOURS, TEXT, P_VALUE, INTERVAL, FLAG = (
    "int", "number", "share", "hours", "text", "p", "interval", "flag",
)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    n_key: str | None = None
    low_key: str | None = None
    high_key: str | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in (INT, NUMBER, SHARE, HOURS, P_VALUE)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]] = field(default_factory=list)
    description: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    small: bool
    n: int | None
    column: Column
    value: Any

    @property
    def title(self) -> str:
        if self.small and self.n is not None:
            return gettext("Small sample: n = %(n)s") % {"n": self.n}
        return ""


def format_value(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "–"
    if kind == INT:
        return str(int(value))
    if kind == NUMBER:
        return f"{float(value):.2f}"
    if kind == SHARE:
        return f"{float(value) * 100:.0f}%"
    if kind == HOURS:
        return f"{float(value):.1f}"
    if kind == P_VALUE:
        return f"{float(value):.3f}"
    return str(value)


def format_offset(value: Any) -> str:
    return "–" if value is None else f"{float(value):+.2f}"


def cell(column: Column, row: dict[str, Any], min_sample: int) -> Cell:
    value = row.get(column.key)
    n = row.get(column.n_key) if column.n_key else None
    small = n is not None and int(n) < min_sample and value is not None
    if column.kind == INTERVAL:
        low, high = row.get(column.low_key or ""), row.get(column.high_key or "")
        text = format_offset(value) if column.key == "offset" else format_value(value, NUMBER)
        if value is not None and low is not None and high is not None:
            if column.key == "offset":
                text += f" [{format_offset(low)}, {format_offset(high)}]"
            else:
                text += f" [{float(low):.2f}, {float(high):.2f}]"
    elif column.kind == FLAG:
        text = str(value or "")
    else:
        text = format_value(value, column.kind)
    if small:
        text = f"{text} (n={int(n)})" if n is not None else text
    return Cell(text=text, small=small, n=None if n is None else int(n), column=column, value=value)


def cells(table: Table, min_sample: int) -> list[list[Cell]]:
    return [[cell(column, row, min_sample) for column in table.columns] for row in table.rows]


# --- Data tables: CSV and XLSX ---------------------------------------------------------

# Figures below the minimum sample are printed in this grey in every format (hex RGB, no '#').
SMALL_GREY = "9AA1AD"

INTERVIEWER_COLUMNS = (
    Column("interviewer", "Interviewer"),
    Column("name", "Name"),
    Column("scorecards", "Scorecards", INT),
    Column("loops", "Loops", INT),
    Column("scores", "Scores given", INT),
    Column("mean_score", "Mean score", NUMBER, n_key="scores"),
    Column("offset", "Leniency offset", NUMBER, n_key="offset_n"),
    Column("offset_low", "Offset 95% low", NUMBER, n_key="offset_n"),
    Column("offset_high", "Offset 95% high", NUMBER, n_key="offset_n"),
    Column("offset_n", "Loops in the model", INT),
    Column("scale", "Scale use", NUMBER, n_key="offset_n"),
    Column("scale_low", "Scale use 95% low", NUMBER, n_key="offset_n"),
    Column("scale_high", "Scale use 95% high", NUMBER, n_key="offset_n"),
    Column("offset_p", "Offset p", P_VALUE, n_key="offset_n"),
    Column("offset_p_holm", "Offset p (Holm)", P_VALUE, n_key="offset_n"),
    Column("flag", "Flag"),
    Column("recommendations_n", "Recommendations", INT),
    Column("strong_yes_share", "Strong yes share", SHARE, n_key="recommendations_n"),
    Column("strong_no_share", "Strong no share", SHARE, n_key="recommendations_n"),
    Column("focus_n", "Focus ratings", INT),
    Column("adherence", "Focus adherence", SHARE, n_key="focus_n"),
    Column("majority_n", "Compared with majority", INT),
    Column("majority_agreement", "Agrees with panel majority", SHARE, n_key="majority_n"),
    Column("decision_n", "Compared with decision", INT),
    Column("decision_agreement", "Agrees with decision", SHARE, n_key="decision_n"),
    Column("lag_n", "Timed scorecards", INT),
    Column("lag_median_hours", "Median hours to feedback", HOURS, n_key="lag_n"),
    Column("lag_p90_hours", "90th percentile hours", HOURS, n_key="lag_n"),
    Column("late_n", "Scorecards with a due time", INT),
    Column("late_share", "Late share", SHARE, n_key="late_n"),
    Column("evidence_checked_n", "Scorecards checked for evidence hints", INT),
    Column("evidence_flagged_share", "Share with evidence hints", SHARE, n_key="evidence_checked_n"),
    Column("evidence_n", "Ratings with evidence", INT),
    Column("evidence_median_chars", "Median evidence length (characters)", NUMBER, n_key="evidence_n"),
)
INTERVIEWER_DIMENSION_COLUMNS = (
    Column("interviewer", "Interviewer"),
    Column("role", "Role"),
    Column("dimension", "Dimension"),
    Column("n", "Scores", INT),
    Column("mean", "Mean score", NUMBER, n_key="n"),
)
DIMENSION_COLUMNS = (
    Column("role", "Role"),
    Column("dimension", "Dimension"),
    Column("n", "Scores", INT),
    Column("loops", "Loops", INT),
    Column("mean", "Mean", NUMBER, n_key="n"),
    Column("sd", "Standard deviation", NUMBER, n_key="n"),
    Column("score_1", "Scored 1", INT),
    Column("score_2", "Scored 2", INT),
    Column("score_3", "Scored 3", INT),
    Column("score_4", "Scored 4", INT),
    Column("score_5", "Scored 5", INT),
    Column("alpha_loops", "Loops with 2+ ratings", INT),
    Column("alpha_values", "Pairable ratings", INT),
    Column("alpha", "Krippendorff's alpha", NUMBER, n_key="alpha_loops"),
    Column("alpha_low", "Alpha 95% low", NUMBER, n_key="alpha_loops"),
    Column("alpha_high", "Alpha 95% high", NUMBER, n_key="alpha_loops"),
)
ROLE_COLUMNS = (
    Column("role", "Role"),
    Column("loops", "Loops", INT),
    Column("scorecards", "Scorecards", INT),
    Column("strong_yes", "Strong yes", INT),
    Column("yes", "Yes", INT),
    Column("no", "No", INT),
    Column("strong_no", "Strong no", INT),
    Column("hired", "Hired", INT),
    Column("not_hired", "Not hired", INT),
    Column("undecided", "Undecided", INT),
    Column("decided", "Decided", INT),
    Column("pass_through", "Pass-through (hired of decided)", SHARE, n_key="decided"),
)
ABOUT_COLUMNS = (Column("item", "Item"), Column("value", "Value"))


def _loop_items(totals: dict[str, Any]) -> list[tuple[str, Any]]:
    """The loops a report covers; a report stored before panels were checked has no count of loops left out."""
    if "loops_left_out" not in totals:
        return [("Loops", totals.get("loops"))]
    return [("Loops whose panel is complete", totals.get("loops")),
            ("Loops left out, feedback still missing", totals.get("loops_left_out"))]


def about_rows(result: dict[str, Any], *, report_id: int | None = None) -> list[dict[str, Any]]:
    scope = result.get("scope", {})
    options = result.get("options", {})
    totals = result.get("totals", {})
    agreement = result.get("agreement", {})
    items: list[tuple[str, Any]] = [
        ("Report", f"#{report_id}" if report_id else "command line"),
        ("Role", scope.get("role") or "All roles"),
        ("Interviews ended from", scope.get("date_from") or "any date"),
        ("Interviews ended to", scope.get("date_to") or "any date"),
        ("Interview kind", scope.get("interview_kind") or "All kinds"),
        ("Source", scope.get("source", "")),
        ("Generated at", result.get("generated_at", "")),
        ("Database", result.get("database", "")),
        ("Minimum sample", options.get("min_sample")),
        ("Confidence", options.get("confidence")),
        ("Bootstrap resamples", options.get("bootstrap_resamples")),
        ("Bootstrap seed", options.get("seed")),
        ("Scorecards", totals.get("scorecards")),
        *_loop_items(totals),
        ("Interviewers", totals.get("interviewers")),
        ("Scores", totals.get("scores")),
        ("Alpha, all dimensions", agreement.get("alpha")),
        ("Alpha, all dimensions, 95% low", agreement.get("alpha_low")),
        ("Alpha, all dimensions, 95% high", agreement.get("alpha_high")),
        ("Loops x dimensions with 2+ ratings", agreement.get("alpha_loops")),
    ]
    items += [(f"Note {number}", note) for number, note in enumerate(result.get("notes", []), start=1)]
    return [{"item": item, "value": value} for item, value in items]


def data_tables(result: dict[str, Any], *, report_id: int | None = None) -> list[Table]:
    return [
        Table("about", "About this report", ABOUT_COLUMNS, about_rows(result, report_id=report_id)),
        Table("interviewers", "Interviewers", INTERVIEWER_COLUMNS, result.get("interviewers", [])),
        Table("interviewer_dimensions", "Mean score per interviewer and dimension",
              INTERVIEWER_DIMENSION_COLUMNS, result.get("interviewer_dimensions", [])),
        Table("dimensions", "Dimensions", DIMENSION_COLUMNS, result.get("dimensions", [])),
        Table("roles", "Pass-through per role", ROLE_COLUMNS, result.get("roles", [])),
        Table("loops", "Loops: raw and leniency-adjusted weighted scores", LOOP_COLUMNS, result.get("loops", [])),
    ]


# --- Display tables: page and PDF ---------------------------------------------------------


def interviewer_dimension_matrices(result: dict[str, Any]) -> list[Table]:
    """Mean score per interviewer (rows) and dimension (columns), one table per role."""
    names = {row["interviewer"]: row["name"] for row in result.get("interviewers", [])}
    cells_by_role: dict[str, list[dict[str, Any]]] = {}
    for row in result.get("interviewer_dimensions", []):
        cells_by_role.setdefault(row["role"], []).append(row)
    several = len(cells_by_role) > 1
    tables = []
    for number, (role, rows) in enumerate(sorted(cells_by_role.items()), start=1):
        dimensions = sorted({row["dimension"] for row in rows})
        position = {dimension: index for index, dimension in enumerate(dimensions)}
        people: dict[str, dict[str, Any]] = {}
        for row in rows:
            person = people.setdefault(row["interviewer"],
                                       {"name": names.get(row["interviewer"], row["interviewer"])})
            person[f"mean_{position[row['dimension']]}"] = row["mean"]
            person[f"n_{position[row['dimension']]}"] = row["n"]
        columns = [Column("name", "Interviewer")] + [
            Column(f"mean_{index}", dimension, NUMBER, n_key=f"n_{index}") for index, dimension in enumerate(dimensions)
        ]
        title = "Mean score per interviewer and dimension" + (f": {role}" if several and role else "")
        tables.append(Table(f"interviewer_dimensions_{number}", title, tuple(columns),
                            sorted(people.values(), key=lambda person: person["name"].lower()),
                            "A dash: the interviewer gave no score on that dimension."))
    return tables


LOOP_COLUMNS = (
    Column("loop", "Loop"),
    Column("raw_score", "Raw weighted score", NUMBER),
    Column("adjusted_score", "Adjusted score", NUMBER),
    Column("adjusted_low", "Adjusted 95% low", NUMBER),
    Column("adjusted_high", "Adjusted 95% high", NUMBER),
)
# The page and the PDF show the loops the adjustment moves most; a report over a whole history has thousands.
LOOPS_SHOWN = 50


def loops_shown(loops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    moved = [row for row in loops if row.get("adjusted_score") is not None and row.get("raw_score") is not None]
    return sorted(moved, key=lambda row: (-abs(row["adjusted_score"] - row["raw_score"]), str(row["loop"])))[
        :LOOPS_SHOWN]


def display_tables(result: dict[str, Any]) -> list[Table]:
    return [
        Table(
            "leniency",
            gettext("Interviewers: scores and leniency"),
            (
                Column("name", gettext("Interviewer")),
                Column("scorecards", gettext("Scorecards"), INT),
                Column("mean_score", gettext("Mean score"), NUMBER, n_key="scores"),
                Column("offset", gettext("Leniency offset [95%]"), INTERVAL, n_key="offset_n",
                       low_key="offset_low", high_key="offset_high"),
                Column("scale", gettext("Scale use [95%]"), INTERVAL, n_key="offset_n", low_key="scale_low",
                       high_key="scale_high"),
                Column("offset_n", gettext("Loops in the model"), INT),
                Column("flag", gettext("Flag"), FLAG),
                Column("strong_yes_share", gettext("Strong yes"), SHARE, n_key="recommendations_n"),
                Column("strong_no_share", gettext("Strong no"), SHARE, n_key="recommendations_n"),
                Column("adherence", gettext("Focus adherence"), SHARE, n_key="focus_n"),
            ),
            result.get("interviewers", []),
            gettext(
                "Offset: how many scale points above (lenient, +) or below (severe, -) the typical interviewer the "
                "interviewer scores a middling candidate, from the rater model. Scale use: how widely they spread "
                "candidates (1 typical, below 1 only the middle of the scale, above 1 the ends)."
            ),
        ),
        Table(
            "loops",
            gettext("Loops: the %(count)s adjusted most by the model") % {"count": LOOPS_SHOWN},
            LOOP_COLUMNS[:2] + (Column("adjusted_score", gettext("Adjusted [95%]"), INTERVAL, low_key="adjusted_low",
                                       high_key="adjusted_high"),),
            loops_shown(result.get("loops", [])),
            gettext(
                "Weighted as the recommendation weighs them; the interval is for the candidate's level (scoring noise, "
                "scores per dimension, the interviewers' effects). Every loop is in the CSV, XLSX and JSON downloads."
            ),
        ),
        Table(
            "agreement",
            gettext("Interviewers: agreement and timeliness"),
            (
                Column("name", gettext("Interviewer")),
                Column("majority_agreement", gettext("Agrees with panel majority"), SHARE, n_key="majority_n"),
                Column("decision_agreement", gettext("Agrees with decision"), SHARE, n_key="decision_n"),
                Column("lag_median_hours", gettext("Median hours to feedback"), HOURS, n_key="lag_n"),
                Column("lag_p90_hours", gettext("90th percentile hours"), HOURS, n_key="lag_n"),
                Column("late_share", gettext("Submitted late"), SHARE, n_key="late_n"),
            ),
            result.get("interviewers", []),
            gettext(
                "Hours from the end of the interview to the submitted scorecard."
            ),
        ),
        Table(
            "evidence",
            gettext("Interviewers: evidence"),
            (
                Column("name", gettext("Interviewer")),
                Column("evidence_checked_n", gettext("Scorecards checked"), INT),
                Column("evidence_flagged_share", gettext("With evidence hints"), SHARE, n_key="evidence_checked_n"),
                Column("evidence_median_chars", gettext("Median evidence length (characters)"), NUMBER,
                       n_key="evidence_n"),
            ),
            result.get("interviewers", []),
            gettext(
                "Evidence hints are the flags of docs/evidence-help.md (impressions instead of observations, language "
                "linked to bias), stored when a scorecard written in Hireloop is submitted. A high share or short "
                "evidence shows whom to coach."
            ),
        ),
        *interviewer_dimension_matrices(result),
        Table(
            "dimensions",
            gettext("Dimensions: scores and agreement between raters"),
            (
                Column("role", gettext("Role")),
                Column("dimension", gettext("Dimension")),
                Column("n", gettext("Scores"), INT),
                Column("score_1", "1", INT),
                Column("score_2", "2", INT),
                Column("score_3", "3", INT),
                Column("score_4", "4", INT),
                Column("score_5", "5", INT),
                Column("mean", gettext("Mean"), NUMBER, n_key="n"),
                Column("sd", gettext("SD"), NUMBER, n_key="n"),
                Column("alpha", gettext("Alpha [95%]"), INTERVAL, n_key="alpha_loops", low_key="alpha_low",
                       high_key="alpha_high"),
                Column("alpha_loops", gettext("Loops 2+ raters"), INT),
            ),
            result.get("dimensions", []),
            gettext(
                "Alpha: Krippendorff's alpha, ordinal; 1 is perfect agreement, 0 is chance level."
            ),
        ),
        Table(
            "roles",
            gettext("Pass-through per role"),
            (
                Column("role", gettext("Role")),
                Column("loops", gettext("Loops"), INT),
                Column("scorecards", gettext("Scorecards"), INT),
                Column("strong_yes", gettext("Strong yes"), INT),
                Column("yes", gettext("Yes"), INT),
                Column("no", gettext("No"), INT),
                Column("strong_no", gettext("Strong no"), INT),
                Column("hired", gettext("Hired"), INT),
                Column("not_hired", gettext("Not hired"), INT),
                Column("undecided", gettext("Undecided"), INT),
                Column("pass_through", gettext("Pass-through"), SHARE, n_key="decided"),
            ),
            result.get("roles", []),
            gettext(
                "Recommendations are counted per scorecard, decisions per loop; pass-through is hired of decided."
            ),
        ),
    ]
