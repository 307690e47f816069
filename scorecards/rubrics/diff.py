"""A side-by-side comparison of two rubric specifications: what the reviewer reads before publishing.

Dimensions are matched by key, so a renamed dimension shows as renamed rather than removed and added.
Plain data in, plain data out: the page and the API show the same rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

THRESHOLDS = {
    "hire": "Hire threshold",
    "discuss": "Needs-discussion threshold",
    "critical_floor": "Critical dimension floor",
    "min_coverage": "Minimum coverage",
    "high_to_medium_ratio": "High to Medium ratio",
}
SIGNAL_KINDS = {"strong": "Strong signals", "weak": "Weak signals", "red_flag": "Red flags"}


@dataclass
class DiffRow:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class DiffSection:
    title: str
    status: str = "same"  # same | changed | added | removed
    rows: list[DiffRow] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.status != "same"


def _anchor(anchor: dict[str, Any] | None) -> str:
    if not anchor or not anchor.get("text"):
        return ""
    by = " (team)" if anchor.get("source") == "team" else " (document)"
    return anchor["text"] + by


def _weight(dimension: dict[str, Any] | None) -> str:
    if not dimension:
        return ""
    if dimension.get("weight_kind") == "percent":
        return f"{dimension.get('weight')}%"
    if dimension.get("weight_kind") == "high_medium":
        return str(dimension.get("weight", "")).capitalize()
    return "Equal"


def _dimension_rows(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[DiffRow]:
    old, new = old or {}, new or {}
    rows = [
        DiffRow("Name", old.get("name", ""), new.get("name", "")),
        DiffRow("Weight", _weight(old), _weight(new)),
        DiffRow(
            "Critical",
            ("Yes" if old.get("critical") else "No") if old else "",
            ("Yes" if new.get("critical") else "No") if new else "",
        ),
    ]
    old_anchors, new_anchors = old.get("anchors") or {}, new.get("anchors") or {}
    rows += [
        DiffRow(f"Anchor {point}", _anchor(old_anchors.get(point)), _anchor(new_anchors.get(point)))
        for point in ("1", "2", "3", "4", "5")
    ]
    return rows


def rubric_diff(old: dict[str, Any], new: dict[str, Any]) -> list[DiffSection]:
    """The sections of two specifications (``{"rubric": ...}``), each with its rows before and after."""
    before, after = old.get("rubric", {}), new.get("rubric", {})
    sections: list[DiffSection] = []

    scale = DiffSection("Scale and thresholds")
    old_scale, new_scale = before.get("scale", {}), after.get("scale", {})
    scale.rows += [DiffRow(f"Point {p}", old_scale.get(p, ""), new_scale.get(p, "")) for p in "12345"]
    old_t, new_t = before.get("thresholds", {}), after.get("thresholds", {})
    scale.rows += [DiffRow(label, str(old_t.get(k, "")), str(new_t.get(k, ""))) for k, label in THRESHOLDS.items()]
    scale.rows.append(DiffRow("Weights", before.get("weight_kind", ""), after.get("weight_kind", "")))
    scale.status = "changed" if any(row.changed for row in scale.rows) else "same"
    sections.append(scale)

    old_dims = {d.get("key") or d["name"]: (i, d) for i, d in enumerate(before.get("dimensions", []))}
    new_dims = {d.get("key") or d["name"]: (i, d) for i, d in enumerate(after.get("dimensions", []))}
    for key, (position, dimension) in new_dims.items():
        previous = old_dims.get(key)
        rows = _dimension_rows(previous[1] if previous else None, dimension)
        section = DiffSection(f"Dimension: {dimension['name']}", rows=rows)
        if previous is None:
            section.status = "added"
        elif any(row.changed for row in section.rows) or previous[0] != position:
            section.status = "changed"
            if previous[0] != position:
                section.rows.insert(0, DiffRow("Position", str(previous[0] + 1), str(position + 1)))
        sections.append(section)
    for key, (_, dimension) in old_dims.items():
        if key not in new_dims:
            sections.append(
                DiffSection(f"Dimension: {dimension['name']}", "removed", _dimension_rows(dimension, None))
            )

    for kind, title in SIGNAL_KINDS.items():
        old_texts = [s["text"] for s in before.get("signals", []) if s.get("kind") == kind]
        new_texts = [s["text"] for s in after.get("signals", []) if s.get("kind") == kind]
        section = DiffSection(title, "same" if old_texts == new_texts else "changed")
        section.rows = [DiffRow("", "\n".join(old_texts), "\n".join(new_texts))]
        sections.append(section)
    return sections


def rubric_diff_data(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The diff as JSON for the API."""
    return [
        {**asdict(section), "rows": [{**asdict(row), "changed": row.changed} for row in section.rows]}
        for section in rubric_diff(old, new)
    ]
