"""The question bank over the API: the same reads and writes as the bank's pages, for admins, recruiters and
rubric editors (``scorecards.change_question``). Thin: the services check again and audit."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import ScopedQuerysetMixin, error_response
from hiring.api.permissions import _SignedIn
from hiring.models import Role
from hiring.types import signed_in_user
from scorecards.models import Question
from scorecards.questions.access import can_manage_questions
from scorecards.questions.selectors import keys_of, question_bank
from scorecards.questions.services import QuestionInput, question_create, question_retire, question_update

MANAGERS = "Only admins, recruiters and rubric editors manage the question bank."


class ManagesQuestions(_SignedIn):
    message = MANAGERS

    def allows(self, request: Request, user: Any) -> bool:
        return can_manage_questions(user)


class QuestionSerializer(serializers.ModelSerializer):
    role: serializers.SlugRelatedField[Role] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    dimension_keys = serializers.SerializerMethodField()
    retired = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "role", "text", "dimension_keys", "probes", "strong_answer", "weak_answer", "origin",
                  "guidance_origin", "source", "retired", "retired_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_dimension_keys(self, obj: Question) -> list[str]:
        return keys_of(obj)

    def get_retired(self, obj: Question) -> bool:
        return obj.retired_at is not None


class QuestionWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, allow_blank=False)
    dimension_keys = serializers.ListField(child=serializers.CharField(max_length=200), allow_empty=False,
                                           max_length=20)
    probes = serializers.ListField(child=serializers.CharField(max_length=2000), required=False, max_length=10)
    strong_answer = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    weak_answer = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def to_input(self, current: Question | None = None) -> QuestionInput:
        data = self.validated_data

        def value(name: str, default: Any) -> Any:
            return data[name] if name in data else (getattr(current, name) if current is not None else default)

        keys = data["dimension_keys"] if "dimension_keys" in data else (keys_of(current) if current else [])
        return QuestionInput(text=value("text", ""), dimension_keys=keys, probes=list(value("probes", [])),
                             strong_answer=value("strong_answer", ""), weak_answer=value("weak_answer", ""))


class QuestionCreateSerializer(QuestionWriteSerializer):
    role = serializers.SlugRelatedField(slug_field="slug", queryset=Role.objects.all())


class QuestionUpdateSerializer(QuestionWriteSerializer):
    text = serializers.CharField(max_length=2000, allow_blank=False, required=False)
    dimension_keys = serializers.ListField(child=serializers.CharField(max_length=200), allow_empty=False,
                                           max_length=20, required=False)


FORBIDDEN = error_response(MANAGERS)


@extend_schema_view(
    list=extend_schema(summary="List the question bank", description="Questions in use; `?retired=1` adds the "
                       "retired ones, `?role=<slug>` narrows to one role.",
                       responses={200: QuestionSerializer(many=True), 403: FORBIDDEN}),
    retrieve=extend_schema(summary="Read a question", responses={200: QuestionSerializer, 403: FORBIDDEN}),
    create=extend_schema(summary="Add a question to a role's bank", request=QuestionCreateSerializer,
                         responses={201: QuestionSerializer, 403: FORBIDDEN}),
    partial_update=extend_schema(summary="Edit a question", request=QuestionUpdateSerializer,
                                 description="Fields left out keep their value. Editing a document's question "
                                 "marks it as the team's wording.",
                                 responses={200: QuestionSerializer, 403: FORBIDDEN}),
    retire=extend_schema(summary="Retire a question", request=None,
                         description="It leaves the kits that did not pick it; picks already made stay.",
                         responses={200: QuestionSerializer, 403: FORBIDDEN,
                                    409: error_response("`unchanged`: already retired.")}),
    restore=extend_schema(summary="Put a retired question back in use", request=None,
                          responses={200: QuestionSerializer, 403: FORBIDDEN,
                                     409: error_response("`unchanged`: already in use.")}),
)
class QuestionViewSet(
    IdempotentWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = QuestionSerializer
    permission_classes = [ManagesQuestions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    scoped_model = Question

    def scoped_queryset(self, user: Any) -> QuerySet[Question]:
        params = self.request.query_params
        include_retired = self.action != "list" or params.get("retired") in ("1", "true")
        rows = question_bank(include_retired=include_retired)
        if self.action == "list" and params.get("role"):
            rows = rows.filter(role__slug=params["role"])
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = QuestionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        question = question_create(actor=signed_in_user(request), role=body.validated_data["role"],
                                   data=body.to_input())
        return self._render(question, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        question = self.get_object()
        body = QuestionUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = question_update(actor=signed_in_user(request), question_id=question.pk,
                                  data=body.to_input(question))
        return self._render(updated)

    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str | None = None) -> Response:
        question = self.get_object()
        return self._render(question_retire(actor=signed_in_user(request), question_id=question.pk))

    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        question = self.get_object()
        return self._render(question_retire(actor=signed_in_user(request), question_id=question.pk, retired=False))
