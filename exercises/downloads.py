"""A submitted take-home file as a download: the page and the API send it the same way."""

from __future__ import annotations

from django.http import FileResponse

from exercises.models import ExerciseSubmission


def submission_file_response(submission: ExerciseSubmission) -> FileResponse:
    """Always an attachment, never rendered or cached by the browser.

    Raises ``FileNotFoundError`` when the file has left storage; callers answer with their own 404.
    """
    handle = submission.file.open("rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=submission.original_filename or f"submission-{submission.number}",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
