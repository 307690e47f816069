"""Publishing rubric versions and the role's exercises from a validated specification."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from exercises.models import Exercise
from hiring.audit.services import audit_record
from hiring.models import Role
from scorecards.models import Dimension, FocusArea, Rubric, Signal
from scorecards.rubrics.io import content_hash


@transaction.atomic
def rubric_publish(
    *, spec: dict[str, Any], actor: Any = None, change_note: str = "", sync_exercises: bool = True
) -> tuple[Rubric, bool]:
    """Publish ``spec`` (from ``rubric_io.validate_rubric``) as the role's newest rubric version.

    Returns ``(rubric, created)``. A specification identical to the newest
    version publishes nothing; a changed one makes a new version and never
    edits a published one. The role's exercises are updated in place by slug
    (assignments keep the text they were sent with), unless ``sync_exercises``
    is false: the editor publishes the rubric alone and leaves the library as
    admins keep it.
    """
    role_data = spec["role"]
    role, _ = Role.objects.select_for_update().get_or_create(
        slug=role_data["slug"], defaults={"title": role_data["title"]}
    )
    role_fields = ("title", "level", "purpose", "source_document", "source_lines")
    if any(getattr(role, field) != role_data[field] for field in role_fields):
        for field in role_fields:
            setattr(role, field, role_data[field])
        role.save(update_fields=list(role_fields))

    if sync_exercises:
        _sync_exercises(role, spec["exercises"])

    digest = content_hash(spec)
    latest = Rubric.objects.filter(role=role).order_by("-version").first()
    if latest is not None and latest.content_hash == digest:
        return latest, False

    rubric_data = spec["rubric"]
    thresholds = rubric_data["thresholds"]
    rubric = Rubric.objects.create(
        role=role,
        version=(latest.version + 1) if latest else 1,
        weight_kind=rubric_data["weight_kind"],
        scale_labels=rubric_data["scale"],
        hire_threshold=Decimal(thresholds["hire"]),
        discuss_threshold=Decimal(thresholds["discuss"]),
        critical_floor=Decimal(thresholds["critical_floor"]),
        min_coverage=Decimal(thresholds["min_coverage"]),
        high_to_medium_ratio=Decimal(thresholds["high_to_medium_ratio"]),
        content_hash=digest,
        source=spec,
        change_note=change_note,
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    Dimension.objects.bulk_create(
        Dimension(
            rubric=rubric,
            position=position,
            key=dimension["key"],
            name=dimension["name"],
            weight_given=dimension["weight"],
            weight_kind=dimension["weight_kind"],
            weight_value=Decimal(dimension["weight_value"]),
            critical=dimension["critical"],
            anchors=dimension["anchors"],
        )
        for position, dimension in enumerate(rubric_data["dimensions"], start=1)
    )
    FocusArea.objects.bulk_create(
        FocusArea(rubric=rubric, position=position, title=area["title"], description=area["description"])
        for position, area in enumerate(rubric_data["focus_areas"], start=1)
    )
    Signal.objects.bulk_create(
        Signal(rubric=rubric, position=position, kind=signal["kind"], text=signal["text"])
        for position, signal in enumerate(rubric_data["signals"], start=1)
    )
    audit_record(
        actor=actor,
        action="rubric.published",
        obj=rubric,
        before={"version": latest.version} if latest else None,
        after={"role": role.slug, "version": rubric.version, "content_hash": digest, "change_note": change_note},
    )
    return rubric, True


def _sync_exercises(role: Role, exercises: list[dict[str, Any]]) -> None:
    existing = {exercise.slug: exercise for exercise in Exercise.objects.filter(role=role)}
    for position, data in enumerate(exercises, start=1):
        values = {
            "position": position,
            "title": data["title"],
            "format": data["format"],
            "duration": data["duration"],
            "materials": data["materials"],
            "tasks": data["tasks"],
            "evaluation": data["evaluation"],
            "dimension_names": data["dimensions"],
            "is_active": True,
        }
        exercise = existing.get(data["slug"])
        if exercise is None:
            Exercise.objects.create(role=role, slug=data["slug"], **values)
        elif any(getattr(exercise, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(exercise, key, value)
            exercise.save()
