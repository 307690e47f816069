"""Scorecards over the API: start a draft, save it, submit, amend; read by the independence rule.

Thin: writes go to scorecards.services.scorecards (the functions the web form
calls); reads start from hiring.access so the independence rule holds here
exactly as on the pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import ScopedQuerysetMixin, error_response
from hiring.access import interviews_visible_to, scorecards_visible_to
from hiring.audit.services import audit_scorecard_read, audit_scorecards_read
from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.types import signed_in_user
from scorecards.api.filters import ScorecardFilter
from scorecards.api.serializers import (
    ScorecardAmendSerializer,
    ScorecardCreateSerializer,
    ScorecardSerializer,
    ScorecardSubmitSerializer,
    ScorecardUpdateSerializer,
)
from scorecards.models import ObservedSignal, Scorecard
from scorecards.services import scorecards as scorecard_services

IF_MATCH = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the scorecard you read (its version); an alternative to `version` in the body.",
)
NOT_YOURS_403 = error_response(
    "The scorecard (or interview) is visible to you but not yours: only its interviewer writes it."
)
STALE_409 = error_response(
    "`stale_version`: changed since the version you sent; `already_submitted`; `not_current`: a later revision "
    "exists; `loop_closed`."
)
# GenericAPIView.paginate_queryset is generic in its rows, so the override must be too.
_Row = TypeVar("_Row")
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def scorecards_for_api(user: Any) -> QuerySet[Scorecard]:
    """Scorecards the user may read (independence rule included), with their parts, in fixed queries."""
    return (
        scorecards_visible_to(user)
        .select_related("interviewer", "interview")
        .prefetch_related(
            "ratings", Prefetch("observed_signals", queryset=ObservedSignal.objects.select_related("signal"))
        )
    )


def _expected_version(request: Request, body_version: int | None) -> int | None:
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return body_version
    match = _ETAG.match(header.strip())
    if match is None:
        raise ValidationFailed(
            gettext('If-Match must be the scorecard\'s ETag, e.g. "3".'),
            field_errors={"If-Match": [gettext("Not a version.")]},
        )
    header_version = int(match.group(1))
    if body_version is not None and body_version != header_version:
        raise ValidationFailed(
            gettext("The version in the body and in If-Match differ."),
            field_errors={
                "version": [gettext("Does not match If-Match.")],
                "If-Match": [gettext("Does not match version.")],
            },
        )
    return header_version


@extend_schema_view(
    list=extend_schema(
        summary="List scorecards",
        description="Your own scorecards in any state, and submitted ones of loops whose panel you may see. "
        "An interviewer sees no one else's scorecard of a loop before submitting their own feedback on it.",
    ),
    retrieve=extend_schema(
        summary="Read a scorecard",
        description="404 for a scorecard you may not see (another interviewer's, before you submitted). "
        "The `ETag` response header carries its version, for If-Match.",
    ),
)
class ScorecardViewSet(
    IdempotentWritesMixin, ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilter
    ordering_fields = ["created_at", "submitted_at", "updated_at", "id"]
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    scoped_model = Scorecard

    def scoped_queryset(self, user: Any) -> QuerySet[Scorecard]:
        return scorecards_for_api(user)

    def _render(self, scorecard: Scorecard, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=scorecard.pk)
        return Response(ScorecardSerializer(fresh).data, status=code, headers={"ETag": f'"{fresh.version}"'})

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scorecard = self.get_object()
        audit_scorecard_read(request.user, scorecard)
        return self._render(scorecard)

    def paginate_queryset(self, queryset: QuerySet[Any, _Row] | Sequence[_Row]) -> list[_Row] | None:
        page = super().paginate_queryset(queryset)
        # Reading other interviewers' scorecards is audited, on lists as on single reads.
        audit_scorecards_read(self.request.user, page if page is not None else list(queryset))
        return page

    def _own_current(self) -> Scorecard:
        """The scorecard to write: visible (else 404), yours (else 403) and the current revision (else 409)."""
        scorecard = self.get_object()
        if scorecard.interviewer_id != self.request.user.pk:
            raise PermissionRefused(
                gettext("Only the interviewer who wrote this scorecard can change it."), code="not_yours"
            )
        if not scorecard.is_current:
            raise Conflict(
                gettext("This revision was amended; work on the current revision instead."), code="not_current"
            )
        return scorecard

    @extend_schema(
        summary="Start a scorecard (draft)",
        description="For one of your interviews; optional content is saved as the draft. Send an "
        "`Idempotency-Key` to make retries safe. 409 `scorecard_exists` if you already started one.",
        request=ScorecardCreateSerializer,
        responses={
            201: ScorecardSerializer,
            403: NOT_YOURS_403,
            404: error_response("No such interview, or not one you may see."),
            409: error_response("`scorecard_exists`: you already started this scorecard; `loop_closed`."),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ScorecardCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        interview_id = body.validated_data["interview"]
        interview = interviews_visible_to(request.user).filter(pk=interview_id).first()
        if interview is None:
            raise NotFound(gettext("No such interview."))
        if interview.interviewer_id != request.user.pk:
            raise PermissionRefused(gettext("Only the interview's interviewer writes its scorecard."), code="not_yours")

        user = signed_in_user(request)
        # Started and saved together, or not at all.
        with transaction.atomic():
            if Scorecard.objects.filter(interview=interview, interviewer=user, is_current=True).exists():
                raise Conflict(
                    gettext("You already started a scorecard for this interview; update it instead."),
                    code="scorecard_exists",
                )
            scorecard = scorecard_services.scorecard_start(actor=user, interview_id=interview.pk)
            if body.has_content():
                scorecard = scorecard_services.scorecard_save_draft(
                    actor=user, interview_id=interview.pk, data=body.to_input(), expected_version=None
                )
        return self._render(scorecard, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Save the draft (replace its content)",
        description="Fields left out are emptied. Send the `version` you read (or If-Match).",
        request=ScorecardUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: ScorecardSerializer, 403: NOT_YOURS_403, 409: STALE_409},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save_draft(request, partial=False)

    @extend_schema(
        summary="Save the draft (change some fields)",
        description="Fields left out keep their saved value. `ratings` are merged by dimension: the dimensions "
        "sent are replaced (a rating with no score, no `not_assessed` and no evidence clears its dimension), the "
        "others keep their saved rating; `signals` are replaced as a whole. Send the `version` you read "
        "(or If-Match).",
        request=ScorecardUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: ScorecardSerializer, 403: NOT_YOURS_403, 409: STALE_409},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save_draft(request, partial=True)

    def _save_draft(self, request: Request, *, partial: bool) -> Response:
        scorecard = self._own_current()
        body = ScorecardUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expected = _expected_version(request, body.validated_data.get("version"))
        saved = scorecard_services.scorecard_save_draft(
            actor=signed_in_user(request),
            interview_id=scorecard.interview_id,
            data=body.to_input(base=scorecard if partial else None),
            expected_version=expected,
        )
        return self._render(saved)

    @extend_schema(
        summary="Submit the scorecard",
        description="Checks completeness (every focus dimension scored or marked not assessed, evidence for each "
        "score, a note for each red flag, an overall recommendation) and submits; the loop's recommendation is "
        "recomputed afterwards. Content fields left out are submitted as saved; `ratings` sent replace only "
        "their dimensions, as with PATCH.",
        request=ScorecardSubmitSerializer,
        parameters=[IF_MATCH],
        responses={200: ScorecardSerializer, 403: NOT_YOURS_403, 409: STALE_409},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        scorecard = self._own_current()
        body = ScorecardSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expected = _expected_version(request, body.validated_data.get("version"))
        submitted = scorecard_services.scorecard_submit(
            actor=signed_in_user(request),
            interview_id=scorecard.interview_id,
            data=body.to_input(base=scorecard),
            expected_version=expected,
        )
        return self._render(submitted)

    @extend_schema(
        summary="Amend a submitted scorecard",
        description="After the debrief (the loop is in review), records a new revision with a reason; the "
        "submitted original stays as it was. Content fields left out are copied from the current revision, and "
        "`ratings` sent replace only their dimensions, as with PATCH; an amendment that changes nothing is refused "
        "(400 `unchanged`).",
        request=ScorecardAmendSerializer,
        parameters=[IF_MATCH],
        responses={
            201: ScorecardSerializer,
            403: NOT_YOURS_403,
            409: error_response(
                "`not_submitted`: still a draft; `debrief_pending`: amendments open once every interviewer on the "
                "loop has submitted; `stale_version`; `not_current`; `loop_closed`."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        scorecard = self._own_current()
        body = ScorecardAmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expected = _expected_version(request, body.validated_data.get("version"))
        amendment = scorecard_services.scorecard_amend(
            actor=signed_in_user(request),
            interview_id=scorecard.interview_id,
            data=body.to_input(base=scorecard),
            reason=body.validated_data["reason"],
            expected_version=expected,
        )
        return self._render(amendment, status.HTTP_201_CREATED)
