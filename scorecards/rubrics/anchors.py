"""A dimension's anchors as the pages show them: the interviewer's kit and form, and the rubric pages."""

from __future__ import annotations

from dataclasses import dataclass

from scorecards.models import AnchorSource, Dimension

# The kind names the colour of each point's border (interviewer.css), from below the bar to exceptional.
KINDS = {"1": "concerns", "2": "approaching", "3": "meets", "4": "above", "5": "exceeds"}


@dataclass
class Anchor:
    id: str
    value: str
    kind: str  # concerns | approaching | meets | above | exceeds
    title: str
    text: str
    by_team: bool  # written by the hiring team, not copied from the role's document


def anchors_of(dimension: Dimension, scale: dict[str, str]) -> list[Anchor]:
    """What each point 1-5 looks like, as the rubric words it; points without text are left out."""
    anchors = []
    for value, kind in KINDS.items():
        anchor = (dimension.anchors or {}).get(value) or {}
        text = (anchor.get("text") or "").strip()
        if not text:
            continue
        label = scale.get(value, "")
        anchors.append(
            Anchor(
                id=f"anchor-{dimension.pk}-{value}", value=value, kind=kind,
                title=f"{value} · {label}" if label else value, text=text,
                by_team=anchor.get("source") == AnchorSource.TEAM,
            )
        )
    return anchors
