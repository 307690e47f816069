"""Editing a rubric in the app: the draft's rules, publishing a version, who may, and the file round trip."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from exercises.models import Exercise
from hiring.errors import Conflict, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent
from hiring.services.loops import loop_open
from scorecards.models import Rubric, RubricDraft
from scorecards.rubrics.diff import rubric_diff
from scorecards.rubrics.drafts import (
    may_edit_rubrics,
    rubric_draft_discard,
    rubric_draft_open,
    rubric_draft_publish,
    rubric_draft_save,
)
from scorecards.rubrics.io import spec_to_document, validate_rubric
from scorecards.rubrics.selectors import rubric_spec
from tests.hiring.factories import CandidateFactory, UserFactory, make_loop
from tests.scorecards.factories import rubric_editors_group

pytestmark = pytest.mark.django_db
SLUG = "applied-ai-engineer"


@pytest.fixture
def editor(db):
    user = UserFactory(kind="interviewer", username="eddie")
    user.groups.add(rubric_editors_group())
    return user


@pytest.fixture
def draft(rubrics, editor):
    return rubric_draft_open(actor=editor, role_slug=SLUG)


def _doc(draft: RubricDraft) -> dict[str, Any]:
    return copy.deepcopy(draft.document)


def _state() -> tuple[Any, ...]:
    """Everything a refused action must leave as it was."""
    drafts = list(RubricDraft.objects.values_list("role_id", "revision", "document", "based_on_id"))
    versions = list(Rubric.objects.values_list("role_id", "version", "content_hash"))
    return drafts, versions, AuditEvent.objects.count()


def _save(actor: Any, draft: RubricDraft, document: dict[str, Any]) -> RubricDraft:
    return rubric_draft_save(actor=actor, role_slug=SLUG, document=document, revision=draft.revision)


# --- Who may ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee"])
def test_only_admins_and_rubric_editors_may_edit(rubrics, kind, editor, admin_user):
    """Interviewers, recruiters and the committee are refused every action; editors and admins are not."""
    user = UserFactory(kind=kind)
    before = _state()
    assert not may_edit_rubrics(user)
    with pytest.raises(PermissionRefused):
        rubric_draft_open(actor=user, role_slug=SLUG)
    assert _state() == before
    assert may_edit_rubrics(editor) and may_edit_rubrics(admin_user)
    assert may_edit_rubrics(UserFactory(kind="admin"))
    draft = rubric_draft_open(actor=admin_user, role_slug=SLUG)
    for refused in (
        lambda: _save(user, draft, _doc(draft)),
        lambda: rubric_draft_publish(actor=user, role_slug=SLUG, change_note="x", revision=draft.revision),
        lambda: rubric_draft_discard(actor=user, role_slug=SLUG),
    ):
        before = _state()
        with pytest.raises(PermissionRefused):
            refused()
        assert _state() == before


def test_the_permission_alone_makes_an_editor(rubrics):
    """The permission can be given to a user directly in the admin, without the group."""
    from django.contrib.auth.models import Permission

    user = UserFactory(kind="recruiter")
    user.user_permissions.add(Permission.objects.get(codename="edit_rubric"))
    user = type(user).objects.get(pk=user.pk)
    assert may_edit_rubrics(user)


# --- The draft ----------------------------------------------------------------------------------------------------


def test_a_draft_starts_from_the_newest_version_and_changes_nothing_published(draft, rubrics):
    current = Rubric.objects.current(role=draft.role)
    assert draft.based_on == current
    assert validate_rubric(draft.document, "draft")["rubric"] == current.source["rubric"]
    assert rubric_draft_open(actor=draft.created_by, role_slug=SLUG).pk == draft.pk  # one draft per role
    assert Rubric.objects.filter(role=draft.role).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda d: d["rubric"]["dimensions"][0].update(weight=25),
            "rubric.dimensions",
            "add up to 100, they add up to 105",
        ),
        (
            lambda d: d["rubric"]["thresholds"].update(critical_floor=6),
            "rubric.thresholds.critical_floor",
            "between 1 and 5",
        ),
        (
            lambda d: d["rubric"]["thresholds"].update(critical_floor=0),
            "rubric.thresholds.critical_floor",
            "between 1 and 5",
        ),
        (lambda d: d["rubric"]["thresholds"].update(hire=2), "rubric.thresholds", "discuss <= hire"),
        (
            lambda d: d["rubric"]["dimensions"][1].update(name="Software engineering"),
            "rubric.dimensions[1]",
            "duplicate dimension name",
        ),
        (lambda d: d["rubric"]["dimensions"][2].update(name=""), "rubric.dimensions[2]", "name missing"),
        (
            lambda d: d["rubric"]["dimensions"][0].update(weight="high"),
            "rubric.dimensions[0].weight",
            "must be a number",
        ),
        (lambda d: d["rubric"]["dimensions"][0].update(weight=-5), "rubric.dimensions[0]", "must be positive"),
        (
            lambda d: d["rubric"]["dimensions"][0]["anchors"].update({"2": {"text": "x", "source": "someone"}}),
            "rubric.dimensions[0].anchors.2",
            "source must be 'document' or 'team'",
        ),
        (
            lambda d: d["rubric"]["dimensions"][0]["anchors"].update({"6": {"text": "x", "source": "team"}}),
            "rubric.dimensions[0].anchors.6",
            "unknown anchor",
        ),
        (
            lambda d: d["rubric"]["signals"].append({"kind": "red_flag", "text": ""}),
            "rubric.signals[15]",
            "text missing",
        ),
        (
            lambda d: d["rubric"]["signals"].append({"kind": "meh", "text": "x"}),
            "rubric.signals[15]",
            "unknown signal kind",
        ),
        (lambda d: d["rubric"].update(dimensions=[]), "rubric.dimensions", "missing or empty"),
    ],
)
def test_a_save_breaking_a_rule_is_refused_whole_naming_the_field(draft, editor, change, field, words):
    """The file loader's rules, reported under the field they concern; the draft stays as it was."""
    document = _doc(draft)
    change(document)
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        _save(editor, draft, document)
    assert any(words in message for message in refused.value.field_errors.get(field, [])), refused.value.field_errors
    assert _state() == before


def test_a_save_over_a_newer_save_is_refused(draft, editor, admin_user):
    stale = draft.revision
    document = _doc(draft)
    document["rubric"]["dimensions"][0]["anchors"]["2"]["text"] = "Admin's wording."
    _save(admin_user, draft, document)
    before = _state()
    document["rubric"]["dimensions"][0]["anchors"]["2"]["text"] = "Editor's wording."
    with pytest.raises(Conflict):
        rubric_draft_save(actor=editor, role_slug=SLUG, document=document, revision=stale)
    assert _state() == before


def test_anchor_sources_follow_the_text_not_the_claim(draft, editor):
    """The document's text stays marked as the document's; any other text is the team's, whatever is claimed."""
    document = _doc(draft)
    anchors = document["rubric"]["dimensions"][0]["anchors"]
    assert anchors["3"]["source"] == "document"
    anchors["3"] = {"text": "Writes clean code, tested at the boundaries.", "source": "document"}
    anchors["2"] = {"text": "Some tests, gaps at the edges.", "source": "document"}
    saved = _save(editor, draft, document)
    anchors = saved.document["rubric"]["dimensions"][0]["anchors"]
    assert anchors["3"] == {"text": "Writes clean code, tested at the boundaries.", "source": "team"}
    assert anchors["2"]["source"] == "team"
    # Put the document's words back: they are the document's again.
    document = _doc(saved)
    document["rubric"]["dimensions"][0]["anchors"]["3"] = {
        "text": "Writes clean, testable code; solid API/service fundamentals",
        "source": "team",
    }
    saved = _save(editor, saved, document)
    assert saved.document["rubric"]["dimensions"][0]["anchors"]["3"]["source"] == "document"


def test_dimensions_added_removed_reordered_keep_their_keys(draft, editor):
    document = _doc(draft)
    dims = document["rubric"]["dimensions"]
    dims[0]["name"] = "Software engineering craft"  # renamed: same key
    dims[5]["weight"] = 5
    removed = dims.pop(6)  # Communication & collaboration (10)
    dims.insert(0, dims.pop(3))  # MLOps first
    dims.append({"name": "Product sense", "weight": 15, "weight_kind": "percent", "anchors": {}})
    saved = _save(editor, draft, document)
    keys = [d["key"] for d in saved.document["rubric"]["dimensions"]]
    assert keys[0] == "mlopsoperational-readiness"
    assert "software-engineering" in keys and removed["key"] not in keys and keys[-1] == "product-sense"


# --- Publishing -------------------------------------------------------------------------------------------------


def _edited(draft: RubricDraft, editor: Any) -> RubricDraft:
    document = _doc(draft)
    document["rubric"]["dimensions"][0]["name"] = "Software engineering craft"
    for point in "12345":
        document["rubric"]["dimensions"][1]["anchors"][point] = {
            "text": f"Point {point} in the team's words.",
            "source": "team",
        }
    document["rubric"]["thresholds"]["hire"] = 3.6
    return _save(editor, draft, document)


def test_publishing_makes_a_new_version_old_loops_keep_theirs(draft, editor):
    old_loop = make_loop(role_slug=SLUG)
    draft = _edited(draft, editor)
    rubric = rubric_draft_publish(
        actor=editor, role_slug=SLUG, change_note="Anchors for every point.", revision=draft.revision
    )
    assert (rubric.version, rubric.change_note, rubric.published_by) == (2, "Anchors for every point.", editor)
    assert not RubricDraft.objects.filter(role=rubric.role).exists()
    # Opened through the service, as the recruiter's page does (make_loop would reload the fixture file).
    assert old_loop.recruiter is not None
    new_loop = loop_open(actor=old_loop.recruiter, candidate=CandidateFactory(), role=rubric.role)
    old_loop.refresh_from_db()
    assert old_loop.rubric.version == 1 and new_loop.rubric == rubric
    assert old_loop.rubric.dimensions.get(position=1).name == "Software engineering"
    assert rubric.dimensions.get(position=1).name == "Software engineering craft"
    assert rubric.dimensions.get(position=1).key == old_loop.rubric.dimensions.get(position=1).key
    assert rubric.dimensions.get(position=2).anchors["4"] == {"text": "Point 4 in the team's words.", "source": "team"}
    event = AuditEvent.objects.get(action="rubric.published", object_id=str(rubric.pk))
    assert event.after is not None
    assert event.actor == editor and event.after["change_note"] == "Anchors for every point."
    # The exercises that fed the renamed dimension follow it (and keep the old name for the old loops).
    exercise = Exercise.objects.get(role=rubric.role, slug="take-home-or-live-coding")
    assert {"Software engineering", "Software engineering craft"} <= set(exercise.dimension_names)


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_publishing_needs_a_change_note(draft, editor, note):
    draft = _edited(draft, editor)
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        rubric_draft_publish(actor=editor, role_slug=SLUG, change_note=note, revision=draft.revision)
    assert "change_note" in refused.value.field_errors
    assert _state() == before


def test_publishing_an_unchanged_draft_is_refused(draft, editor):
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        rubric_draft_publish(actor=editor, role_slug=SLUG, change_note="Nothing", revision=draft.revision)
    assert refused.value.code == "no_change"
    assert _state() == before


def test_publishing_a_draft_saved_since_review_is_refused(draft, editor):
    reviewed = draft.revision
    draft = _edited(draft, editor)
    before = _state()
    with pytest.raises(Conflict):
        rubric_draft_publish(actor=editor, role_slug=SLUG, change_note="x", revision=reviewed)
    assert _state() == before


def test_publishing_a_draft_behind_a_newer_version_is_refused(draft, editor, tmp_path):
    draft = _edited(draft, editor)
    spec = rubric_spec(role_slug=SLUG)
    spec["rubric"]["thresholds"]["discuss"] = "2.9"
    from scorecards.rubrics.services import rubric_publish

    rubric_publish(spec=validate_rubric(spec_to_document(spec, with_normalized=False), "file"))
    before = _state()
    with pytest.raises(Conflict) as refused:
        rubric_draft_publish(actor=editor, role_slug=SLUG, change_note="x", revision=draft.revision)
    assert refused.value.code == "draft_behind"
    assert _state() == before
    rubric_draft_discard(actor=editor, role_slug=SLUG)
    assert rubric_draft_open(actor=editor, role_slug=SLUG).based_on.version == 2


def test_the_diff_matches_dimensions_by_key(draft, editor):
    draft = _edited(draft, editor)
    current = Rubric.objects.current(role=draft.role)
    sections = {s.title: s for s in rubric_diff(current.source, validate_rubric(draft.document, "d"))}
    renamed = sections["Dimension: Software engineering craft"]
    assert renamed.status == "changed"
    assert [(r.label, r.before, r.after) for r in renamed.rows if r.changed] == [
        ("Name", "Software engineering", "Software engineering craft")
    ]
    anchors = [r for r in sections["Dimension: Applied ML/AI fundamentals"].rows if r.label == "Anchor 4"][0]
    assert anchors.after == "Point 4 in the team's words. (team)"
    hire = [r for r in sections["Scale and thresholds"].rows if r.label == "Hire threshold"][0]
    assert (hire.before, hire.after) == ("3.5", "3.6")
    assert sections["Red flags"].status == "same"


# --- The file format --------------------------------------------------------------------------------------------


def test_a_published_version_exports_and_reloads_unchanged(draft, editor, tmp_path):
    """The editor's version and the file format carry the same data: export, reload, no new version."""
    from django.core.management import call_command

    draft = _edited(draft, editor)
    rubric = rubric_draft_publish(actor=editor, role_slug=SLUG, change_note="Round trip.", revision=draft.revision)
    for fmt in ("json", "yaml"):
        path = tmp_path / f"export.{fmt}"
        with path.open("w") as out:
            call_command("export_rubric", SLUG, "--format", fmt, stdout=out)
        call_command("load_rubrics", str(path), stdout=open(tmp_path / "log", "w"))
        assert Rubric.objects.filter(role=rubric.role).count() == 2
    exported = json.loads((tmp_path / "export.json").read_text())
    first = exported["rubric"]["dimensions"][0]
    assert first["key"] == "software-engineering" and first["name"] == "Software engineering craft"
    assert exported["rubric"]["dimensions"][1]["anchors"]["5"] == {
        "source": "team",
        "text": "Point 5 in the team's words.",
    }


def test_files_written_with_the_old_anchor_columns_still_load():
    document = {
        "role": {"slug": "old-file", "title": "Old file"},
        "rubric": {
            "scale": [{"value": v, "label": f"L{v}"} for v in range(1, 6)],
            "dimensions": [
                {
                    "name": "A",
                    "weight": 1,
                    "weight_kind": "equal",
                    "anchors": {"meets": "M", "exceeds": "E", "concerns": "C"},
                }
            ],
        },
    }
    anchors = validate_rubric(document, "old")["rubric"]["dimensions"][0]["anchors"]
    assert anchors["1"] == {"text": "C", "source": "document"}
    assert anchors["3"] == {"text": "M", "source": "document"}
    assert anchors["5"] == {"text": "E", "source": "document"}
    assert anchors["2"] == {"text": "", "source": ""}


def test_a_rubric_editor_manages_the_question_bank_an_interviewer_does_not(editor):
    """Questions hang off the rubric's dimensions: the "Rubric editors" group holds the question permission too."""
    from scorecards.questions.access import can_manage_questions

    assert can_manage_questions(editor) is True
    assert can_manage_questions(UserFactory(kind="interviewer", username="ivan")) is False
