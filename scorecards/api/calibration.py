"""Calibration reports over the API: request one, poll its state and progress, download each format.

The committee and admins only (``can_use_calibration``, the rule the pages use);
the report is computed by the same Celery job as a report requested on the page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django_filters import rest_framework as filters
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
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.idempotency import IdempotentWritesMixin
from config.api.schema import error_response
from hiring.api.serializers import RoleRefSerializer, UserRefSerializer
from hiring.errors import Conflict
from hiring.models import Interview, Role
from scorecards.calibration.downloads import report_file_response
from scorecards.calibration.exports import FORMATS
from scorecards.calibration.selectors import calibration_report_list
from scorecards.calibration.services import (
    calibration_report_request,
    calibration_report_retry,
    can_use_calibration,
)
from scorecards.calibration.state import REPORT_STATES, ReportState, report_state
from scorecards.models import CalibrationReport


class UsesCalibration(BasePermission):
    message = "Only the hiring committee and admins can use calibration reports."

    def has_permission(self, request: Request, view: Any) -> bool:
        return can_use_calibration(request.user)


class CalibrationReportSerializer(serializers.ModelSerializer):
    role = RoleRefSerializer(read_only=True, allow_null=True)
    requested_by = UserRefSerializer(read_only=True, allow_null=True)
    interview_kind = serializers.ChoiceField(
        choices=Interview.Kind.choices, allow_blank=True, read_only=True, help_text="Blank: every kind."
    )
    downloads = serializers.SerializerMethodField(help_text="Download URL of each format, once the report is done.")
    state = serializers.SerializerMethodField(
        help_text="`status` in more detail: queued, retrying (queued again after its worker stopped), running, "
        "stalled (its worker stopped renewing its lease; it is about to be retried or failed), done, failed."
    )
    message = serializers.SerializerMethodField(help_text="Where the report stands, in a sentence for people.")
    max_attempts = serializers.SerializerMethodField(help_text="Workers that may start it before it is failed.")

    class Meta:
        model = CalibrationReport
        fields = [
            "id", "role", "date_from", "date_to", "interview_kind", "min_sample", "scheduled", "status", "state",
            "message", "progress", "error", "attempts", "max_attempts", "lease_expires_at", "requested_by",
            "created_at", "started_at", "finished_at", "downloads",
        ]
        read_only_fields = fields

    def _state(self, report: CalibrationReport) -> ReportState:
        # Drawn once per report, so that the three fields read the lease at the same moment.
        cached = getattr(report, "_api_state", None)
        if cached is None:
            cached = report_state(report)
            report._api_state = cached  # type: ignore[attr-defined]
        return cached

    @extend_schema_field(serializers.ChoiceField(choices=REPORT_STATES))
    def get_state(self, report: CalibrationReport) -> str:
        return self._state(report).code

    def get_message(self, report: CalibrationReport) -> str:
        return self._state(report).message

    def get_max_attempts(self, report: CalibrationReport) -> int:
        return self._state(report).max_attempts

    @extend_schema_field(serializers.DictField(child=serializers.URLField()))
    def get_downloads(self, report: CalibrationReport) -> dict[str, str]:
        if report.status != CalibrationReport.Status.DONE:
            return {}
        request = self.context.get("request")
        urls = {
            fmt: reverse("api:calibration-report-download", kwargs={"pk": report.pk, "fmt": fmt}) for fmt in FORMATS
        }
        return {fmt: request.build_absolute_uri(url) if request else url for fmt, url in urls.items()}


class CalibrationRequestSerializer(serializers.Serializer):
    role = serializers.SlugRelatedField(
        slug_field="slug", queryset=Role.objects.all(), required=False, allow_null=True, default=None,
        help_text="Role slug; leave out for every role.",
    )
    date_from = serializers.DateField(help_text="First day of the period.")
    date_to = serializers.DateField(
        help_text="Last day of the period: today at the latest, and at most five years after date_from."
    )
    interview_kind = serializers.ChoiceField(
        choices=Interview.Kind.choices, allow_blank=True, required=False, default="", help_text="Blank: every kind."
    )
    min_sample = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="Fewest scorecards for a figure to count (2 to 200); defaults to the site setting.",
    )


class CalibrationReportFilter(filters.FilterSet):
    role = filters.CharFilter(field_name="role__slug", help_text="Role slug.")
    status = filters.ChoiceFilter(choices=CalibrationReport.Status.choices)
    scheduled = filters.BooleanFilter(help_text="true: made by the monthly job; false: requested by a person.")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = CalibrationReport
        fields = ["role", "status", "scheduled", "created_after", "created_before"]


COMMITTEE_403 = error_response("Only the hiring committee and admins can use calibration reports.")
FORMAT_PARAMETER = OpenApiParameter(
    name="fmt", type=OpenApiTypes.STR, location=OpenApiParameter.PATH, enum=list(FORMATS),
    description="csv (a zip with one file per table), xlsx (a sheet per table), pdf (with charts) or json.",
)


class JsonErrorsOnly(JSONRenderer):
    """Downloads answer with the file's own type; errors, whatever the Accept header, with the error shape."""


@extend_schema_view(
    list=extend_schema(summary="List calibration reports", responses={200: CalibrationReportSerializer(many=True),
                                                                       403: COMMITTEE_403}),
    retrieve=extend_schema(
        summary="Poll a calibration report",
        description="`status` goes queued → running → done (or failed, with `error`); `progress` is 0 to 100. "
        "A worker that stops mid-report is noticed when its lease lapses: the report is queued again "
        "(`state` retrying, up to `max_attempts` workers in all), then failed; a failed report can be retried.",
        responses={200: CalibrationReportSerializer, 403: COMMITTEE_403},
    ),
    create=extend_schema(
        summary="Request a calibration report",
        description="Queued for a worker once the request commits; poll the report for its state.",
        request=CalibrationRequestSerializer,
        responses={202: CalibrationReportSerializer, 403: COMMITTEE_403},
    ),
)
class CalibrationReportViewSet(
    IdempotentWritesMixin,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = CalibrationReportSerializer
    permission_classes = [UsesCalibration]
    filterset_class = CalibrationReportFilter
    ordering_fields = ["created_at", "finished_at", "id"]
    ordering = ["-created_at"]

    def get_queryset(self) -> QuerySet[CalibrationReport]:
        return calibration_report_list()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CalibrationRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = calibration_report_request(actor=request.user, **body.validated_data)
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Retry a failed calibration report",
        description="Queues the report again, computed from the start with a fresh set of attempts; poll it as "
        "after a request. Recorded in the audit trail.",
        request=None,
        responses={
            202: CalibrationReportSerializer,
            403: COMMITTEE_403,
            409: error_response("`not_failed`: the report is queued, running or done."),
        },
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        calibration_report_retry(actor=request.user, report_id=report.pk)
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download a finished calibration report",
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, export.content_type): OpenApiResponse(OpenApiTypes.BINARY, description=export.label)
            for export in FORMATS.values()
        }
        | {403: COMMITTEE_403, 409: error_response("`not_finished`: the report is queued, running or failed.")},
    )
    @action(detail=True, methods=["get"], url_path=r"download/(?P<fmt>csv|xlsx|pdf|json)", url_name="download",
            renderer_classes=[JsonErrorsOnly], pagination_class=None, filter_backends=[])
    def download(self, request: Request, pk: str | None = None, fmt: str = "") -> HttpResponse | FileResponse:
        report = self.get_object()
        if report.status != CalibrationReport.Status.DONE or not report.result:
            raise Conflict(
                gettext("This report is %(status)s, not finished.") % {"status": report.get_status_display().lower()},
                code="not_finished",
            )
        return report_file_response(report, fmt)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        if getattr(self, "action", None) == "download":
            # The file's type is fixed by the URL; an Accept header asking for it must not turn into a 406.
            renderer = JsonErrorsOnly()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)
