"""The candidate's take-home page, reached by the emailed link: no account, the token is the key."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import load_handler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from exercises.forms import SubmissionForm
from exercises.models import ExerciseAssignment
from exercises.services.submissions import SubmissionInput, assignment_for_token, take_home_refusal, take_home_submit
from exercises.uploads import SizeLimitUploadHandler, allowed_types_label, too_large_message
from hiring.errors import ApplicationError, Conflict, NotFound


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: keep it out of caches, search engines and other sites' logs.
    # "same-origin", not "no-referrer": with no-referrer browsers send "Origin: null" on the
    # form's POST and Django's CSRF check refuses it.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _candidate_page(request: HttpRequest, assignment: ExerciseAssignment, form: SubmissionForm, *,
                    status: int = 200, refusal: str = "") -> HttpResponse:
    now = timezone.now()
    submissions = list(assignment.submissions.order_by("-number"))
    received = None
    received_id = request.GET.get("received", "")
    if received_id.isdigit():
        received = next((s for s in submissions if s.pk == int(received_id)), None)
    return _private(render(request, "exercises/take_home.html", {
        "assignment": assignment,
        "role": assignment.loop.role,
        "form": form,
        "submissions": submissions,
        "received": received,
        "accepting": assignment.accepts_submissions(now),
        "refusal": refusal,
        "now": now,
        "max_upload_mb": settings.HIRELOOP_TAKE_HOME_MAX_UPLOAD_MB,
        "allowed_types": allowed_types_label(),
    }, status=status))


def _link_problem(request: HttpRequest, error: ApplicationError, status: int) -> HttpResponse:
    return _private(render(request, "exercises/take_home_unavailable.html", {"message": error.message}, status=status))


@csrf_exempt
def take_home(request: HttpRequest, token: str) -> HttpResponse:
    """The candidate's page, opened from the emailed link: the brief and the submission form."""
    if request.method == "POST":
        # The size limit must be in place before anything reads the body, CSRF included.
        request.upload_handlers = [
            SizeLimitUploadHandler(request),
            *[load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS],
        ]
    return _take_home(request, token)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _take_home(request: HttpRequest, token: str) -> HttpResponse:
    try:
        assignment = assignment_for_token(token)
    except NotFound as error:
        return _link_problem(request, error, 404)
    now = timezone.now()
    refusal = take_home_refusal(assignment, now)
    if refusal is not None and refusal.code in ("link_expired", "closed"):
        return _link_problem(request, refusal, 410)
    if request.method != "POST":
        return _candidate_page(request, assignment, SubmissionForm())

    form = SubmissionForm(request.POST, request.FILES)
    oversized = any(isinstance(h, SizeLimitUploadHandler) and h.oversized for h in request.upload_handlers)
    if oversized:
        form.is_valid()
        form.add_error("file", too_large_message())
        return _candidate_page(request, assignment, form, status=400)
    if not form.is_valid():
        return _candidate_page(request, assignment, form, status=400)
    try:
        submission = take_home_submit(
            token=token,
            data=SubmissionInput(
                repository_url=form.cleaned_data["repository_url"],
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            ),
        )
    except ApplicationError as error:
        if isinstance(error, NotFound):
            return _link_problem(request, error, 404)
        if isinstance(error, Conflict):
            if error.code in ("link_expired", "closed"):
                return _link_problem(request, error, 410)
            return _candidate_page(request, assignment, form, status=409, refusal=error.message)
        form.add_service_error(error)
        return _candidate_page(request, assignment, form, status=400)
    url = reverse("exercises:take-home", kwargs={"token": token})
    return _private(redirect(f"{url}?received={submission.pk}#received"))
