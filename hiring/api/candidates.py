"""Candidates over the API: list, read, add and change them; the privacy officer's export and erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import (
    QuerySet,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import error_response
from hiring.api.filters import CandidateFilter
from hiring.api.permissions import RECRUITING_403, SeesAllLoopsRecruitingWrites
from hiring.api.serializers import (
    CandidateCreateSerializer,
    CandidateSerializer,
    CandidateUpdateSerializer,
)
from hiring.models import Candidate
from hiring.services.candidates import candidate_create, candidate_update
from hiring.types import signed_in_user
from privacy.erasure import candidate_erase
from privacy.export import candidate_export

if TYPE_CHECKING:
    pass


@extend_schema_view(
    list=extend_schema(
        summary="List candidates",
        description="Recruiters, the committee and admins. Erased candidates keep only their id and dates.",
        responses={200: CandidateSerializer(many=True), 403: error_response("Interviewers cannot list candidates.")},
    ),
    retrieve=extend_schema(
        summary="Read a candidate",
        responses={200: CandidateSerializer, 403: error_response("Interviewers cannot read candidates.")},
    ),
    create=extend_schema(
        summary="Add a candidate",
        description="Recruiters and admins. Send an `Idempotency-Key` to make retries safe.",
        request=CandidateCreateSerializer,
        responses={
            201: CandidateSerializer,
            403: RECRUITING_403,
            409: error_response("Another candidate has this email (`duplicate_email`)."),
        },
    ),
    partial_update=extend_schema(
        summary="Change a candidate's details",
        description="Recruiters and admins; fields left out keep their value.",
        request=CandidateUpdateSerializer,
        responses={
            200: CandidateSerializer,
            403: RECRUITING_403,
            409: error_response("Another candidate has this email (`duplicate_email`), or the data was erased."),
        },
    ),
)
class CandidateViewSet(
    IdempotentWritesMixin,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CandidateSerializer
    permission_classes = [SeesAllLoopsRecruitingWrites]
    filterset_class = CandidateFilter
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Candidate]:
        return Candidate.objects.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CandidateCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        candidate = candidate_create(actor=signed_in_user(request), **body.validated_data)
        return Response(CandidateSerializer(candidate).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        candidate = self.get_object()
        body = CandidateUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        candidate = candidate_update(actor=signed_in_user(request), candidate=candidate, **body.validated_data)
        return Response(CandidateSerializer(candidate).data)

    @extend_schema(
        summary="Export everything held about a candidate",
        description="Admins (a subject access request). The export is recorded in the audit trail. It is "
        "always complete: an admin who interviews on one of the candidate's loops and has not submitted all "
        "their feedback there is refused (409 `independence`, naming the loops) until they have, or another "
        "admin exports.",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The candidate's data, loops and feedback."),
            403: error_response("Only admins export or erase a candidate's data."),
            409: error_response("`independence`: you still owe feedback on one of the candidate's loops."),
        },
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        candidate = self.get_object()
        return Response(candidate_export(actor=signed_in_user(request), candidate_id=candidate.pk, via="api"))

    @extend_schema(
        summary="Erase a candidate's personal data",
        description="Admins. Replaces the candidate's personal data everywhere with placeholders and keeps the "
        "scores; cannot be undone. Answers with the erased candidate.",
        request=None,
        responses={200: CandidateSerializer, 403: error_response("Only admins export or erase a candidate's data.")},
    )
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str | None = None) -> Response:
        candidate = self.get_object()
        candidate_erase(actor=signed_in_user(request), candidate_id=candidate.pk, via="api")
        return Response(CandidateSerializer(Candidate.objects.get(pk=candidate.pk)).data)
