"""The exercise library: roles and their exercises, a search across them, and admin adding and editing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from exercises.forms import ExerciseForm
from exercises.models import Exercise
from exercises.selectors import library as library_selectors
from exercises.selectors import take_homes as take_home_selectors
from exercises.services import library as library_services
from exercises.views.common import LIST_PAGE_SIZE, error_status, raise_http
from hiring.errors import ApplicationError, NotFound
from hiring.templatetags.isolation import html_message, isolate
from hiring.types import AuthenticatedHttpRequest

RECENT_ASSIGNMENTS = 20

def _require_admin(user: Any) -> None:
    if not user.is_hireloop_admin:
        raise PermissionDenied(gettext("Only admins add and edit exercises."))


@login_required
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Roles with their exercise counts, and a search across every role's exercises."""
    query = request.GET.get("q", "").strip()
    role_slug = request.GET.get("role", "").strip()
    format = request.GET.get("format", "").strip()
    roles = list(library_selectors.roles_with_exercise_counts(user=request.user))
    searching = bool(query or role_slug or format)
    page = None
    if searching:
        results = library_selectors.exercise_search(user=request.user, query=query, role_slug=role_slug, format=format)
        page = Paginator(results, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exercises/library.html", {
        "roles": roles,
        "query": query,
        "role_slug": role_slug,
        "format": format,
        "formats": Exercise.Format.choices,
        "searching": searching,
        "page": page,
        "can_manage": request.user.manages_hiring,
    })


@login_required
def role_library(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    try:
        role = library_selectors.role_by_slug(slug)
    except NotFound as error:
        raise Http404(error.message) from error
    exercises = list(library_selectors.exercises_visible_to(request.user).filter(role=role).order_by("position", "id"))
    return render(request, "exercises/role.html", {
        "role": role,
        "exercises": exercises,
        "dimensions": library_selectors.current_dimensions(role),
        "is_admin": request.user.is_hireloop_admin,
    })


@login_required
def exercise_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        exercise = library_selectors.exercise_detail(user=request.user, exercise_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    return render(request, "exercises/exercise_detail.html", {
        "exercise": exercise,
        "dimensions": library_selectors.current_dimensions(exercise.role),
        "is_admin": request.user.is_hireloop_admin,
        # A reviewer who follows the kit's link to the exercise finds the submissions to review here.
        "assignments": list(take_home_selectors.assignments_visible_to(request.user).filter(exercise=exercise)
                            .order_by("-created_at", "-id")[:RECENT_ASSIGNMENTS]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def exercise_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    _require_admin(request.user)
    try:
        role = library_selectors.role_by_slug(slug)
    except NotFound as error:
        raise Http404(error.message) from error
    names = list(library_selectors.current_dimensions(role))
    form = ExerciseForm(request.POST or None, dimension_names=names, initial={"is_active": True})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            exercise = library_services.exercise_create(actor=request.user, role=role, data=form.to_input())
        except ApplicationError as error:
            raise_http(error)
            form.add_service_error(error)
            status = error_status(error)
        else:
            messages.success(
                request,
                html_message(
                    gettext("“%(title)s” was added to the %(title2)s library."),
                    title=isolate(exercise.title),
                    title2=isolate(role.title),
                ),
            )
            return redirect("exercises:exercise-detail", pk=exercise.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "exercises/exercise_form.html", {"form": form, "role": role, "exercise": None},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def exercise_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request.user)
    try:
        exercise = library_selectors.exercise_detail(user=request.user, exercise_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    # Names no longer in the current rubric stay choosable, so an edit never silently drops them.
    names = list(dict.fromkeys([*library_selectors.current_dimensions(exercise.role), *exercise.dimension_names]))
    form = ExerciseForm(request.POST or None, dimension_names=names, initial=ExerciseForm.initial_for(exercise))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            library_services.exercise_update(actor=request.user, exercise_id=exercise.pk, data=form.to_input(),
                                     expected_updated_at=form.expected_updated_at())
        except ApplicationError as error:
            raise_http(error)
            form.add_service_error(error)
            status = error_status(error)
        else:
            messages.success(
                request, gettext("The exercise was saved. Take-homes already sent keep the text they were sent with.")
            )
            return redirect("exercises:exercise-detail", pk=exercise.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "exercises/exercise_form.html",
                  {"form": form, "role": exercise.role, "exercise": exercise}, status=status)
