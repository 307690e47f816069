"""Reads for practical exercises: the library, take-home assignments, and what an interview kit shows.

Each list is one queryset with its joins and prefetches built in, so a page
costs the same number of queries for one row as for fifty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from exercises.models import DeadlineExtension, Exercise, ExerciseAssignment, ExerciseSubmission
from hiring.access import interviews_visible_to, loops_visible_to
from hiring.errors import NotFound
from hiring.models import Interview, InterviewLoop, Role
from scorecards.models import Dimension

SEARCH_FIELDS = ("title", "duration", "materials_text", "tasks_text", "evaluation_text", "dimensions_text")


def _with_search_text(queryset: QuerySet[Exercise]) -> QuerySet[Exercise]:
    # The list fields are JSON; searching their text form finds words inside any item.
    return queryset.annotate(
        materials_text=Cast("materials", TextField()),
        tasks_text=Cast("tasks", TextField()),
        evaluation_text=Cast("evaluation", TextField()),
        dimensions_text=Cast("dimension_names", TextField()),
    )


def exercises_visible_to(user: Any) -> QuerySet[Exercise]:
    """Everyone reads the active library; admins also see retired exercises."""
    queryset = Exercise.objects.select_related("role")
    if user.is_hireloop_admin:
        return queryset
    return queryset.filter(is_active=True)


def exercise_search(*, user: Any, query: str = "", role_slug: str = "", format: str = "") -> QuerySet[Exercise]:
    """Exercises whose title, brief, criteria or dimensions contain every word of ``query``."""
    queryset = _with_search_text(exercises_visible_to(user))
    for word in query.split()[:10]:
        condition = Q()
        for name in SEARCH_FIELDS:
            condition |= Q(**{f"{name}__icontains": word})
        condition |= Q(role__title__icontains=word)
        queryset = queryset.filter(condition)
    if role_slug:
        queryset = queryset.filter(role__slug=role_slug)
    if format in Exercise.Format.values:
        queryset = queryset.filter(format=format)
    return queryset.order_by("role__title", "position", "id")


def roles_with_exercise_counts(*, user: Any) -> QuerySet[Role]:
    """Every role with how many exercises of each format its library holds."""
    visible = Q() if user.is_hireloop_admin else Q(exercises__is_active=True)
    return Role.objects.annotate(
        exercise_count=Count("exercises", filter=visible),
        take_home_count=Count("exercises", filter=visible & Q(exercises__format=Exercise.Format.TAKE_HOME)),
        live_count=Count("exercises", filter=visible & Q(exercises__format=Exercise.Format.LIVE)),
        discussion_count=Count("exercises", filter=visible & Q(exercises__format=Exercise.Format.DISCUSSION)),
    ).order_by("title")


def role_by_slug(slug: str) -> Role:
    try:
        return Role.objects.get(slug=slug)
    except Role.DoesNotExist as exc:
        raise NotFound("No such role.") from exc


def current_dimensions(role: Role) -> dict[str, Dimension]:
    """The dimensions of the role's newest rubric version, by name."""
    latest = role.rubrics.order_by("-version").values("pk")[:1]
    return {d.name: d for d in Dimension.objects.filter(rubric__in=latest).order_by("position")}


def exercise_detail(*, user: Any, exercise_id: int) -> Exercise:
    exercise = (
        exercises_visible_to(user)
        .annotate(assignment_count=Count("assignments", distinct=True),
                  interview_count=Count("interviews", distinct=True))
        .filter(pk=exercise_id)
        .first()
    )
    if exercise is None:
        raise NotFound("No such exercise.")
    return exercise


# --- Take-home assignments ----------------------------------------------------------


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
        raise NotFound("No such take-home assignment.")
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
        raise NotFound("No such file.")
    return submission


# --- A loop's exercises ------------------------------------------------------------------


def loop_for_exercises(*, user: Any, loop_id: int) -> InterviewLoop:
    loop = loops_visible_to(user).select_related("candidate", "role", "rubric").filter(pk=loop_id).first()
    if loop is None:
        raise NotFound("No such loop.")
    return loop


def loop_assignments(loop: InterviewLoop) -> QuerySet[ExerciseAssignment]:
    return _assignment_queryset().filter(loop=loop).prefetch_related(
        Prefetch("extensions", queryset=DeadlineExtension.objects.select_related("extended_by"))
    ).order_by("created_at", "id")


def loop_interviews(*, user: Any, loop: InterviewLoop) -> QuerySet[Interview]:
    return (
        interviews_visible_to(user)
        .filter(loop=loop)
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


# --- What an interview kit shows ---------------------------------------------------------


@dataclass
class KitExercise:
    """The exercise part of an interview kit.

    For a take-home review it is the brief exactly as the candidate received
    it, with the submissions to review; for a live exercise it is the
    library's current text.
    """

    title: str
    format: str
    format_label: str
    duration: str
    materials: list[str]
    tasks: list[str]
    evaluation: list[str]
    dimension_names: list[str]
    exercise_id: int | None
    assignment: ExerciseAssignment | None = None
    submissions: list[ExerciseSubmission] = field(default_factory=list)

    @property
    def is_take_home_review(self) -> bool:
        return self.assignment is not None


def review_context_for_interview(interview: Interview) -> KitExercise | None:
    """For a take-home review interview: the brief as sent, its evaluation criteria and the submissions."""
    assignment = (
        ExerciseAssignment.objects.filter(review_interview_id=interview.pk)
        .select_related("loop")
        .prefetch_related(Prefetch("submissions", queryset=ExerciseSubmission.objects.order_by("-number")))
        .first()
    )
    if assignment is None:
        return None
    return KitExercise(
        title=assignment.title,
        format=assignment.format,
        format_label=Exercise.Format(assignment.format).label,
        duration=assignment.duration,
        materials=assignment.materials,
        tasks=assignment.tasks,
        evaluation=assignment.evaluation,
        dimension_names=assignment.dimension_names,
        exercise_id=assignment.exercise_id,
        assignment=assignment,
        submissions=list(assignment.submissions.all()),
    )


def exercise_context_for_interview(interview: Interview) -> KitExercise | None:
    """What the kit shows for an interview's exercise: the take-home review, the live exercise, or nothing."""
    if interview.kind == Interview.Kind.TAKE_HOME_REVIEW:
        review = review_context_for_interview(interview)
        if review is not None:
            return review
    if interview.exercise_id is None:
        return None
    exercise = Exercise.objects.filter(pk=interview.exercise_id).first()
    if exercise is None:
        return None
    return KitExercise(
        title=exercise.title,
        format=exercise.format,
        format_label=exercise.get_format_display(),
        duration=exercise.duration,
        materials=exercise.materials,
        tasks=exercise.tasks,
        evaluation=exercise.evaluation,
        dimension_names=exercise.dimension_names,
        exercise_id=exercise.pk,
    )
