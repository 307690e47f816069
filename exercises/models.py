"""Practical exercises and case studies from the role blueprints."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Exercise(models.Model):
    class Format(models.TextChoices):
        TAKE_HOME = "take_home", "Take-home"
        LIVE = "live", "Live"
        DISCUSSION = "discussion", "Discussion"

    role = models.ForeignKey("hiring.Role", on_delete=models.CASCADE, related_name="exercises")
    slug = models.SlugField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    format = models.CharField(max_length=20, choices=Format.choices)
    duration = models.CharField(max_length=100, blank=True)
    materials = models.JSONField(default=list, blank=True, help_text="What the candidate is given.")
    tasks = models.JSONField(default=list, blank=True)
    evaluation = models.JSONField(default=list, blank=True, help_text="How it is evaluated.")
    dimension_names = models.JSONField(
        default=list, blank=True, help_text="Names of the rubric dimensions it feeds; matched by name in any version."
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["role", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["role", "slug"], name="exercise_unique_slug_per_role"),
            models.CheckConstraint(
                condition=Q(format__in=["take_home", "live", "discussion"]), name="exercise_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title
