"""The exercise library over the API (read-only), with the library page's visibility and search."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from config.api.schema import ScopedQuerysetMixin
from exercises.api.filters import ExerciseFilter
from exercises.api.serializers import ExerciseSerializer
from exercises.models import Exercise
from exercises.selectors import exercise_search

SEARCH = OpenApiParameter(
    name="search",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    required=False,
    description="Words that must all appear in the title, brief, criteria, dimensions or role "
    "(as on the library page).",
)


@extend_schema_view(
    list=extend_schema(summary="List exercises", parameters=[SEARCH]),
    retrieve=extend_schema(summary="Read an exercise"),
)
class ExerciseViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Everyone signed in reads the active library; admins also see retired exercises."""

    serializer_class = ExerciseSerializer
    filterset_class = ExerciseFilter
    ordering_fields = ["title", "position", "updated_at", "id"]
    ordering = ["role__title", "position"]

    scoped_model = Exercise

    def scoped_queryset(self, user: Any) -> QuerySet[Exercise]:
        query = self.request.query_params.get("search", "") if self.action == "list" else ""
        return exercise_search(user=user, query=query)
