"""Query filters for the exercise library and take-homes; they narrow what the access rules already allow."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from config.api.filters import IdFilter
from exercises.models import Exercise, ExerciseAssignment, ExerciseSubmission
from exercises.selectors.take_homes import assignments_in_state


class ExerciseFilter(filters.FilterSet):
    role = filters.CharFilter(field_name="role__slug", help_text="Role slug.")
    format = filters.ChoiceFilter(choices=Exercise.Format.choices)
    is_active = filters.BooleanFilter(help_text="Retired exercises are listed to admins only.")

    class Meta:
        model = Exercise
        fields = ["role", "format", "is_active"]


class AssignmentFilter(filters.FilterSet):
    state = filters.ChoiceFilter(
        choices=[("open", "Open"), ("closed", "Closed")], method="filter_state",
        help_text="open: the deadline is still ahead; closed: it passed. Left out: both (the overview page "
        "shows open ones first).",
    )
    loop = IdFilter(field_name="loop_id")
    exercise = IdFilter(field_name="exercise_id")
    role = filters.CharFilter(field_name="loop__role__slug", help_text="Role slug.")
    due_after = filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = ExerciseAssignment
        fields = ["state", "loop", "exercise", "role", "due_after", "due_before"]

    def filter_state(
        self, queryset: QuerySet[ExerciseAssignment], name: str, value: str
    ) -> QuerySet[ExerciseAssignment]:
        return assignments_in_state(queryset, value)


class SubmissionFilter(filters.FilterSet):
    assignment = IdFilter(field_name="assignment_id", help_text="The take-home assignment's id.")
    loop = IdFilter(field_name="assignment__loop_id")
    submitted_after = filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = ExerciseSubmission
        fields = ["assignment", "loop", "submitted_after", "submitted_before"]
