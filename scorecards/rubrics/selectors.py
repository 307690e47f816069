"""Reading rubrics: the current version of a role, and a version as a specification."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from exercises.models import Exercise
from hiring.errors import NotFound
from hiring.models import Role
from scorecards.models import Dimension, Rubric, Signal
from scorecards.rubrics.io import normalized_weights


def rubric_with_parts(rubric_id: int) -> Rubric:
    return (
        Rubric.objects.select_related("role").prefetch_related("dimensions", "focus_areas", "signals").get(pk=rubric_id)
    )


def dimension_normalized_weights(dimensions: list[Dimension]) -> dict[int, Decimal]:
    """Normalised weight of each dimension (summing to 1 over the rubric), by dimension id."""
    normals = normalized_weights([d.weight_value for d in dimensions])
    return {d.pk: normal for d, normal in zip(dimensions, normals, strict=True)}


def rubric_spec(*, role_slug: str, version: int | None = None) -> dict[str, Any]:
    """The specification of a role's rubric version (newest by default), built from the stored rows."""
    try:
        role = Role.objects.get(slug=role_slug)
    except Role.DoesNotExist as exc:
        raise NotFound(
            gettext("No role with slug %(role_slug)s.") % {"role_slug": repr(role_slug)}, code="unknown_role"
        ) from exc
    rubrics = Rubric.objects.filter(role=role).prefetch_related("dimensions", "focus_areas", "signals")
    rubric = rubrics.filter(version=version).first() if version else rubrics.order_by("-version").first()
    if rubric is None:
        raise NotFound(
            f"Role {role_slug!r} has no rubric version {version or ''}.".replace("  ", " "), code="no_rubric"
        )
    exercises = Exercise.objects.filter(role=role, is_active=True).order_by("position", "id")
    # An exercise keeps a renamed dimension's old name for the loops still on the older version; a version's file
    # names only its own dimensions.
    names = {d.name for d in rubric.dimensions.all()}
    return {
        "role": {
            "slug": role.slug,
            "title": role.title,
            "level": role.level,
            "purpose": role.purpose,
            "source_document": role.source_document,
            "source_lines": role.source_lines,
        },
        "rubric": {
            "weight_kind": rubric.weight_kind,
            "scale": {str(key): value for key, value in rubric.scale_labels.items()},
            "thresholds": {
                "hire": _plain(rubric.hire_threshold),
                "discuss": _plain(rubric.discuss_threshold),
                "critical_floor": _plain(rubric.critical_floor),
                "min_coverage": _plain(rubric.min_coverage),
                "high_to_medium_ratio": _plain(rubric.high_to_medium_ratio),
            },
            "focus_areas": [{"title": a.title, "description": a.description} for a in rubric.focus_areas.all()],
            "dimensions": [
                {
                    "key": d.key,
                    "name": d.name,
                    "weight": d.weight_given,
                    "weight_kind": d.weight_kind,
                    "critical": d.critical,
                    "anchors": d.anchors,
                    "weight_value": _plain(d.weight_value),
                }
                for d in rubric.dimensions.all()
            ],
            "signals": [{"kind": s.kind, "text": s.text} for s in rubric.signals.all()],
        },
        "exercises": [
            {
                "slug": e.slug,
                "title": e.title,
                "format": e.format,
                "duration": e.duration,
                "materials": e.materials,
                "tasks": e.tasks,
                "evaluation": e.evaluation,
                "dimensions": [name for name in e.dimension_names if name in names],
            }
            for e in exercises
        ],
    }


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def rubric_translation(rubric: Rubric, language: str | None = None) -> dict[str, Any]:
    """The rubric's own text in ``language`` (default: the active one), as its file gives it under
    ``translations`` (docs/rubric-format.md#translations); {} when it carries none, and the text stays as written.
    """
    code = (language or translation.get_language() or "").lower()
    translations = ((rubric.source or {}).get("rubric") or {}).get("translations") or {}
    return translations.get(code) or translations.get(code.split("-")[0]) or {}


def translated_dimension(dimension: Dimension, texts: dict[str, Any]) -> Dimension:
    """A display copy of ``dimension`` with the translated name and anchors; the stored one is untouched."""
    own = (texts.get("dimensions") or {}).get(dimension.name)
    if not own:
        return dimension
    shown = copy.copy(dimension)
    shown.name = own.get("name") or dimension.name
    # A translation names anchors as the file format did before anchors had one entry per point.
    anchors = {value: dict(anchor or {}) for value, anchor in (dimension.anchors or {}).items()}
    for name, value in (("concerns", "1"), ("meets", "3"), ("exceeds", "5")):
        if text := (own.get("anchors") or {}).get(name) or own.get(name):
            anchors.setdefault(value, {})["text"] = text
    shown.anchors = anchors
    return shown


def translated_signal(signal: Signal, texts: dict[str, Any]) -> Signal:
    text = (texts.get("signals") or {}).get(signal.text)
    if not text:
        return signal
    shown = copy.copy(signal)
    shown.text = text
    return shown
