"""Question bank reads: the bank of a role, the questions of an interview's kit, a loop's plan, the interviewer's
notes. Each returns rows with their links prefetched, so a page costs the same queries for 1 question or 50."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from hiring.models import Interview, InterviewLoop
from scorecards.models import Dimension, Question, QuestionDimension, QuestionNote, QuestionPick


def questions_of_role(role_id: int, *, include_retired: bool = False) -> QuerySet[Question]:
    rows = Question.objects.filter(role_id=role_id).select_related("role").prefetch_related(
        Prefetch("dimension_links", queryset=QuestionDimension.objects.order_by("dimension_key"))
    )
    if not include_retired:
        rows = rows.filter(retired_at__isnull=True)
    return rows.order_by("retired_at", "id")


def question_bank(*, role_id: int | None = None, include_retired: bool = False) -> QuerySet[Question]:
    rows = Question.objects.select_related("role").prefetch_related(
        Prefetch("dimension_links", queryset=QuestionDimension.objects.order_by("dimension_key"))
    )
    if role_id is not None:
        rows = rows.filter(role_id=role_id)
    if not include_retired:
        rows = rows.filter(retired_at__isnull=True)
    return rows.order_by("role__title", "retired_at", "id")


def keys_of(question: Question) -> list[str]:
    """The question's dimension keys, from its prefetched links."""
    return [link.dimension_key for link in question.dimension_links.all()]


def focus_dimensions_of(interview: Interview) -> list[Dimension]:
    """The interview's focus dimensions, or the whole rubric when none was set (as the scorecard form asks)."""
    focus = list(interview.focus_dimensions.all())
    return focus or list(interview.loop.rubric.dimensions.all())


def _focus_keys(interview: Interview) -> set[str]:
    return {d.key for d in focus_dimensions_of(interview)}


def _for_focus(questions: list[Question], keys: set[str]) -> list[Question]:
    return [q for q in questions if keys.intersection(keys_of(q))]


@dataclass
class KitQuestions:
    questions: list[Question]
    picked: bool  # the recruiter picked them; otherwise every question in use for the focus dimensions


def kit_questions(interview: Interview) -> KitQuestions:
    """What the interviewer asks: the questions picked for this interview, or, when none was picked, every question
    in use for its focus dimensions. Two queries whatever the number of questions."""
    picked = list(
        Question.objects.filter(picks__interview=interview).prefetch_related(
            Prefetch("dimension_links", queryset=QuestionDimension.objects.order_by("dimension_key"))
        ).order_by("picks__id")
    )
    if picked:
        return KitQuestions(questions=picked, picked=True)
    bank = list(questions_of_role(interview.loop.role_id))
    return KitQuestions(questions=_for_focus(bank, _focus_keys(interview)), picked=False)


def kit_question_ids(interview: Interview) -> set[int]:
    picked = set(QuestionPick.objects.filter(interview=interview).values_list("question_id", flat=True))
    if picked:
        return picked
    keys = set(
        interview.focus_dimensions.values_list("key", flat=True)
        or Dimension.objects.filter(rubric_id=interview.loop.rubric_id).values_list("key", flat=True)
    )
    return set(
        Question.objects.filter(role_id=interview.loop.role_id, retired_at__isnull=True,
                                dimension_links__dimension_key__in=keys).values_list("pk", flat=True)
    )


def own_notes(*, user: Any, interview: Interview) -> dict[int, QuestionNote]:
    """The user's own notes on the interview's questions. Nobody reads another interviewer's notes."""
    return {n.question_id: n for n in QuestionNote.objects.filter(interview=interview, interviewer=user)}


def notes_as_evidence(*, user: Any, interview: Interview, dimensions: list[Dimension]) -> dict[int, str]:
    """Dimension id -> the user's notes written for the questions of that dimension, to pre-fill its evidence.

    A question linked to several dimensions pre-fills the first of them in the page's order (focus first)."""
    by_key = {d.key: d.pk for d in dimensions}
    notes = (QuestionNote.objects.filter(interview=interview, interviewer=user).exclude(text="")
             .select_related("question").prefetch_related("question__dimension_links").order_by("question_id"))
    texts: dict[int, list[str]] = {}
    for note in notes:
        keys = {link.dimension_key for link in note.question.dimension_links.all()}
        target = next((pk for key, pk in by_key.items() if key in keys), None)
        if target is not None:
            texts.setdefault(target, []).append(note.text)
    return {pk: "\n\n".join(parts) for pk, parts in texts.items()}


@dataclass
class PlanRow:
    interview: Interview
    candidates: list[Question]  # the questions in use for the interview's focus dimensions
    picked: set[int] = field(default_factory=set)


@dataclass
class LoopPlan:
    rows: list[PlanRow]
    shared: dict[int, list[Interview]]  # question id -> the interviews that both picked it (two or more)
    questions: dict[int, Question]


def loop_question_plan(loop: InterviewLoop) -> LoopPlan:
    """Per scheduled interview of the loop: the questions it could ask and those picked, and the questions that
    two or more interviews picked (panelists would repeat each other). A fixed number of queries."""
    interviews = list(
        Interview.objects.scheduled().filter(loop=loop).select_related("interviewer", "loop__rubric")
        .prefetch_related(
            Prefetch("focus_dimensions", queryset=Dimension.objects.order_by("position")),
            Prefetch("loop__rubric__dimensions", queryset=Dimension.objects.order_by("position")),
            Prefetch("question_picks", queryset=QuestionPick.objects.order_by("id")),
        ).order_by("starts_at", "id")
    )
    bank = list(questions_of_role(loop.role_id, include_retired=True))
    by_id = {q.pk: q for q in bank}
    in_use = [q for q in bank if q.retired_at is None]
    rows = []
    for interview in interviews:
        picked = {pick.question_id for pick in interview.question_picks.all()}
        candidates = _for_focus(in_use, _focus_keys(interview))
        # A picked question stays listed even if it was retired or the focus changed since.
        candidates += [by_id[q] for q in sorted(picked) if by_id[q] not in candidates]
        rows.append(PlanRow(interview=interview, candidates=candidates, picked=picked))
    counts = Counter(q for row in rows for q in row.picked)
    shared = {q: [row.interview for row in rows if q in row.picked] for q, n in counts.items() if n > 1}
    return LoopPlan(rows=rows, shared=shared, questions=by_id)
