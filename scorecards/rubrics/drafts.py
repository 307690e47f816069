"""Editing a role's rubric in the app: one draft per role, saved as it is edited, published as a new version.

The draft is a rubric document in the file format, and every save runs the file loader's validator
(``scorecards.rubrics.io.validate_rubric``), so a file and the editor accept and refuse the same things in the
same words. Publishing goes through ``rubric_publish`` like a file does: a new immutable version, loops keep
theirs, the audit trail records who published it and why.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from exercises.models import Exercise
from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.models import Role
from hiring.text import too_long_message
from scorecards.models import AnchorSource, Rubric, RubricDraft
from scorecards.rubrics.io import RubricFileError, problems_by_field, spec_to_document, validate_rubric
from scorecards.rubrics.selectors import rubric_spec
from scorecards.rubrics.services import rubric_publish

EDIT_PERMISSION = "scorecards.edit_rubric"
CHANGE_NOTE_MAX = 2000


def may_edit_rubrics(user: Any) -> bool:
    """Admins, and whoever holds the "edit rubric" permission (the "Rubric editors" group gives it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_hireloop_admin or user.has_perm(EDIT_PERMISSION))


def _require_editor(actor: Any) -> None:
    if not may_edit_rubrics(actor):
        raise PermissionRefused(gettext("Only admins and rubric editors edit rubrics."), code="not_rubric_editor")


def _role(role_slug: str, *, lock: bool = False) -> Role:
    roles = Role.objects.select_for_update() if lock else Role.objects.all()
    role = roles.filter(slug=role_slug).first()
    if role is None:
        raise NotFound(gettext("No role %(slug)r.") % {"slug": role_slug}, code="unknown_role")
    return role


def _validated(document: Any, role: Role) -> dict[str, Any]:
    """The draft's specification, or a ValidationFailed whose field errors name each field's problems."""
    if isinstance(document, dict):
        # The editor edits the rubric; the role's own text and its exercise library are edited elsewhere.
        document = {**document, "role": _role_document(role), "exercises": []}
    try:
        return validate_rubric(document, "draft")
    except RubricFileError as exc:
        raise ValidationFailed(
            gettext("The draft was not saved: %(problems)s") % {"problems": "; ".join(exc.problems)},
            code="invalid_rubric",
            field_errors=problems_by_field(exc.problems),
        ) from exc


def _role_document(role: Role) -> dict[str, str]:
    return {
        "slug": role.slug, "title": role.title, "level": role.level, "purpose": role.purpose,
        "source_document": role.source_document, "source_lines": role.source_lines,
    }


def _mark_team_anchors(spec: dict[str, Any], base: Rubric) -> None:
    """An anchor counts as the document's only while it reads exactly as the document's text at that point.

    Whatever the editor (or an API client) claims, text that is not the document's is marked as the team's,
    so nobody mistakes the team's words for the role's document.
    """
    document_texts = {
        (dimension.get("key"), point): anchor.get("text", "")
        for dimension in base.source.get("rubric", {}).get("dimensions", [])
        for point, anchor in (dimension.get("anchors") or {}).items()
        if isinstance(anchor, dict) and anchor.get("source") == AnchorSource.DOCUMENT
    }
    for dimension in spec["rubric"]["dimensions"]:
        for point, anchor in dimension["anchors"].items():
            if not anchor["text"]:
                continue
            from_document = document_texts.get((dimension["key"], point)) == anchor["text"]
            anchor["source"] = AnchorSource.DOCUMENT if from_document else AnchorSource.TEAM


def _as_stored(spec: dict[str, Any]) -> dict[str, Any]:
    """The document as the JSON column gives it back (points keyed "1" to "5"), so the draft in hand and the one
    read later are the same."""
    return json.loads(json.dumps(spec_to_document(spec, with_normalized=False)))


def rubric_draft_of(*, role_slug: str) -> RubricDraft | None:
    return RubricDraft.objects.select_related("role", "based_on", "updated_by").filter(role__slug=role_slug).first()


@transaction.atomic
def rubric_draft_open(*, actor: Any, role_slug: str) -> RubricDraft:
    """The role's draft, started from its newest version when there is none."""
    _require_editor(actor)
    role = _role(role_slug, lock=True)
    draft = RubricDraft.objects.select_related("based_on", "updated_by").filter(role=role).first()
    if draft is not None:
        draft.role = role
        return draft
    current = Rubric.objects.current(role=role)
    spec = rubric_spec(role_slug=role.slug, version=current.version)
    document = _as_stored({**spec, "exercises": []})
    return RubricDraft.objects.create(
        role=role, based_on=current, document=document, created_by=actor, updated_by=actor
    )


@transaction.atomic
def rubric_draft_save(*, actor: Any, role_slug: str, document: Any, revision: int) -> RubricDraft:
    """Replace the draft's content with ``document``, validated whole; a refused save changes nothing.

    ``revision`` is the draft's revision the editor started from: a save over someone else's newer save is
    refused (409) rather than silently undoing it.
    """
    _require_editor(actor)
    role = _role(role_slug, lock=True)
    draft = RubricDraft.objects.select_related("based_on").filter(role=role).first()
    if draft is None:
        raise NotFound(gettext("Role %(slug)r has no draft: open one first.") % {"slug": role_slug}, code="no_draft")
    if revision != draft.revision:
        raise Conflict(
            gettext("Someone saved this draft since you opened it: reload it to see their changes."),
            code="stale_draft",
        )
    spec = _validated(document, role)
    _mark_team_anchors(spec, draft.based_on)
    draft.document = _as_stored(spec)
    draft.revision += 1
    draft.updated_by = actor
    draft.save(update_fields=["document", "revision", "updated_by", "updated_at"])
    return draft


@transaction.atomic
def rubric_draft_discard(*, actor: Any, role_slug: str) -> None:
    _require_editor(actor)
    role = _role(role_slug, lock=True)
    deleted, _ = RubricDraft.objects.filter(role=role).delete()
    if not deleted:
        raise NotFound(gettext("Role %(slug)r has no draft.") % {"slug": role_slug}, code="no_draft")


@transaction.atomic
def rubric_draft_publish(*, actor: Any, role_slug: str, change_note: str, revision: int) -> Rubric:
    """Publish the draft as the role's next version and close the draft.

    Refused, changing nothing, when: the change note is empty or too long; the draft was saved since the
    editor reviewed it (``revision``); a version was published since the draft began (its diff would hide
    that version's changes); or the draft changes nothing.
    """
    _require_editor(actor)
    note = (change_note or "").strip()
    if not note:
        raise ValidationFailed(
            gettext("Say what changed and why before publishing."), code="change_note_required",
            field_errors={"change_note": [gettext("A change note is required.")]},
        )
    if len(note) > CHANGE_NOTE_MAX:
        raise ValidationFailed(
            gettext("The change note is at most %(limit)d characters.") % {"limit": CHANGE_NOTE_MAX},
            code="change_note_too_long",
            field_errors={"change_note": [too_long_message(CHANGE_NOTE_MAX, len(note))]},
        )
    role = _role(role_slug, lock=True)
    draft = RubricDraft.objects.select_related("based_on").filter(role=role).first()
    if draft is None:
        raise NotFound(gettext("Role %(slug)r has no draft.") % {"slug": role_slug}, code="no_draft")
    if revision != draft.revision:
        raise Conflict(gettext("The draft was saved since you reviewed it: review it again."), code="stale_draft")
    current = Rubric.objects.current(role=role)
    if current.pk != draft.based_on_id:
        raise Conflict(
            gettext(
                "Version %(version)s was published after this draft began from version %(based_on)s: discard the "
                "draft and start again from the newest version."
            ) % {"version": current.version, "based_on": draft.based_on.version},
            code="draft_behind",
        )
    spec = _validated(draft.document, role)
    rubric, created = rubric_publish(spec=spec, actor=actor, change_note=note, sync_exercises=False)
    if not created:
        raise ValidationFailed(
            gettext("The draft is the same as the published version: there is nothing to publish."), code="no_change"
        )
    _follow_renames(role, old=current, new=rubric)
    draft.delete()
    return rubric


def _follow_renames(role: Role, *, old: Rubric, new: Rubric) -> None:
    """Exercises name the dimensions they feed: a renamed dimension (same key) is added under its new name.

    The old name stays, so kits of loops still on the old version keep matching it.
    """
    old_names = dict(old.dimensions.values_list("key", "name"))
    renames = {
        old_names[key]: name for key, name in new.dimensions.values_list("key", "name")
        if key in old_names and old_names[key] != name
    }
    if not renames:
        return
    for exercise in Exercise.objects.filter(role=role):
        added = [renames[name] for name in exercise.dimension_names if name in renames]
        missing = [name for name in added if name not in exercise.dimension_names]
        if missing:
            exercise.dimension_names = [*exercise.dimension_names, *missing]
            exercise.save(update_fields=["dimension_names"])
