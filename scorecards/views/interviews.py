"""The interviewer's pages: my interviews, the interview kit and the panel.

Thin views: selectors read, the independence rule is asked of hiring.access, reads of feedback are audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hiring.access import can_see_panel
from hiring.audit.services import audit_scorecards_read
from hiring.errors import Conflict, ValidationFailed
from hiring.models import Interview
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import signed_in
from scorecards.models import Scorecard, Signal
from scorecards.questions.selectors import kit_questions, own_notes
from scorecards.questions.services import question_notes_save
from scorecards.rubrics.selectors import rubric_translation, translated_dimension, translated_signal
from scorecards.selectors.scorecards import (
    interview_for_kit,
    my_interviews,
    own_interview,
    panel_for,
)
from scorecards.views.common import anchors_of

SUBMITTED_PAGE_SIZE = 20


def focus_ids_of(interview: Interview) -> set[int]:
    focus = {d.pk for d in interview.focus_dimensions.all()}
    # An interview without focus dimensions assesses the whole rubric (the service requires them all).
    return focus or {d.pk for d in interview.loop.rubric.dimensions.all()}


def loop_closed(interview: Interview) -> bool:
    return bool(interview.loop.is_closed)


def _exercise_link(interview: Interview) -> str:
    if interview.exercise_id is None:
        return ""
    try:
        return reverse("exercises:exercise-detail", args=[interview.exercise_id])
    except NoReverseMatch:
        return ""


@signed_in
def my_interviews_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    sections = my_interviews(user=request.user, now=now)
    submitted_page = Paginator(sections.submitted, SUBMITTED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "scorecards/my_interviews.html", {
        "sections": sections,
        "submitted_page": submitted_page,
        "now": now,
    })


@signed_in
def interview_kit(request: AuthenticatedHttpRequest, interview_id: int) -> HttpResponse:
    interview = interview_for_kit(user=request.user, interview_id=interview_id)
    rubric = interview.loop.rubric
    focus_ids = focus_ids_of(interview)
    texts = rubric_translation(rubric)
    dimensions = [translated_dimension(d, texts) for d in rubric.dimensions.all()]
    scale = {**{str(k): v for k, v in rubric.scale_labels.items()}, **(texts.get("scale") or {})}
    is_mine = interview.interviewer_id == request.user.pk
    my_card = (
        Scorecard.objects.filter(interview=interview, interviewer=request.user, is_current=True).first()
        if is_mine else None
    )
    signals = [translated_signal(s, texts) for s in rubric.signals.all()]
    questions = kit_questions(interview)
    # Notes are the interviewer's own, like a scorecard draft: read only for the interview's interviewer.
    notes = own_notes(user=request.user, interview=interview) if is_mine else {}
    can_note = is_mine and not loop_closed(interview) and not (my_card and my_card.is_submitted)
    return render(request, "scorecards/interview_kit.html", {
        "questions": [(q, notes.get(q.pk)) for q in questions.questions],
        "questions_picked": questions.picked,
        "can_note": can_note,
        "interview": interview,
        "loop": interview.loop,
        "rubric": rubric,
        "focus": [(d, anchors_of(d, scale)) for d in dimensions if d.pk in focus_ids],
        "others": [d for d in dimensions if d.pk not in focus_ids],
        "has_focus_set": bool(interview.focus_dimensions.all()),
        "scale": sorted(scale.items()),
        "strong": [s for s in signals if s.kind == Signal.Kind.STRONG],
        "weak": [s for s in signals if s.kind == Signal.Kind.WEAK],
        "red_flags": [s for s in signals if s.kind == Signal.Kind.RED_FLAG],
        "exercise": interview.exercise,
        "exercise_link": _exercise_link(interview),
        "is_mine": is_mine,
        "my_card": my_card,
    })


@signed_in
def panel(request: AuthenticatedHttpRequest, interview_id: int) -> HttpResponse:
    """The panel's submitted scorecards for the loop of one of the user's interviews, once theirs are in."""
    interview = own_interview(user=request.user, interview_id=interview_id)
    loop = interview.loop
    if not can_see_panel(request.user, loop):
        # Says only what the user must do; nothing about anyone else's feedback.
        return render(request, "scorecards/panel_locked.html", {"interview": interview, "loop": loop}, status=403)
    view = panel_for(user=request.user, loop=loop)
    audit_scorecards_read(request.user, view.scorecards)
    dimensions = list(loop.rubric.dimensions.all())
    by_card = [{r.dimension_id: r for r in card.ratings.all()} for card in view.scorecards]
    matrix = [
        (dimension, [ratings.get(dimension.pk) for ratings in by_card])
        for dimension in dimensions
        if any(dimension.pk in ratings for ratings in by_card)
    ]
    cards = [(card, view.earlier.get((card.interview_id, card.interviewer_id), [])) for card in view.scorecards]
    return render(request, "scorecards/panel.html", {
        "interview": interview,
        "loop": loop,
        "scorecards": view.scorecards,
        "cards": cards,
        "matrix": matrix,
        "waiting_for": view.waiting_for,
    })


@signed_in
@require_POST
def interview_notes(request: AuthenticatedHttpRequest, interview_id: int) -> HttpResponse:
    """Save the interviewer's notes on the kit's questions (fields ``note-<question id>``)."""
    notes: dict[int, str] = {}
    for name in request.POST:
        if name.startswith("note-") and name[5:].isdigit():
            notes[int(name[5:])] = request.POST.get(name, "")
    try:
        changed = question_notes_save(actor=request.user, interview_id=interview_id, notes=notes)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, " ".join([exc.message, *(m for ms in exc.field_errors.values() for m in ms)]))
        return redirect("scorecards:interview-kit", interview_id=interview_id)
    messages.success(request, f"Notes saved ({changed} changed). Only you see them.")
    return redirect(reverse("scorecards:interview-kit", args=[interview_id]) + "#kit-questions")
