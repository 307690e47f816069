"""Practical exercises and case studies from the role blueprints."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from exercises.uploads import storage_suffix
from hiring.text import limit, limited_text, validate_label


class Exercise(models.Model):
    class Format(models.TextChoices):
        TAKE_HOME = "take_home", gettext_lazy("Take-home")
        LIVE = "live", gettext_lazy("Live")
        DISCUSSION = "discussion", gettext_lazy("Discussion")

    class Origin(models.TextChoices):
        DOCUMENT = "document", gettext_lazy("From the role document")
        CUSTOM = "custom", gettext_lazy("Added in Hireloop")

    role = models.ForeignKey("hiring.Role", on_delete=models.CASCADE, related_name="exercises")
    slug = models.SlugField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=limit("exercise.title"), validators=[validate_label])
    format = models.CharField(max_length=20, choices=Format.choices)
    duration = models.CharField(max_length=limit("exercise.duration"), blank=True)
    materials = models.JSONField(default=list, blank=True, help_text=gettext_lazy("What the candidate is given."))
    tasks = models.JSONField(default=list, blank=True)
    evaluation = models.JSONField(default=list, blank=True, help_text=gettext_lazy("How it is evaluated."))
    dimension_names = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy("Names of the rubric dimensions it feeds; matched by name in any version."),
    )
    is_active = models.BooleanField(default=True)
    origin = models.CharField(
        max_length=10,
        choices=Origin.choices,
        default=Origin.DOCUMENT,
        help_text=gettext_lazy("Document exercises are refreshed from the rubric files when rubrics are loaded again."),
    )
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


def submission_upload_to(instance: ExerciseSubmission, filename: str) -> str:
    """A random name under the assignment's folder: the candidate's file name never reaches the file system."""
    return f"take-home/{instance.assignment_id}/{uuid.uuid4().hex}{storage_suffix(filename)}"


class ExerciseAssignment(models.Model):
    """A take-home exercise sent to the candidate of a loop.

    The brief is copied at assignment time: editing the exercise later never
    changes what this candidate was sent. Only the SHA-256 of the link's token
    is stored; the token itself exists only in the emailed link.
    """

    loop = models.ForeignKey("hiring.InterviewLoop", on_delete=models.CASCADE, related_name="exercise_assignments")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="assignments")
    title = models.CharField(max_length=300)
    format = models.CharField(max_length=20, choices=Exercise.Format.choices)
    duration = models.CharField(max_length=100, blank=True)
    materials = models.JSONField(default=list, blank=True)
    tasks = models.JSONField(default=list, blank=True)
    evaluation = models.JSONField(default=list, blank=True)
    dimension_names = models.JSONField(default=list, blank=True)
    due_at = models.DateTimeField(help_text=gettext_lazy("The current deadline (after any extension)."))
    original_due_at = models.DateTimeField()
    grace_hours = models.PositiveSmallIntegerField(
        help_text=gettext_lazy(
            "The link keeps working this long after the deadline, to show the brief and what was submitted."
        )
    )
    token_hash = models.CharField(max_length=64, unique=True)
    token_issued_at = models.DateTimeField()
    link_emailed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="take_home_reviews")
    review_interview = models.OneToOneField(
        "hiring.Interview", null=True, blank=True, on_delete=models.SET_NULL, related_name="take_home_assignment"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["loop", "exercise"], name="assignment_one_per_loop_and_exercise"),
            models.CheckConstraint(condition=Q(format="take_home"), name="assignment_is_take_home"),
        ]
        indexes = [models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"Take-home #{self.pk} ({self.title})"

    @property
    def current_reviewer(self) -> Any:
        """Whoever holds the review interview now: a recruiter may have handed it to someone else."""
        if self.review_interview is not None:
            return self.review_interview.interviewer
        return self.reviewer

    @property
    def link_expires_at(self) -> datetime:
        return self.due_at + timedelta(hours=self.grace_hours)

    def accepts_submissions(self, now: datetime) -> bool:
        return now <= self.due_at and not self.loop.is_closed

    def link_valid(self, now: datetime) -> bool:
        return now <= self.link_expires_at and not self.loop.is_closed


class DeadlineExtension(models.Model):
    """One extension of a take-home deadline; the history is kept, never rewritten."""

    assignment = models.ForeignKey(ExerciseAssignment, on_delete=models.CASCADE, related_name="extensions")
    previous_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    reason = limited_text("extension.reason", blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_due_at__gt=models.F("previous_due_at")), name="extension_moves_deadline_later"
            ),
        ]

    def __str__(self) -> str:
        return f"Extension of take-home #{self.assignment_id}"


class ExerciseSubmission(models.Model):
    """One submission of a take-home; every resubmission is a new row, numbered from 1.

    Files go through Django's storage under a random name and are only ever
    offered to staff as a download, never served inline or executed.
    """

    assignment = models.ForeignKey(ExerciseAssignment, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    repository_url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=submission_upload_to, max_length=255, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    note = limited_text("submission.note", blank=True)

    class Meta:
        ordering = ["assignment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "number"], name="submission_unique_number"),
        ]
        # "A repository URL or a file" is checked by the service, not the database: erasing a
        # candidate deletes the file of a file-only submission and must still keep its time.

    def __str__(self) -> str:
        return f"Submission {self.number} of take-home #{self.assignment_id}"
