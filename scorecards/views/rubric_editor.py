"""The rubric editor: admins and rubric editors edit a role's draft, review its diff and publish it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from hiring.errors import ApplicationError, Conflict
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import page_for
from scorecards.models import Rubric
from scorecards.rubrics.diff import rubric_diff
from scorecards.rubrics.drafts import (
    may_edit_rubrics,
    rubric_draft_discard,
    rubric_draft_of,
    rubric_draft_open,
    rubric_draft_publish,
    rubric_draft_save,
)
from scorecards.rubrics.io import RubricFileError, validate_rubric
from scorecards.views.rubric_forms import (
    DimensionFormSet,
    RubricSettingsForm,
    SignalFormSet,
    editor_document,
    editor_initial,
    place_problems,
)

editors_only = page_for(may_edit_rubrics, gettext_lazy("Only admins and rubric editors edit rubrics."))


def _forms(data: Any, initial: dict[str, Any]) -> tuple[RubricSettingsForm, Any, Any]:
    return (
        RubricSettingsForm(data, initial=initial["settings"], prefix="rubric"),
        DimensionFormSet(data, initial=initial["dimensions"], prefix="dimension"),
        SignalFormSet(data, initial=initial["signals"], prefix="signal"),
    )


@editors_only
def rubric_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """GET: the draft (started from the newest version if there is none). POST: save it, whole or not at all."""
    draft = rubric_draft_open(actor=request.user, role_slug=slug)
    initial = editor_initial(draft.document, draft.revision)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        settings, dimensions, signals = _forms(request.POST, initial)
        if settings.is_valid() and dimensions.is_valid() and signals.is_valid():
            document, dimension_forms, signal_forms = editor_document(draft.document, settings, dimensions, signals)
            try:
                rubric_draft_save(
                    actor=request.user, role_slug=slug, document=document,
                    revision=settings.cleaned_data["revision"],
                )
            except Conflict as exc:
                errors.append(exc.message)
                status = exc.status_code
            except ApplicationError as exc:
                errors += place_problems(
                    exc.field_errors, settings, dimensions, signals, dimension_forms, signal_forms
                ) or [gettext("The draft was not saved: correct the fields marked below.")]
            else:
                messages.success(request, gettext("Draft saved."))
                target = "scorecards:rubric-review" if "review" in request.POST else "scorecards:rubric-edit"
                return redirect(target, slug=slug)
        else:
            errors.append(gettext("The draft was not saved: correct the fields marked below."))
    else:
        settings, dimensions, signals = _forms(None, initial)
    context = {
        "draft": draft, "role": draft.role, "settings": settings, "dimensions": dimensions, "signals": signals,
        "errors": errors,
    }
    return render(request, "scorecards/rubric_edit.html", context, status=status)


@editors_only
def rubric_review(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The draft beside the published version, and the change note that publishing it requires."""
    draft = rubric_draft_of(role_slug=slug)
    if draft is None:
        messages.info(request, gettext("There is no draft of this rubric: edit it to start one."))
        return redirect("scorecards:rubric-detail", slug=slug)
    current = Rubric.objects.current(role=draft.role)
    try:
        draft_spec = validate_rubric(draft.document, "draft")
    except RubricFileError:
        draft_spec = {"rubric": draft.document.get("rubric", {})}
    errors: list[str] = []
    note_errors: list[str] = []
    status = 200
    if request.method == "POST":
        revision = request.POST.get("revision", "")
        try:
            rubric = rubric_draft_publish(
                actor=request.user, role_slug=slug, change_note=request.POST.get("change_note", ""),
                revision=int(revision) if revision.isdigit() else -1,
            )
        except ApplicationError as exc:
            note_errors = exc.field_errors.get("change_note", [])
            errors = [] if note_errors else [exc.message]
            status = exc.status_code
        else:
            messages.success(
                request,
                gettext("Version %(version)s published. New loops use it; open loops keep theirs.")
                % {"version": rubric.version},
            )
            return redirect("scorecards:rubric-detail", slug=slug)
    sections = rubric_diff(current.source, draft_spec)
    context = {
        "draft": draft, "role": draft.role, "current": current, "sections": sections,
        "changed": any(section.changed for section in sections), "errors": errors, "note_errors": note_errors,
        "note": request.POST.get("change_note", ""),
    }
    return render(request, "scorecards/rubric_review.html", context, status=status)


@editors_only
@require_POST
def rubric_discard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    rubric_draft_discard(actor=request.user, role_slug=slug)
    messages.success(request, gettext("Draft discarded."))
    return redirect("scorecards:rubric-detail", slug=slug)
