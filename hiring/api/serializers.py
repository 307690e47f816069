"""Shapes of roles, users, candidates, loops and interviews. No rules here: writes go to hiring.services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import text_field
from config.api.filters import MAX_ID
from exercises.models import Exercise
from hiring.accounts.locale import language_choices
from hiring.models import Candidate, Interview, InterviewLoop, Role, User
from scorecards.models import Dimension, Scorecard

ERASED_NAME = "Erased candidate"


class UserRefSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "kind"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "first_name", "last_name", "email", "kind", "is_active"]
        read_only_fields = fields


class MeSerializer(UserSerializer):
    """The signed-in user, with the settings they may change about themselves (PATCH /users/me/)."""

    language = serializers.ChoiceField(
        choices=[("", ""), *language_choices()], required=False, allow_blank=True,
        help_text="Interface language; empty: the request's Accept-Language, else English.",
    )
    time_zone = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                      help_text="IANA time zone, like Europe/Berlin; empty: the site's time zone.")

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "language", "time_zone"]
        read_only_fields = UserSerializer.Meta.fields


class RoleSerializer(serializers.ModelSerializer):
    current_rubric_id = serializers.IntegerField(read_only=True, allow_null=True)
    current_rubric_version = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Role
        fields = [
            "id", "slug", "title", "level", "purpose", "source_document", "source_lines",
            "current_rubric_id", "current_rubric_version",
        ]
        read_only_fields = fields


class RoleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "slug", "title"]
        read_only_fields = fields


# --- Candidates -------------------------------------------------------------------


class CandidateSerializer(serializers.ModelSerializer):
    """A candidate's details; after erasure only the id and dates remain."""

    is_erased = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = ["id", "name", "email", "phone", "source", "notes", "created_at", "updated_at", "erased_at",
                  "is_erased"]
        read_only_fields = fields

    def get_is_erased(self, candidate: Candidate) -> bool:
        return candidate.erased_at is not None


class CandidateCreateSerializer(serializers.Serializer):
    """Lengths and the email format are checked by the service, so pages and API say the same."""

    # Blank values pass through to the service, which names every problem in the pages' own words.
    name = text_field(
        "candidate.name", label=True, allow_blank=True,
        help_text="Full name; no direction controls or zero-width characters.",
    )
    email = text_field(
        "candidate.email", allow_blank=True, help_text="Email address; unique among candidates (case-insensitive)."
    )
    phone = text_field("candidate.phone", required=False, allow_blank=True, default="")
    # The serializer metaclass moves declared fields into _declared_fields, so this never shadows Field.source.
    source = text_field(  # type: ignore[assignment]
        "candidate.source", required=False, allow_blank=True, default="", help_text="E.g. Referral."
    )
    notes = text_field("candidate.notes", required=False, allow_blank=True, default="")


class CandidateUpdateSerializer(serializers.Serializer):
    """Fields left out keep their value."""

    name = text_field("candidate.name", label=True, required=False, allow_blank=True)
    email = text_field("candidate.email", required=False, allow_blank=True)
    phone = text_field("candidate.phone", required=False, allow_blank=True)
    source = text_field("candidate.source", required=False, allow_blank=True)  # type: ignore[assignment]  # as above
    notes = text_field("candidate.notes", required=False, allow_blank=True)


class CandidateRefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = ["id", "name"]
        read_only_fields = fields

    def get_name(self, candidate: Candidate) -> str:
        return ERASED_NAME if candidate.erased_at is not None else candidate.name


# --- Loops ------------------------------------------------------------------------


class RubricRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class LoopSerializer(serializers.ModelSerializer):
    """A loop. The decision and its rationale follow the independence rule: null until you may see the panel."""

    candidate = CandidateRefSerializer(read_only=True)
    role = RoleRefSerializer(read_only=True)
    rubric = RubricRefSerializer(read_only=True)
    recruiter = UserRefSerializer(read_only=True, allow_null=True)
    hiring_manager = UserRefSerializer(read_only=True, allow_null=True)
    panel_visible = serializers.BooleanField(
        read_only=True, help_text="Whether you may read this loop's scorecards, recommendation and decision."
    )
    decision = serializers.SerializerMethodField()
    decision_rationale = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.SerializerMethodField()
    interview_count = serializers.IntegerField(read_only=True, help_text="Interviews not cancelled.")
    candidate_invites = serializers.BooleanField(
        read_only=True, help_text="Whether the candidate is emailed calendar invites for the loop's interviews."
    )

    class Meta:
        model = InterviewLoop
        fields = [
            "id", "candidate", "role", "rubric", "recruiter", "hiring_manager", "status", "withdrawn_reason",
            "opened_at", "closed_at", "interview_count", "panel_visible",
            "decision", "decision_rationale", "decided_by", "decided_at", "candidate_invites",
        ]
        read_only_fields = fields

    def _panel(self, loop: InterviewLoop) -> bool:
        return bool(getattr(loop, "panel_visible", False))

    @extend_schema_field(
        serializers.ChoiceField(choices=InterviewLoop.Decision.choices, allow_null=True, allow_blank=True)
    )
    def get_decision(self, loop: InterviewLoop) -> str | None:
        return loop.decision if self._panel(loop) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decision_rationale(self, loop: InterviewLoop) -> str | None:
        return loop.decision_rationale if self._panel(loop) else None

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_decided_by(self, loop: InterviewLoop) -> dict[str, Any] | None:
        if not self._panel(loop) or loop.decided_by is None:
            return None
        return UserRefSerializer(loop.decided_by).data

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_decided_at(self, loop: InterviewLoop) -> str | None:
        if not self._panel(loop) or loop.decided_at is None:
            return None
        return serializers.DateTimeField().to_representation(loop.decided_at)


class LoopOpenSerializer(serializers.Serializer):
    candidate = serializers.PrimaryKeyRelatedField(queryset=Candidate.objects.all())
    role = serializers.SlugRelatedField(slug_field="slug", queryset=Role.objects.all(), help_text="Role slug.")
    recruiter = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text="Defaults to you."
    )
    hiring_manager = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    candidate_invites = serializers.BooleanField(
        required=False, default=False, help_text="Email the candidate calendar invites for the loop's interviews."
    )


class LoopCandidateInvitesSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(
        help_text="true: the candidate is invited to every interview still to come, and to later ones; false: "
        "nothing more is sent to them."
    )


class LoopAssignSerializer(serializers.Serializer):
    recruiter = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    hiring_manager = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True)


class LoopWithdrawSerializer(serializers.Serializer):
    reason = text_field("loop.withdrawn_reason", allow_blank=True, help_text="Why the loop closes without a decision.")


# --- Interviews -------------------------------------------------------------------


class ExerciseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exercise
        fields = ["id", "slug", "title", "format"]
        read_only_fields = fields


class DimensionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dimension
        fields = ["id", "position", "name"]
        read_only_fields = fields


class InterviewSerializer(serializers.ModelSerializer):
    loop = serializers.IntegerField(source="loop_id", read_only=True)
    candidate = CandidateRefSerializer(source="loop.candidate", read_only=True)
    role = RoleRefSerializer(source="loop.role", read_only=True)
    interviewer = UserRefSerializer(read_only=True)
    exercise = ExerciseRefSerializer(read_only=True, allow_null=True)
    focus_dimensions = DimensionRefSerializer(many=True, read_only=True)
    feedback_status = serializers.ChoiceField(
        choices=[("pending", "Pending"), *Scorecard.Status.choices],
        read_only=True,
        help_text="The interviewer's current scorecard: pending (none yet), draft or submitted.",
    )
    feedback_submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text="Feedback is due and not submitted.")
    cancelled_at = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="When the interview was called off; a cancelled interview counts for nothing on its loop.",
    )

    class Meta:
        model = Interview
        fields = [
            "id", "loop", "candidate", "role", "kind", "interviewer", "starts_at", "ends_at", "feedback_due_at",
            "exercise", "focus_dimensions", "feedback_status", "feedback_submitted_at", "is_overdue", "created_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class InterviewScheduledSerializer(InterviewSerializer):
    """An interview just scheduled or reassigned, with what the recruiter should know about it."""

    warnings = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Not errors, but worth a look: a start in the past, the same interviewer twice on the panel, "
        "an interviewer booked elsewhere at that time or over the weekly limit of interviews, dimensions of the "
        "rubric no interview covers.",
    )

    class Meta(InterviewSerializer.Meta):
        fields = [*InterviewSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class InterviewScheduleSerializer(serializers.Serializer):
    loop = serializers.PrimaryKeyRelatedField(queryset=InterviewLoop.objects.all())
    kind = serializers.ChoiceField(choices=Interview.Kind.choices)
    interviewer = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    starts_at = serializers.DateTimeField(help_text="With a time zone.")
    ends_at = serializers.DateTimeField(help_text="With a time zone; after starts_at.")
    feedback_due_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Defaults to the configured hours after the interview ends."
    )
    focus_dimensions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list,
        help_text="Ids of dimensions of the loop's rubric version.",
    )
    exercise = serializers.PrimaryKeyRelatedField(queryset=Exercise.objects.all(), required=False, allow_null=True)


class InterviewReassignSerializer(serializers.Serializer):
    interviewer = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())


class InterviewRescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="With a time zone.")
    ends_at = serializers.DateTimeField(help_text="With a time zone; after starts_at.")
    feedback_due_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="Defaults to as long after the new end as it was after the old one.",
    )


class DecisionSerializer(serializers.Serializer):
    """The committee's decision; the service says what is missing (rationale, justification, confirmation)."""

    decision = serializers.ChoiceField(choices=InterviewLoop.Decision.choices)
    rationale = text_field("loop.decision_rationale", allow_blank=True, help_text="Why; required.")
    justification = text_field(
        "loop.decision_justification",
        allow_blank=True, required=False, default="",
        help_text="Required when deciding against the recommendation or hiring over a red flag.",
    )
    confirm_outstanding = serializers.BooleanField(
        required=False, default=False, help_text="Decide although some interviews have no submitted feedback."
    )
    expected_fingerprint = serializers.CharField(
        allow_blank=True, required=False, default="",
        help_text="The recommendation's `fingerprint` you read; if it changed since, 409 `recommendation_changed`.",
    )
