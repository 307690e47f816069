"""The question pages: a loop's question plan (which interviewer asks what) and the question bank."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from hiring.access import loops_visible_to
from hiring.errors import Conflict, ValidationFailed
from hiring.models import Role
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import managers_only, page_for
from scorecards.forms import QuestionForm
from scorecards.models import Dimension, Question
from scorecards.questions.access import can_manage_questions
from scorecards.questions.selectors import keys_of, loop_question_plan, question_bank
from scorecards.questions.services import (
    question_create,
    question_picks_set,
    question_retire,
    question_update,
    role_dimension_keys,
)


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
                messages.success(
                    request, gettext("Questions saved. Each interviewer's kit shows the ones picked for them.")
                )
                return redirect("scorecards:loop-questions", pk=loop.pk)
    plan = loop_question_plan(loop)
    shared = [(plan.questions[qid], interviews) for qid, interviews in sorted(plan.shared.items())]
    return render(request, "scorecards/loop_questions.html", {
        "loop": loop, "plan": plan, "shared": shared, "shared_ids": set(plan.shared), "errors": errors,
    }, status=400 if errors else 200)


# --- The question bank ---------------------------------------------------------------


def _managers(user: Any) -> bool:
    return can_manage_questions(user)


bank_managers = page_for(
    _managers, gettext_lazy("Only admins, recruiters and rubric editors manage the question bank.")
)


@bank_managers
def question_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    roles = list(Role.objects.order_by("title"))
    slug = request.GET.get("role", "")
    role = next((r for r in roles if r.slug == slug), None)
    include_retired = request.GET.get("retired") == "1"
    questions = list(question_bank(role_id=role.pk if role else None, include_retired=include_retired))
    names: dict[tuple[int, str], str] = {}
    for role_id, key, name in Dimension.objects.filter(rubric__role__in=roles).order_by(
        "rubric__version", "position"
    ).values_list("rubric__role_id", "key", "name"):
        names[(role_id, key)] = name
    rows = [(q, [names.get((q.role_id, key), key) for key in keys_of(q)]) for q in questions]
    return render(request, "scorecards/question_list.html", {
        "roles": roles, "role": role, "rows": rows, "include_retired": include_retired,
    })


def _form_page(request: AuthenticatedHttpRequest, form: QuestionForm, role: Role, question: Question | None,
               status: int = 200) -> HttpResponse:
    return render(request, "scorecards/question_form.html", {"form": form, "role": role, "question": question},
                  status=status)


@bank_managers
@require_http_methods(["GET", "POST"])
def question_create_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    role = get_object_or_404(Role, slug=slug)
    form = QuestionForm(request.POST or None, dimensions=role_dimension_keys(role))
    if request.method == "POST":
        if form.is_valid():
            try:
                question = question_create(actor=request.user, role=role, data=form.to_input())
            except ValidationFailed as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, gettext("The question was added to the bank."))
                return redirect(f"{reverse('scorecards:question-list')}?role={role.slug}#question-{question.pk}")
        return _form_page(request, form, role, None, status=400)
    return _form_page(request, form, role, None)


@bank_managers
@require_http_methods(["GET", "POST"])
def question_edit_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("role").prefetch_related("dimension_links"), pk=pk)
    known = role_dimension_keys(question.role)
    # A key no longer in the rubric stays choosable, so an edit never silently drops it.
    dimensions = {**known, **{key: key for key in keys_of(question) if key not in known}}
    initial = {"text": question.text, "dimension_keys": keys_of(question), "probes": "\n".join(question.probes),
               "strong_answer": question.strong_answer, "weak_answer": question.weak_answer}
    form = QuestionForm(request.POST or None, dimensions=dimensions, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                question_update(actor=request.user, question_id=question.pk, data=form.to_input())
            except ValidationFailed as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, gettext("The question was saved."))
                return redirect(f"{reverse('scorecards:question-list')}?role={question.role.slug}"
                                f"#question-{question.pk}")
        return _form_page(request, form, question.role, question, status=400)
    return _form_page(request, form, question.role, question)


@bank_managers
@require_POST
def question_retire_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    retire = request.POST.get("action") != "restore"
    try:
        question = question_retire(actor=request.user, question_id=pk, retired=retire)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("scorecards:question-list")
    messages.success(request, gettext("The question was retired: kits that did not pick it no longer show it.")
                     if retire else gettext("The question is in use again."))
    return redirect(f"{reverse('scorecards:question-list')}?role={question.role.slug}&retired=1")
