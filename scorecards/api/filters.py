"""Query filters for rubrics, scorecards and recommendations; they narrow what the access rules allow."""

from __future__ import annotations

from django_filters import rest_framework as filters

from config.api.filters import IdFilter
from scorecards.models import Recommendation, Rubric, Scorecard


class RubricFilter(filters.FilterSet):
    role = filters.CharFilter(field_name="role__slug", help_text="Role slug.")
    version = IdFilter()

    class Meta:
        model = Rubric
        fields = ["role", "version"]


class ScorecardFilter(filters.FilterSet):
    interview = IdFilter(field_name="interview_id")
    loop = IdFilter(field_name="interview__loop_id")
    role = filters.CharFilter(field_name="interview__loop__role__slug", help_text="Role slug.")
    interviewer = IdFilter(field_name="interviewer_id")
    status = filters.ChoiceFilter(choices=Scorecard.Status.choices)
    is_current = filters.BooleanFilter(help_text="false lists the revisions that were later amended.")
    submitted_after = filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Scorecard
        fields = [
            "interview", "loop", "role", "interviewer", "status", "is_current", "submitted_after", "submitted_before",
        ]


class RecommendationFilter(filters.FilterSet):
    loop = IdFilter(field_name="loop_id")
    role = filters.CharFilter(field_name="loop__role__slug", help_text="Role slug.")
    outcome = filters.MultipleChoiceFilter(choices=Recommendation.Outcome.choices)
    computed_after = filters.IsoDateTimeFilter(field_name="computed_at", lookup_expr="gte")
    computed_before = filters.IsoDateTimeFilter(field_name="computed_at", lookup_expr="lt")

    class Meta:
        model = Recommendation
        fields = ["loop", "role", "outcome", "computed_after", "computed_before"]
