"""Loading, versioning, validating and exporting rubrics (load_rubrics / export_rubric)."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from exercises.models import Exercise
from hiring.models import AuditEvent, Role
from scorecards.models import Dimension, FocusArea, Rubric, Signal
from scorecards.rubrics.selectors import dimension_normalized_weights
from tests.scorecards.factories import RUBRIC_DIR, SLUGS

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "roles": Role.objects.count(),
        "rubrics": Rubric.objects.count(),
        "dimensions": Dimension.objects.count(),
        "signals": Signal.objects.count(),
        "focus_areas": FocusArea.objects.count(),
        "exercises": Exercise.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _load(*paths: Path | str) -> str:
    out = StringIO()
    call_command("load_rubrics", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def _fixture(slug: str) -> dict:
    return yaml.safe_load((RUBRIC_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict, name: str = "rubric.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_load_rubrics_loads_the_five_roles():
    """With no path, every fixture rubric is published as version 1 with its parts."""
    output = _load()
    assert sorted(Role.objects.values_list("slug", flat=True)) == sorted(SLUGS)
    assert set(Rubric.objects.values_list("version", flat=True)) == {1}
    dims = {slug: Dimension.objects.filter(rubric__role__slug=slug).count() for slug in SLUGS}
    assert dims == {
        "associate-applied-ai-engineer": 7,
        "junior-applied-ai-engineer": 8,
        "applied-ai-engineer": 7,
        "junior-ai-engineer": 6,
        "associate-responsible-ai-engineer": 7,
    }
    assert "applied-ai-engineer: version 1 published" in output
    assert Exercise.objects.filter(role__slug="applied-ai-engineer").count() == 4


def test_load_rubrics_twice_changes_nothing():
    """Loading the same files again publishes nothing and writes no audit event."""
    _load()
    before = _counts()
    output = _load()
    assert _counts() == before
    assert output.count("unchanged") == 5


def test_changed_file_publishes_a_new_version_and_keeps_the_old(tmp_path):
    """Editing a rubric makes version 2; version 1 stays exactly as it was."""
    _load()
    v1 = Rubric.objects.get(role__slug="applied-ai-engineer", version=1)
    v1_dims = list(v1.dimensions.values_list("name", "weight_given", "anchors"))
    data = _fixture("applied-ai-engineer")
    data["rubric"]["dimensions"][0]["anchors"][3]["text"] = "Writes clean, tested code."
    _load(_write(tmp_path, data))
    v2 = Rubric.objects.get(role__slug="applied-ai-engineer", version=2)
    assert v2.dimensions.get(position=1).anchors["3"]["text"] == "Writes clean, tested code."
    assert list(v1.dimensions.values_list("name", "weight_given", "anchors")) == v1_dims
    assert AuditEvent.objects.filter(action="rubric.published", object_id=str(v2.pk)).count() == 1


def test_applied_ai_engineer_weights_normalise_exactly():
    """Percent weights 20/15/20/15/10/10/10 normalise to exactly 0.20/0.15/0.20/0.15/0.10/0.10/0.10."""
    _load()
    dims = list(Dimension.objects.filter(rubric__role__slug="applied-ai-engineer").order_by("position"))
    weights = dimension_normalized_weights(dims)
    assert [weights[d.pk] for d in dims] == [Decimal(x) for x in ("0.2", "0.15", "0.2", "0.15", "0.1", "0.1", "0.1")]
    assert [d.weight_given for d in dims] == ["20", "15", "20", "15", "10", "10", "10"]
    assert [d.critical for d in dims] == [True, False, True, False, False, False, False]


def test_high_counts_twice_medium():
    """In the High/Medium rubric a High dimension weighs exactly twice a Medium one."""
    _load()
    dims = list(Dimension.objects.filter(rubric__role__slug="junior-applied-ai-engineer").order_by("position"))
    weights = dimension_normalized_weights(dims)
    high = [weights[d.pk] for d in dims if d.weight_given == "high"]
    medium = [weights[d.pk] for d in dims if d.weight_given == "medium"]
    assert len(high) == 3 and len(medium) == 5
    assert all(h == 2 * m for h in high for m in medium)
    assert sum(weights.values()) == pytest.approx(Decimal(1), abs=Decimal("1e-20"))
    assert all(d.critical == (d.weight_given == "high") for d in dims)


def test_equal_weights_have_no_critical_dimension():
    """Rubrics without weights in the document weigh dimensions equally and mark none critical."""
    _load()
    dims = Dimension.objects.filter(rubric__role__slug="junior-ai-engineer")
    assert {d.weight_kind for d in dims} == {"equal"}
    assert not any(d.critical for d in dims)


BAD_FILES = {
    "missing dimension name": (
        lambda d: d["rubric"]["dimensions"][0].pop("name"),
        "rubric.dimensions[0]: name missing",
    ),
    "weight not positive": (
        lambda d: d["rubric"]["dimensions"][1].__setitem__("weight", 0),
        "rubric.dimensions[1] (Applied ML/AI fundamentals): weight must be positive",
    ),
    "duplicate dimension": (
        lambda d: d["rubric"]["dimensions"][1].__setitem__("name", "Software engineering"),
        "duplicate dimension name 'Software engineering'",
    ),
    "unknown signal kind": (
        lambda d: d["rubric"]["signals"][0].__setitem__("kind", "amber"),
        "rubric.signals[0]: unknown signal kind 'amber'",
    ),
    "percent not adding up": (
        lambda d: d["rubric"]["dimensions"][0].__setitem__("weight", 25),
        "percent weights must add up to 100, they add up to 105",
    ),
    "exercise feeds unknown dimension": (
        lambda d: d["exercises"][0].__setitem__("dimensions", ["Juggling"]),
        "'Juggling' is not a dimension of this rubric",
    ),
    "missing role": (lambda d: d.pop("role"), "role: missing or not a mapping"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_malformed_file_is_rejected_whole(case, tmp_path):
    """A bad file names the file, the entry and the problem, and loads nothing, not even the good files."""
    _load()
    before = _counts()
    data = _fixture("applied-ai-engineer")
    data["role"]["slug"] = "brand-new-role"
    data["rubric"]["dimensions"][0]["anchors"][3]["text"] = "Changed so that a good file would publish."
    mutate, message = BAD_FILES[case]
    mutate(data)
    bad = _write(tmp_path, data, "bad.yaml")
    good_data = _fixture("junior-ai-engineer")
    good_data["rubric"]["dimensions"][0]["anchors"][3]["text"] = "Changed too."
    good = _write(tmp_path, good_data, "good.yaml")
    with pytest.raises(CommandError) as excinfo:
        _load(good, bad)
    assert str(bad) in str(excinfo.value)
    assert message in str(excinfo.value)
    assert _counts() == before


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("role: [unclosed", ".yaml", "is not valid YAML"),
        ('{"role": ', ".json", "is not valid JSON"),
        ("- just\n- a list\n", ".yaml", "must hold a mapping"),
    ],
)
def test_unparseable_file_is_rejected(text, suffix, expected, tmp_path):
    """Syntax errors are reported with the file's name and nothing is loaded."""
    path = tmp_path / f"broken{suffix}"
    path.write_text(text)
    with pytest.raises(CommandError) as excinfo:
        _load(path)
    assert str(path) in str(excinfo.value) and expected in str(excinfo.value)
    assert _counts()["rubrics"] == 0


def test_actor_is_recorded_as_publisher_and_in_the_audit_trail():
    from tests.hiring.factories import UserFactory

    admin = UserFactory(kind="admin", username="ops")
    _load(RUBRIC_DIR / f"{SLUGS[0]}.yaml", "--actor", "ops")
    rubric = Rubric.objects.get()
    assert rubric.published_by == admin
    assert AuditEvent.objects.get(action="rubric.published").actor == admin


@pytest.mark.parametrize(("username", "problem"), [("nobody", "there is no user 'nobody'"),
                                                   ("ivy", "'ivy' is not an admin")])
def test_actor_must_be_an_existing_admin_and_nothing_is_loaded_otherwise(username, problem):
    from tests.hiring.factories import UserFactory

    UserFactory(kind="interviewer", username="ivy")
    with pytest.raises(CommandError, match=f"--actor: {problem}"):
        _load(RUBRIC_DIR / f"{SLUGS[0]}.yaml", "--actor", username)
    assert _counts()["rubrics"] == 0


def test_missing_path_is_an_error():
    with pytest.raises(CommandError, match="no-such-file.yaml: no such file or folder"):
        _load("no-such-file.yaml")


@pytest.mark.parametrize("slug", SLUGS)
def test_export_then_load_as_new_role_gives_an_identical_rubric(slug, tmp_path):
    """export_rubric prints what load_rubrics reads: loaded under a new slug it is the same rubric."""
    _load()
    out = StringIO()
    call_command("export_rubric", slug, stdout=out)
    exported = json.loads(out.getvalue())
    assert sum(d["normalized_weight"] for d in exported["rubric"]["dimensions"]) == pytest.approx(1.0, abs=1e-5)
    assert {"name", "weight", "weight_kind", "normalized_weight"} <= set(exported["rubric"]["dimensions"][0])
    exported["role"]["slug"] = "copy-of-" + slug
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(exported))
    _load(path)
    original = Rubric.objects.get(role__slug=slug)
    copy = Rubric.objects.get(role__slug="copy-of-" + slug)
    assert copy.content_hash == original.content_hash
    fields = (
        "position",
        "name",
        "weight_given",
        "weight_kind",
        "weight_value",
        "critical",
        "key",
        "anchors",
    )
    assert list(copy.dimensions.values_list(*fields)) == list(original.dimensions.values_list(*fields))
    assert list(copy.signals.values_list("kind", "text")) == list(original.signals.values_list("kind", "text"))


def test_yaml_export_reloads_unchanged(tmp_path):
    """Reloading the YAML export of a role publishes no new version."""
    _load()
    out = StringIO()
    call_command("export_rubric", "junior-applied-ai-engineer", "--format", "yaml", stdout=out)
    path = tmp_path / "export.yaml"
    path.write_text(out.getvalue())
    assert "unchanged" in _load(path)
    assert Rubric.objects.filter(role__slug="junior-applied-ai-engineer").count() == 1


def test_export_unknown_role_is_a_clear_error():
    with pytest.raises(CommandError, match="No role with slug 'nope'"):
        call_command("export_rubric", "nope", stdout=StringIO())


def test_database_refuses_duplicate_dimension_and_bad_scores(rubrics):
    """Structural rules hold in the database itself, not only in the loader."""
    rubric = rubrics["applied-ai-engineer"]
    first = rubric.dimensions.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Dimension.objects.create(
            rubric=rubric, position=99, name=first.name, weight_given="1", weight_kind="percent", weight_value=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Dimension.objects.create(
            rubric=rubric, position=98, name="Zero", weight_given="0", weight_kind="percent", weight_value=0
        )


def test_seed_demo_is_idempotent(django_capture_on_commit_callbacks):
    """seed_demo twice gives the same users, candidates and scorecards."""
    from hiring.models import Candidate, User
    from scorecards.models import Scorecard

    # As in `make run` (autocommit), what is queued after commit runs.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    counts = (User.objects.count(), Candidate.objects.count(), Scorecard.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (User.objects.count(), Candidate.objects.count(), Scorecard.objects.count()) == counts
    assert counts[1] == 12
    assert set(User.objects.values_list("kind", flat=True)) == {"admin", "committee", "recruiter", "interviewer"}
    assert Scorecard.objects.filter(status="submitted").exists() and Scorecard.objects.filter(status="draft").exists()
    # The committee finds one calibration report, computed in-process (no broker in the embedded set-up).
    from scorecards.models import CalibrationReport

    assert list(CalibrationReport.objects.values_list("status", "min_sample")) == [("done", 3)]


def test_reloading_an_export_after_a_library_edit_publishes_no_new_version(tmp_path):
    """Exercises are a library, not part of a rubric version: an export loaded back after an edit changes nothing."""
    from exercises.services.library import ExerciseInput, exercise_update
    from tests.hiring.factories import UserFactory

    slug = "junior-applied-ai-engineer"
    _load(RUBRIC_DIR / f"{slug}.yaml")
    exercise = Exercise.objects.filter(role__slug=slug).order_by("position").first()
    assert exercise is not None
    edited = ExerciseInput(title="Retrieval bug hunt (90 minutes)", format=exercise.format,
                           duration=exercise.duration, materials=exercise.materials, tasks=exercise.tasks,
                           evaluation=exercise.evaluation, dimension_names=exercise.dimension_names,
                           slug=exercise.slug)
    exercise_update(actor=UserFactory(kind="admin"), exercise_id=exercise.pk, data=edited,
                    expected_updated_at=exercise.updated_at)

    out = StringIO()
    call_command("export_rubric", slug, "--format", "yaml", stdout=out)
    path = tmp_path / "export.yaml"
    path.write_text(out.getvalue())

    assert "version 1 unchanged" in _load(path)
    assert Rubric.objects.filter(role__slug=slug).count() == 1
    exercise.refresh_from_db()
    assert exercise.title == "Retrieval bug hunt (90 minutes)"


def test_a_file_changing_only_an_exercise_updates_it_without_a_new_rubric_version(tmp_path):
    """The exercise is updated in place by its slug; the rubric version the loops pin stays the newest."""
    slug = "applied-ai-engineer"
    _load(RUBRIC_DIR / f"{slug}.yaml")
    document = _fixture(slug)
    document["exercises"][0]["title"] = "A new title for the first exercise"
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))

    assert "version 1 unchanged" in _load(path)
    assert Rubric.objects.filter(role__slug=slug).count() == 1
    first = Exercise.objects.get(role__slug=slug, slug=document["exercises"][0]["slug"])
    assert first.title == "A new title for the first exercise"
