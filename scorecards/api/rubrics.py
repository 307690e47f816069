"""Rubric versions over the API: read, export in the file format, publish (admins)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import error_response
from hiring.api.permissions import ReadOrAdmin
from hiring.errors import NotFound, ValidationFailed
from scorecards.api.filters import RubricFilter
from scorecards.api.serializers import RubricDetailSerializer, RubricPublishResultSerializer, RubricSerializer
from scorecards.models import Rubric, RubricDraft
from scorecards.rubrics.diff import rubric_diff_data
from scorecards.rubrics.drafts import (
    may_edit_rubrics,
    rubric_draft_discard,
    rubric_draft_open,
    rubric_draft_publish,
    rubric_draft_save,
)
from scorecards.rubrics.io import RubricFileError, spec_to_document, validate_rubric
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
        summary="Compare a rubric version with another",
        description="Section by section (scale and thresholds, each dimension matched by its key, signals), the "
        "other version beside this one. `against` is the other version's id; by default the role's previous version.",
        parameters=[OpenApiParameter("against", int, description="Id of the version to compare with.")],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The sections of the diff."),
            400: error_response("`against` is not an id."),
            404: error_response("No such version, or no version to compare with."),
        },
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: str | None = None) -> Response:
        rubric = self.get_object()
        against = request.query_params.get("against")
        if against is not None and not against.isdigit():
            raise ValidationFailed("against: must be a rubric version's id.", field_errors={"against": ["Not an id."]})
        others = Rubric.objects.filter(role_id=rubric.role_id)
        other = (
            others.filter(pk=int(against)).first() if against
            else others.filter(version__lt=rubric.version).order_by("-version").first()
        )
        if other is None:
            raise NotFound("No version to compare with.", code="no_other_version")
        return Response(
            {"from": other.pk, "from_version": other.version, "to": rubric.pk, "to_version": rubric.version,
             "change_note": rubric.change_note, "sections": rubric_diff_data(other.source, rubric.source)}
        )

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


class RubricDraftWriteSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The draft's revision this edit starts from.")
    document = serializers.JSONField(help_text="The whole draft as a rubric document (the file format).")


class RubricDraftPublishSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The draft's revision that was reviewed.")
    change_note = serializers.CharField(allow_blank=True, help_text="Required: what changed and why.")


class RubricDraftSerializer(serializers.ModelSerializer):
    role: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    based_on = RubricSerializer(read_only=True)
    diff = serializers.SerializerMethodField(help_text="Section by section, the published version beside the draft.")

    class Meta:
        model = RubricDraft
        fields = ["role", "based_on", "revision", "document", "updated_at", "diff"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_diff(self, draft: RubricDraft) -> list[dict[str, Any]]:
        return _draft_diff(draft)


def _draft_diff(draft: RubricDraft) -> list[dict[str, Any]]:
    try:
        spec = validate_rubric(draft.document, "draft")
    except RubricFileError:
        spec = {"rubric": draft.document.get("rubric", {})}
    return rubric_diff_data(draft.based_on.source, spec)


class EditsRubrics(BasePermission):
    message = "Only admins and rubric editors edit rubrics."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and may_edit_rubrics(request.user))


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read (or start) a role's rubric draft",
        description="Admins and rubric editors. The role's draft with its diff against the version it started from; "
        "the first read starts one from the newest version.",
        responses={200: RubricDraftSerializer, 403: error_response("Only admins and rubric editors edit rubrics.")},
    ),
)
class RubricDraftViewSet(IdempotentWritesMixin, viewsets.GenericViewSet):
    """A role's rubric draft, by role slug: read, save whole, publish, discard."""

    permission_classes = [EditsRubrics]
    serializer_class = RubricDraftSerializer
    lookup_field = "role"
    lookup_value_regex = r"[a-z0-9-]+"
    queryset = RubricDraft.objects.none()

    def retrieve(self, request: Request, role: str) -> Response:
        draft = rubric_draft_open(actor=request.user, role_slug=role)
        return Response(RubricDraftSerializer(draft).data)

    @extend_schema(
        summary="Save a role's rubric draft",
        description="The whole document is validated by the file loader's rules; every problem is listed under "
        "the field it concerns (`field_errors[\"rubric.dimensions[2].anchors.4\"]`) and nothing is saved. A "
        "revision other than the draft's is refused (409).",
        request=RubricDraftWriteSerializer,
        responses={
            200: RubricDraftSerializer,
            403: error_response("Only admins and rubric editors edit rubrics."),
            409: error_response("`stale_draft`: the draft was saved since that revision."),
        },
    )
    def update(self, request: Request, role: str) -> Response:
        body = RubricDraftWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        draft = rubric_draft_save(
            actor=request.user, role_slug=role, document=body.validated_data["document"],
            revision=body.validated_data["revision"],
        )
        return Response(RubricDraftSerializer(draft).data)

    @extend_schema(
        summary="Publish a role's rubric draft",
        description="Makes the role's next version (loops already open keep theirs) and closes the draft. Needs a "
        "change note; refused when the draft changed since `revision`, when a version was published since it began, "
        "or when it changes nothing.",
        request=RubricDraftPublishSerializer,
        responses={
            201: RubricSerializer,
            403: error_response("Only admins and rubric editors edit rubrics."),
            409: error_response("`stale_draft` or `draft_behind`: review the draft again, or start again."),
        },
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, role: str) -> Response:
        body = RubricDraftPublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rubric = rubric_draft_publish(
            actor=request.user, role_slug=role, change_note=body.validated_data["change_note"],
            revision=body.validated_data["revision"],
        )
        rubric = Rubric.objects.select_related("role").get(pk=rubric.pk)
        return Response(RubricSerializer(rubric).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Discard a role's rubric draft", responses={204: None})
    def destroy(self, request: Request, role: str) -> Response:
        rubric_draft_discard(actor=request.user, role_slug=role)
        return Response(status=status.HTTP_204_NO_CONTENT)
