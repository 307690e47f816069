"""A role's outcome areas as its blueprint document states them: the "Top KPIs" and "Main goals" rows of the
document's summary table (fixtures/sources/), copied verbatim and marked as taken from the document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from hiring.models import Role
from outcomes.models import OutcomeArea

SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"


@dataclass(frozen=True)
class AreaText:
    title: str
    description: str
    source: str
    document_text: str


def _row(text: str, heading: str) -> str:
    """The cell after ``heading`` in the summary table (a Markdown row, or a plain-text line)."""
    for line in text.splitlines():
        stripped = line.strip().strip("|").strip()
        if stripped.startswith(heading):
            return stripped[len(heading):].strip(" |:\t")
    return ""


def _items(cell: str) -> list[str]:
    parts = re.split(r";\s*", cell) if ";" in cell else re.split(r"(?<=\.)\s+(?=[A-Z])", cell)
    return [part.strip().rstrip(".").strip() for part in parts if part.strip().rstrip(".").strip()]


def areas_from_document(text: str) -> list[AreaText]:
    """One area per main goal, and one for the top KPIs together (a short form: the manager rates how the KPIs
    moved overall, and the list says which they are)."""
    areas = []
    goals = _row(text, "Main goals")
    for goal in _items(goals):
        title = goal[0].upper() + goal[1:]
        areas.append(AreaText(title=title[:300], description="", source=OutcomeArea.Source.GOAL, document_text=goal))
    kpis = _row(text, "Top KPIs")
    if kpis:
        areas.append(AreaText(title="Top KPIs", description=", ".join(_items(kpis)),
                              source=OutcomeArea.Source.KPI, document_text=kpis))
    return areas


def document_text(role: Role) -> str:
    if not role.source_document:
        return ""
    path = (SOURCES / role.source_document).resolve()
    if path.parent != SOURCES.resolve() or not path.is_file():
        return ""
    return path.read_text(encoding="utf-8")
