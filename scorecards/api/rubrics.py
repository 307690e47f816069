"""Rubric versions over the API: read, export in the file format, publish (admins)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import error_response
from hiring.api.permissions import ReadOrAdmin
from scorecards.api.filters import RubricFilter
from scorecards.api.serializers import RubricDetailSerializer, RubricPublishResultSerializer, RubricSerializer
from scorecards.models import Rubric
from scorecards.rubrics.io import spec_to_document, validate_rubric
from scorecards.rubrics.selectors import dimension_normalized_weights, rubric_spec
from scorecards.rubrics.services import rubric_publish


@extend_schema_view(
    list=extend_schema(summary="List rubric versions", description="Every published version of every role."),
    retrieve=extend_schema(
        summary="Read a rubric version",
        description="Scale, thresholds, dimensions with anchors and normalised weights, focus areas and signals.",
        responses=RubricDetailSerializer,
    ),
)
class RubricViewSet(IdempotentWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published versions are immutable; a change publishes a new version."""

    serializer_class = RubricSerializer
    permission_classes = [ReadOrAdmin]
    filterset_class = RubricFilter
    ordering_fields = ["published_at", "version", "id"]
    ordering = ["role__title", "-version"]

    def get_queryset(self) -> QuerySet[Rubric]:
        rubrics = Rubric.objects.select_related("role")
        if self.action == "retrieve":
            rubrics = rubrics.prefetch_related("dimensions", "focus_areas", "signals")
        return rubrics

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rubric = self.get_object()
        weights = dimension_normalized_weights(list(rubric.dimensions.all()))
        return Response(RubricDetailSerializer(rubric, context={"normalized_weights": weights}).data)

    @extend_schema(
        summary="Export a rubric version",
        description="The version in the rubric file format (`fixtures/rubrics/FORMAT.md`), exactly as "
        "`manage.py export_rubric SLUG --rubric-version N` prints it. Publishing it again changes nothing.",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="A rubric document.")},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        rubric = self.get_object()
        spec = rubric_spec(role_slug=rubric.role.slug, version=rubric.version)
        return Response(spec_to_document(spec, with_normalized=True))

    @extend_schema(
        summary="Publish a rubric version",
        description="Admins. The body is a rubric document in the format `export_rubric` prints (JSON). "
        "A document equal to the role's newest version publishes nothing (200, `created: false`); a changed "
        "one publishes the next version (201). Unknown roles are created. Every problem of the document is "
        "listed under `field_errors.rubric`.",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            200: RubricPublishResultSerializer,
            201: RubricPublishResultSerializer,
            403: error_response("Only admins publish rubric versions."),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        spec = validate_rubric(request.data, "request body")
        rubric, created = rubric_publish(spec=spec, actor=request.user)
        rubric = Rubric.objects.select_related("role").get(pk=rubric.pk)
        body = {"created": created, "rubric": RubricSerializer(rubric).data}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
