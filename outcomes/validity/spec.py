"""The role's rubric as the validity report needs it: dimension weights, critical dimensions, the floor."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from hiring.errors import NotFound
from hiring.models import Role
from outcomes.validity.report import DimensionSpec, RubricSpec
from scorecards.models import Rubric
from scorecards.rubrics.io import read_rubric_file, validate_rubric

RUBRIC_FILES = Path(settings.BASE_DIR) / "fixtures" / "rubrics"


def spec_of_rubric(rubric: Rubric) -> RubricSpec:
    return RubricSpec(
        dimensions=tuple(DimensionSpec(d.name, float(d.weight_value), d.critical)
                         for d in rubric.dimensions.order_by("position")),
        critical_floor=float(rubric.critical_floor),
    )


def spec_for_role(slug: str) -> RubricSpec:
    """The current rubric of the role in the database, or else the role's rubric file in fixtures/rubrics/."""
    role = Role.objects.filter(slug=slug).first()
    if role is not None:
        rubric = Rubric.objects.filter(role=role).order_by("-version").first()
        if rubric is not None:
            return spec_of_rubric(rubric)
    path = RUBRIC_FILES / f"{slug}.yaml"
    if not slug or "/" in slug or not path.is_file():
        known = sorted({*Role.objects.values_list("slug", flat=True), *(p.stem for p in RUBRIC_FILES.glob("*.yaml"))})
        raise NotFound(f"No role {slug!r} (known: {', '.join(known) or 'none'}).")
    data = validate_rubric(read_rubric_file(path), str(path))
    return RubricSpec(
        dimensions=tuple(DimensionSpec(d["name"], float(d["weight_value"]), bool(d["critical"]))
                         for d in data["rubric"]["dimensions"]),
        critical_floor=float(data["rubric"]["thresholds"]["critical_floor"]),
    )
