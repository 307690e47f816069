"""Who may manage the question bank and plan an interview's questions."""

from __future__ import annotations

from typing import Any

MANAGE_PERMISSION = "scorecards.change_question"


def can_manage_questions(user: Any) -> bool:
    """Admins, recruiters, and anyone an admin gave the question permission (a rubric editor)."""
    return bool(user.is_authenticated and (user.manages_hiring or user.has_perm(MANAGE_PERMISSION)))


def can_plan_questions(user: Any) -> bool:
    """Picking questions per interviewer is part of scheduling: recruiters and admins."""
    return bool(user.is_authenticated and user.manages_hiring)
