"""Shape of an exercise in the library."""

from __future__ import annotations

from rest_framework import serializers

from exercises.models import Exercise
from hiring.api.serializers import RoleRefSerializer


class ExerciseSerializer(serializers.ModelSerializer):
    role = RoleRefSerializer(read_only=True)
    materials = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="What the candidate is given."
    )
    tasks = serializers.ListField(child=serializers.CharField(), read_only=True)
    evaluation = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="How it is evaluated.")
    dimension_names = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The rubric dimensions it feeds, by name."
    )

    class Meta:
        model = Exercise
        fields = [
            "id", "role", "slug", "position", "title", "format", "duration", "materials", "tasks", "evaluation",
            "dimension_names", "is_active", "origin", "updated_at",
        ]
        read_only_fields = fields
