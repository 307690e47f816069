"""Take-homes over the API: assign, list and read, extend the deadline, email a new link, the submissions and
their files, and a live exercise in an interview's kit.

Thin: writes go to the services the recruiters' pages call; reads start from the same selectors, so whoever
may open a take-home's page reads it here, and nobody else learns it exists (404). The link's token is never
answered: the candidate receives it by email, as when a recruiter uses the page.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import ScopedQuerysetMixin, error_response
from exercises.api.filters import AssignmentFilter, SubmissionFilter
from exercises.api.permissions import RECRUITERS_MANAGE, ReadOrManagesTakeHomes
from exercises.api.serializers import (
    AssignmentDetailSerializer,
    AssignmentSerializer,
    AssignSerializer,
    AttachSerializer,
    ExtendSerializer,
    SubmissionSerializer,
)
from exercises.downloads import submission_file_response
from exercises.models import ExerciseAssignment, ExerciseSubmission
from exercises.selectors import take_homes as take_home_selectors
from exercises.services.assignments import take_home_assign, take_home_extend_deadline, take_home_reissue_link
from exercises.services.interview_kits import interview_attach_exercise
from hiring.access import loops_visible_to
from hiring.api.loops import interviews_for_api
from hiring.api.serializers import InterviewSerializer
from hiring.errors import NotFound
from hiring.models import Interview, InterviewLoop
from hiring.types import signed_in_user

MANAGE_403 = error_response(RECRUITERS_MANAGE)
LOOP_CLOSED_409 = "`loop_closed`: the loop is decided or withdrawn."


@extend_schema_view(
    list=extend_schema(
        summary="List take-home assignments",
        description="The take-homes of the loops you may see: recruiters, the committee and admins see every "
        "one; an interviewer sees those of loops they interview on. Never includes the candidate's link.",
    ),
    retrieve=extend_schema(
        summary="Read a take-home assignment",
        description="The brief as the candidate received it, every submission (newest first) and the deadline's "
        "extension history.",
    ),
    create=extend_schema(
        summary="Send a take-home to a loop's candidate",
        description="Recruiters and admins. Copies the brief as it reads now, emails the candidate their private "
        "link once the request commits, and gives the reviewer a take-home review interview from now until the "
        "deadline, focused on the exercise's dimensions. The link itself is never in the response. Send an "
        "`Idempotency-Key` to make retries safe.",
        request=AssignSerializer,
        responses={
            201: AssignmentDetailSerializer,
            403: MANAGE_403,
            409: error_response(f"`already_assigned`: this exercise was already sent to this candidate; "
                                f"{LOOP_CLOSED_409}"),
        },
    ),
)
class TakeHomeViewSet(
    IdempotentWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet,
):
    serializer_class = AssignmentDetailSerializer
    permission_classes = [ReadOrManagesTakeHomes]
    filterset_class = AssignmentFilter
    ordering_fields = ["due_at", "created_at", "id"]
    ordering = ["due_at"]

    scoped_model = ExerciseAssignment

    def scoped_queryset(self, user: Any) -> QuerySet[ExerciseAssignment]:
        if self.action == "list":
            return take_home_selectors.assignments_visible_to(user)
        return take_home_selectors.assignments_with_history_visible_to(user)

    def get_serializer_class(self) -> type[AssignmentSerializer]:
        return AssignmentSerializer if self.action == "list" else AssignmentDetailSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = AssignSerializer(data=request.data)
        # Only loops the requester may see can be named (recruiters and admins see them all today).
        loop_field = cast("serializers.PrimaryKeyRelatedField[InterviewLoop]", body.fields["loop"])
        # django-stubs#3666: assigning to an attribute typed "QuerySet | Manager" trips the Manager's __get__.
        loop_field.queryset = loops_visible_to(request.user)  # type: ignore[arg-type]
        body.is_valid(raise_exception=True)
        data = body.validated_data

        assignment, _token = take_home_assign(
            actor=signed_in_user(request), loop=data["loop"], exercise=data["exercise"], due_at=data["due_at"],
            reviewer=data["reviewer"], review_due_at=data["review_due_at"],
        )
        return self._render(assignment, status.HTTP_201_CREATED)

    def _data(self, assignment: ExerciseAssignment) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=assignment.pk)
        return AssignmentDetailSerializer(fresh, context=self.get_serializer_context()).data

    def _render(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        # The serializer builds absolute download URLs, so it needs the request in its context.
        return Response(self._data(obj), status=code)

    @extend_schema(
        summary="Extend a take-home's deadline",
        description="Recruiters and admins. The link works again until the new deadline plus the grace period; "
        "the review interview moves with the deadline unless someone rescheduled it by hand; the candidate is "
        "told by email.",
        request=ExtendSerializer,
        responses={200: AssignmentDetailSerializer, 403: MANAGE_403, 409: error_response(LOOP_CLOSED_409)},
    )
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str | None = None) -> Response:
        assignment = self.get_object()
        body = ExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = take_home_extend_deadline(
            actor=signed_in_user(request), assignment_id=assignment.pk,
            new_due_at=body.validated_data["due_at"], reason=body.validated_data["reason"],
        )
        return self._render(updated)

    @extend_schema(
        summary="Email the candidate a new link",
        description="Recruiters and admins, for a lost or mistyped email: the previous link stops working and "
        "the new one goes to the candidate by email only (as from the page); it is not in the response.",
        request=None,
        responses={
            200: AssignmentDetailSerializer,
            400: error_response("The candidate has no email address to send the link to."),
            403: MANAGE_403,
            409: error_response(f"`link_expired`: extend the deadline first; {LOOP_CLOSED_409}"),
        },
    )
    @action(detail=True, methods=["post"], url_path="reissue-link", url_name="reissue-link")
    def reissue_link(self, request: Request, pk: str | None = None) -> Response:
        assignment = self.get_object()
        updated, _token = take_home_reissue_link(actor=signed_in_user(request), assignment_id=assignment.pk)
        return self._render(updated)


@extend_schema_view(
    list=extend_schema(
        summary="List take-home submissions",
        description="Submissions of the take-homes you may see; each resubmission is its own row. Files are "
        "described here and downloaded from `download_url`.",
    ),
    retrieve=extend_schema(summary="Read a take-home submission"),
)
class SubmissionViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    ordering_fields = ["submitted_at", "number", "id"]
    ordering = ["-submitted_at"]

    scoped_model = ExerciseSubmission

    def scoped_queryset(self, user: Any) -> QuerySet[ExerciseSubmission]:
        return take_home_selectors.submissions_visible_to(user)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        if getattr(self, "action", None) == "download":
            # The file's type is fixed; an Accept header asking for it must not turn into a 406.
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        summary="Download a submitted file",
        description="Always as an attachment (`application/octet-stream`), never rendered by the browser; "
        "404 for a submission without a file or one you may not see.",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            404: error_response("No such file, not visible to you, or no longer in storage."),
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        submission = take_home_selectors.submission_for_download(user=request.user, submission_id=self.get_object().pk)
        try:
            return submission_file_response(submission)
        except FileNotFoundError as error:
            raise NotFound(gettext("The file is no longer in storage."), code="file_missing") from error


@extend_schema(
    summary="Put a live exercise in an interview's kit (or take it out)",
    description="Recruiters and admins, as on the loop's exercises page. `exercise: null` takes the exercise "
    "out; with `add_focus` its dimensions join the interview's focus. A take-home review's exercise comes from "
    "its assignment.",
    request=AttachSerializer,
    responses={
        200: InterviewSerializer,
        403: MANAGE_403,
        409: error_response(
            f"`feedback_submitted`: the interview was already scored; `take_home_review`; {LOOP_CLOSED_409}"
        ),
    },
)
class InterviewExerciseView(IdempotentWritesMixin, ScopedQuerysetMixin, generics.GenericAPIView):
    serializer_class = InterviewSerializer
    permission_classes = [ReadOrManagesTakeHomes]
    pagination_class = None
    filter_backends: list[Any] = []

    scoped_model = Interview

    def scoped_queryset(self, user: Any) -> QuerySet[Interview]:
        return interviews_for_api(user)

    def post(self, request: Request, pk: int) -> Response:
        interview = self.get_object()
        body = AttachSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = interview_attach_exercise(
            actor=signed_in_user(request), interview_id=interview.pk, exercise_id=body.validated_data["exercise"],
            add_focus=body.validated_data["add_focus"],
        )
        return self._render(updated)
