"""Reads for take-home assignments: the lists by state, one assignment with its history, submissions for
download, and a loop's exercises.

Each list is one queryset with its joins and prefetches built in, so a page
costs the same number of queries for one row as for fifty.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from exercises.models import DeadlineExtension, Exercise, ExerciseAssignment, ExerciseSubmission
from hiring.access import interviews_visible_to, loops_visible_to
from hiring.errors import NotFound
from hiring.models import Interview, InterviewLoop


def _assignment_queryset() -> QuerySet[ExerciseAssignment]:
    return (
        ExerciseAssignment.objects.select_related(
            "loop", "loop__candidate", "loop__role", "reviewer", "created_by", "review_interview__interviewer",
            "exercise",
        )
        .annotate(submission_count=Count("submissions", distinct=True),
                  last_submitted_at=Max("submissions__submitted_at"))
    )


def assignments_visible_to(user: Any) -> QuerySet[ExerciseAssignment]:
    return _assignment_queryset().filter(loop__in=loops_visible_to(user).values("pk"))


def assignments_in_state(
    queryset: QuerySet[ExerciseAssignment], state: str, now: datetime | None = None
) -> QuerySet[ExerciseAssignment]:
    """Open (the deadline is still ahead), closed (it passed), or any other ``state``: all of them."""
    now = now or timezone.now()
    if state == "open":
        return queryset.filter(due_at__gte=now)
    if state == "closed":
        return queryset.filter(due_at__lt=now)
    return queryset


def assignment_list(*, user: Any, state: str = "", now: datetime | None = None) -> QuerySet[ExerciseAssignment]:
    """Take-homes for the recruiters' overview: open (before the deadline), closed, or all."""
    return assignments_in_state(assignments_visible_to(user), state, now).order_by("due_at", "id")


def assignments_with_history_visible_to(user: Any) -> QuerySet[ExerciseAssignment]:
    """Assignments as their page shows them: with the submissions (newest first) and the extension history."""
    return assignments_visible_to(user).prefetch_related(
        Prefetch("submissions", queryset=ExerciseSubmission.objects.order_by("-number")),
        Prefetch("extensions", queryset=DeadlineExtension.objects.select_related("extended_by")),
    )


def assignment_detail(*, user: Any, assignment_id: int) -> ExerciseAssignment:
    assignment = assignments_with_history_visible_to(user).filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound(gettext("No such take-home assignment."))
    return assignment


def submissions_visible_to(user: Any) -> QuerySet[ExerciseSubmission]:
    """Submissions of the take-homes the user may see (those of loops visible to them)."""
    return ExerciseSubmission.objects.filter(assignment__loop__in=loops_visible_to(user).values("pk"))


def submission_for_download(*, user: Any, submission_id: int) -> ExerciseSubmission:
    submission = (
        ExerciseSubmission.objects.select_related("assignment")
        .filter(pk=submission_id, assignment__loop__in=loops_visible_to(user).values("pk"))
        .exclude(file="")
        .first()
    )
    if submission is None:
        raise NotFound(gettext("No such file."))
    return submission


def loop_for_exercises(*, user: Any, loop_id: int) -> InterviewLoop:
    loop = loops_visible_to(user).select_related("candidate", "role", "rubric").filter(pk=loop_id).first()
    if loop is None:
        raise NotFound(gettext("No such loop."))
    return loop


def loop_assignments(loop: InterviewLoop) -> QuerySet[ExerciseAssignment]:
    return _assignment_queryset().filter(loop=loop).prefetch_related(
        Prefetch("extensions", queryset=DeadlineExtension.objects.select_related("extended_by"))
    ).order_by("created_at", "id")


def loop_interviews(*, user: Any, loop: InterviewLoop) -> QuerySet[Interview]:
    return (
        interviews_visible_to(user)
        .filter(loop=loop, cancelled_at__isnull=True)
        .select_related("interviewer", "exercise")
        .prefetch_related("focus_dimensions")
        .order_by("starts_at", "id")
    )


def take_home_choices(loop: InterviewLoop) -> QuerySet[Exercise]:
    return Exercise.objects.filter(role_id=loop.role_id, is_active=True, format=Exercise.Format.TAKE_HOME).exclude(
        assignments__loop=loop
    )


def live_exercise_choices(loop: InterviewLoop) -> QuerySet[Exercise]:
    return Exercise.objects.filter(
        role_id=loop.role_id, is_active=True, format__in=[Exercise.Format.LIVE, Exercise.Format.DISCUSSION]
    )
