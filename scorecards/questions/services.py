"""Question bank writes: create, edit, retire and restore questions; pick questions per interview; the
interviewer's notes. Each takes the acting user, checks access, and audits in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.models import Interview, InterviewLoop, Role
from hiring.text import limit, too_long_message
from scorecards.models import Dimension, Question, QuestionDimension, QuestionNote, QuestionPick, Scorecard
from scorecards.questions.access import can_manage_questions, can_plan_questions
from scorecards.questions.selectors import kit_question_ids

TEXT_LIMIT = limit("question.text")
NOTE_LIMIT = limit("question_note.text")
PROBES_LIMIT = 10


@dataclass
class QuestionInput:
    text: str
    dimension_keys: list[str]
    probes: list[str] = field(default_factory=list)
    strong_answer: str = ""
    weak_answer: str = ""


def role_dimension_keys(role: Role) -> dict[str, str]:
    """Key -> name of every dimension in any published version of the role's rubric (newest name wins)."""
    rows = Dimension.objects.filter(rubric__role=role).order_by("rubric__version", "position").values_list(
        "key", "name"
    )
    return dict(rows)


def _checked(role: Role, data: QuestionInput) -> QuestionInput:
    errors: dict[str, list[str]] = {}
    text = data.text.strip()
    if not text:
        errors["text"] = [gettext("Write the question.")]
    elif len(text) > TEXT_LIMIT:
        errors["text"] = [too_long_message(TEXT_LIMIT, len(text))]
    known = role_dimension_keys(role)
    keys = list(dict.fromkeys(key.strip() for key in data.dimension_keys if key.strip()))
    unknown = [key for key in keys if key not in known]
    if not keys:
        errors["dimension_keys"] = [gettext("Link the question to at least one dimension of the role.")]
    elif unknown:
        errors["dimension_keys"] = [
            gettext("Not a dimension of %(title)s: %(keys)s.") % {"title": role.title, "keys": ", ".join(unknown)}
        ]
    probes = [probe.strip() for probe in data.probes if probe.strip()]
    if len(probes) > PROBES_LIMIT:
        errors["probes"] = [gettext("At most %(limit)d follow-up probes.") % {"limit": PROBES_LIMIT}]
    elif any(len(probe) > TEXT_LIMIT for probe in probes):
        errors["probes"] = [too_long_message(TEXT_LIMIT, max(len(p) for p in probes))]
    for name in ("strong_answer", "weak_answer"):
        if len(getattr(data, name)) > TEXT_LIMIT:
            errors[name] = [too_long_message(TEXT_LIMIT, len(getattr(data, name)))]
    if errors:
        raise ValidationFailed(gettext("The question has problems."), code="invalid_question", field_errors=errors)
    return QuestionInput(text=text, dimension_keys=keys, probes=probes, strong_answer=data.strong_answer.strip(),
                         weak_answer=data.weak_answer.strip())


def _values(question: Question, keys: list[str]) -> dict[str, Any]:
    return {"role": question.role_id, "dimension_keys": keys, "origin": question.origin,
            "retired": question.retired_at is not None, "probes": len(question.probes)}


def _require_manager(actor: Any) -> None:
    if not can_manage_questions(actor):
        raise PermissionRefused(gettext("Only admins, recruiters and rubric editors manage the question bank."))


@transaction.atomic
def question_create(*, actor: Any, role: Role, data: QuestionInput) -> Question:
    _require_manager(actor)
    clean = _checked(role, data)
    question = Question.objects.create(
        role=role, text=clean.text, probes=clean.probes, strong_answer=clean.strong_answer,
        weak_answer=clean.weak_answer, origin=Question._meta.get_field("origin").default,
        guidance_origin=Question._meta.get_field("guidance_origin").default, created_by=actor,
    )
    QuestionDimension.objects.bulk_create(QuestionDimension(question=question, dimension_key=k)
                                          for k in clean.dimension_keys)
    audit_record(actor=actor, action="question.created", obj=question, after=_values(question, clean.dimension_keys))
    return question


def _locked(question_id: int) -> Question:
    question = Question.objects.select_for_update().filter(pk=question_id).select_related("role").first()
    if question is None:
        raise NotFound(gettext("No such question."))
    return question


def _keys_of(question: Question) -> list[str]:
    return list(question.dimension_links.order_by("dimension_key").values_list("dimension_key", flat=True))


@transaction.atomic
def question_update(*, actor: Any, question_id: int, data: QuestionInput) -> Question:
    """Edit a question. Editing the text of a document's question makes it the team's wording."""
    _require_manager(actor)
    question = _locked(question_id)
    clean = _checked(question.role, data)
    before_keys = _keys_of(question)
    before = _values(question, before_keys)
    if clean.text != question.text:
        question.origin = "team"
    if (clean.probes, clean.strong_answer, clean.weak_answer) != (
        question.probes, question.strong_answer, question.weak_answer
    ):
        question.guidance_origin = "team"
    question.text, question.probes = clean.text, clean.probes
    question.strong_answer, question.weak_answer = clean.strong_answer, clean.weak_answer
    question.save()
    if set(before_keys) != set(clean.dimension_keys):
        question.dimension_links.exclude(dimension_key__in=clean.dimension_keys).delete()
        QuestionDimension.objects.bulk_create(
            QuestionDimension(question=question, dimension_key=k) for k in clean.dimension_keys
             if k not in before_keys
        )
    audit_record(actor=actor, action="question.updated", obj=question, before=before,
                 after=_values(question, clean.dimension_keys))
    return question


@transaction.atomic
def question_retire(*, actor: Any, question_id: int, retired: bool = True) -> Question:
    """Retire a question (it leaves the kits that did not pick it; picks already made stay) or restore it."""
    _require_manager(actor)
    question = _locked(question_id)
    if (question.retired_at is not None) == retired:
        message = gettext("The question is already retired.") if retired else gettext("The question is already in use.")
        raise Conflict(message, code="unchanged")
    before = _values(question, _keys_of(question))
    question.retired_at = timezone.now() if retired else None
    question.save(update_fields=["retired_at", "updated_at"])
    audit_record(actor=actor, action="question.retired" if retired else "question.restored", obj=question,
                 before=before, after=_values(question, before["dimension_keys"]))
    return question


@transaction.atomic
def question_picks_set(*, actor: Any, loop_id: int, picks: dict[int, list[int]]) -> dict[int, list[int]]:
    """Set which questions each interview of the loop asks (interview id -> question ids); interviews left out
    keep their picks. Every id is checked before anything is written."""
    if not can_plan_questions(actor):
        raise PermissionRefused(gettext("Only recruiters and admins plan an interview's questions."))
    loop = InterviewLoop.objects.select_for_update().filter(pk=loop_id).first()
    if loop is None:
        raise NotFound(gettext("No such loop."))
    if loop.is_closed:
        raise Conflict(gettext("This loop is %(status)s; its questions can no longer change.")
                       % {"status": loop.get_status_display().lower()},
                       code="loop_closed")
    interviews = set(Interview.objects.scheduled().filter(loop=loop).values_list("pk", flat=True))
    usable = set(Question.objects.filter(role_id=loop.role_id, retired_at__isnull=True).values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    for interview_id, question_ids in picks.items():
        if interview_id not in interviews:
            errors[f"interview-{interview_id}"] = [gettext("Not a scheduled interview of this loop.")]
            continue
        unknown = sorted(set(question_ids) - usable)
        if unknown:
            errors[f"interview-{interview_id}"] = [
                gettext("Not a question in use for %(title)s: %(ids)s.")
                % {"title": loop.role.title, "ids": ", ".join(map(str, unknown))}
            ]
    if errors:
        raise ValidationFailed(gettext("Some picks are not possible."), code="invalid_picks", field_errors=errors)
    existing: dict[int, set[int]] = {}
    for interview_id, question_id in QuestionPick.objects.filter(interview_id__in=picks).values_list(
        "interview_id", "question_id"
    ):
        existing.setdefault(interview_id, set()).add(question_id)
    for interview_id, question_ids in picks.items():
        wanted, had = set(question_ids), existing.get(interview_id, set())
        if wanted == had:
            continue
        QuestionPick.objects.filter(interview_id=interview_id, question_id__in=had - wanted).delete()
        QuestionPick.objects.bulk_create(
            QuestionPick(interview_id=interview_id, question_id=q, picked_by=actor) for q in sorted(wanted - had)
        )
        audit_record(actor=actor, action="interview.questions_picked", obj=Interview(pk=interview_id),
                     loop_id=loop.pk, before={"questions": sorted(had)}, after={"questions": sorted(wanted)})
    return {interview_id: sorted(ids) for interview_id, ids in picks.items()}


@transaction.atomic
def question_notes_save(*, actor: Any, interview_id: int, notes: dict[int, str]) -> int:
    """Save the interviewer's notes on the kit's questions (question id -> text; empty removes the note).

    Only the interview's own interviewer writes them, and only until their scorecard is submitted: after that the
    scorecard is the record. Returns how many notes changed.
    """
    interview = (Interview.objects.scheduled().select_for_update().select_related("loop")
                 .filter(pk=interview_id, interviewer=actor).first())
    if interview is None:
        raise NotFound(gettext("No such interview."))
    if interview.loop.is_closed:
        raise Conflict(
            gettext("This loop is %(status)s.") % {"status": interview.loop.get_status_display().lower()},
            code="loop_closed",
        )
    if Scorecard.objects.filter(interview=interview, interviewer=actor, status=Scorecard.Status.SUBMITTED).exists():
        raise Conflict(
            gettext("Your scorecard is submitted; the notes were for writing it."), code="already_submitted"
        )
    allowed = kit_question_ids(interview)
    errors = {
        f"note-{qid}": [gettext("Not a question of this interview's kit.")] for qid in notes if qid not in allowed
    }
    errors.update({f"note-{qid}": [too_long_message(NOTE_LIMIT, len(text))]
                   for qid, text in notes.items() if len(text) > NOTE_LIMIT})
    if errors:
        raise ValidationFailed(gettext("Some notes could not be saved."), code="invalid_notes", field_errors=errors)
    current = {n.question_id: n for n in QuestionNote.objects.filter(interview=interview, interviewer=actor)}
    changed = 0
    for question_id, raw in notes.items():
        text = raw.strip()
        note = current.get(question_id)
        if note is None and text:
            QuestionNote.objects.create(interview=interview, interviewer=actor, question_id=question_id, text=text)
        elif note is not None and not text:
            note.delete()
        elif note is not None and note.text != text:
            note.text = text
            note.save(update_fields=["text", "updated_at"])
        else:
            continue
        changed += 1
    if changed:
        # Ids and a count only: the notes are the interviewer's own and may describe the candidate.
        audit_record(actor=actor, action="interview.notes_saved", obj=interview, loop_id=interview.loop_id,
                     after={"changed": changed})
    return changed
