"""The scorecard form (save a draft, submit) and amendments, for the interviewer who owns the interview.

Thin: ``scorecards.services.scorecards`` holds every rule. A post reads only
what parsing needs and lets the service lock and check the rest; a refusal
shows the page again with what was typed and every problem beside its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.forms import BoundField
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from hiring.access import can_see_panel
from hiring.errors import Conflict, ValidationFailed
from hiring.models import Interview
from hiring.types import AuthenticatedHttpRequest
from hiring.views.common import signed_in
from scorecards.evidence.check import rule_by_id
from scorecards.evidence.messages import localized_rules, translated_rule
from scorecards.forms import NOT_ASSESSED, AmendForm, ScorecardForm, signal_box
from scorecards.models import Dimension, EvidenceFlag, Overall, Scorecard, Signal
from scorecards.questions.selectors import notes_as_evidence
from scorecards.rubrics.selectors import rubric_translation, translated_dimension, translated_signal
from scorecards.selectors.scorecards import (
    current_of,
    own_interview,
    own_interview_rubric,
    own_scorecard_revisions,
    rubric_content_of,
)
from scorecards.services.repeats import scorecard_repeat_of
from scorecards.services.scorecards import (
    amend_refusal,
    imported_refusal,
    rating_field,
    scorecard_amend,
    scorecard_save_draft,
    scorecard_submit,
    signal_field,
    submit_refusal,
)
from scorecards.views.common import Anchor, anchors_of
from scorecards.views.interviews import focus_ids_of

# A scorecard that was never saved starts at this version; a form opened before the first save sends it.
FIRST_VERSION = 1


# --- Presentation helpers -------------------------------------------------------------


@dataclass
class ScaleOption:
    value: str
    number: str
    label: str
    checked: bool
    anchor_id: str = ""


@dataclass
class DimensionRow:
    dimension: Dimension
    focus: bool
    score: BoundField
    evidence: BoundField
    options: list[ScaleOption]
    anchors: list[Anchor]
    has_value: bool
    errors: list[str] = field(default_factory=list)


@dataclass
class SignalRow:
    signal: Signal
    box: BoundField
    note: BoundField | None


def _dimension_rows(form: ScorecardForm, interview: Interview, focus_ids: set[int]) -> list[DimensionRow]:
    texts = rubric_translation(interview.loop.rubric)
    scale = {**{str(k): v for k, v in interview.loop.rubric.scale_labels.items()}, **(texts.get("scale") or {})}
    rows = []
    for stored in form.dimensions:
        dimension = translated_dimension(stored, texts)
        score = form[rating_field(dimension.pk, "score")]
        evidence = form[rating_field(dimension.pk, "evidence")]
        chosen = str(score.value() or "")
        anchors = anchors_of(dimension, scale)
        anchor_ids = {anchor.value: anchor.id for anchor in anchors}
        options = [
            ScaleOption(value=v, number=v, label=scale.get(v, ""), checked=chosen == v, anchor_id=anchor_ids.get(v, ""))
            for v in ("1", "2", "3", "4", "5")
        ]
        options.append(
            ScaleOption(value=NOT_ASSESSED, number="", label=gettext("Not assessed"), checked=chosen == NOT_ASSESSED)
        )
        rows.append(
            DimensionRow(
                dimension=dimension,
                focus=dimension.pk in focus_ids,
                score=score,
                evidence=evidence,
                options=options,
                anchors=anchors,
                has_value=bool(chosen or (evidence.value() or "").strip()),
                errors=[*score.errors, *evidence.errors],
            )
        )
    return rows


def _signal_rows(form: ScorecardForm, interview: Interview) -> dict[str, list[SignalRow]]:
    texts = rubric_translation(interview.loop.rubric)
    groups: dict[str, list[SignalRow]] = {kind: [] for kind in Signal.Kind.values}
    for signal in form.signals:
        note = form[signal_field(signal.pk)] if signal_field(signal.pk) in form.fields else None
        groups[signal.kind].append(
            SignalRow(signal=translated_signal(signal, texts), box=form[signal_box(signal.pk)], note=note)
        )
    return groups


def _page_order(form: ScorecardForm) -> list[str]:
    """Field names in the order the page shows them (the reason of an amendment comes first)."""
    names = ["reason"] if "reason" in form.fields else []
    for dimension in form.dimensions:
        names += [rating_field(dimension.pk, "score"), rating_field(dimension.pk, "evidence")]
    for signal in form.signals:
        names += [signal_box(signal.pk), signal_field(signal.pk)]
    return [name for name in [*names, "overall", "summary"] if name in form.fields]


def _error_summary(form: ScorecardForm) -> list[tuple[str, str, str]]:
    """(field id, field label, message) for every field error, in the order the fields appear on the page."""
    summary = []
    for name in _page_order(form):
        bound = form[name]
        for message in bound.errors:
            target = bound.auto_id
            if name.endswith("-score") or name == "overall":
                target = f"{bound.auto_id}_fieldset"
            # Iterating an ErrorList gives each ValidationError's message as a str, not the error.
            summary.append((target, str(bound.label or name.capitalize()), cast(str, message)))
    return summary


def _form_for(
    interview: Interview, form_class: type[ScorecardForm], *, data: Any = None, initial: dict[str, Any] | None = None
) -> ScorecardForm:
    rubric = interview.loop.rubric
    focus_ids = focus_ids_of(interview)
    # Focus dimensions first (in rubric order), then the rest, as the page shows them.
    dimensions = sorted(rubric.dimensions.all(), key=lambda d: (d.pk not in focus_ids, d.position))
    return form_class(data=data, initial=initial, dimensions=dimensions, signals=rubric.signals.all())


def _form_context(form: ScorecardForm, interview: Interview) -> dict[str, Any]:
    focus_ids = focus_ids_of(interview)
    rows = _dimension_rows(form, interview, focus_ids)
    focus_rows = [row for row in rows if row.focus]
    other_rows = [row for row in rows if not row.focus]
    return {
        "form": form,
        "focus_rows": focus_rows,
        "other_rows": other_rows,
        "open_others": any(row.has_value or row.errors for row in other_rows),
        "signal_groups": _signal_rows(form, interview),
        "error_summary": _error_summary(form),
        "focus_answered": sum(1 for row in focus_rows if str(row.score.value() or "")),
        "overall_choices": Overall.choices,
        "evidence_rules": localized_rules(),
    }


def _rebound_with_version(form: ScorecardForm, version: int) -> ScorecardForm:
    """The same typed data with the latest version, so saving again is a deliberate, informed choice."""
    # Only forms bound to request.POST come here.
    data = cast(QueryDict, form.data).copy()
    data["version"] = str(version)
    rebound = type(form)(data=data, dimensions=form.dimensions, signals=form.signals)
    rebound.is_valid()
    return rebound


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), "j M Y, H:i T")


# --- The scorecard form -------------------------------------------------------------------


def _read_only_page(
    request: AuthenticatedHttpRequest,
    interview: Interview,
    revisions: list[Scorecard],
    *,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    current = current_of(revisions)
    refusal = (imported_refusal(current) or amend_refusal(interview)
               if current is not None and current.is_submitted else None)
    return render(request, "scorecards/scorecard_detail.html", {
        "interview": interview,
        "loop": interview.loop,
        "current": current,
        "earlier": [card for card in revisions if not card.is_current][::-1],
        "can_amend": current is not None and current.is_submitted and refusal is None,
        "amend_blocked": refusal.message if refusal is not None else "",
        "notice": notice,
        "evidence_flags": _flags_of(current),
        "panel_visible": current is not None and current.is_submitted and can_see_panel(request.user, interview.loop),
    }, status=status)


def _flags_of(card: Scorecard | None) -> list[dict[str, Any]]:
    """The evidence hints stored when the author submitted (this page is only ever the author's own)."""
    if card is None or not card.is_submitted:
        return []
    rows = []
    for flag in EvidenceFlag.objects.filter(scorecard=card).select_related("dimension").order_by(
        "dimension__position", "id"
    ):
        rule = translated_rule(rule_by_id(flag.rule) or {"title": flag.rule, "why": "", "instead": ""})
        rows.append({"dimension": flag.dimension.name, "title": rule["title"], "why": rule["why"],
                     "instead": rule["instead"], "terms": [t.rstrip("*") for t in flag.terms]})
    return rows


AMEND_TEMPLATE = "scorecards/scorecard_amend.html"


def _form_page(
    request: AuthenticatedHttpRequest,
    interview: Interview,
    form: ScorecardForm,
    *,
    current: Scorecard | None,
    conflict: Conflict | None = None,
    status: int = 200,
    template: str = "scorecards/scorecard_form.html",
) -> HttpResponse:
    """The scorecard form, or the amendment form (same fields and context) with its own template."""
    refusal = submit_refusal(interview) if template != AMEND_TEMPLATE else None
    return render(request, template, {
        "interview": interview,
        "loop": interview.loop,
        "current": current,
        "conflict": conflict,
        # Said before anyone presses Submit: the scorecard can be drafted now and submitted later.
        "submit_blocked": refusal.message if refusal is not None else "",
        # After a conflict other than staleness the card cannot be saved from here; the text stays to copy.
        "locked": conflict is not None and conflict.code != "stale_version",
        **_form_context(form, interview),
    }, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def scorecard_edit(request: AuthenticatedHttpRequest, interview_id: int) -> HttpResponse:
    if request.method == "POST":
        return _scorecard_post(request, interview_id)
    interview = own_interview(user=request.user, interview_id=interview_id)
    revisions = own_scorecard_revisions(user=request.user, interview=interview)
    current = current_of(revisions)
    if current is not None and current.is_submitted:
        return _read_only_page(request, interview, revisions)
    if interview.loop.is_closed:
        return _read_only_page(
            request, interview, revisions,
            notice=f"This loop is {interview.loop.get_status_display().lower()}; "
                   "its feedback can no longer be changed.",
        )
    version = current.version if current is not None else FIRST_VERSION
    initial = ScorecardForm.initial_from(current, version=version)
    _prefill_from_notes(request, interview, initial)
    form = _form_for(interview, ScorecardForm, initial=initial)
    return _form_page(request, interview, form, current=current)


def _prefill_from_notes(request: AuthenticatedHttpRequest, interview: Interview, initial: dict[str, Any]) -> None:
    """The interviewer's notes on the kit's questions fill the evidence boxes they left empty."""
    dimensions = sorted(interview.loop.rubric.dimensions.all(),
                        key=lambda d: (d.pk not in focus_ids_of(interview), d.position))
    for dimension_id, text in notes_as_evidence(user=request.user, interview=interview,
                                                dimensions=dimensions).items():
        name = rating_field(dimension_id, "evidence")
        if not (initial.get(name) or "").strip():
            initial[name] = text


def _scorecard_post(request: AuthenticatedHttpRequest, interview_id: int) -> HttpResponse:
    """Save or submit. The happy path reads only what parsing needs (the rubric, cached per process); the
    service locks and checks the rest. A refusal shows the form page again, read in full, with what was typed."""
    rubric = own_interview_rubric(user=request.user, interview_id=interview_id)
    form = ScorecardForm(data=request.POST, dimensions=rubric.dimensions, signals=rubric.signals)
    problem: ValidationFailed | None = None
    if form.is_valid():
        submitting = request.POST.get("action") == "submit"
        service = scorecard_submit if submitting else scorecard_save_draft
        data = form.to_input()
        try:
            card = service(actor=request.user, interview_id=interview_id, data=data,
                           expected_version=form.expected_version, rubric=rubric)
        except ValidationFailed as exc:
            problem = exc
        except Conflict as exc:
            # Pressed twice: the second post meets what the first one made, and lands where the first did.
            repeated = scorecard_repeat_of(actor=request.user, interview_id=interview_id, data=data,
                                           expected_version=form.expected_version,
                                           action="submit" if submitting else "save")
            if repeated is not None:
                return _saved(request, repeated, submitted=submitting)
            interview = own_interview(user=request.user, interview_id=interview_id)
            return _conflict_page(request, interview, _form_for(interview, ScorecardForm, data=request.POST), exc)
        else:
            return _saved(request, card, submitted=submitting)
    # The page lays the fields out by focus, so it is built again from the interview as the page reads it.
    interview = own_interview(user=request.user, interview_id=interview_id)
    shown = _form_for(interview, ScorecardForm, data=request.POST)
    shown.is_valid()
    if problem is not None:
        shown.add_service_error(problem)
    elif shown.has_version_problem():
        shown.add_error(None, gettext("This form lost track of which version it edits. Reload the page and try again."))
    return _form_page(request, interview, shown, current=_current_card(request, interview), status=400)


def _saved(request: AuthenticatedHttpRequest, card: Scorecard, *, submitted: bool) -> HttpResponse:
    if submitted:
        messages.success(
            request,
            gettext("Scorecard submitted on %(when)s. It is read-only now.") % {"when": _when(card.submitted_at)},
        )
    else:
        messages.success(
            request,
            gettext("Draft saved at %(when)s. Nothing is shared until you submit.") % {"when": _when(card.updated_at)},
        )
    return redirect("scorecards:scorecard-edit", interview_id=card.interview_id)


def _current_card(request: AuthenticatedHttpRequest, interview: Interview) -> Scorecard | None:
    return current_of(own_scorecard_revisions(user=request.user, interview=interview))


def _conflict_page(
    request: AuthenticatedHttpRequest, interview: Interview, form: ScorecardForm, exc: Conflict
) -> HttpResponse:
    current = _current_card(request, interview)
    if exc.code == "stale_version" and current is not None:
        form = _rebound_with_version(form, current.version)
    return _form_page(request, interview, form, current=current, conflict=exc, status=409)


# --- Amendments ---------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def scorecard_amend_page(request: AuthenticatedHttpRequest, interview_id: int) -> HttpResponse:
    interview = own_interview(user=request.user, interview_id=interview_id)
    revisions = own_scorecard_revisions(user=request.user, interview=interview)
    current = current_of(revisions)
    if current is None or not current.is_submitted:
        messages.info(request, gettext("Only a submitted scorecard can be amended; finish and submit this one first."))
        return redirect("scorecards:scorecard-edit", interview_id=interview.pk)
    if request.method == "GET":
        refusal = imported_refusal(current) or amend_refusal(interview)
        if refusal is not None:
            return _read_only_page(request, interview, revisions, notice=refusal.message, status=409)
        form = _form_for(interview, AmendForm, initial=AmendForm.initial_from(current, version=current.version))
        return _form_page(request, interview, form, current=current, template=AMEND_TEMPLATE)

    # A post goes to the service even when amending closed meanwhile: its refusal keeps what was typed.

    form = _form_for(interview, AmendForm, data=request.POST)
    if not form.is_valid():
        if form.has_version_problem():
            form.add_error(
                None, gettext("This form lost track of which version it amends. Reload the page and try again.")
            )
        return _form_page(request, interview, form, current=current, status=400, template=AMEND_TEMPLATE)
    data, reason = form.to_input(), form.cleaned_data.get("reason") or ""
    try:
        amendment = scorecard_amend(
            actor=request.user, interview_id=interview.pk, data=data, reason=reason,
            expected_version=form.expected_version, rubric=rubric_content_of(interview),
        )
    except ValidationFailed as exc:
        form.add_service_error(exc)
        return _form_page(request, interview, form, current=current, status=400, template=AMEND_TEMPLATE)
    except Conflict as exc:
        repeated = scorecard_repeat_of(actor=request.user, interview_id=interview.pk, data=data,
                                       expected_version=form.expected_version, action="amend", reason=reason)
        if repeated is not None:
            return _amended(request, repeated)
        latest = _current_card(request, interview)
        if exc.code == "stale_version" and latest is not None:
            form = _rebound_with_version(form, latest.version)
        return _form_page(
            request, interview, form, current=latest, conflict=exc, status=409, template=AMEND_TEMPLATE
        )
    return _amended(request, amendment)


def _amended(request: AuthenticatedHttpRequest, amendment: Scorecard) -> HttpResponse:
    messages.success(
        request,
        gettext(
            "Amendment saved as revision %(revision)s on %(when)s. The committee sees it beside your original "
            "scorecard."
        )
        % {"revision": amendment.revision, "when": _when(amendment.submitted_at)},
    )
    return redirect("scorecards:scorecard-edit", interview_id=amendment.interview_id)
