"""The exercise library over the API, with the library page's visibility and search; admins add and edit.

Thin: writes go to exercise_create and exercise_update, the services the admin pages call.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import ScopedQuerysetMixin, error_response
from exercises.api.filters import ExerciseFilter
from exercises.api.permissions import ADMINS_EDIT, ReadOrAdminEdits
from exercises.api.serializers import ExerciseCreateSerializer, ExerciseSerializer, ExerciseUpdateSerializer
from exercises.models import Exercise
from exercises.selectors.library import exercise_search
from exercises.services.library import exercise_create, exercise_update
from hiring.types import signed_in_user

SEARCH = OpenApiParameter(
    name="search",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    required=False,
    description="Words that must all appear in the title, brief, criteria, dimensions or role "
    "(as on the library page).",
)
ADMINS_403 = error_response(ADMINS_EDIT)


@extend_schema_view(
    list=extend_schema(summary="List exercises", parameters=[SEARCH]),
    retrieve=extend_schema(summary="Read an exercise"),
    create=extend_schema(
        summary="Add an exercise to a role's library",
        description="Admins. It goes after the role's existing exercises; its slug is made from the title unless "
        "given. Send an `Idempotency-Key` to make retries safe.",
        request=ExerciseCreateSerializer,
        responses={201: ExerciseSerializer, 403: ADMINS_403},
    ),
    partial_update=extend_schema(
        summary="Edit an exercise",
        description="Admins; fields left out keep their value. Take-homes already sent keep the text they were "
        "sent with. Send the `updated_at` you read to be refused (409 `stale_version`) rather than overwrite "
        "someone else's edit.",
        request=ExerciseUpdateSerializer,
        responses={
            200: ExerciseSerializer,
            403: ADMINS_403,
            409: error_response("`stale_version`: changed by someone else since the `updated_at` you sent."),
        },
    ),
)
class ExerciseViewSet(
    IdempotentWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Everyone signed in reads the active library; admins also see retired exercises, and write."""

    serializer_class = ExerciseSerializer
    permission_classes = [ReadOrAdminEdits]
    filterset_class = ExerciseFilter
    ordering_fields = ["title", "position", "updated_at", "id"]
    ordering = ["role__title", "position"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    scoped_model = Exercise

    def scoped_queryset(self, user: Any) -> QuerySet[Exercise]:
        query = self.request.query_params.get("search", "") if self.action == "list" else ""
        return exercise_search(user=user, query=query)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ExerciseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exercise = exercise_create(
            actor=signed_in_user(request), role=body.validated_data["role"], data=body.to_input()
        )
        return self._render(exercise, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        exercise = self.get_object()
        body = ExerciseUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = exercise_update(
            actor=signed_in_user(request),
            exercise_id=exercise.pk,
            data=body.to_input(exercise),
            expected_updated_at=body.validated_data.get("updated_at"),
        )
        return self._render(updated)
