"""The plain rows every calibration report is computed from, and the ratings file that carries them.

One row is one interviewer's rating of one dimension on one scorecard. The
database path produces these rows with a query (``selectors.py``), the
``--from-csv`` path parses them from a file here; both load them into the
same staging table, and everything after that is shared.

The ratings file
----------------
A CSV file with a header row. Required columns: ``loop``, ``interviewer``,
``dimension``, ``score`` (1-5; empty, ``NA`` or ``not assessed`` for a
dimension the interviewer did not score). Optional columns:
``recommendation`` (strong no, no, yes, strong yes), ``decision`` (hire,
no hire), ``interview_end``, ``submitted_at`` and ``feedback_due`` (ISO 8601
date-times; without a zone they are read in the server's time zone; a missing
``feedback_due`` is ``interview_end`` plus the configured feedback window),
``role``, ``interview_kind``, ``focus`` (yes/no: was the dimension a focus of
the interview) and ``scorecard`` (a key, when one interviewer wrote two
scorecards on one loop; otherwise a scorecard is the pair loop, interviewer).
Header names are matched ignoring case, spaces, dashes and underscores.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

MAX_REPORTED_ERRORS = 50
OVERALL_VALUES = ("strong_no", "no", "yes", "strong_yes")
DECISION_VALUES = ("hire", "no_hire")


@dataclass(frozen=True)
class RatingRow:
    """One rating on one scorecard, with the scorecard's and the loop's context repeated."""

    scorecard: str
    loop: str
    interviewer: str
    interviewer_name: str
    role: str
    kind: str
    dimension: str
    score: int | None
    focus: bool | None
    overall: str | None
    decision: str | None
    ended_at: datetime | None
    submitted_at: datetime | None
    due_at: datetime | None


ROW_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(RatingRow))


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class RatingsFileInvalid(Exception):
    """The ratings file has bad rows; nothing was computed."""

    def __init__(self, errors: list[RowError], *, more: int = 0) -> None:
        self.errors = errors
        self.more = more
        summary = "; ".join(str(error) for error in errors[:3])
        super().__init__(f"{len(errors) + more} problem(s) in the ratings file: {summary}")


# canonical column -> accepted spellings (already folded: lower case, no separators)
_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "loop": ("loop", "loopid", "candidate", "application", "applicationid"),
    "interviewer": ("interviewer", "rater", "interviewerid"),
    "dimension": ("dimension", "attribute", "competency", "criterion"),
    "score": ("score", "rating"),
    "recommendation": ("recommendation", "overall", "overallrecommendation"),
    "decision": ("decision", "finaldecision", "outcome"),
    "interview_end": ("interviewend", "interviewendedat", "endedat", "interviewendtime", "end"),
    "submitted_at": ("submittedat", "submitted", "submissiontime", "feedbacksubmittedat"),
    "feedback_due": ("feedbackdue", "feedbackdueat", "dueat", "due"),
    "role": ("role", "job", "position"),
    "interview_kind": ("interviewkind", "kind", "interviewtype", "stage"),
    "focus": ("focus", "isfocus", "focusdimension"),
    "scorecard": ("scorecard", "scorecardid", "feedbackid"),
}
REQUIRED_COLUMNS = ("loop", "interviewer", "dimension", "score")
_FOLDED = {alias: canonical for canonical, aliases in _HEADER_ALIASES.items() for alias in aliases}

_NOT_SCORED = {"", "na", "n/a", "notassessed", "none", "-"}
_OVERALL_SPELLINGS = {
    "strongno": "strong_no",
    "definitelynot": "strong_no",
    "no": "no",
    "yes": "yes",
    "strongyes": "strong_yes",
    "definitelyyes": "strong_yes",
}
_DECISION_SPELLINGS = {"hire": "hire", "hired": "hire", "offer": "hire", "nohire": "no_hire", "rejected": "no_hire",
                       "reject": "no_hire", "nothired": "no_hire"}
_TRUE = {"yes", "y", "true", "1", "focus"}
_FALSE = {"no", "n", "false", "0"}


def _fold(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.strip().lower())


def _parse_time(raw: str, column: str) -> datetime | None:
    text = raw.strip()
    if not text:
        return None
    try:
        value = parse_datetime(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        value = None
    if value is None:
        raise ValueError(f"{column} {raw!r} is not an ISO 8601 date-time such as 2025-03-04T15:30:00+00:00")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


@dataclass
class _Parsed:
    line: int
    values: dict[str, Any]


def _parse_line(raw: dict[str, str], line: int) -> tuple[_Parsed | None, list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    for column in ("loop", "interviewer", "dimension"):
        text = (raw.get(column) or "").strip()
        if not text:
            errors.append(RowError(line, f"{column} is empty"))
        values[column] = text

    score_text = (raw.get("score") or "").strip()
    if _fold(score_text) in _NOT_SCORED:
        values["score"] = None
    elif re.fullmatch(r"[1-5](\.0+)?", score_text):
        values["score"] = int(float(score_text))
    else:
        errors.append(RowError(line, f"score {score_text!r} is not a whole number from 1 to 5 (or empty)"))

    overall_text = (raw.get("recommendation") or "").strip()
    if overall_text and _fold(overall_text) not in _OVERALL_SPELLINGS:
        errors.append(RowError(line, f"recommendation {overall_text!r} is not strong no, no, yes or strong yes"))
    values["overall"] = _OVERALL_SPELLINGS.get(_fold(overall_text)) if overall_text else None

    decision_text = (raw.get("decision") or "").strip()
    if decision_text and _fold(decision_text) not in _DECISION_SPELLINGS:
        errors.append(RowError(line, f"decision {decision_text!r} is not hire or no hire (or empty)"))
    values["decision"] = _DECISION_SPELLINGS.get(_fold(decision_text)) if decision_text else None

    for column, key in (("interview_end", "ended_at"), ("submitted_at", "submitted_at"), ("feedback_due", "due_at")):
        try:
            values[key] = _parse_time(raw.get(column) or "", column)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            values[key] = None

    focus_text = _fold(raw.get("focus") or "")
    if focus_text and focus_text not in _TRUE | _FALSE:
        errors.append(RowError(line, f"focus {raw.get('focus')!r} is not yes or no"))
    values["focus"] = None if not focus_text else focus_text in _TRUE

    values["role"] = (raw.get("role") or "").strip()
    values["kind"] = (raw.get("interview_kind") or "").strip()
    values["scorecard_key"] = (raw.get("scorecard") or "").strip()
    if errors:
        return None, errors
    return _Parsed(line, values), []


def _same_everywhere(
    parsed: list[_Parsed], group_of: Any, columns: tuple[str, ...], what: str
) -> tuple[dict[Any, dict[str, Any]], list[RowError]]:
    """Values that belong to a whole scorecard or loop must not differ between its rows.

    An empty cell on a later row inherits the value given on another row.
    """
    seen: dict[Any, dict[str, Any]] = {}
    first_line: dict[tuple[Any, str], int] = {}
    errors: list[RowError] = []
    for item in parsed:
        group = group_of(item)
        known = seen.setdefault(group, {})
        for column in columns:
            value = item.values[column]
            if value is None or value == "":
                continue
            if column not in known:
                known[column] = value
                first_line[(group, column)] = item.line
            elif known[column] != value:
                errors.append(
                    RowError(
                        item.line,
                        f"{column} {_show(value)} differs from {_show(known[column])} on line "
                        f"{first_line[(group, column)]} for the same {what}",
                    )
                )
    return seen, errors


def _show(value: Any) -> str:
    return repr(value.isoformat() if isinstance(value, datetime) else value)


def parse_ratings_csv(
    handle: IO[str],
    *,
    feedback_due_hours: int,
    role: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[RatingRow]:
    """Read and check a ratings file; raise ``RatingsFileInvalid`` listing bad rows by line number.

    ``role``, ``since`` and ``until`` narrow the scope like the report form
    does: by the role column, and by the interview end date (in the server's
    time zone). Line numbers count the header as line 1.
    """
    text = handle.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RatingsFileInvalid([RowError(1, "the file is empty; expected a header row")]) from None
    errors: list[RowError] = []
    columns: list[str | None] = []
    for name in header:
        canonical = _FOLDED.get(_fold(name))
        if canonical is None and name.strip():
            errors.append(RowError(1, f"unknown column {name!r}"))
        if canonical is not None and canonical in columns:
            errors.append(RowError(1, f"column {name!r} appears twice"))
        columns.append(canonical)
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        errors.append(RowError(1, f"missing required column(s): {', '.join(missing)}"))
    if since is not None and "interview_end" not in columns:
        errors.append(RowError(1, "a start date needs the interview_end column to filter on"))
    if role and "role" not in columns:
        errors.append(RowError(1, "a role filter needs the role column"))
    if errors:
        raise RatingsFileInvalid(errors)

    parsed: list[_Parsed] = []
    for line_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            errors.append(RowError(line_number, f"{len(cells)} cells but the header has {len(columns)} columns"))
            continue
        raw = {column: cell for column, cell in zip(columns, cells, strict=False) if column is not None}
        item, row_errors = _parse_line(raw, line_number)
        errors.extend(row_errors)
        if item is not None:
            parsed.append(item)

    def scorecard_of(item: _Parsed) -> tuple[str, str, str]:
        return item.values["loop"], item.values["interviewer"], item.values["scorecard_key"]

    card_values, card_errors = _same_everywhere(
        parsed, scorecard_of, ("overall", "ended_at", "submitted_at", "due_at", "kind"), "scorecard"
    )
    loop_values, loop_errors = _same_everywhere(parsed, lambda item: item.values["loop"], ("decision", "role"), "loop")
    errors.extend(card_errors + loop_errors)
    seen_ratings: dict[tuple[tuple[str, str, str], str], int] = {}
    for item in parsed:
        key = (scorecard_of(item), item.values["dimension"])
        if key in seen_ratings:
            errors.append(
                RowError(item.line, f"dimension {item.values['dimension']!r} is rated twice on this scorecard "
                                    f"(first on line {seen_ratings[key]})")
            )
        else:
            seen_ratings[key] = item.line
    if not parsed and not errors:
        errors.append(RowError(2, "the file has a header but no ratings"))
    if errors:
        errors.sort(key=lambda error: error.line)
        raise RatingsFileInvalid(errors[:MAX_REPORTED_ERRORS], more=max(0, len(errors) - MAX_REPORTED_ERRORS))

    rows = list(_rows(parsed, card_values, loop_values, scorecard_of, feedback_due_hours))
    return [row for row in rows if _in_scope(row, role=role, since=since, until=until)]


def _rows(
    parsed: list[_Parsed],
    card_values: dict[Any, dict[str, Any]],
    loop_values: dict[Any, dict[str, Any]],
    scorecard_of: Any,
    feedback_due_hours: int,
) -> Iterator[RatingRow]:
    for item in parsed:
        card = card_values[scorecard_of(item)]
        loop = loop_values[item.values["loop"]]
        ended_at = card.get("ended_at")
        due_at = card.get("due_at") or (ended_at + timedelta(hours=feedback_due_hours) if ended_at else None)
        loop_key, interviewer, suffix = scorecard_of(item)
        yield RatingRow(
            scorecard=f"{loop_key} / {interviewer}" + (f" / {suffix}" if suffix else ""),
            loop=loop_key,
            interviewer=interviewer,
            interviewer_name=interviewer,
            role=loop.get("role", ""),
            kind=card.get("kind", ""),
            dimension=item.values["dimension"],
            score=item.values["score"],
            focus=item.values["focus"],
            overall=card.get("overall"),
            decision=loop.get("decision"),
            ended_at=ended_at,
            submitted_at=card.get("submitted_at"),
            due_at=due_at,
        )


def _in_scope(row: RatingRow, *, role: str | None, since: date | None, until: date | None) -> bool:
    if role and _fold(row.role) != _fold(role):
        return False
    if since is not None or until is not None:
        if row.ended_at is None:
            return False
        day = timezone.localtime(row.ended_at).date()
        if since is not None and day < since:
            return False
        if until is not None and day > until:
            return False
    return True


def rows_to_csv(rows: Iterable[RatingRow], handle: IO[str]) -> None:
    """Write rows in the ratings file format, so a report can be recomputed with ``--from-csv``."""
    writer = csv.writer(handle)
    writer.writerow(["scorecard", "loop", "interviewer", "role", "interview_kind", "dimension", "score", "focus",
                     "recommendation", "decision", "interview_end", "submitted_at", "feedback_due"])
    for row in rows:
        writer.writerow([
            row.scorecard, row.loop, row.interviewer, row.role, row.kind, row.dimension,
            "" if row.score is None else row.score,
            "" if row.focus is None else ("yes" if row.focus else "no"),
            row.overall or "", row.decision or "",
            *("" if value is None else value.isoformat() for value in (row.ended_at, row.submitted_at, row.due_at)),
        ])
