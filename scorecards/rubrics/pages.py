"""Reads for the read-only rubric pages: every role's rubric, and one version with its history."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext, gettext_lazy

from exercises.models import Exercise
from hiring.errors import NotFound
from hiring.models import Role
from scorecards.models import Dimension, Rubric, RubricDraft, Signal
from scorecards.rubrics.anchors import Anchor, anchors_of
from scorecards.rubrics.selectors import dimension_normalized_weights

THRESHOLD_NAMES = {
    "hire": gettext_lazy("Hire threshold"),
    "discuss": gettext_lazy("Needs-discussion threshold"),
    "critical_floor": gettext_lazy("Critical dimension floor"),
    "min_coverage": gettext_lazy("Minimum coverage"),
    "high_to_medium_ratio": gettext_lazy("High to Medium ratio"),
}


@dataclass
class RoleRubrics:
    role: Role
    current: Rubric  # annotated: dimension_count, signal_count, red_flag_count
    version_count: int


def rubric_catalogue() -> list[RoleRubrics]:
    """Each role with its newest rubric version and how many versions it has (one query)."""
    rubrics = (
        Rubric.objects.select_related("role")
        .defer("source")
        .annotate(
            dimension_count=Count("dimensions", distinct=True),
            signal_count=Count("signals", filter=~Q(signals__kind=Signal.Kind.RED_FLAG), distinct=True),
            red_flag_count=Count("signals", filter=Q(signals__kind=Signal.Kind.RED_FLAG), distinct=True),
        )
        .order_by("role__title", "role_id", "-version")
    )
    catalogue: dict[int, RoleRubrics] = {}
    for rubric in rubrics:
        entry = catalogue.get(rubric.role_id)
        if entry is None:
            catalogue[rubric.role_id] = RoleRubrics(role=rubric.role, current=rubric, version_count=1)
        else:
            entry.version_count += 1
    return list(catalogue.values())


@dataclass
class VersionEntry:
    rubric: Rubric
    changes: list[str]


@dataclass
class RubricPage:
    role: Role
    rubric: Rubric
    is_latest: bool
    # (dimension, normalised weight, as a percent, its anchors)
    dimensions: list[tuple[Dimension, Decimal, Decimal, list[Anchor]]]
    scale: list[tuple[str, str]]
    strong: list[Signal]
    weak: list[Signal]
    red_flags: list[Signal]
    versions: list[VersionEntry]  # newest first
    exercises: list[Exercise]
    has_draft: bool


def rubric_page(*, role_slug: str, version: int | None = None) -> RubricPage:
    """One version of a role's rubric (the newest by default) with its parts and the version history."""
    role = Role.objects.filter(slug=role_slug).first()
    if role is None:
        raise NotFound(gettext("No role %(role_slug)s.") % {"role_slug": repr(role_slug)})
    versions = list(Rubric.objects.filter(role=role).select_related("published_by").order_by("-version"))
    if not versions:
        raise NotFound(gettext("Role %(role_slug)s has no published rubric.") % {"role_slug": repr(role_slug)})
    chosen = versions[0] if version is None else next((r for r in versions if r.version == version), None)
    if chosen is None:
        raise NotFound(
            gettext("Role %(role_slug)s has no rubric version %(version)s.")
            % {"role_slug": repr(role_slug), "version": version}
        )
    rubric = (
        Rubric.objects.filter(pk=chosen.pk)
        .prefetch_related(
            Prefetch("dimensions", queryset=Dimension.objects.order_by("position")),
            "focus_areas",
            Prefetch("signals", queryset=Signal.objects.order_by("position")),
        )
        .get()
    )
    rubric.published_by = chosen.published_by
    dimensions = list(rubric.dimensions.all())
    normals = dimension_normalized_weights(dimensions) if dimensions else {}
    signals = list(rubric.signals.all())
    history = [
        VersionEntry(
            rubric=entry,
            changes=rubric_changes(older.source, entry.source)
            if older is not None
            else [gettext("First published version.")],
        )
        for entry, older in zip(versions, [*versions[1:], None], strict=True)
    ]
    return RubricPage(
        role=role,
        rubric=rubric,
        is_latest=chosen.pk == versions[0].pk,
        dimensions=[
            (d, normals[d.pk], (normals[d.pk] * 100).quantize(Decimal("0.1")), anchors_of(d, rubric.scale_labels))
            for d in dimensions
        ],
        scale=sorted((str(k), v) for k, v in rubric.scale_labels.items()),
        strong=[s for s in signals if s.kind == Signal.Kind.STRONG],
        weak=[s for s in signals if s.kind == Signal.Kind.WEAK],
        red_flags=[s for s in signals if s.kind == Signal.Kind.RED_FLAG],
        versions=history,
        exercises=list(Exercise.objects.filter(role=role, is_active=True).order_by("position", "id")),
        has_draft=RubricDraft.objects.filter(role=role).exists(),
    )


def rubric_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What a reader would notice changed between two published specifications, in plain words."""
    before, after = old.get("rubric", {}), new.get("rubric", {})
    changes: list[str] = []
    if before.get("scale") != after.get("scale"):
        changes.append(gettext("Scale labels changed."))
    old_thresholds, new_thresholds = before.get("thresholds", {}), after.get("thresholds", {})
    for key, label in THRESHOLD_NAMES.items():
        if str(old_thresholds.get(key)) != str(new_thresholds.get(key)):
            changes.append(gettext("%(label)s: %(old)s → %(new)s.") % {
                "label": label, "old": old_thresholds.get(key), "new": new_thresholds.get(key)})

    renamed = {
        old_dim["name"]: new_dim["name"]
        for old_dim in before.get("dimensions", []) for new_dim in after.get("dimensions", [])
        if old_dim.get("key") and old_dim.get("key") == new_dim.get("key") and old_dim["name"] != new_dim["name"]
    }
    changes += [f"Dimension renamed: {old_name} → {new_name}." for old_name, new_name in renamed.items()]
    old_dims = {renamed.get(d["name"], d["name"]): d for d in before.get("dimensions", [])}
    new_dims = {d["name"]: d for d in after.get("dimensions", [])}
    for name in new_dims:
        if name not in old_dims:
            changes.append(gettext("Dimension added: %(name)s.") % {"name": name})
    for name in old_dims:
        if name not in new_dims:
            changes.append(gettext("Dimension removed: %(name)s.") % {"name": name})
    for name, dim in new_dims.items():
        previous = old_dims.get(name)
        if previous is None:
            continue
        if str(previous.get("weight")) != str(dim.get("weight")):
            changes.append(gettext("%(name)s: weight %(old)s → %(new)s.") % {
                "name": name, "old": previous.get("weight"), "new": dim.get("weight")})
        if bool(previous.get("critical")) != bool(dim.get("critical")):
            changes.append((gettext("%(name)s: now critical.") if dim.get("critical")
                            else gettext("%(name)s: no longer critical.")) % {"name": name})
        if previous.get("anchors") != dim.get("anchors"):
            changes.append(gettext("%(name)s: anchors reworded.") % {"name": name})

    old_areas = {a["title"] for a in before.get("focus_areas", [])}
    new_areas = {a["title"] for a in after.get("focus_areas", [])}
    changes += [gettext("Focus area added: %(title)s.") % {"title": title} for title in sorted(new_areas - old_areas)]
    changes += [gettext("Focus area removed: %(title)s.") % {"title": title} for title in sorted(old_areas - new_areas)]

    kinds = dict(Signal.Kind.choices)
    old_signals = {(s["kind"], s["text"]) for s in before.get("signals", [])}
    new_signals = {(s["kind"], s["text"]) for s in after.get("signals", [])}
    changes += [gettext("%(kind)s added: %(text)s") % {"kind": kinds.get(k, k), "text": t}
                for k, t in sorted(new_signals - old_signals)]
    changes += [gettext("%(kind)s removed: %(text)s") % {"kind": kinds.get(k, k), "text": t}
                for k, t in sorted(old_signals - new_signals)]

    # A version published from the editor leaves the exercise library alone and records none.
    if old.get("exercises") and new.get("exercises") and old.get("exercises") != new.get("exercises"):
        changes.append(gettext("Exercises changed."))
    return changes or [gettext("No change to the rubric's content.")]
