"""What the interviewer's pages and the rubric pages share: a dimension's anchors as the pages show them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from scorecards.models import Dimension


@dataclass
class Anchor:
    id: str
    value: str
    kind: str  # concerns | meets | exceeds
    title: str
    text: str


def anchors_of(dimension: Dimension, scale: dict[str, str]) -> list[Anchor]:
    """What 1, 3 and 5 look like, as the rubric words them; absent anchors are left out."""
    rows = [
        ("1", "concerns", gettext("Common concerns"), dimension.anchor_concerns),
        ("3", "meets", gettext("Meets"), dimension.anchor_meets),
        ("5", "exceeds", gettext("Exceeds / strong"), dimension.anchor_exceeds),
    ]
    return [
        Anchor(id=f"anchor-{dimension.pk}-{value}", value=value, kind=kind,
               title=f"{title} ({value} · {scale[value]})" if scale.get(value) else f"{title} ({value})", text=text)
        for value, kind, title, text in rows
        if text.strip()
    ]
