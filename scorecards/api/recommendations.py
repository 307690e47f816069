"""Recommendations over the API: the list, one loop's recommendation, a request to recompute it, and what-if.

Reads follow the independence rule (hiring.access): an interviewer on the loop
reads nothing of the panel's until they have submitted their own feedback.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import ScopedQuerysetMixin, error_response
from hiring.access import can_see_panel, loops_visible_to, recommendations_visible_to
from hiring.errors import NotFound, PermissionRefused
from hiring.types import signed_in_user
from scorecards.api.filters import RecommendationFilter
from scorecards.api.serializers import (
    RecommendationSerializer,
    RecomputeResultSerializer,
    WhatIfAmendmentSerializer,
    WhatIfLeftOutSerializer,
    WhatIfResultSerializer,
    WhatIfSerializer,
)
from scorecards.models import Recommendation, RecomputeRequest
from scorecards.recommendations.loop_whatif import loop_what_if
from scorecards.services.recompute import recommendation_request


def recommendations_for_api(user: Any) -> QuerySet[Recommendation]:
    pending = RecomputeRequest.objects.filter(loop=OuterRef("loop_id"), processed_at__isnull=True)
    return recommendations_visible_to(user).annotate(recompute_pending=Exists(pending))


@extend_schema_view(
    list=extend_schema(
        summary="List recommendations",
        description="The computed recommendation of every loop whose panel you may see.",
    ),
)
class RecommendationViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilter
    ordering_fields = ["computed_at", "weighted_score", "id"]
    ordering = ["-computed_at"]

    scoped_model = Recommendation

    def scoped_queryset(self, user: Any) -> QuerySet[Recommendation]:
        return recommendations_for_api(user)


def _visible_loop_with_panel(request: Request, loop_id: int) -> Any:
    loop = loops_visible_to(request.user).filter(pk=loop_id).first()
    if loop is None:
        raise NotFound(gettext("No such loop."))
    if not can_see_panel(request.user, loop):
        raise PermissionRefused(
            gettext("Submit your own feedback on this loop before reading the panel's recommendation."),
            code="independence",
        )
    return loop


class LoopRecommendationView(GenericAPIView):
    serializer_class = RecommendationSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(
        summary="Read a loop's recommendation",
        responses={
            200: RecommendationSerializer,
            403: error_response(
                "`independence`: you interview on this loop and have not submitted all your feedback yet."
            ),
            404: error_response("No such loop (or not visible to you), or `not_computed` yet."),
        },
    )
    def get(self, request: Request, loop_id: int) -> Response:
        loop = _visible_loop_with_panel(request, loop_id)
        recommendation = recommendations_for_api(request.user).filter(loop=loop).first()
        if recommendation is None:
            raise NotFound(gettext("No recommendation has been computed for this loop yet."), code="not_computed")
        return Response(RecommendationSerializer(recommendation).data)


class LoopRecommendationRecomputeView(IdempotentWritesMixin, GenericAPIView):
    serializer_class = RecomputeResultSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(
        summary="Request a recompute of a loop's recommendation",
        description="Queued after the request commits; it is deterministic, so a recompute with unchanged "
        "feedback changes nothing. Poll the recommendation (`recompute_pending`).",
        request=None,
        responses={
            202: RecomputeResultSerializer,
            403: error_response("`independence`: submit your own feedback on this loop first."),
            404: error_response("No such loop, or not visible to you."),
        },
    )
    def post(self, request: Request, loop_id: int) -> Response:
        loop = _visible_loop_with_panel(request, loop_id)
        with transaction.atomic():
            recommendation_request(loop.pk, reason="requested_via_api")
        return Response({"loop": loop.pk, "queued": True}, status=status.HTTP_202_ACCEPTED)


class LoopWhatIfView(IdempotentWritesMixin, GenericAPIView):
    """A POST because the question is a body (two lists of ids), but a read: nothing is stored but the audit
    event. It honours Idempotency-Key all the same, like every POST: a client's retry library need not know
    which POSTs are reads, and the replay answers the same figures."""

    serializer_class = WhatIfResultSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(
        summary="What if: a loop's recommendation without some interviewers, or ignoring amendments",
        description="The hiring committee and admins, on loops whose panel they may see. Recomputes the "
        "recommendation (outcome, reasons, weighted and leniency-adjusted scores with the interval) with the "
        "interviewers in `leave_out` left out and each amended scorecard in `ignore_amendments` replaced by the "
        "revision it amends, beside the one from all current feedback. Never stored as the loop's "
        "recommendation; recorded in the audit trail as a read (`recommendation.what_if_read`, ids only). "
        "A read-only token is refused like on every POST.",
        request=WhatIfSerializer,
        responses={
            200: WhatIfResultSerializer,
            400: error_response(
                "`field_errors` names `leave_out` or `ignore_amendments`: an id that is not an interviewer with "
                "submitted feedback on this loop, or not a current amendment of it; or neither list has an id."
            ),
            403: error_response(
                "`not_committee`: only the hiring committee and admins ask what-if questions; `independence`: "
                "you interview on this loop and have not submitted all your feedback yet."
            ),
            404: error_response("No such loop, or not visible to you."),
        },
    )
    def post(self, request: Request, loop_id: int) -> Response:
        body = WhatIfSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = loop_what_if(
            actor=signed_in_user(request),
            loop_id=loop_id,
            leave_out=body.validated_data["leave_out"],
            ignore_amendments=body.validated_data["ignore_amendments"],
            via="api",
        )
        return Response(
            {
                "loop": result.loop.pk,
                "saved": False,
                "left_out": WhatIfLeftOutSerializer(result.left_out, many=True).data,
                "ignored_amendments": WhatIfAmendmentSerializer(result.ignored_amendments, many=True).data,
                "recommendation": result.actual.as_dict(),
                "what_if": result.what_if.as_dict(),
            }
        )
