"""Exercise pages: the library, admin editing, take-home assignment and review, and the candidate's page.

Views parse input, call one service or selector, and render; refusals from
the services become form errors or 4xx pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import load_handler
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from exercises import selectors
from exercises.downloads import submission_file_response
from exercises.forms import AssignForm, AttachForm, ExerciseForm, ExtendForm, SubmissionForm
from exercises.models import Exercise, ExerciseAssignment
from exercises.services import library as library_services
from exercises.services.assignments import take_home_assign, take_home_extend_deadline, take_home_reissue_link
from exercises.services.interview_kits import interview_attach_exercise
from exercises.services.submissions import SubmissionInput, assignment_for_token, take_home_refusal, take_home_submit
from exercises.uploads import SizeLimitUploadHandler, allowed_types_label, too_large_message
from hiring.errors import ApplicationError, Conflict, NotFound, PermissionRefused
from hiring.models import InterviewLoop, User

LIST_PAGE_SIZE = 50
RECENT_ASSIGNMENTS = 20


def _raise_http(error: ApplicationError) -> None:
    """Errors no form can show: a missing object is a 404, a refused permission a 403."""
    if isinstance(error, NotFound):
        raise Http404(error.message)
    if isinstance(error, PermissionRefused):
        raise PermissionDenied(error.message)


def _optional_url(name: str, *args: Any) -> str | None:
    """A link to a page another part of Hireloop provides, when it is installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _can_manage(user: Any) -> bool:
    return bool(user.is_recruiter or user.is_hireloop_admin)


def _require_admin(user: Any) -> None:
    if not user.is_hireloop_admin:
        raise PermissionDenied("Only admins add and edit exercises.")


def _require_manager(user: Any) -> None:
    if not _can_manage(user):
        raise PermissionDenied("Only recruiters and admins assign exercises and change deadlines.")


def _error_status(error: ApplicationError) -> int:
    return 409 if isinstance(error, Conflict) else 400


# --- The library ----------------------------------------------------------------------


@login_required
def library(request: HttpRequest) -> HttpResponse:
    """Roles with their exercise counts, and a search across every role's exercises."""
    query = request.GET.get("q", "").strip()
    role_slug = request.GET.get("role", "").strip()
    format = request.GET.get("format", "").strip()
    roles = list(selectors.roles_with_exercise_counts(user=request.user))
    searching = bool(query or role_slug or format)
    page = None
    if searching:
        results = selectors.exercise_search(user=request.user, query=query, role_slug=role_slug, format=format)
        page = Paginator(results, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exercises/library.html", {
        "roles": roles,
        "query": query,
        "role_slug": role_slug,
        "format": format,
        "formats": Exercise.Format.choices,
        "searching": searching,
        "page": page,
        "can_manage": _can_manage(request.user),
    })


@login_required
def role_library(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        role = selectors.role_by_slug(slug)
    except NotFound as error:
        raise Http404(error.message) from error
    exercises = list(selectors.exercises_visible_to(request.user).filter(role=role).order_by("position", "id"))
    return render(request, "exercises/role.html", {
        "role": role,
        "exercises": exercises,
        "dimensions": selectors.current_dimensions(role),
        "is_admin": request.user.is_hireloop_admin,  # type: ignore[union-attr]
    })


@login_required
def exercise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        exercise = selectors.exercise_detail(user=request.user, exercise_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    return render(request, "exercises/exercise_detail.html", {
        "exercise": exercise,
        "dimensions": selectors.current_dimensions(exercise.role),
        "is_admin": request.user.is_hireloop_admin,  # type: ignore[union-attr]
        # A reviewer who follows the kit's link to the exercise finds the submissions to review here.
        "assignments": list(selectors.assignments_visible_to(request.user).filter(exercise=exercise)
                            .order_by("-created_at", "-id")[:RECENT_ASSIGNMENTS]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def exercise_create(request: HttpRequest, slug: str) -> HttpResponse:
    _require_admin(request.user)
    try:
        role = selectors.role_by_slug(slug)
    except NotFound as error:
        raise Http404(error.message) from error
    names = list(selectors.current_dimensions(role))
    form = ExerciseForm(request.POST or None, dimension_names=names, initial={"is_active": True})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            exercise = library_services.exercise_create(actor=request.user, role=role, data=form.to_input())  # type: ignore[arg-type]
        except ApplicationError as error:
            _raise_http(error)
            form.add_service_error(error)
            status = _error_status(error)
        else:
            messages.success(request, f"“{exercise.title}” was added to the {role.title} library.")
            return redirect("exercises:exercise-detail", pk=exercise.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "exercises/exercise_form.html", {"form": form, "role": role, "exercise": None},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def exercise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request.user)
    try:
        exercise = selectors.exercise_detail(user=request.user, exercise_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    # Names no longer in the current rubric stay choosable, so an edit never silently drops them.
    names = list(dict.fromkeys([*selectors.current_dimensions(exercise.role), *exercise.dimension_names]))
    form = ExerciseForm(request.POST or None, dimension_names=names, initial=ExerciseForm.initial_for(exercise))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            library_services.exercise_update(actor=request.user, exercise_id=exercise.pk, data=form.to_input(),  # type: ignore[arg-type]
                                     expected_updated_at=form.expected_updated_at())
        except ApplicationError as error:
            _raise_http(error)
            form.add_service_error(error)
            status = _error_status(error)
        else:
            messages.success(request,
                             "The exercise was saved. Take-homes already sent keep the text they were sent with.")
            return redirect("exercises:exercise-detail", pk=exercise.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "exercises/exercise_form.html",
                  {"form": form, "role": exercise.role, "exercise": exercise}, status=status)


# --- Take-homes: staff pages ------------------------------------------------------------------


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    if state not in ("open", "closed", "all"):
        state = "open"
    assignments = selectors.assignment_list(user=request.user, state=state)
    page = Paginator(assignments, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exercises/assignment_list.html", {"page": page, "state": state, "now": timezone.now()})


def _loop_or_404(request: HttpRequest, loop_id: int) -> InterviewLoop:
    try:
        return selectors.loop_for_exercises(user=request.user, loop_id=loop_id)
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
def loop_exercises(request: HttpRequest, loop_id: int) -> HttpResponse:
    """A loop's take-homes and the exercises in its interviews' kits."""
    loop = _loop_or_404(request, loop_id)
    return render(request, "exercises/loop_exercises.html", {
        "loop": loop,
        "assignments": list(selectors.loop_assignments(loop)),
        "interviews": list(selectors.loop_interviews(user=request.user, loop=loop)),
        "can_manage": _can_manage(request.user) and not loop.is_closed,
        "loop_url": _optional_url("hiring:loop-detail", loop.pk),
        "now": timezone.now(),
    })


def _reviewers() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, loop_id: int) -> HttpResponse:
    _require_manager(request.user)
    loop = _loop_or_404(request, loop_id)
    exercises = selectors.take_home_choices(loop)
    form = AssignForm(request.POST or None, exercises=exercises, reviewers=_reviewers(),
                      initial={"exercise": request.GET.get("exercise")})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment, _token = take_home_assign(
                actor=request.user,  # type: ignore[arg-type]
                loop=loop,
                exercise=data["exercise"],
                due_at=data["due_at"],
                reviewer=data["reviewer"],
                review_due_at=data["review_due_at"],
            )
        except ApplicationError as error:
            _raise_http(error)
            form.add_service_error(error)
            status = _error_status(error)
        else:
            messages.success(
                request,
                f"“{assignment.title}” is on its way to the candidate by email; "
                f"{assignment.reviewer.display_name} has the review in “My interviews”.",
            )
            return redirect("exercises:assignment-detail", pk=assignment.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "exercises/assign_form.html",
                  {"form": form, "loop": loop, "has_choices": exercises.exists(),
                   "grace_hours": settings.HIRELOOP_TAKE_HOME_GRACE_HOURS}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def attach(request: HttpRequest, loop_id: int) -> HttpResponse:
    """Put a live or discussion exercise in one of the loop's interview kits."""
    _require_manager(request.user)
    loop = _loop_or_404(request, loop_id)
    interviews = selectors.loop_interviews(user=request.user, loop=loop).exclude(kind="take_home_review")
    form = AttachForm(request.POST or None, interviews=interviews, exercises=selectors.live_exercise_choices(loop),
                      initial={"interview": request.GET.get("interview"), "exercise": request.GET.get("exercise"),
                               "add_focus": True})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interview = interview_attach_exercise(
                actor=request.user,  # type: ignore[arg-type]
                interview_id=data["interview"].pk,
                exercise_id=data["exercise"].pk if data["exercise"] else None,
                add_focus=data["add_focus"],
            )
        except ApplicationError as error:
            _raise_http(error)
            form.add_service_error(error)
            status = _error_status(error)
        else:
            if interview.exercise is not None:
                kind = interview.get_kind_display().lower()
                messages.success(request, f"“{interview.exercise.title}” is now in the {kind} kit.")
            else:
                messages.success(request, "The exercise was taken out of the interview kit.")
            return redirect("exercises:loop-exercises", loop_id=loop.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "exercises/attach_form.html",
                  {"form": form, "loop": loop, "has_interviews": interviews.exists()}, status=status)


def _assignment_or_404(request: HttpRequest, pk: int) -> ExerciseAssignment:
    try:
        return selectors.assignment_detail(user=request.user, assignment_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _assignment_page(request: HttpRequest, assignment: ExerciseAssignment, *, extend_form: ExtendForm | None = None,
                     status: int = 200) -> HttpResponse:
    can_manage = _can_manage(request.user) and not assignment.loop.is_closed
    now = timezone.now()
    return render(request, "exercises/assignment_detail.html", {
        "assignment": assignment,
        "submissions": list(assignment.submissions.all()),
        "extensions": list(assignment.extensions.all()),
        "can_manage": can_manage,
        "extend_form": extend_form or ExtendForm(),
        "now": now,
        "accepting": assignment.accepts_submissions(now),
        "link_valid": assignment.link_valid(now),
        "kit_url": _optional_url("scorecards:interview-kit", assignment.review_interview_id)
        if assignment.review_interview_id else None,
        "scorecard_url": _optional_url("scorecards:scorecard-edit", assignment.review_interview_id)
        if assignment.review_interview_id else None,
        "is_reviewer": assignment.current_reviewer.pk == request.user.pk,
    }, status=status)


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _assignment_page(request, _assignment_or_404(request, pk))


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request.user)
    assignment = _assignment_or_404(request, pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _assignment_page(request, assignment, extend_form=form, status=400)
    try:
        updated = take_home_extend_deadline(
            actor=request.user, assignment_id=assignment.pk,  # type: ignore[arg-type]
            new_due_at=form.cleaned_data["due_at"], reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        _raise_http(error)
        form.add_service_error(error)
        return _assignment_page(request, assignment, extend_form=form, status=_error_status(error))
    messages.success(request, f"The deadline is now {timezone.localtime(updated.due_at):%a %d %b %Y, %H:%M %Z}; "
                              "the candidate is told by email.")
    return redirect("exercises:assignment-detail", pk=assignment.pk)


@login_required
@require_POST
def reissue(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request.user)
    assignment = _assignment_or_404(request, pk)
    try:
        take_home_reissue_link(actor=request.user, assignment_id=assignment.pk)  # type: ignore[arg-type]
    except ApplicationError as error:
        _raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, "A new link is on its way to the candidate; the previous link no longer works.")
    return redirect("exercises:assignment-detail", pk=assignment.pk)


@login_required
def submission_download(request: HttpRequest, pk: int) -> FileResponse:
    """Staff download a submitted file: always as an attachment, never rendered by the browser."""
    try:
        submission = selectors.submission_for_download(user=request.user, submission_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    try:
        return submission_file_response(submission)
    except FileNotFoundError as error:
        raise Http404("The file is no longer in storage.") from error


# --- The candidate's page -----------------------------------------------------------------------


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

