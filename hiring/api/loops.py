"""Loops and interviews over the API: open, assign and withdraw loops, switch the candidate's calendar invites,
record decisions, schedule, reschedule, reassign and cancel interviews.

The access rules decide which rows a caller sees; the services hold every write rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Now
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import ScopedQuerysetMixin, error_response
from hiring.access import interviews_visible_to, loops_visible_to, loops_with_panel_visible_to
from hiring.api.filters import InterviewFilter, LoopFilter
from hiring.api.permissions import RECRUITING_403, ReadOrRecruiting
from hiring.api.serializers import (
    DecisionSerializer,
    InterviewReassignSerializer,
    InterviewRescheduleSerializer,
    InterviewScheduledSerializer,
    InterviewScheduleSerializer,
    InterviewSerializer,
    LoopAssignSerializer,
    LoopCandidateInvitesSerializer,
    LoopOpenSerializer,
    LoopSerializer,
    LoopWithdrawSerializer,
)
from hiring.models import Interview, InterviewLoop
from hiring.selectors.scheduling import interview_scheduled_notices
from hiring.services.interviews import (
    InterviewPlan,
    interview_cancel,
    interview_reassign,
    interview_reschedule,
    interview_schedule,
)
from hiring.services.loops import loop_assign, loop_open, loop_set_candidate_invites, loop_withdraw
from hiring.types import signed_in_user
from scorecards.decisions import DecisionInput, loop_decide
from scorecards.models import Scorecard

if TYPE_CHECKING:
    pass


LOOP_CLOSED_409 = error_response("The loop is decided or withdrawn (`loop_closed`).")


def loops_for_api(user: Any) -> QuerySet[InterviewLoop]:
    """Loops the user may see, with what the list shows, in a fixed number of queries."""
    panel = loops_with_panel_visible_to(user).filter(pk=OuterRef("pk"))
    return (
        loops_visible_to(user)
        .select_related("candidate", "role", "rubric", "recruiter", "hiring_manager", "decided_by")
        .annotate(
            interview_count=Count("interviews", filter=Q(interviews__cancelled_at__isnull=True), distinct=True),
            panel_visible=Exists(panel),
        )
    )


@extend_schema_view(
    list=extend_schema(
        summary="List loops",
        description="Recruiters, the committee and admins see every loop; an interviewer sees the loops they "
        "interview on.",
    ),
    retrieve=extend_schema(summary="Read a loop"),
    create=extend_schema(
        summary="Open a loop",
        description="Recruiters and admins. Pins the role's newest rubric version.",
        request=LoopOpenSerializer,
        responses={
            201: LoopSerializer,
            403: RECRUITING_403,
            404: error_response("The role has no published rubric (`no_rubric`)."),
            409: error_response("The candidate already has an active loop for the role (`loop_exists`)."),
        },
    ),
)
class LoopViewSet(
    IdempotentWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = LoopSerializer
    permission_classes = [ReadOrRecruiting]
    filterset_class = LoopFilter
    ordering_fields = ["opened_at", "status", "id"]
    ordering = ["-opened_at"]

    scoped_model = InterviewLoop

    def scoped_queryset(self, user: Any) -> QuerySet[InterviewLoop]:
        return loops_for_api(user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = LoopOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loop = loop_open(actor=signed_in_user(request), **body.validated_data)
        return self._render(loop, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the loop's recruiter and hiring manager",
        request=LoopAssignSerializer,
        responses={200: LoopSerializer, 403: RECRUITING_403, 409: LOOP_CLOSED_409},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        loop = self.get_object()
        body = LoopAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loop = loop_assign(actor=signed_in_user(request), loop=loop, **body.validated_data)
        return self._render(loop)

    @extend_schema(
        summary="Email the candidate calendar invites, or stop",
        description="Recruiters and admins. The candidate's invites carry the time, the interview's kind and the "
        "role: no kit link, no focus dimensions, nothing meant for the panel.",
        request=LoopCandidateInvitesSerializer,
        responses={200: LoopSerializer, 403: RECRUITING_403, 409: LOOP_CLOSED_409},
    )
    @action(detail=True, methods=["post"], url_path="candidate-invites")
    def candidate_invites(self, request: Request, pk: str | None = None) -> Response:
        loop = self.get_object()
        body = LoopCandidateInvitesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loop = loop_set_candidate_invites(actor=signed_in_user(request), loop=loop,
                                          enabled=body.validated_data["enabled"])
        return self._render(loop)

    @extend_schema(
        summary="Withdraw the loop",
        description="Closes the loop without a decision; a reason is required.",
        request=LoopWithdrawSerializer,
        responses={200: LoopSerializer, 403: RECRUITING_403, 409: LOOP_CLOSED_409},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        loop = self.get_object()
        body = LoopWithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loop = loop_withdraw(actor=signed_in_user(request), loop=loop, reason=body.validated_data["reason"])
        return self._render(loop)

    @extend_schema(
        summary="Record the committee's decision",
        description="Members of the hiring committee, on loops whose panel they may see. The recommendation is "
        "brought up to date first; deciding against it, or hiring over a red flag, needs a `justification`; "
        "deciding with feedback outstanding needs `confirm_outstanding`; a hire needs at least one submitted "
        "scorecard. Decisions are final.",
        request=DecisionSerializer,
        responses={
            200: LoopSerializer,
            400: error_response(
                "Invalid input: `field_errors` names each field at fault; `no_evidence` (under `decision`): a hire "
                "cannot be recorded on a loop with no submitted scorecard (a no hire can)."
            ),
            403: error_response("`not_committee`: only the hiring committee records decisions."),
            409: error_response(
                "`already_decided`, `loop_withdrawn`, or `recommendation_changed` since `expected_fingerprint` "
                "(the current recommendation is stored by then: read it, and decide again naming its `fingerprint`)."
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def decision(self, request: Request, pk: str | None = None) -> Response:
        loop = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loop = loop_decide(actor=signed_in_user(request), loop_id=loop.pk, data=DecisionInput(**body.validated_data))
        return self._render(loop)


def interviews_for_api(user: Any) -> QuerySet[Interview]:
    """Interviews the user may see, with the state of their feedback, in a fixed number of queries."""
    current = Scorecard.objects.filter(
        interview=OuterRef("pk"), interviewer=OuterRef("interviewer"), is_current=True
    )
    feedback_status = Coalesce(Subquery(current.values("status")[:1]), Value("pending"))
    return (
        interviews_visible_to(user)
        .select_related("loop__candidate", "loop__role", "interviewer", "exercise")
        .prefetch_related("focus_dimensions")
        .annotate(
            feedback_status=feedback_status,
            feedback_submitted_at=Subquery(current.filter(status=Scorecard.Status.SUBMITTED).values("submitted_at")[:1]),
        )
        .annotate(
            is_overdue=Case(
                When(~Q(feedback_status=Scorecard.Status.SUBMITTED) & Q(feedback_due_at__lt=Now(), cancelled_at=None),
                     then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


@extend_schema_view(
    list=extend_schema(
        summary="List interviews",
        description="Recruiters, the committee and admins see every interview; an interviewer sees their own.",
    ),
    retrieve=extend_schema(summary="Read an interview (the interview kit: focus dimensions and exercise)"),
    create=extend_schema(
        summary="Schedule an interview",
        description="Recruiters and admins. Feedback is due the configured hours after the interview ends unless "
        "`feedback_due_at` says otherwise.",
        request=InterviewScheduleSerializer,
        responses={201: InterviewScheduledSerializer, 403: RECRUITING_403, 409: LOOP_CLOSED_409},
    ),
)
class InterviewViewSet(
    IdempotentWritesMixin,
    ScopedQuerysetMixin,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = InterviewSerializer
    permission_classes = [ReadOrRecruiting]
    filterset_class = InterviewFilter
    ordering_fields = ["starts_at", "feedback_due_at", "id"]
    ordering = ["starts_at"]

    scoped_model = Interview

    def scoped_queryset(self, user: Any) -> QuerySet[Interview]:
        return interviews_for_api(user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = InterviewScheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        loop = data.pop("loop")
        plan = InterviewPlan(
            kind=data["kind"],
            interviewer=data["interviewer"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            focus_dimension_ids=data["focus_dimensions"],
            exercise=data.get("exercise"),
            feedback_due_at=data.get("feedback_due_at"),
        )
        interview = interview_schedule(actor=signed_in_user(request), loop=loop, plan=plan)
        return self._render_scheduled(interview, new=True, code=status.HTTP_201_CREATED)

    def _render_scheduled(
        self, interview: Interview, *, new: bool, moved: bool = False, code: int = status.HTTP_200_OK
    ) -> Response:
        """The interview as the requester reads it, with the warnings the pages show beside the success."""
        notices = interview_scheduled_notices(interview, new=new, moved=moved)
        fresh = self.get_queryset().get(pk=interview.pk)
        return Response({**InterviewSerializer(fresh).data, "warnings": notices}, status=code)

    @extend_schema(
        summary="Hand the interview to another interviewer",
        description="Only while no scorecard was started for it.",
        request=InterviewReassignSerializer,
        responses={
            200: InterviewScheduledSerializer,
            403: RECRUITING_403,
            409: error_response("The loop is closed (`loop_closed`) or the interviewer started feedback."),
        },
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        interview = self.get_object()
        body = InterviewReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        interview = interview_reassign(
            actor=signed_in_user(request), interview=interview, interviewer=body.validated_data["interviewer"]
        )
        return self._render_scheduled(interview, new=False)

    @extend_schema(
        summary="Move the interview to another time",
        description="Refused once its feedback is submitted or it was cancelled. Its invitees are sent an updated "
        "calendar invitation.",
        request=InterviewRescheduleSerializer,
        responses={
            200: InterviewScheduledSerializer,
            403: RECRUITING_403,
            409: error_response("The loop is closed (`loop_closed`), the interview was cancelled "
                                "(`interview_cancelled`) or its feedback is submitted (`feedback_submitted`)."),
        },
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        interview = self.get_object()
        body = InterviewRescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        interview = interview_reschedule(actor=signed_in_user(request), interview=interview, **body.validated_data)
        return self._render_scheduled(interview, new=False, moved=True)

    @extend_schema(
        summary="Cancel the interview",
        description="It stays readable (with `cancelled_at`) but no longer counts for the loop's stage, the pipeline, "
        "coverage or reminders; its invitees are sent a cancellation. Refused once its feedback is submitted, and "
        "for take-home reviews.",
        request=None,
        responses={
            200: InterviewSerializer,
            403: RECRUITING_403,
            409: error_response("The loop is closed (`loop_closed`), the interview was already cancelled "
                                "(`interview_cancelled`), its feedback is submitted (`feedback_submitted`) or it "
                                "is a take-home review (`take_home_review`)."),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        interview = interview_cancel(actor=signed_in_user(request), interview=self.get_object())
        return Response(InterviewSerializer(self.get_queryset().get(pk=interview.pk)).data)
