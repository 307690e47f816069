"""The hiring committee's pages: loops awaiting a decision, and one loop with its recommendation and decision form.

Thin views: the selectors read, ``scorecards.decisions.loop_decide`` holds every rule.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from hiring.access import can_open_committee_pages
from hiring.audit.services import audit_scorecards_read
from hiring.errors import ApplicationError, ValidationFailed
from hiring.forms import apply_error
from hiring.models import InterviewLoop
from hiring.text import limit
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import page_for
from scorecards.decisions import (
    RECOMMENDATION_CHANGED,
    DecisionInput,
    decision_evidence_refusal,
    decision_requirements,
    loop_decide,
)
from scorecards.recommendations.loop_whatif import LoopWhatIf, loop_what_if
from scorecards.recommendations.selectors import CommitteeLoop, MatrixRow, committee_loop, committee_loops

PAGE_SIZE = 25
committee_pages = page_for(
    can_open_committee_pages,
    gettext_lazy("Only the hiring committee and admins can open the committee's pages."),
)
class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=InterviewLoop.Decision.choices, widget=forms.RadioSelect, label=gettext_lazy("Decision")
    )
    rationale = forms.CharField(
        max_length=limit("loop.decision_rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Rationale"),
        help_text=gettext_lazy("What the decision rests on, for the record."),
    )
    justification = forms.CharField(
        max_length=limit("loop.decision_justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=gettext_lazy("Justification"),
        help_text=gettext_lazy("Required when deciding against the recommendation or hiring over a red flag."),
    )
    confirm_outstanding = forms.BooleanField(
        required=False, label=gettext_lazy("I decide without the feedback that is still outstanding")
    )
    expected_fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def to_input(self) -> DecisionInput:
        data = self.cleaned_data
        return DecisionInput(
            decision=data["decision"],
            rationale=data["rationale"],
            justification=data["justification"],
            confirm_outstanding=data["confirm_outstanding"],
            expected_fingerprint=data["expected_fingerprint"],
        )

    def show_fingerprint(self, fingerprint: str) -> None:
        """Carry this recommendation's fingerprint instead of the one posted (the form keeps its errors)."""
        data: QueryDict | dict[str, Any] = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        data["expected_fingerprint"] = fingerprint
        self.data = data


class WhatIfForm(forms.Form):
    """The what-if's GET form: tick interviewers to leave out and amendments to ignore (choices from the page)."""

    leave_out = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Leave out"
    )
    ignore_amendments = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Ignore the debrief amendment of"
    )

    def __init__(self, data: QueryDict | None, *, view: CommitteeLoop) -> None:
        super().__init__(data)
        people: dict[int, str] = {}
        for row in view.current_rows:
            people.setdefault(row.scorecard.interviewer_id, row.scorecard.interviewer.display_name)
        leave_out = self.fields["leave_out"]
        ignore = self.fields["ignore_amendments"]
        assert isinstance(leave_out, forms.TypedMultipleChoiceField)
        assert isinstance(ignore, forms.TypedMultipleChoiceField)
        leave_out.choices = list(people.items())
        ignore.choices = [
            (card.pk, f"{card.interviewer.display_name} ({card.interview.get_kind_display()}, "
                      f"revision {card.revision})")
            for card in (row.scorecard for row in view.current_rows)
            if card.revision > 1
        ]


WHAT_IF_PARAMETERS = ("what_if", "leave_out", "ignore_amendments")


def _what_if(request: AuthenticatedHttpRequest, view: CommitteeLoop) -> tuple[WhatIfForm, LoopWhatIf | None]:
    """The what-if the page's GET asks for, if it asks (computed, audited as a read, never stored)."""
    asked = any(name in request.GET for name in WHAT_IF_PARAMETERS)
    form = WhatIfForm(request.GET if asked else None, view=view)
    if not asked or not form.is_valid():
        return form, None
    try:
        result = loop_what_if(
            actor=request.user,
            loop_id=view.loop.pk,
            leave_out=form.cleaned_data["leave_out"],
            ignore_amendments=form.cleaned_data["ignore_amendments"],
            via="page",
        )
    except ValidationFailed as exc:
        apply_error(form, exc)
        return form, None
    return form, result


@committee_pages
def loop_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Loops awaiting a decision (ready to decide first), or decided ones with ?show=decided."""
    show = "decided" if request.GET.get("show") == "decided" else "awaiting"
    loops = committee_loops(user=request.user, status=InterviewLoop.Status.DECIDED if show == "decided" else "")
    if show == "decided":
        loops = loops.order_by("-decided_at", "-id")
    page = Paginator(loops, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "scorecards/committee/loop_list.html",
        {"page": page, "show": show, "page_query": f"show={show}" if show == "decided" else ""},
    )


@committee_pages
@require_http_methods(["GET", "POST"])
def loop_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One loop for the committee: recommendation and reasons, the matrix, and the decision form."""
    view = committee_loop(user=request.user, loop_id=pk)
    if request.method == "GET" and request.GET.get("partial") == "what-if":
        # The page's script asks for the what-if alone when a box is ticked; its own audit event records the read.
        what_if_form, what_if = _what_if(request, view)
        return render(request, "scorecards/committee/_what_if_result.html",
                      {"what_if": what_if, "what_if_form": what_if_form})
    can_decide = request.user.is_committee and view.loop.status not in (
        InterviewLoop.Status.DECIDED,
        InterviewLoop.Status.WITHDRAWN,
    )
    fingerprint = view.recommendation.fingerprint if view.recommendation else ""
    form = DecisionForm(initial={"expected_fingerprint": fingerprint})
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied(gettext("This loop cannot be decided by you now."))
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                loop_decide(actor=request.user, loop_id=pk, data=form.to_input())
            except ApplicationError as exc:
                apply_error(form, exc)
                # The recommendation may have been refreshed by the attempt: show the current one.
                view = committee_loop(user=request.user, loop_id=pk)
                if exc.code == RECOMMENDATION_CHANGED:
                    # The member is told to review it, and the page now shows it: the next submission
                    # names it (the posted fingerprint would be refused again, forever).
                    form.show_fingerprint(view.recommendation.fingerprint if view.recommendation else "")
            else:
                messages.success(request, gettext("The decision was recorded."))
                return redirect("scorecards:committee-loop", pk=pk)

    # Every scorecard shown on the page is another interviewer's: the committee's reads are audited.
    audit_scorecards_read(request.user, [row.scorecard for row in (*view.current_rows, *view.original_rows)])
    recommendation = view.recommendation
    what_if_form, what_if = _what_if(request, view)
    context = {
        "view": view,
        "loop": view.loop,
        "recommendation": recommendation,
        "details": recommendation.details if recommendation else {},
        "dimension_columns": list(zip(view.dimensions, view.normalized_weights, strict=True)),
        "dimension_stats": _dimension_stats(view, recommendation.details if recommendation else {}),
        "amended_rows": _amendments(view),
        "first_rows": _first_submissions(view),
        "form": form,
        "can_decide": can_decide,
        "requirements": {
            choice: decision_requirements(decision=choice, recommendation=recommendation)
            for choice in InterviewLoop.Decision.values
        },
        "evidence_refusals": {
            choice: decision_evidence_refusal(decision=choice, submitted_scorecards=len(view.current_rows))
            for choice in InterviewLoop.Decision.values
        },
        "snapshot": view.loop.decision_recommendation or {},
        "what_if_form": what_if_form,
        "what_if": what_if,
    }
    return render(request, "scorecards/committee/loop_detail.html", context)


def _first_submissions(view: Any) -> list[MatrixRow]:
    """Each interviewer's feedback as first submitted, before any debrief amendment."""
    rows = [row for row in (*view.current_rows, *view.original_rows) if row.scorecard.revision == 1]
    return sorted(rows, key=lambda row: (row.scorecard.interview.starts_at, row.scorecard.interview_id))


def _amendments(view: Any) -> list[dict[str, Any]]:
    """Each amended scorecard with what changed against the revision it amends, in words."""
    previous = {row.scorecard.pk: row for row in view.original_rows}
    amended = []
    for row in view.current_rows:
        if row.scorecard.revision == 1:
            continue
        before = previous.get(row.scorecard.amends_id)
        changes = []
        if before is not None:
            for dimension, old, new in zip(view.dimensions, before.cells, row.cells, strict=True):
                old_text, new_text = _cell_text(old), _cell_text(new)
                if old_text != new_text:
                    changes.append(f"{dimension.name} {old_text} → {new_text}")
            if before.scorecard.overall != row.scorecard.overall:
                changes.append(
                    f"overall {before.scorecard.get_overall_display()} → {row.scorecard.get_overall_display()}"
                )
        amended.append({"row": row, "changes": changes})
    return amended


def _cell_text(cell: Any) -> str:
    if cell is None or (cell.score is None and not cell.not_assessed):
        return "–"
    return "not assessed" if cell.not_assessed else str(cell.score)


def _dimension_stats(view: Any, details: dict[str, Any]) -> list[dict[str, Any] | None]:
    """The recommendation's per-dimension mean, count and spread, in the matrix's column order."""
    by_name = {d["name"]: d for d in details.get("dimensions", [])}
    return [by_name.get(dimension.name) for dimension in view.dimensions]
