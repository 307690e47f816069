"""Reading, validating and writing rubric files (the format in fixtures/rubrics/FORMAT.md).

Everything here is plain data: no ORM. A file is validated whole before
anything is saved, and every problem names the file, the entry and the issue.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.text import slugify

from hiring.errors import ValidationFailed

WEIGHT_KINDS = ("percent", "high_medium", "equal")
SIGNAL_KINDS = ("strong", "weak", "red_flag")
POINTS = ("1", "2", "3", "4", "5")
ANCHOR_SOURCES = ("document", "team")
# The columns of the documents' scorecard tables, read by files written before anchors had one entry per point.
LEGACY_ANCHOR_POINTS = {"concerns": "1", "meets": "3", "exceeds": "5"}
EXERCISE_FORMATS = ("take_home", "live", "discussion")
DEFAULT_THRESHOLDS = {
    "hire": Decimal("3.5"),
    "discuss": Decimal("3.0"),
    "critical_floor": Decimal("2.5"),
    "min_coverage": Decimal("0.8"),
    "high_to_medium_ratio": Decimal("2"),
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RubricFileError(ValidationFailed):
    """A rubric file was refused; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems), code="invalid_rubric", field_errors={"rubric": problems})


def read_rubric_file(path: Path) -> Any:
    """Parse a YAML or JSON file; a syntax error becomes a RubricFileError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricFileError(str(path), [f"cannot be read: {exc.strerror}"]) from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise RubricFileError(str(path), [f"is not valid {kind}: {exc}".splitlines()[0]]) from exc


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _text_list(value: Any, where: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f"{where}: must be a list of strings")
        return []
    return [item.strip() for item in value]


def _decimal(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if isinstance(value, bool):
        problems.append(f"{where}: must be a number, not {value!r}")
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        problems.append(f"{where}: must be a number, not {value!r}")
        return None
    if not number.is_finite():
        problems.append(f"{where}: must be a finite number")
        return None
    return number


_PROBLEM_PATH = re.compile(r"^(?P<head>[\w.\[\]]+)(?: \([^)]*\))?(?P<tail>[\w.]*): ")


def problems_by_field(problems: list[str]) -> dict[str, list[str]]:
    """Group a RubricFileError's problems by the field they name (``rubric.dimensions[2].anchors.4``).

    The editor puts each message beside its field; the messages stay the validator's own, so the file and the
    editor refuse the same things in the same words.
    """
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        match = _PROBLEM_PATH.match(problem)
        field = (match["head"] + match["tail"]) if match else "rubric"
        message = problem[match.end():] if match else problem
        grouped.setdefault(field, []).append(message)
    return grouped


def _anchors(value: Any, where: str, problems: list[str]) -> dict[str, dict[str, str]]:
    """An anchor per point 1-5 as ``{"text", "source"}``; an empty point has text "" and source "".

    A point is written ``3: {text: ..., source: document}``; the older keys ``concerns``, ``meets`` and
    ``exceeds`` (points 1, 3 and 5, copied from the document) are still read.
    """
    anchors = {point: {"text": "", "source": ""} for point in POINTS}
    if value is None:
        return anchors
    if not isinstance(value, dict):
        problems.append(f"{where}: must be a mapping of points 1 to 5")
        return anchors
    given: set[str] = set()
    for raw_key, raw in value.items():
        key = str(raw_key).strip()
        if key in LEGACY_ANCHOR_POINTS:
            point, entry = LEGACY_ANCHOR_POINTS[key], {"text": raw, "source": "document"}
        elif key in POINTS:
            point, entry = key, raw
        else:
            problems.append(f"{where}.{key}: unknown anchor (points 1 to 5)")
            continue
        if point in given:
            problems.append(f"{where}.{point}: given twice")
            continue
        given.add(point)
        if not isinstance(entry, dict) or not isinstance(entry.get("text", ""), str):
            problems.append(f"{where}.{point}: must be a mapping with text and source")
            continue
        text = _text(entry.get("text"))
        source = _text(entry.get("source"))
        if text and source not in ANCHOR_SOURCES:
            problems.append(
                f"{where}.{point}: source must be 'document' or 'team' (who wrote it), not {source or 'missing'!r}"
            )
        if len(text) > 1000:
            problems.append(f"{where}.{point}: at most 1000 characters, not {len(text)}")
        anchors[point] = {"text": text, "source": source if text else ""}
    return anchors


def validate_rubric(data: Any, source: str) -> dict[str, Any]:
    """Return the normalised specification of a rubric document, or raise RubricFileError.

    The specification has every default filled in (thresholds, critical
    dimensions, anchors), so two documents that mean the same rubric give the
    same specification and the same content hash.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise RubricFileError(source, ["the file must hold a mapping with 'role', 'rubric' and 'exercises'"])

    role_in = data.get("role")
    rubric_in = data.get("rubric")
    if not isinstance(role_in, dict):
        problems.append("role: missing or not a mapping")
        role_in = {}
    if not isinstance(rubric_in, dict):
        problems.append("rubric: missing or not a mapping")
        rubric_in = {}

    role: dict[str, Any] = {}
    slug = _text(role_in.get("slug"))
    if not slug:
        problems.append("role.slug: missing")
    elif not SLUG_RE.match(slug):
        problems.append(f"role.slug: {slug!r} must be lowercase letters, digits and hyphens")
    role["slug"] = slug
    role["title"] = _text(role_in.get("title"))
    if not role["title"]:
        problems.append("role.title: missing")
    for key in ("level", "purpose", "source_document", "source_lines"):
        role[key] = _text(role_in.get(key))

    # Scale.
    scale_in = rubric_in.get("scale")
    scale: dict[str, str] = {}
    if not isinstance(scale_in, list):
        problems.append("rubric.scale: missing or not a list of {value, label}")
    else:
        for index, entry in enumerate(scale_in):
            if (
                not isinstance(entry, dict)
                or entry.get("value") not in (1, 2, 3, 4, 5)
                or not _text(entry.get("label"))
            ):
                problems.append(f"rubric.scale[{index}]: needs a value from 1 to 5 and a label")
                continue
            if str(entry["value"]) in scale:
                problems.append(f"rubric.scale[{index}]: value {entry['value']} appears twice")
            scale[str(entry["value"])] = _text(entry["label"])
        if not problems and sorted(scale) != ["1", "2", "3", "4", "5"]:
            problems.append("rubric.scale: must label each of the values 1 to 5")

    # Thresholds.
    thresholds_in = rubric_in.get("thresholds") or {}
    thresholds: dict[str, Decimal] = dict(DEFAULT_THRESHOLDS)
    if not isinstance(thresholds_in, dict):
        problems.append("rubric.thresholds: must be a mapping")
        thresholds_in = {}
    for key, value in thresholds_in.items():
        if key not in DEFAULT_THRESHOLDS:
            problems.append(f"rubric.thresholds.{key}: unknown threshold (known: {', '.join(DEFAULT_THRESHOLDS)})")
            continue
        number = _decimal(value, f"rubric.thresholds.{key}", problems)
        if number is not None:
            thresholds[key] = number
    if not (Decimal(1) <= thresholds["discuss"] <= thresholds["hire"] <= Decimal(5)):
        problems.append("rubric.thresholds: need 1 <= discuss <= hire <= 5")
    if not (Decimal(1) <= thresholds["critical_floor"] <= Decimal(5)):
        problems.append("rubric.thresholds.critical_floor: must be between 1 and 5")
    if not (Decimal(0) < thresholds["min_coverage"] <= Decimal(1)):
        problems.append("rubric.thresholds.min_coverage: must be above 0 and at most 1")
    if thresholds["high_to_medium_ratio"] <= 0:
        problems.append("rubric.thresholds.high_to_medium_ratio: must be positive")

    # Focus areas.
    focus_areas: list[dict[str, str]] = []
    for index, entry in enumerate(rubric_in.get("focus_areas") or []):
        if not isinstance(entry, dict) or not _text(entry.get("title")):
            problems.append(f"rubric.focus_areas[{index}]: needs a title")
            continue
        focus_areas.append({"title": _text(entry["title"]), "description": _text(entry.get("description"))})

    # Dimensions.
    dimensions: list[dict[str, Any]] = []
    dims_in = rubric_in.get("dimensions")
    if not isinstance(dims_in, list) or not dims_in:
        problems.append("rubric.dimensions: missing or empty")
        dims_in = []
    seen_names: set[str] = set()
    seen_keys: set[str] = set()
    kinds: set[str] = set()
    for index, entry in enumerate(dims_in):
        where = f"rubric.dimensions[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        name = _text(entry.get("name"))
        where = f"{where} ({name})" if name else where
        if not name:
            problems.append(f"{where}: name missing")
        elif name.casefold() in seen_names:
            problems.append(f"{where}: duplicate dimension name {name!r}")
        seen_names.add(name.casefold())
        kind = _text(entry.get("weight_kind"))
        if kind not in WEIGHT_KINDS:
            problems.append(f"{where}: weight_kind must be one of {', '.join(WEIGHT_KINDS)}, not {kind or 'missing'!r}")
        kinds.add(kind)
        raw_weight = entry.get("weight")
        weight_given = ""
        if kind == "high_medium":
            if not isinstance(raw_weight, str) or raw_weight.strip().lower() not in ("high", "medium"):
                problems.append(f"{where}: weight must be 'high' or 'medium' for weight_kind high_medium")
            else:
                weight_given = raw_weight.strip().lower()
        elif kind in ("percent", "equal"):
            number = _decimal(raw_weight, f"{where}.weight", problems) if raw_weight is not None else None
            if raw_weight is None:
                problems.append(f"{where}: weight missing")
            elif number is not None and number <= 0:
                problems.append(f"{where}: weight must be positive, not {raw_weight!r}")
            elif number is not None:
                weight_given = format(number.normalize(), "f")
        path = f"rubric.dimensions[{index}]"
        key = _text(entry.get("key")) or slugify(name)[:80]
        if name and not SLUG_RE.match(key):
            problems.append(f"{path}.key: {key!r} must be lowercase letters, digits and hyphens")
        elif key and key in seen_keys:
            problems.append(f"{path}.key: duplicate dimension key {key!r}")
        seen_keys.add(key)
        anchors = _anchors(entry.get("anchors"), f"{path}.anchors", problems)
        critical = entry.get("critical")
        if critical is not None and not isinstance(critical, bool):
            problems.append(f"{where}.critical: must be true or false")
            critical = None
        dimensions.append(
            {
                "key": key,
                "name": name,
                "weight": weight_given,
                "weight_kind": kind,
                "critical": critical,
                "anchors": anchors,
            }
        )
    if len(kinds) > 1:
        problems.append(
            f"rubric.dimensions: every dimension must share one weight_kind, found {', '.join(sorted(kinds))}"
        )
    weight_kind = next(iter(kinds)) if len(kinds) == 1 else ""
    if weight_kind == "percent" and not problems:
        total = sum(Decimal(d["weight"]) for d in dimensions)
        if total != 100:
            problems.append(f"rubric.dimensions: percent weights must add up to 100, they add up to {total}")

    # Signals.
    signals: list[dict[str, str]] = []
    for index, entry in enumerate(rubric_in.get("signals") or []):
        where = f"rubric.signals[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping with kind and text")
            continue
        kind = _text(entry.get("kind"))
        if kind not in SIGNAL_KINDS:
            problems.append(f"{where}: unknown signal kind {kind or 'missing'!r} (known: {', '.join(SIGNAL_KINDS)})")
        if not _text(entry.get("text")):
            problems.append(f"{where}: text missing")
        signals.append({"kind": kind, "text": _text(entry.get("text"))})

    # Exercises.
    exercises: list[dict[str, Any]] = []
    seen_slugs: set[str] = set()
    exercises_in = data.get("exercises") or []
    if not isinstance(exercises_in, list):
        problems.append("exercises: must be a list")
        exercises_in = []
    for index, entry in enumerate(exercises_in):
        where = f"exercises[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        ex_slug = _text(entry.get("slug"))
        where = f"{where} ({ex_slug})" if ex_slug else where
        if not ex_slug or not SLUG_RE.match(ex_slug):
            problems.append(f"{where}: slug missing or not lowercase-with-hyphens")
        elif ex_slug in seen_slugs:
            problems.append(f"{where}: duplicate exercise slug")
        seen_slugs.add(ex_slug)
        if not _text(entry.get("title")):
            problems.append(f"{where}: title missing")
        ex_format = _text(entry.get("format"))
        if ex_format not in EXERCISE_FORMATS:
            problems.append(
                f"{where}: format must be one of {', '.join(EXERCISE_FORMATS)}, not {ex_format or 'missing'!r}"
            )
        feeds = _text_list(entry.get("dimensions"), f"{where}.dimensions", problems)
        for feed in feeds:
            if feed.casefold() not in seen_names:
                problems.append(f"{where}.dimensions: {feed!r} is not a dimension of this rubric")
        exercises.append(
            {
                "slug": ex_slug,
                "title": _text(entry.get("title")),
                "format": ex_format,
                "duration": _text(entry.get("duration")),
                "materials": _text_list(entry.get("materials"), f"{where}.materials", problems),
                "tasks": _text_list(entry.get("tasks"), f"{where}.tasks", problems),
                "evaluation": _text_list(entry.get("evaluation"), f"{where}.evaluation", problems),
                "dimensions": feeds,
            }
        )

    translations = _translations(data.get("translations"), dimensions, signals, problems)
    if problems:
        raise RubricFileError(source, problems)

    _resolve_weights_and_critical(dimensions, weight_kind, thresholds["high_to_medium_ratio"])
    rubric: dict[str, Any] = {
        "weight_kind": weight_kind,
        "scale": scale,
        "thresholds": {key: format(value.normalize(), "f") for key, value in thresholds.items()},
        "focus_areas": focus_areas,
        "dimensions": dimensions,
        "signals": signals,
    }
    if translations:
        # Part of the version (and its hash) only when present, so a rubric without any keeps its hash.
        rubric["translations"] = translations
    return {"role": role, "rubric": rubric, "exercises": exercises}


def _translations(
    value: Any, dimensions: list[dict[str, Any]], signals: list[dict[str, Any]], problems: list[str]
) -> dict[str, Any]:
    """The optional per-language override of the rubric's own text (docs/rubric-format.md#translations)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append("translations: must be a mapping of language code to texts")
        return {}
    languages = {code.split("-")[0] for code, _name in settings.LANGUAGES}
    names = {dimension["name"] for dimension in dimensions}
    texts = {signal["text"] for signal in signals}
    result: dict[str, Any] = {}
    for code, entry in value.items():
        where = f"translations.{code}"
        if code not in languages:
            problems.append(f"{where}: not a language of this site (known: {', '.join(sorted(languages))})")
            continue
        if not isinstance(entry, dict) or set(entry) - {"scale", "dimensions", "signals"}:
            problems.append(f"{where}: a mapping with only scale, dimensions and signals")
            continue
        own: dict[str, Any] = {}
        scale = entry.get("scale") or {}
        if not isinstance(scale, dict) or any(str(k) not in {"1", "2", "3", "4", "5"} for k in scale):
            problems.append(f"{where}.scale: a mapping of values 1 to 5 to labels")
        elif scale:
            own["scale"] = {str(k): _text(v) for k, v in scale.items()}
        dimensions_in = entry.get("dimensions") or {}
        own_dimensions: dict[str, dict[str, str]] = {}
        for name, texts_in in dimensions_in.items() if isinstance(dimensions_in, dict) else []:
            if name not in names:
                problems.append(f"{where}.dimensions: {name!r} is not a dimension of this rubric")
            elif not isinstance(texts_in, dict) or set(texts_in) - {"name", "anchors"}:
                problems.append(f"{where}.dimensions.{name}: a mapping with name and anchors")
            else:
                anchors = texts_in.get("anchors") or {}
                if not isinstance(anchors, dict) or set(anchors) - {"meets", "exceeds", "concerns"}:
                    problems.append(f"{where}.dimensions.{name}.anchors: only meets, exceeds and concerns")
                    continue
                own_dimensions[name] = {
                    "name": _text(texts_in.get("name")), **{key: _text(text) for key, text in anchors.items()}
                }
        if not isinstance(dimensions_in, dict):
            problems.append(f"{where}.dimensions: a mapping of dimension name to its texts")
        if own_dimensions:
            own["dimensions"] = own_dimensions
        signals_in = entry.get("signals") or {}
        if not isinstance(signals_in, dict):
            problems.append(f"{where}.signals: a mapping of signal text to its translation")
        else:
            for text in set(signals_in) - texts:
                problems.append(f"{where}.signals: {text!r} is not a signal of this rubric")
            if signals_in:
                own["signals"] = {text: _text(translated) for text, translated in signals_in.items()}
        if own:
            result[code] = own
    return result


def weight_value(weight_given: str, weight_kind: str, high_to_medium_ratio: Decimal) -> Decimal:
    """The numeric weight before normalisation: High counts ``ratio`` times Medium."""
    if weight_kind == "high_medium":
        return high_to_medium_ratio if weight_given == "high" else Decimal(1)
    return Decimal(weight_given)


def normalized_weights(values: list[Decimal]) -> list[Decimal]:
    total = sum(values, Decimal(0))
    return [value / total for value in values]


def _resolve_weights_and_critical(dimensions: list[dict[str, Any]], weight_kind: str, ratio: Decimal) -> None:
    values = [weight_value(d["weight"], weight_kind, ratio) for d in dimensions]
    top = max(values)
    weights_differ = len(set(values)) > 1
    for dimension, value in zip(dimensions, values, strict=True):
        if dimension["critical"] is None:
            # fixtures/rubrics/FORMAT.md: by default the highest weight class is critical, none when weights are equal.
            dimension["critical"] = weights_differ and value == top
        dimension["weight_value"] = str(value)


def content_hash(spec: dict[str, Any]) -> str:
    """A stable hash of what a rubric version means: its ``rubric`` part only.

    The role's text is not versioned, and neither are its exercises: they are
    a library kept up to date in place (by slug). Hashing them too published
    a new rubric version, identical in every dimension, signal and threshold,
    whenever only an exercise had changed, e.g. when an export of the current
    version was loaded back after an admin had edited the library.
    """
    payload = {"rubric": spec["rubric"]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def spec_to_document(spec: dict[str, Any], *, with_normalized: bool) -> dict[str, Any]:
    """Turn a specification back into the file format; the loader reads the result unchanged."""
    rubric = spec["rubric"]
    values = [Decimal(d["weight_value"]) for d in rubric["dimensions"]]
    normals = normalized_weights(values)
    dimensions = []
    for dimension, normal in zip(rubric["dimensions"], normals, strict=True):
        given: Any = dimension["weight"]
        if dimension["weight_kind"] != "high_medium":
            number = Decimal(given)
            given = int(number) if number == number.to_integral_value() else float(number)
        item: dict[str, Any] = {
            "name": dimension["name"],
            "weight": given,
            "weight_kind": dimension["weight_kind"],
        }
        if with_normalized:
            item["normalized_weight"] = float(round(normal, 6))
        item["critical"] = dimension["critical"]
        item["key"] = dimension["key"]
        item["anchors"] = {int(point): dict(anchor) for point, anchor in sorted(dimension["anchors"].items())}
        dimensions.append(item)
    thresholds = {}
    for key, value in rubric["thresholds"].items():
        number = Decimal(value)
        thresholds[key] = int(number) if number == number.to_integral_value() else float(number)
    document: dict[str, Any] = {
        "role": dict(spec["role"]),
        "rubric": {
            "scale": [{"value": int(value), "label": label} for value, label in sorted(rubric["scale"].items())],
            "thresholds": thresholds,
            "focus_areas": [dict(area) for area in rubric["focus_areas"]],
            "dimensions": dimensions,
            "signals": [dict(signal) for signal in rubric["signals"]],
        },
        "exercises": [dict(exercise) for exercise in spec["exercises"]],
    }
    if rubric.get("translations"):
        document["translations"] = {code: _translation_document(own) for code, own in rubric["translations"].items()}
    return document


def _translation_document(own: dict[str, Any]) -> dict[str, Any]:
    """One language's stored texts back in the file's shape (each dimension's anchors under ``anchors``)."""
    result = {key: value for key, value in own.items() if key != "dimensions"}
    if "dimensions" in own:
        result["dimensions"] = {
            name: {
                **({"name": texts["name"]} if texts.get("name") else {}),
                "anchors": {key: texts[key] for key in ("meets", "exceeds", "concerns") if key in texts},
            }
            for name, texts in own["dimensions"].items()
        }
    return result
