"""The outcomes file of ``validity_report --outcomes``: one row per check-in of a hire.

Columns: ``loop`` (as in the ratings file), ``checkin`` (such as 90d, 12m),
``performance`` (1-5), and optionally one column per outcome area (1-5, empty
for not observed), ``would_hire_again`` and ``still_in_role`` (yes/no).
Header names are matched ignoring case; every bad cell is reported with its
file, line and column, and nothing is computed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import IO

MAX_REPORTED_ERRORS = 50
_LABEL = re.compile(r"^[0-9]{1,3}[dmy]$")
_FIXED = {"loop", "checkin", "performance", "would_hire_again", "still_in_role"}


@dataclass(frozen=True)
class OutcomeRow:
    loop: str
    checkin: str
    performance: int
    areas: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class CellError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class OutcomesFileInvalid(Exception):
    def __init__(self, errors: list[CellError], *, more: int = 0) -> None:
        self.errors = errors
        self.more = more
        super().__init__("; ".join(str(error) for error in errors[:3]))


def _fold(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def parse_outcomes_csv(handle: IO[str]) -> tuple[list[OutcomeRow], list[str]]:
    """The rows and the outcome areas' column names, or ``OutcomesFileInvalid`` naming every bad cell."""
    text = handle.read().removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise OutcomesFileInvalid([CellError(1, "", "the file is empty; expected a header row")])
    names = [_fold(name) for name in header]
    errors: list[CellError] = []
    for required in ("loop", "checkin", "performance"):
        if required not in names:
            errors.append(CellError(1, required, "this required column is missing"))
    seen: set[str] = set()
    for raw, name in zip(header, names, strict=True):
        if not name:
            errors.append(CellError(1, raw, "a column has no name"))
        elif name in seen:
            errors.append(CellError(1, raw, "this column appears twice"))
        seen.add(name)
    if errors:
        raise OutcomesFileInvalid(errors)
    areas = [raw.strip() for raw, name in zip(header, names, strict=True) if name not in _FIXED]
    rows: list[OutcomeRow] = []
    keys: dict[tuple[str, str], int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors.append(CellError(line, "", f"{len(cells)} cells but the header has {len(header)} columns"))
            continue
        values = {name: cell.strip() for name, cell in zip(names, cells, strict=True)}
        raw_of = dict(zip(names, header, strict=True))
        loop, label = values["loop"], values["checkin"]
        if not loop:
            errors.append(CellError(line, "loop", "is empty"))
        if not _LABEL.match(label):
            errors.append(CellError(line, "checkin", f"{label!r} is not a check-in such as 90d or 12m"))
        performance = values["performance"]
        if performance not in {"1", "2", "3", "4", "5"}:
            errors.append(CellError(line, "performance", f"{performance!r} is not a whole number from 1 to 5"))
        area_scores: dict[str, int | None] = {}
        for name, raw in raw_of.items():
            if name in _FIXED:
                if name in ("would_hire_again", "still_in_role") and values[name].lower() not in ("", "yes", "no"):
                    errors.append(CellError(line, raw, f"{values[name]!r} is not yes or no"))
                continue
            cell = values[name]
            if cell and cell not in {"1", "2", "3", "4", "5"}:
                errors.append(CellError(line, raw.strip(), f"{cell!r} is not a whole number from 1 to 5 (or empty)"))
            area_scores[raw.strip()] = int(cell) if cell in {"1", "2", "3", "4", "5"} else None
        if (loop, label) in keys:
            errors.append(CellError(line, "checkin", f"loop {loop!r} has a {label} check-in already on line "
                                                     f"{keys[(loop, label)]}"))
        keys.setdefault((loop, label), line)
        if not errors or errors[-1].line != line:
            rows.append(OutcomeRow(loop, label, int(performance), area_scores))
    if not rows and not errors:
        errors.append(CellError(2, "", "the file has a header but no outcomes"))
    if errors:
        raise OutcomesFileInvalid(errors[:MAX_REPORTED_ERRORS], more=max(0, len(errors) - MAX_REPORTED_ERRORS))
    return rows, areas
