"""Calibration report pages: request, follow, read and download. Committee members and admins only."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hiring.errors import ApplicationError, Conflict
from hiring.forms import apply_error
from hiring.models import Interview
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import page_for
from scorecards.calibration.charts import CHARTS, render_chart
from scorecards.calibration.downloads import report_file_response
from scorecards.calibration.exports import FORMATS
from scorecards.calibration.forms import CalibrationRequestForm
from scorecards.calibration.selectors import calibration_report_list
from scorecards.calibration.services import (
    calibration_report_for,
    calibration_report_request,
    calibration_report_retry,
    can_use_calibration,
)
from scorecards.calibration.state import report_state
from scorecards.calibration.tables import cells, display_tables
from scorecards.models import CalibrationReport

PAGE_SIZE = 25
POLL_SECONDS = 2
committee_only = page_for(can_use_calibration,
                          gettext_lazy("Only the hiring committee and admins can use calibration reports."))
def _kind_label(kind: str) -> str:
    return str(Interview.Kind(kind).label) if kind in Interview.Kind.values else gettext("All kinds")


def _initial_from_query(request: HttpRequest) -> dict[str, Any]:
    """"Request again" links carry a failed report's scope in the query string."""
    keys = ("role", "date_from", "date_to", "interview_kind", "min_sample")
    return {key: request.GET[key] for key in keys if request.GET.get(key)}


@committee_only
@require_http_methods(["GET", "POST"])
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CalibrationRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = calibration_report_request(
                    actor=request.user,
                    role=data["role"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    interview_kind=data["interview_kind"],
                    min_sample=data["min_sample"],
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, gettext("Calibration report #%(pk)s was requested.") % {"pk": report.pk})
                return redirect("scorecards:report-detail", pk=report.pk)
    else:
        form = CalibrationRequestForm(initial=_initial_from_query(request))
    page = Paginator(calibration_report_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    for report in page.object_list:
        report.kind_label = _kind_label(report.interview_kind)  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "scorecards/calibration/report_list.html",
        {"form": form, "page": page},
        status=400 if form.is_bound and form.errors else 200,
    )


def _status_payload(report: CalibrationReport) -> dict[str, Any]:
    state = report_state(report)
    return {
        "id": report.pk,
        "status": report.status,
        "status_label": report.get_status_display(),
        "progress": report.progress,
        "error": report.error,
        "state": state.code,
        "message": state.message,
        "worker_stopped": state.worker_stopped,
        "attempt": state.attempt,
        "max_attempts": state.max_attempts,
        "finished": report.status in (CalibrationReport.Status.DONE, CalibrationReport.Status.FAILED),
        "url": reverse("scorecards:report-detail", kwargs={"pk": report.pk}),
    }


@committee_only
@require_GET
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = calibration_report_for(actor=request.user, report_id=pk)
    context: dict[str, Any] = {
        "report": report,
        "kind_label": _kind_label(report.interview_kind),
        "status": _status_payload(report),
        "poll_seconds": POLL_SECONDS,
        "formats": [FORMATS[name] for name in ("csv", "xlsx", "pdf", "json")],
    }
    if report.status == CalibrationReport.Status.DONE and report.result:
        result = report.result
        minimum = int(result["options"]["min_sample"])
        context.update({
            "result": result,
            "min_sample": minimum,
            "tables": [(table, cells(table, minimum)) for table in display_tables(result)],
            "charts": [(name, gettext(title)) for name, title in CHARTS.items()],
        })
    return render(request, "scorecards/calibration/report_detail.html", context)


@committee_only
@require_POST
def report_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The failed report's Retry button: queue it again and follow it on its page."""
    try:
        calibration_report_retry(actor=request.user, report_id=pk)
    except Conflict as exc:
        # Pressed twice, or someone else retried first: the page shows where the report stands now.
        messages.info(request, exc.message)
    else:
        messages.success(request, gettext("Calibration report #%(pk)s was queued again.") % {"pk": pk})
    return redirect("scorecards:report-detail", pk=pk)


@committee_only
@require_GET
def report_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    report = calibration_report_for(actor=request.user, report_id=pk)
    response = JsonResponse(_status_payload(report))
    response["Cache-Control"] = "no-store"
    return response


def _finished_result(request: AuthenticatedHttpRequest, pk: int) -> tuple[CalibrationReport, dict[str, Any]]:
    report = calibration_report_for(actor=request.user, report_id=pk)
    if report.status != CalibrationReport.Status.DONE or not report.result:
        raise Http404(gettext("This report is not finished."))
    return report, report.result


@committee_only
@require_GET
def report_chart(request: AuthenticatedHttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in CHARTS:
        raise Http404(gettext("No such chart."))
    report, result = _finished_result(request, pk)
    etag = '"' + hashlib.sha256(f"{report.pk}:{result['generated_at']}:{name}".encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    response = HttpResponse(render_chart(name, result, image_format="svg"), content_type="image/svg+xml")
    # A finished report never changes: let the browser keep its charts.
    response["Cache-Control"] = "private, max-age=86400"
    response["ETag"] = etag
    return response


@committee_only
@require_GET
def report_download(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse | FileResponse:
    export = FORMATS.get(fmt)
    if export is None:
        raise Http404(gettext("No such format."))
    report, _ = _finished_result(request, pk)
    return report_file_response(report, fmt)
