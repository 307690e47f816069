"""The question pages: a loop's question plan (which interviewer asks what) and the question bank."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from hiring.access import loops_visible_to
from hiring.errors import Conflict, ValidationFailed
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import managers_only
from scorecards.questions.selectors import loop_question_plan
from scorecards.questions.services import question_picks_set


@managers_only
@require_http_methods(["GET", "POST"])
def loop_questions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loop = get_object_or_404(loops_visible_to(request.user).select_related("role", "candidate"), pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        plan = loop_question_plan(loop)
        picks = {}
        for row in plan.rows:
            values = request.POST.getlist(f"pick-{row.interview.pk}")
            if not all(value.isdigit() for value in values):
                errors.append(f"pick-{row.interview.pk}: question ids are numbers.")
                continue
            picks[row.interview.pk] = [int(value) for value in values]
        if not errors:
            try:
                question_picks_set(actor=request.user, loop_id=loop.pk, picks=picks)
            except (ValidationFailed, Conflict) as exc:
                errors = [exc.message, *(m for ms in exc.field_errors.values() for m in ms)]
            else:
                messages.success(request, "Questions saved. Each interviewer's kit shows the ones picked for them.")
                return redirect("scorecards:loop-questions", pk=loop.pk)
    plan = loop_question_plan(loop)
    shared = [(plan.questions[qid], interviews) for qid, interviews in sorted(plan.shared.items())]
    return render(request, "scorecards/loop_questions.html", {
        "loop": loop, "plan": plan, "shared": shared, "shared_ids": set(plan.shared), "errors": errors,
    }, status=400 if errors else 200)
