"""Query filters for the exercise library."""

from __future__ import annotations

from django_filters import rest_framework as filters

from exercises.models import Exercise


class ExerciseFilter(filters.FilterSet):
    role = filters.CharFilter(field_name="role__slug", help_text="Role slug.")
    format = filters.ChoiceFilter(choices=Exercise.Format.choices)
    is_active = filters.BooleanFilter(help_text="Retired exercises are listed to admins only.")

    class Meta:
        model = Exercise
        fields = ["role", "format", "is_active"]
