"""Shapes of exercises, take-home assignments, their submissions and extensions. No rules here: writes go to
exercises.services, which names every problem in the pages' own words.

A take-home's link token is never part of any shape: only its SHA-256 is stored, and the link goes to the
candidate by email alone, as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import text_field
from config.api.filters import MAX_ID
from exercises.models import DeadlineExtension, Exercise, ExerciseAssignment, ExerciseSubmission
from exercises.services.library import ExerciseInput
from hiring.api.serializers import CandidateRefSerializer, ExerciseRefSerializer, RoleRefSerializer, UserRefSerializer
from hiring.models import InterviewLoop, Role, User

# --- The library ---------------------------------------------------------------------


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


def _items(help_text: str) -> serializers.ListField:
    # Blank items are dropped and the count and lengths checked by the service, as for the form's lines.
    return serializers.ListField(
        child=text_field("exercise.item", allow_blank=True), required=False, help_text=help_text
    )


class _ExerciseContentSerializer(serializers.Serializer):
    title = text_field("exercise.title", label=True, allow_blank=True)
    format = serializers.ChoiceField(choices=Exercise.Format.choices)
    duration = text_field(
        "exercise.duration", allow_blank=True, required=False,
        help_text="As you would tell the candidate, e.g. “60–90 minutes”."
    )
    materials = _items("What the candidate is given, one item each (at most 40).")
    tasks = _items("One task each (at most 40).")
    evaluation = _items("How it is evaluated, one criterion each; reviewers see these in their interview kit.")
    dimension_names = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False,
        help_text="Names of dimensions of the role's current rubric that the exercise feeds.",
    )
    is_active = serializers.BooleanField(required=False, help_text="false retires it from the library.")


class ExerciseCreateSerializer(_ExerciseContentSerializer):
    role = serializers.SlugRelatedField(slug_field="slug", queryset=Role.objects.all(), help_text="Role slug.")
    slug = serializers.CharField(
        allow_blank=True, required=False, default="",
        help_text="Short name, unique within the role; made from the title when left out.",
    )

    def to_input(self) -> ExerciseInput:
        data = self.validated_data
        return ExerciseInput(
            title=data["title"], format=data["format"], duration=data.get("duration", ""),
            materials=data.get("materials", []), tasks=data.get("tasks", []),
            evaluation=data.get("evaluation", []), dimension_names=data.get("dimension_names", []),
            is_active=data.get("is_active", True), slug=data["slug"],
        )


class ExerciseUpdateSerializer(_ExerciseContentSerializer):
    """Fields left out keep their value."""

    updated_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="The `updated_at` you read; if the exercise changed since, 409 `stale_version`.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title", "format"):
            self.fields[name].required = False

    def to_input(self, current: Exercise) -> ExerciseInput:
        data = self.validated_data
        return ExerciseInput(**{
            name: data.get(name, getattr(current, name))
            for name in ("title", "format", "duration", "materials", "tasks", "evaluation", "dimension_names",
                         "is_active")
        })


# --- Take-home assignments --------------------------------------------------------------


class ExtensionSerializer(serializers.ModelSerializer):
    extended_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DeadlineExtension
        fields = ["id", "previous_due_at", "new_due_at", "reason", "extended_by", "created_at"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    """A submission's metadata; the file itself only through `download_url` (always as an attachment)."""

    assignment = serializers.IntegerField(source="assignment_id", read_only=True)
    has_file = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="Null when only a repository URL was submitted.")

    class Meta:
        model = ExerciseSubmission
        fields = [
            "id", "assignment", "number", "submitted_at", "repository_url", "note", "has_file", "original_filename",
            "size", "content_type", "sha256", "download_url",
        ]
        read_only_fields = fields

    def get_has_file(self, submission: ExerciseSubmission) -> bool:
        return bool(submission.file)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, submission: ExerciseSubmission) -> str | None:
        if not submission.file:
            return None
        url = reverse("api:take-home-submission-download", kwargs={"pk": submission.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class AssignmentSerializer(serializers.ModelSerializer):
    """A take-home as the overview lists it: whose, which exercise, the deadline and the link's state."""

    loop = serializers.IntegerField(source="loop_id", read_only=True)
    candidate = CandidateRefSerializer(source="loop.candidate", read_only=True)
    role = RoleRefSerializer(source="loop.role", read_only=True)
    exercise = ExerciseRefSerializer(read_only=True)
    reviewer = serializers.SerializerMethodField(help_text="Whoever holds the review interview now.")
    review_interview = serializers.IntegerField(source="review_interview_id", read_only=True, allow_null=True)
    created_by = UserRefSerializer(read_only=True, allow_null=True)
    link_expires_at = serializers.DateTimeField(
        read_only=True, help_text="The link keeps showing the brief and the submissions until then."
    )
    accepting_submissions = serializers.SerializerMethodField(help_text="Before the deadline, on an open loop.")
    link_valid = serializers.SerializerMethodField()
    submission_count = serializers.IntegerField(read_only=True)
    last_submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ExerciseAssignment
        fields = [
            "id", "loop", "candidate", "role", "exercise", "title", "due_at", "original_due_at", "grace_hours",
            "link_expires_at", "token_issued_at", "link_emailed_at", "accepting_submissions", "link_valid",
            "reviewer", "review_interview", "submission_count", "last_submitted_at", "created_by", "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(UserRefSerializer)
    def get_reviewer(self, assignment: ExerciseAssignment) -> dict[str, Any]:
        return UserRefSerializer(assignment.current_reviewer).data

    def get_accepting_submissions(self, assignment: ExerciseAssignment) -> bool:
        return assignment.accepts_submissions(timezone.now())

    def get_link_valid(self, assignment: ExerciseAssignment) -> bool:
        return assignment.link_valid(timezone.now())


class AssignmentDetailSerializer(AssignmentSerializer):
    """The take-home with the brief exactly as the candidate received it, the submissions and the extensions."""

    format = serializers.ChoiceField(choices=Exercise.Format.choices, read_only=True)
    materials = serializers.ListField(child=serializers.CharField(), read_only=True)
    tasks = serializers.ListField(child=serializers.CharField(), read_only=True)
    evaluation = serializers.ListField(child=serializers.CharField(), read_only=True)
    dimension_names = serializers.ListField(child=serializers.CharField(), read_only=True)
    submissions = SubmissionSerializer(many=True, read_only=True, help_text="Newest first.")
    extensions = ExtensionSerializer(many=True, read_only=True, help_text="Oldest first.")

    class Meta(AssignmentSerializer.Meta):
        fields = [
            *AssignmentSerializer.Meta.fields, "format", "duration", "materials", "tasks", "evaluation",
            "dimension_names", "submissions", "extensions",
        ]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer):
    loop = serializers.PrimaryKeyRelatedField(queryset=InterviewLoop.objects.all())
    exercise = serializers.PrimaryKeyRelatedField(
        queryset=Exercise.objects.all(), help_text="A take-home exercise of the loop's role."
    )
    due_at = serializers.DateTimeField(help_text="The candidate's deadline; without a time zone, the site's.")
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), help_text="Gets a take-home review interview, from now until the deadline."
    )
    review_due_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="When the review feedback is due; the usual delay after the deadline when left out.",
    )


class ExtendSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(help_text="The new deadline, later than the current one.")
    reason = text_field(
        "extension.reason", allow_blank=True,
        help_text="Kept in the extension history; the candidate is told the new deadline."
    )


class AttachSerializer(serializers.Serializer):
    exercise = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True,
        help_text="A live or discussion exercise of the loop's role; null takes the exercise out of the kit.",
    )
    add_focus = serializers.BooleanField(
        required=False, default=True, help_text="Add the exercise's dimensions to the interview's focus."
    )
