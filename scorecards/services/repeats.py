"""A scorecard form posted twice: the second post of a save, submit or amendment that the first already made.

A double click, or a browser sending a post again after its answer was lost,
sends the same form twice. The second carries the ``version`` the first
started from, so the services refuse it (stale, or already submitted). When
the current revision is exactly what that post produced (one version later,
in the state it asked for, with the same content) the second post is the
first one again: the page answers as it did the first time, and nothing is
written or audited twice.
"""

from __future__ import annotations

from typing import Literal

from hiring.models import User
from scorecards.models import Scorecard
from scorecards.services.scorecard_input import ScorecardInput, content_of

Action = Literal["save", "submit", "amend"]


def scorecard_repeat_of(
    *, actor: User, interview_id: int, data: ScorecardInput, expected_version: int | None, action: Action,
    reason: str = "",
) -> Scorecard | None:
    """The actor's current revision when it is what ``action`` on ``data`` from ``expected_version`` produced."""
    if expected_version is None:
        return None
    card = (
        Scorecard.objects.filter(interview_id=interview_id, interviewer=actor, is_current=True)
        .prefetch_related("ratings", "observed_signals")
        .first()
    )
    if card is None or card.version != expected_version + 1:
        return None
    if action == "save":
        made = card.status == Scorecard.Status.DRAFT
    elif action == "submit":
        made = card.status == Scorecard.Status.SUBMITTED and card.revision == 1
    else:
        made = card.revision > 1 and card.amendment_reason == reason.strip()
    return card if made and content_of(card) == content_of(data) else None
