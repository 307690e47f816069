"""What an interview kit shows of an exercise: the live exercise to run, or the take-home to review."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from exercises.models import Exercise, ExerciseAssignment, ExerciseSubmission
from hiring.models import Interview


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
        format_label=str(Exercise.Format(assignment.format).label),
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
