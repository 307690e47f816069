"""A finished calibration report's file as a download, for the page and the API alike."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse

from scorecards.calibration.exports import FORMATS
from scorecards.calibration.services import calibration_report_file
from scorecards.models import CalibrationReport


def report_file_response(report: CalibrationReport, fmt: str) -> HttpResponse | FileResponse:
    """The stored file (rendered now on its first download), or the JSON result, as an attachment."""
    export = FORMATS[fmt]
    filename = f"calibration-report-{report.pk}.{export.extension}"
    content = calibration_report_file(report, fmt)
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(content, as_attachment=True, filename=filename, content_type=export.content_type)
