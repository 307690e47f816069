"""Reads for the exercise library: what a user may see, the search across it, roles with their counts, one exercise.

Each list is one queryset with its joins built in, so a page costs the same number of queries for one row as for fifty.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext

from exercises.models import Exercise
from hiring.errors import NotFound
from hiring.models import Role
from scorecards.models import Dimension

SEARCH_FIELDS = ("title", "duration", "materials_text", "tasks_text", "evaluation_text", "dimensions_text")


def _with_search_text(queryset: QuerySet[Exercise]) -> QuerySet[Exercise]:
    # The list fields are JSON; searching their text form finds words inside any item.
    return queryset.annotate(
        materials_text=Cast("materials", TextField()),
        tasks_text=Cast("tasks", TextField()),
        evaluation_text=Cast("evaluation", TextField()),
        dimensions_text=Cast("dimension_names", TextField()),
    )


def exercises_visible_to(user: Any) -> QuerySet[Exercise]:
    """Everyone reads the active library; admins also see retired exercises."""
    queryset = Exercise.objects.select_related("role")
    if user.is_hireloop_admin:
        return queryset
    return queryset.filter(is_active=True)


def exercise_search(*, user: Any, query: str = "", role_slug: str = "", format: str = "") -> QuerySet[Exercise]:
    """Exercises whose title, brief, criteria or dimensions contain every word of ``query``."""
    queryset = _with_search_text(exercises_visible_to(user))
    for word in query.split()[:10]:
        condition = Q()
        for name in SEARCH_FIELDS:
            condition |= Q(**{f"{name}__icontains": word})
        condition |= Q(role__title__icontains=word)
        queryset = queryset.filter(condition)
    if role_slug:
        queryset = queryset.filter(role__slug=role_slug)
    if format in Exercise.Format.values:
        queryset = queryset.filter(format=format)
    return queryset.order_by("role__title", "position", "id")


def roles_with_exercise_counts(*, user: Any) -> QuerySet[Role]:
    """Every role with how many exercises of each format its library holds."""
    visible = Q() if user.is_hireloop_admin else Q(exercises__is_active=True)
    return Role.objects.annotate(
        exercise_count=Count("exercises", filter=visible),
        take_home_count=Count("exercises", filter=visible & Q(exercises__format=Exercise.Format.TAKE_HOME)),
        live_count=Count("exercises", filter=visible & Q(exercises__format=Exercise.Format.LIVE)),
        discussion_count=Count("exercises", filter=visible & Q(exercises__format=Exercise.Format.DISCUSSION)),
    ).order_by("title")


def role_by_slug(slug: str) -> Role:
    try:
        return Role.objects.get(slug=slug)
    except Role.DoesNotExist as exc:
        raise NotFound(gettext("No such role.")) from exc


def current_dimensions(role: Role) -> dict[str, Dimension]:
    """The dimensions of the role's newest rubric version, by name."""
    latest = role.rubrics.order_by("-version").values("pk")[:1]
    return {d.name: d for d in Dimension.objects.filter(rubric__in=latest).order_by("position")}


def exercise_detail(*, user: Any, exercise_id: int) -> Exercise:
    exercise = (
        exercises_visible_to(user)
        .annotate(assignment_count=Count("assignments", distinct=True),
                  interview_count=Count("interviews", distinct=True))
        .filter(pk=exercise_id)
        .first()
    )
    if exercise is None:
        raise NotFound(gettext("No such exercise."))
    return exercise
