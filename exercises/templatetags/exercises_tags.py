"""Template helpers for exercises, including the block an interview kit includes."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from exercises.models import ExerciseAssignment
from exercises.selectors.kits import KitExercise, exercise_context_for_interview
from exercises.uploads import size_label

register = template.Library()


@register.filter
def take_home_state(assignment: ExerciseAssignment) -> dict[str, str]:
    """A badge for an assignment: its state as the recruiter and the reviewer need to read it."""
    now = timezone.now()
    count = getattr(assignment, "submission_count", None)
    if count is None:
        count = assignment.submissions.count()
    if assignment.loop.is_closed:
        return {"label": gettext("Loop closed"), "tone": ""}
    if now <= assignment.due_at:
        if count:
            return {"label": gettext("Submitted (%(count)s); open until the deadline") % {"count": count}, "tone": "ok"}
        return {"label": gettext("Awaiting submission"), "tone": "warn"}
    if count:
        return {"label": gettext("Submitted (%(count)s); deadline passed") % {"count": count}, "tone": "ok"}
    return {"label": gettext("Deadline passed, nothing submitted"), "tone": "bad"}


@register.filter
def file_size(size: int) -> str:
    return size_label(size)


@register.inclusion_tag("exercises/_kit_exercise.html")
def interview_exercise(interview: Any, heading_level: int = 2) -> dict[str, Any]:
    """The exercise part of an interview kit: ``{% load exercises_tags %}{% interview_exercise interview %}``.

    A take-home review shows the brief as sent, the evaluation criteria and
    the submissions with download links; a live exercise shows its brief.
    Renders nothing when the interview has no exercise.
    """
    context: KitExercise | None = exercise_context_for_interview(interview)
    return {"kit": context, "heading_level": heading_level}
