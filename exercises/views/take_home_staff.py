"""Take-homes, the staff pages: the list, a loop's exercises, assigning one, an assignment with its
submissions, extending the deadline, a new link, and downloading a submitted file.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from exercises.downloads import submission_file_response
from exercises.forms import AssignForm, ExtendForm
from exercises.models import ExerciseAssignment
from exercises.selectors import take_homes as take_home_selectors
from exercises.services.assignments import take_home_assign, take_home_extend_deadline, take_home_reissue_link
from exercises.views.common import (
    LIST_PAGE_SIZE,
    error_status,
    loop_or_404,
    raise_http,
    require_manager,
)
from hiring.errors import ApplicationError, NotFound
from hiring.models import User
from hiring.types import AuthenticatedHttpRequest


def _optional_url(name: str, *args: Any) -> str | None:
    """A link to a page another part of Hireloop provides, when it is installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
def assignment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    if state not in ("open", "closed", "all"):
        state = "open"
    assignments = take_home_selectors.assignment_list(user=request.user, state=state)
    page = Paginator(assignments, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exercises/assignment_list.html", {"page": page, "state": state, "now": timezone.now()})


@login_required
def loop_exercises(request: AuthenticatedHttpRequest, loop_id: int) -> HttpResponse:
    """A loop's take-homes and the exercises in its interviews' kits."""
    loop = loop_or_404(request, loop_id)
    return render(request, "exercises/loop_exercises.html", {
        "loop": loop,
        "assignments": list(take_home_selectors.loop_assignments(loop)),
        "interviews": list(take_home_selectors.loop_interviews(user=request.user, loop=loop)),
        "can_manage": request.user.manages_hiring and not loop.is_closed,
        "loop_url": _optional_url("hiring:loop-detail", loop.pk),
        "now": timezone.now(),
    })


def _reviewers() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: AuthenticatedHttpRequest, loop_id: int) -> HttpResponse:
    require_manager(request.user)
    loop = loop_or_404(request, loop_id)
    exercises = take_home_selectors.take_home_choices(loop)
    form = AssignForm(request.POST or None, exercises=exercises, reviewers=_reviewers(),
                      initial={"exercise": request.GET.get("exercise")})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment, _token = take_home_assign(
                actor=request.user,
                loop=loop,
                exercise=data["exercise"],
                due_at=data["due_at"],
                reviewer=data["reviewer"],
                review_due_at=data["review_due_at"],
            )
        except ApplicationError as error:
            raise_http(error)
            form.add_service_error(error)
            status = error_status(error)
        else:
            messages.success(
                request,
                gettext(
                    "“%(title)s” is on its way to the candidate by email; %(display_name)s has the review in “My "
                    "interviews”."
                )
                % {"title": assignment.title, "display_name": assignment.reviewer.display_name},
            )
            return redirect("exercises:assignment-detail", pk=assignment.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "exercises/assign_form.html",
                  {"form": form, "loop": loop, "has_choices": exercises.exists(),
                   "grace_hours": settings.HIRELOOP_TAKE_HOME_GRACE_HOURS}, status=status)


def _assignment_or_404(request: AuthenticatedHttpRequest, pk: int) -> ExerciseAssignment:
    try:
        return take_home_selectors.assignment_detail(user=request.user, assignment_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _assignment_page(request: AuthenticatedHttpRequest, assignment: ExerciseAssignment, *,
                     extend_form: ExtendForm | None = None, status: int = 200) -> HttpResponse:
    can_manage = request.user.manages_hiring and not assignment.loop.is_closed
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
def assignment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _assignment_page(request, _assignment_or_404(request, pk))


@login_required
@require_POST
def extend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    assignment = _assignment_or_404(request, pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _assignment_page(request, assignment, extend_form=form, status=400)
    try:
        updated = take_home_extend_deadline(
            actor=request.user, assignment_id=assignment.pk,
            new_due_at=form.cleaned_data["due_at"], reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        raise_http(error)
        form.add_service_error(error)
        return _assignment_page(request, assignment, extend_form=form, status=error_status(error))
    messages.success(
        request,
        gettext("The deadline is now %(localtime)s; the candidate is told by email.")
        % {"localtime": format(timezone.localtime(updated.due_at), "%a %d %b %Y, %H:%M %Z")},
    )
    return redirect("exercises:assignment-detail", pk=assignment.pk)


@login_required
@require_POST
def reissue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_manager(request.user)
    assignment = _assignment_or_404(request, pk)
    try:
        take_home_reissue_link(actor=request.user, assignment_id=assignment.pk)
    except ApplicationError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(
            request, gettext("A new link is on its way to the candidate; the previous link no longer works.")
        )
    return redirect("exercises:assignment-detail", pk=assignment.pk)


@login_required
def submission_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Staff download a submitted file: always as an attachment, never rendered by the browser."""
    try:
        submission = take_home_selectors.submission_for_download(user=request.user, submission_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    try:
        return submission_file_response(submission)
    except FileNotFoundError as error:
        raise Http404(gettext("The file is no longer in storage.")) from error
