"""What the interviewer's pages and the rubric pages share: a dimension's anchors as the pages show them."""

from scorecards.rubrics.anchors import Anchor, anchors_of

__all__ = ["Anchor", "anchors_of"]
