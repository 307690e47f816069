"""Provenance checks: every rubric fixture is transcribed verbatim from its source document."""

import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
RUBRICS_DIR = REPO_ROOT / "fixtures" / "rubrics"
SOURCES_DIR = REPO_ROOT / "fixtures" / "sources"

EXPECTED_DIMENSION_COUNTS = {
    "associate-applied-ai-engineer": 7,
    "junior-applied-ai-engineer": 8,
    "applied-ai-engineer": 7,
    "junior-ai-engineer": 6,
    "associate-responsible-ai-engineer": 7,
}

RUBRIC_FILES = sorted(RUBRICS_DIR.glob("*.yaml"))


def fold(text):
    """Collapse every run of whitespace to one space and strip the ends."""
    return re.sub(r"\s+", " ", str(text)).strip()


def load(path):
    """Parse one rubric YAML file."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def quoted_fields(data):
    """Yield (location, text) for every field that must appear verbatim in the source."""
    rubric = data.get("rubric") or {}
    for i, area in enumerate(rubric.get("focus_areas") or []):
        yield f"rubric.focus_areas[{i}].title", area.get("title")
        yield f"rubric.focus_areas[{i}].description", area.get("description")
    for i, dim in enumerate(rubric.get("dimensions") or []):
        yield f"rubric.dimensions[{i}].name", dim.get("name")
        # Only the anchors marked as the document's: the team's own are checked below.
        for point, anchor in (dim.get("anchors") or {}).items():
            if anchor.get("source") == "document":
                yield f"rubric.dimensions[{i}].anchors.{point}", anchor.get("text")
    for i, signal in enumerate(rubric.get("signals") or []):
        yield f"rubric.signals[{i}] ({signal.get('kind')})", signal.get("text")
    for i, exercise in enumerate(data.get("exercises") or []):
        yield f"exercises[{i}].title", exercise.get("title")
        for key in ("materials", "tasks", "evaluation"):
            for j, item in enumerate(exercise.get(key) or []):
                yield f"exercises[{i}].{key}[{j}]", item


def test_exactly_the_five_expected_rubric_files_exist():
    """The rubrics folder holds exactly the five expected role files, each named after its slug."""
    stems = sorted(path.stem for path in RUBRIC_FILES)
    assert stems == sorted(EXPECTED_DIMENSION_COUNTS), (
        f"expected rubric files {sorted(EXPECTED_DIMENSION_COUNTS)}, found {stems}"
    )
    slugs = {path.stem: load(path)["role"]["slug"] for path in RUBRIC_FILES}
    mismatched = {stem: slug for stem, slug in slugs.items() if stem != slug}
    assert not mismatched, f"file name and role.slug differ: {mismatched}"


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_quoted_text_appears_in_source_document(path):
    """Every dimension, anchor, signal, focus area and exercise text occurs in the source document."""
    data = load(path)
    source_name = data["role"]["source_document"]
    source_path = SOURCES_DIR / source_name
    assert source_path.is_file(), f"{path.name}: source document {source_name} not found in {SOURCES_DIR}"
    source = fold(source_path.read_text(encoding="utf-8"))
    missing = []
    for location, text in quoted_fields(data):
        if not text or not fold(text):
            missing.append(f"  {location}: empty")
        elif fold(text) not in source:
            missing.append(f"  {location}: {fold(text)!r}")
    assert not missing, (
        f"{path.name}: {len(missing)} field(s) not found verbatim in {source_name}:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_exercise_dimensions_exist_in_rubric(path):
    """Every dimension an exercise feeds is one of the rubric's own dimension names."""
    data = load(path)
    names = {dim["name"] for dim in data["rubric"]["dimensions"]}
    unknown = [
        f"  {exercise.get('slug')}: {name!r}"
        for exercise in data.get("exercises") or []
        for name in exercise.get("dimensions") or []
        if name not in names
    ]
    assert not unknown, (
        f"{path.name}: exercise dimensions not in the rubric {sorted(names)}:\n" + "\n".join(unknown)
    )


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_dimension_count_matches_expected(path):
    """Each rubric has the number of dimensions its source document lists."""
    data = load(path)
    slug = data["role"]["slug"]
    assert slug in EXPECTED_DIMENSION_COUNTS, f"{path.name}: unexpected role slug {slug!r}"
    count = len(data["rubric"]["dimensions"])
    expected = EXPECTED_DIMENSION_COUNTS[slug]
    assert count == expected, f"{path.name}: expected {expected} dimensions, found {count}"


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_every_point_has_an_anchor_and_says_who_wrote_it(path):
    """Each dimension describes all five points; text not in the document is marked as the team's."""
    data = load(path)
    source = fold((SOURCES_DIR / data["role"]["source_document"]).read_text(encoding="utf-8"))
    for dim in data["rubric"]["dimensions"]:
        anchors = dim["anchors"]
        assert sorted(anchors) == [1, 2, 3, 4, 5], f"{dim['name']}: anchors for {sorted(anchors)}"
        for point, anchor in anchors.items():
            assert fold(anchor["text"]), f"{dim['name']} point {point}: empty"
            assert anchor["source"] in ("document", "team"), f"{dim['name']} point {point}: {anchor['source']!r}"
            if anchor["source"] == "team":
                # Written from the document's signals and concerns, but not a copy of one of its anchors.
                copied = point == 3 and fold(anchor["text"]) in source
                assert not copied, f"{dim['name']}: the document's 3 is marked team"
