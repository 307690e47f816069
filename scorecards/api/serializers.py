"""Shapes of rubrics, scorecards and recommendations. Rules live in the services, not here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import text_field
from config.api.filters import MAX_ID
from hiring.api.serializers import RoleRefSerializer, UserRefSerializer
from scorecards.models import (
    Dimension,
    FocusArea,
    ObservedSignal,
    Overall,
    Rating,
    Recommendation,
    Rubric,
    Scorecard,
    Signal,
)
from scorecards.services.scorecards import RatingInput, ScorecardInput, SignalInput

# --- Rubrics --------------------------------------------------------------------------


class ThresholdsSerializer(serializers.Serializer):
    hire = serializers.DecimalField(max_digits=4, decimal_places=2, source="hire_threshold")
    discuss = serializers.DecimalField(max_digits=4, decimal_places=2, source="discuss_threshold")
    critical_floor = serializers.DecimalField(max_digits=4, decimal_places=2)
    min_coverage = serializers.DecimalField(max_digits=4, decimal_places=3)
    high_to_medium_ratio = serializers.DecimalField(max_digits=5, decimal_places=2)


class RubricSerializer(serializers.ModelSerializer):
    role = RoleRefSerializer(read_only=True)
    thresholds = ThresholdsSerializer(source="*", read_only=True)

    class Meta:
        model = Rubric
        fields = ["id", "role", "version", "weight_kind", "thresholds", "content_hash", "published_at"]
        read_only_fields = fields


class AnchorSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="What this point looks like; empty when the rubric gives none.")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # the field is named "source" in the format
        choices=["document", "team", ""], help_text="Copied from the role's document, or written by the team."
    )




class DimensionSerializer(serializers.ModelSerializer):
    anchors = serializers.SerializerMethodField(help_text='One anchor per point, keyed "1" to "5".')
    normalized_weight = serializers.SerializerMethodField(help_text="Share of the rubric's weight (sums to 1).")

    class Meta:
        model = Dimension
        fields = [
            "id", "position", "key", "name", "weight_given", "weight_kind", "weight_value", "normalized_weight",
            "critical", "anchors",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=AnchorSerializer()))
    def get_anchors(self, dimension: Dimension) -> dict[str, Any]:
        anchors = dimension.anchors or {}
        points = {point: anchors.get(point) or {} for point in ("1", "2", "3", "4", "5")}
        return {point: {"text": a.get("text", ""), "source": a.get("source", "")} for point, a in points.items()}

    @extend_schema_field(serializers.DecimalField(max_digits=7, decimal_places=6))
    def get_normalized_weight(self, dimension: Dimension) -> str:
        weights: dict[int, Decimal] = self.context.get("normalized_weights", {})
        return f"{weights.get(dimension.pk, Decimal(0)):.6f}"


class FocusAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocusArea
        fields = ["position", "title", "description"]
        read_only_fields = fields


class SignalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signal
        fields = ["id", "position", "kind", "text"]
        read_only_fields = fields


class RubricDetailSerializer(RubricSerializer):
    scale = serializers.DictField(
        source="scale_labels", child=serializers.CharField(), read_only=True, help_text="Labels of scores 1 to 5."
    )
    dimensions = DimensionSerializer(many=True, read_only=True)
    focus_areas = FocusAreaSerializer(many=True, read_only=True)
    signals = SignalSerializer(many=True, read_only=True)

    class Meta(RubricSerializer.Meta):
        fields = [*RubricSerializer.Meta.fields, "scale", "dimensions", "focus_areas", "signals"]
        read_only_fields = fields


class RubricPublishResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="False when the document equals the newest version.")
    rubric = RubricSerializer()


# --- Scorecards ------------------------------------------------------------------------


class RatingSerializer(serializers.ModelSerializer):
    dimension = serializers.IntegerField(source="dimension_id", read_only=True)

    class Meta:
        model = Rating
        fields = ["dimension", "score", "not_assessed", "evidence"]
        read_only_fields = fields


class ObservedSignalSerializer(serializers.ModelSerializer):
    signal = serializers.IntegerField(source="signal_id", read_only=True)
    kind = serializers.CharField(source="signal.kind", read_only=True)

    class Meta:
        model = ObservedSignal
        fields = ["signal", "kind", "note"]
        read_only_fields = fields


class ScorecardSerializer(serializers.ModelSerializer):
    interview = serializers.IntegerField(source="interview_id", read_only=True)
    loop = serializers.IntegerField(source="interview.loop_id", read_only=True)
    interviewer = UserRefSerializer(read_only=True)
    amends = serializers.IntegerField(source="amends_id", read_only=True, allow_null=True)
    overall = serializers.ChoiceField(
        choices=Overall.choices, allow_blank=True, read_only=True, help_text="Blank until chosen."
    )
    ratings = RatingSerializer(many=True, read_only=True)
    signals = ObservedSignalSerializer(source="observed_signals", many=True, read_only=True)
    imported_from = serializers.ChoiceField(
        source="source", choices=Scorecard.Source.choices, allow_blank=True, read_only=True,
        help_text="The system an imported scorecard was written in (read-only here); blank: written in Hireloop.",
    )
    imported_id = serializers.CharField(source="source_id", read_only=True,
                                        help_text="The scorecard's id in that system.")

    class Meta:
        model = Scorecard
        fields = [
            "id", "interview", "loop", "interviewer", "status", "overall", "summary", "ratings", "signals",
            "revision", "amends", "amendment_reason", "is_current", "version", "created_at", "updated_at",
            "submitted_at", "imported_from", "imported_id",
        ]
        read_only_fields = fields


class RatingInputSerializer(serializers.Serializer):
    dimension = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of a dimension of the loop's rubric version."
    )
    score = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="1 to 5; null when not scored (yet)."
    )
    not_assessed = serializers.BooleanField(required=False, default=False)
    evidence = text_field(
        "rating.evidence",
        required=False,
        allow_blank=True,
        default="",
        help_text="What the candidate said or did; required with a score on submit.",
    )


class SignalInputSerializer(serializers.Serializer):
    signal = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of a signal of the loop's rubric version."
    )
    note = text_field(
        "observed_signal.note", required=False, allow_blank=True, default="", help_text="Required for red flags."
    )


class ScorecardContentSerializer(serializers.Serializer):
    """The scorecard form's content. Problems found by the service are reported per rating as
    ``dimension-<id>-score`` / ``dimension-<id>-evidence`` and per red flag as ``signal-<id>-note``,
    the same names the web form uses."""

    ratings = RatingInputSerializer(many=True, required=False)
    signals = SignalInputSerializer(many=True, required=False)
    overall = serializers.ChoiceField(choices=Overall.choices, allow_blank=True, required=False)
    summary = text_field("scorecard.summary", allow_blank=True, required=False)

    CONTENT_FIELDS = ("ratings", "signals", "overall", "summary")

    def has_content(self) -> bool:
        return any(name in self.validated_data for name in self.CONTENT_FIELDS)

    def to_input(self, base: Scorecard | None = None) -> ScorecardInput:
        """The service input: the given fields, and for those left out the stored ones of ``base``.

        With a ``base``, ``ratings`` are merged by dimension: the dimensions sent are replaced (a rating sent
        empty clears its dimension), the others keep their stored rating, so that a client can change one
        score without sending the whole card back. ``signals`` are one set and are replaced as a whole.
        """
        data = self.validated_data
        stored = scorecard_as_input(base) if base is not None else ScorecardInput()
        ratings = stored.ratings
        if "ratings" in data:
            given = [RatingInput(dimension_id=r["dimension"], score=r["score"], not_assessed=r["not_assessed"],
                                 evidence=r["evidence"]) for r in data["ratings"]]
            sent = {rating.dimension_id for rating in given}
            ratings = [rating for rating in stored.ratings if rating.dimension_id not in sent] + given
        signals = (
            [SignalInput(signal_id=s["signal"], note=s["note"]) for s in data["signals"]]
            if "signals" in data
            else stored.signals
        )
        return ScorecardInput(
            ratings=ratings,
            signals=signals,
            overall=data.get("overall", stored.overall),
            summary=data.get("summary", stored.summary),
        )


def scorecard_as_input(scorecard: Scorecard) -> ScorecardInput:
    return ScorecardInput(
        ratings=[
            RatingInput(dimension_id=r.dimension_id, score=r.score, not_assessed=r.not_assessed, evidence=r.evidence)
            for r in scorecard.ratings.all()
        ],
        signals=[SignalInput(signal_id=s.signal_id, note=s.note) for s in scorecard.observed_signals.all()],
        overall=scorecard.overall,
        summary=scorecard.summary,
    )


class VersionField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault(
            "help_text",
            "The version you read (also accepted as an If-Match header). If the scorecard changed since, "
            "the request is refused with 409 `stale_version` and nothing is saved.",
        )
        super().__init__(**kwargs)


class ScorecardCreateSerializer(ScorecardContentSerializer):
    interview = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="One of your interviews.")


class ScorecardUpdateSerializer(ScorecardContentSerializer):
    version = VersionField()


class ScorecardSubmitSerializer(ScorecardContentSerializer):
    """Content fields are optional: those left out are submitted as saved."""

    version = VersionField()


class ScorecardAmendSerializer(ScorecardContentSerializer):
    """The amended content in full (fields left out are copied from the current revision) and the reason."""

    reason = text_field(
        "scorecard.amendment_reason", allow_blank=True, help_text="Why the scorecard is amended after the debrief."
    )
    version = VersionField()


# --- Recommendations -------------------------------------------------------------------


class RecommendationSerializer(serializers.ModelSerializer):
    loop = serializers.IntegerField(source="loop_id", read_only=True)
    rubric = serializers.IntegerField(source="rubric_id", read_only=True)
    reasons = serializers.SerializerMethodField()
    details = serializers.JSONField(
        read_only=True,
        help_text="The computation: per-dimension means, counts and spreads, the rules that fired, "
        "red flags and each interviewer's measured leniency.",
    )
    recompute_pending = serializers.BooleanField(
        read_only=True, help_text="A recompute was requested and has not run yet."
    )

    class Meta:
        model = Recommendation
        fields = [
            "loop", "rubric", "outcome", "weighted_score", "adjusted_score", "adjusted_low", "adjusted_high",
            "coverage", "scorecard_count", "reasons", "details", "fingerprint", "computed_at", "recompute_pending",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reasons(self, recommendation: Recommendation) -> list[str]:
        reasons = recommendation.details.get("reasons") or []
        return [str(reason) for reason in reasons]


class RecomputeResultSerializer(serializers.Serializer):
    loop = serializers.IntegerField()
    queued = serializers.BooleanField(help_text="The recompute is queued; poll the recommendation.")


# --- What-if ---------------------------------------------------------------------------


class WhatIfSerializer(serializers.Serializer):
    leave_out = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list,
        help_text="Ids of interviewers (users) whose submitted feedback on this loop is left out.",
    )
    ignore_amendments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list,
        help_text="Ids of current amended scorecards of this loop: the revision each amends is used instead.",
    )


class WhatIfLeftOutSerializer(serializers.Serializer):
    interviewer = serializers.IntegerField(source="interviewer_id")
    name = serializers.CharField()


class WhatIfAmendmentSerializer(serializers.Serializer):
    scorecard = serializers.IntegerField(source="scorecard_id")
    revision = serializers.IntegerField()
    interviewer = serializers.IntegerField(source="interviewer_id")
    name = serializers.CharField()


class AdjustedScoreSerializer(serializers.Serializer):
    score = serializers.CharField()
    low = serializers.CharField(help_text="The 95% interval's lower end.")
    high = serializers.CharField(help_text="The 95% interval's upper end.")
    interviewers = serializers.ListField(child=serializers.DictField(), help_text="Each interviewer's adjustment.")


class RecommendationResultSerializer(serializers.Serializer):
    """A recommendation as computed (the stored one's ``details`` have the same keys); decimals as strings."""

    outcome = serializers.ChoiceField(choices=Recommendation.Outcome.choices)
    outcome_label = serializers.CharField()
    weighted_score = serializers.CharField(allow_null=True)
    adjusted = AdjustedScoreSerializer(allow_null=True, help_text="The leniency-adjusted score and its interval.")
    coverage = serializers.CharField()
    scorecard_count = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    rules = serializers.ListField(child=serializers.DictField())
    dimensions = serializers.ListField(child=serializers.DictField())
    red_flags = serializers.ListField(child=serializers.DictField())
    disagreements = serializers.ListField(child=serializers.DictField())
    votes = serializers.DictField(child=serializers.IntegerField())
    notes = serializers.ListField(child=serializers.CharField())


class WhatIfResultSerializer(serializers.Serializer):
    loop = serializers.IntegerField()
    saved = serializers.BooleanField(help_text="Always false: a what-if is never stored as the loop's recommendation.")
    left_out = WhatIfLeftOutSerializer(many=True)
    ignored_amendments = WhatIfAmendmentSerializer(many=True)
    recommendation = RecommendationResultSerializer(
        help_text="Computed now from all current submitted feedback, as the stored recommendation is."
    )
    what_if = RecommendationResultSerializer(help_text="The same, with the interviewers left out and the amendments "
                                             "ignored.")
