"""Writes for the exercise library: admins add exercises to a role's library and edit them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext

from exercises.models import Exercise
from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.models import Role, User
from hiring.text import label_problem, limit
from scorecards.models import Rubric

MAX_ITEMS = 40
MAX_ITEM_LENGTH = limit("exercise.item")


def _require_admin(actor: Any) -> None:
    if not actor.is_hireloop_admin:
        raise PermissionRefused(gettext("Only admins add and edit exercises."))


@dataclass
class ExerciseInput:
    """What an admin fills in; list fields hold one item per line of the form."""

    title: str
    format: str
    duration: str = ""
    materials: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    evaluation: list[str] = field(default_factory=list)
    dimension_names: list[str] = field(default_factory=list)
    is_active: bool = True
    slug: str = ""


def _clean_items(items: list[str], name: str, errors: dict[str, list[str]]) -> list[str]:
    cleaned = [" ".join(item.split()) for item in items if item and item.strip()]
    if len(cleaned) > MAX_ITEMS:
        errors[name] = [f"At most {MAX_ITEMS} lines."]
    elif any(len(item) > MAX_ITEM_LENGTH for item in cleaned):
        errors[name] = [f"Each line must be at most {MAX_ITEM_LENGTH} characters."]
    return cleaned


def _exercise_values(role: Role, data: ExerciseInput, *, current: Exercise | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = " ".join(data.title.split())
    if not title:
        errors["title"] = ["Give the exercise a title."]
    elif len(title) > limit("exercise.title"):
        errors["title"] = [f"At most {limit('exercise.title')} characters."]
    elif problem := label_problem(title):
        errors["title"] = [problem]
    if data.format not in Exercise.Format.values:
        errors["format"] = ["Choose take-home, live or discussion."]
    duration = data.duration.strip()
    if len(duration) > limit("exercise.duration"):
        errors["duration"] = [f"At most {limit('exercise.duration')} characters."]
    values: dict[str, Any] = {
        "title": title,
        "format": data.format,
        "duration": duration,
        "materials": _clean_items(data.materials, "materials", errors),
        "tasks": _clean_items(data.tasks, "tasks", errors),
        "evaluation": _clean_items(data.evaluation, "evaluation", errors),
        "is_active": bool(data.is_active),
    }
    # Names of the role's current rubric, plus those the exercise already feeds (kept across rubric versions).
    try:
        known = set(Rubric.objects.current(role=role).dimensions.values_list("name", flat=True))
    except NotFound:
        known = set()
    if current is not None:
        known |= set(current.dimension_names)
    names = list(dict.fromkeys(name.strip() for name in data.dimension_names if name.strip()))
    unknown = [name for name in names if name not in known]
    if unknown:
        errors["dimension_names"] = [f"Not a dimension of this role's rubric: {', '.join(unknown)}."]
    values["dimension_names"] = names
    if current is None:
        slug = slugify(data.slug or title)[:100].strip("-")
        if not slug:
            errors["slug"] = ["Give a short name made of letters, digits and hyphens."]
        elif Exercise.objects.filter(role=role, slug=slug).exists():
            errors["slug" if data.slug else "title"] = [
                "This role already has an exercise with this short name; choose another title or slug."
            ]
        values["slug"] = slug
    if errors:
        raise ValidationFailed(gettext("The exercise could not be saved."), field_errors=errors)
    return values


def _exercise_snapshot(exercise: Exercise) -> dict[str, Any]:
    return {
        "title": exercise.title,
        "format": exercise.format,
        "duration": exercise.duration,
        "materials": exercise.materials,
        "tasks": exercise.tasks,
        "evaluation": exercise.evaluation,
        "dimension_names": exercise.dimension_names,
        "is_active": exercise.is_active,
    }


@transaction.atomic
def exercise_create(*, actor: User, role: Role, data: ExerciseInput) -> Exercise:
    """Add an exercise to a role's library; it goes after the role's existing exercises."""
    _require_admin(actor)
    Role.objects.select_for_update().get(pk=role.pk)
    values = _exercise_values(role, data, current=None)
    last = Exercise.objects.filter(role=role).aggregate(last=Max("position"))["last"] or 0
    exercise = Exercise.objects.create(role=role, position=last + 1, origin=Exercise.Origin.CUSTOM, **values)
    audit_record(actor=actor, action="exercise.created", obj=exercise,
                 after={"role": role.slug, "slug": exercise.slug, **_exercise_snapshot(exercise)})
    return exercise


@transaction.atomic
def exercise_update(
    *, actor: User, exercise_id: int, data: ExerciseInput, expected_updated_at: datetime | None
) -> Exercise:
    """Edit an exercise. Assignments already sent keep their own copy of the brief and do not change."""
    _require_admin(actor)
    try:
        exercise = Exercise.objects.select_for_update().select_related("role").get(pk=exercise_id)
    except Exercise.DoesNotExist as exc:
        raise NotFound(gettext("No such exercise.")) from exc
    if expected_updated_at is not None and expected_updated_at != exercise.updated_at:
        raise Conflict(
            gettext("This exercise was changed by someone else since you opened it. "
            "Reload the page to see the latest text; your changes were not saved."),
            code="stale_version",
        )
    values = _exercise_values(exercise.role, data, current=exercise)
    before = _exercise_snapshot(exercise)
    changed = {key: value for key, value in values.items() if before.get(key) != value}
    if not changed:
        return exercise
    for key, value in changed.items():
        setattr(exercise, key, value)
    exercise.save()
    audit_record(actor=actor, action="exercise.updated", obj=exercise,
                 before={key: before[key] for key in changed}, after=changed)
    return exercise
