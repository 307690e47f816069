"""The interviewer's pages: my interviews, the interview kit, the scorecard form, amendments and the panel.

Thin views: selectors read, ``scorecards.services.scorecards`` holds every
rule, and ``hiring.access`` decides what may be seen. Before an interviewer
has submitted their own feedback on a loop, nothing here shows another
scorecard, score or recommendation of that loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from hiring.access import can_see_panel
from hiring.audit import audit_scorecards_read
from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import Interview
from scorecards.forms import NOT_ASSESSED, AmendForm, ScorecardForm, signal_box
from scorecards.models import Dimension, Overall, Scorecard, Signal
from scorecards.selectors.rubric_pages import rubric_catalogue, rubric_page
from scorecards.selectors.scorecards import (
    current_of,
    interview_for_kit,
    my_interviews,
    own_interview,
    own_interview_rubric,
    own_scorecard_revisions,
    panel_for,
    rubric_content_of,
)
from scorecards.services.scorecards import (
    amend_refusal,
    rating_field,
    scorecard_amend,
    scorecard_save_draft,
    scorecard_submit,
    signal_field,
)

View = Callable[..., HttpResponse]
SUBMITTED_PAGE_SIZE = 20
# A scorecard that was never saved starts at this version; a form opened before the first save sends it.
FIRST_VERSION = 1


def signed_in(view: View) -> View:
    """Sign-in required; a service's NotFound (someone else's interview) becomes a plain 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapped


# --- Presentation helpers -------------------------------------------------------------


@dataclass
class Anchor:
    id: str
    value: str
    kind: str  # concerns | meets | exceeds
    title: str
    text: str


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


def anchors_of(dimension: Dimension, scale: dict[str, str]) -> list[Anchor]:
    """What 1, 3 and 5 look like, as the rubric words them; absent anchors are left out."""
    rows = [
        ("1", "concerns", "Common concerns", dimension.anchor_concerns),
        ("3", "meets", "Meets", dimension.anchor_meets),
        ("5", "exceeds", "Exceeds / strong", dimension.anchor_exceeds),
    ]
    return [
        Anchor(id=f"anchor-{dimension.pk}-{value}", value=value, kind=kind,
               title=f"{title} ({value} · {scale[value]})" if scale.get(value) else f"{title} ({value})", text=text)
        for value, kind, title, text in rows
        if text.strip()
    ]


def _dimension_rows(form: ScorecardForm, interview: Interview, focus_ids: set[int]) -> list[DimensionRow]:
    scale = {str(k): v for k, v in interview.loop.rubric.scale_labels.items()}
    rows = []
    for dimension in form.dimensions:
        score = form[rating_field(dimension.pk, "score")]
        evidence = form[rating_field(dimension.pk, "evidence")]
        chosen = str(score.value() or "")
        anchors = anchors_of(dimension, scale)
        anchor_ids = {anchor.value: anchor.id for anchor in anchors}
        options = [
            ScaleOption(value=v, number=v, label=scale.get(v, ""), checked=chosen == v, anchor_id=anchor_ids.get(v, ""))
            for v in ("1", "2", "3", "4", "5")
        ]
        options.append(ScaleOption(value=NOT_ASSESSED, number="", label="Not assessed", checked=chosen == NOT_ASSESSED))
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


def _signal_rows(form: ScorecardForm) -> dict[str, list[SignalRow]]:
    groups: dict[str, list[SignalRow]] = {kind: [] for kind in Signal.Kind.values}
    for signal in form.signals:
        note = form[signal_field(signal.pk)] if signal_field(signal.pk) in form.fields else None
        groups[signal.kind].append(SignalRow(signal=signal, box=form[signal_box(signal.pk)], note=note))
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
            summary.append((target, str(bound.label or name.capitalize()), message))
    return summary


def _focus_ids(interview: Interview) -> set[int]:
    focus = {d.pk for d in interview.focus_dimensions.all()}
    # An interview without focus dimensions assesses the whole rubric (the service requires them all).
    return focus or {d.pk for d in interview.loop.rubric.dimensions.all()}


def _form_for(
    interview: Interview, form_class: type[ScorecardForm], *, data: Any = None, initial: dict[str, Any] | None = None
) -> ScorecardForm:
    rubric = interview.loop.rubric
    focus_ids = _focus_ids(interview)
    # Focus dimensions first (in rubric order), then the rest, as the page shows them.
    dimensions = sorted(rubric.dimensions.all(), key=lambda d: (d.pk not in focus_ids, d.position))
    return form_class(data=data, initial=initial, dimensions=dimensions, signals=rubric.signals.all())


def _form_context(form: ScorecardForm, interview: Interview) -> dict[str, Any]:
    focus_ids = _focus_ids(interview)
    rows = _dimension_rows(form, interview, focus_ids)
    focus_rows = [row for row in rows if row.focus]
    other_rows = [row for row in rows if not row.focus]
    return {
        "form": form,
        "focus_rows": focus_rows,
        "other_rows": other_rows,
        "open_others": any(row.has_value or row.errors for row in other_rows),
        "signal_groups": _signal_rows(form),
        "error_summary": _error_summary(form),
        "focus_answered": sum(1 for row in focus_rows if str(row.score.value() or "")),
        "overall_choices": Overall.choices,
    }


def _rebound_with_version(form: ScorecardForm, version: int) -> ScorecardForm:
    """The same typed data with the latest version, so saving again is a deliberate, informed choice."""
    data = form.data.copy()
    data["version"] = str(version)
    rebound = type(form)(data=data, dimensions=form.dimensions, signals=form.signals)
    rebound.is_valid()
    return rebound


def _exercise_link(interview: Interview) -> str:
    if interview.exercise_id is None:
        return ""
    try:
        return reverse("exercises:exercise-detail", args=[interview.exercise_id])
    except NoReverseMatch:
        return ""


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), "j M Y, H:i T")


# --- My interviews ----------------------------------------------------------------------


@signed_in
def my_interviews_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    sections = my_interviews(user=request.user, now=now)
    submitted_page = Paginator(sections.submitted, SUBMITTED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "scorecards/my_interviews.html", {
        "sections": sections,
        "submitted_page": submitted_page,
        "now": now,
    })


# --- The interview kit ------------------------------------------------------------------


@signed_in
def interview_kit(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = interview_for_kit(user=request.user, interview_id=interview_id)
    rubric = interview.loop.rubric
    focus_ids = _focus_ids(interview)
    dimensions = list(rubric.dimensions.all())
    scale = {str(k): v for k, v in rubric.scale_labels.items()}
    is_mine = interview.interviewer_id == request.user.pk
    my_card = (
        Scorecard.objects.filter(interview=interview, interviewer=request.user, is_current=True).first()
        if is_mine else None
    )
    signals = list(rubric.signals.all())
    return render(request, "scorecards/interview_kit.html", {
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


# --- The scorecard form -------------------------------------------------------------------


def _read_only_page(
    request: HttpRequest, interview: Interview, revisions: list[Scorecard], *, notice: str = "", status: int = 200
) -> HttpResponse:
    current = current_of(revisions)
    refusal = amend_refusal(interview) if current is not None and current.is_submitted else None
    return render(request, "scorecards/scorecard_detail.html", {
        "interview": interview,
        "loop": interview.loop,
        "current": current,
        "earlier": [card for card in revisions if not card.is_current][::-1],
        "can_amend": current is not None and current.is_submitted and refusal is None,
        "amend_blocked": refusal.message if refusal is not None else "",
        "notice": notice,
        "panel_visible": current is not None and current.is_submitted and can_see_panel(request.user, interview.loop),
    }, status=status)


AMEND_TEMPLATE = "scorecards/scorecard_amend.html"


def _form_page(
    request: HttpRequest,
    interview: Interview,
    form: ScorecardForm,
    *,
    current: Scorecard | None,
    conflict: Conflict | None = None,
    status: int = 200,
    template: str = "scorecards/scorecard_form.html",
) -> HttpResponse:
    """The scorecard form, or the amendment form (same fields and context) with its own template."""
    return render(request, template, {
        "interview": interview,
        "loop": interview.loop,
        "current": current,
        "conflict": conflict,
        # After a conflict other than staleness the card cannot be saved from here; the text stays to copy.
        "locked": conflict is not None and conflict.code != "stale_version",
        **_form_context(form, interview),
    }, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def scorecard_edit(request: HttpRequest, interview_id: int) -> HttpResponse:
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
    form = _form_for(interview, ScorecardForm, initial=ScorecardForm.initial_from(current, version=version))
    return _form_page(request, interview, form, current=current)


def _scorecard_post(request: HttpRequest, interview_id: int) -> HttpResponse:
    """Save or submit. The happy path reads only what parsing needs (the rubric, cached per process); the
    service locks and checks the rest. A refusal shows the form page again, read in full, with what was typed."""
    rubric = own_interview_rubric(user=request.user, interview_id=interview_id)
    form = ScorecardForm(data=request.POST, dimensions=rubric.dimensions, signals=rubric.signals)
    problem: ValidationFailed | None = None
    if form.is_valid():
        submitting = request.POST.get("action") == "submit"
        service = scorecard_submit if submitting else scorecard_save_draft
        try:
            card = service(actor=request.user, interview_id=interview_id, data=form.to_input(),
                           expected_version=form.expected_version, rubric=rubric)
        except ValidationFailed as exc:
            problem = exc
        except Conflict as exc:
            interview = own_interview(user=request.user, interview_id=interview_id)
            return _conflict_page(request, interview, _form_for(interview, ScorecardForm, data=request.POST), exc)
        else:
            if submitting:
                messages.success(request, f"Scorecard submitted on {_when(card.submitted_at)}. It is read-only now.")
            else:
                messages.success(request,
                                 f"Draft saved at {_when(card.updated_at)}. Nothing is shared until you submit.")
            return redirect("scorecards:scorecard-edit", interview_id=interview_id)
    # The page lays the fields out by focus, so it is built again from the interview as the page reads it.
    interview = own_interview(user=request.user, interview_id=interview_id)
    shown = _form_for(interview, ScorecardForm, data=request.POST)
    shown.is_valid()
    if problem is not None:
        shown.add_service_error(problem)
    elif shown.has_version_problem():
        shown.add_error(None, "This form lost track of which version it edits. Reload the page and try again.")
    return _form_page(request, interview, shown, current=_current_card(request, interview), status=400)


def _current_card(request: HttpRequest, interview: Interview) -> Scorecard | None:
    return current_of(own_scorecard_revisions(user=request.user, interview=interview))


def _conflict_page(request: HttpRequest, interview: Interview, form: ScorecardForm, exc: Conflict) -> HttpResponse:
    current = _current_card(request, interview)
    if exc.code == "stale_version" and current is not None:
        form = _rebound_with_version(form, current.version)
    return _form_page(request, interview, form, current=current, conflict=exc, status=409)


# --- Amendments ---------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def scorecard_amend_page(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = own_interview(user=request.user, interview_id=interview_id)
    revisions = own_scorecard_revisions(user=request.user, interview=interview)
    current = current_of(revisions)
    if current is None or not current.is_submitted:
        messages.info(request, "Only a submitted scorecard can be amended; finish and submit this one first.")
        return redirect("scorecards:scorecard-edit", interview_id=interview.pk)
    if request.method == "GET":
        refusal = amend_refusal(interview)
        if refusal is not None:
            return _read_only_page(request, interview, revisions, notice=refusal.message, status=409)
        form = _form_for(interview, AmendForm, initial=AmendForm.initial_from(current, version=current.version))
        return _form_page(request, interview, form, current=current, template=AMEND_TEMPLATE)

    # A post goes to the service even when amending closed meanwhile: its refusal keeps what was typed.

    form = _form_for(interview, AmendForm, data=request.POST)
    if not form.is_valid():
        if form.has_version_problem():
            form.add_error(None, "This form lost track of which version it amends. Reload the page and try again.")
        return _form_page(request, interview, form, current=current, status=400, template=AMEND_TEMPLATE)
    try:
        amendment = scorecard_amend(
            actor=request.user, interview_id=interview.pk, data=form.to_input(),
            reason=form.cleaned_data.get("reason") or "", expected_version=form.expected_version,
            rubric=rubric_content_of(interview),
        )
    except ValidationFailed as exc:
        form.add_service_error(exc)
        return _form_page(request, interview, form, current=current, status=400, template=AMEND_TEMPLATE)
    except Conflict as exc:
        latest = _current_card(request, interview)
        if exc.code == "stale_version" and latest is not None:
            form = _rebound_with_version(form, latest.version)
        return _form_page(
            request, interview, form, current=latest, conflict=exc, status=409, template=AMEND_TEMPLATE
        )
    messages.success(
        request,
        f"Amendment saved as revision {amendment.revision} on {_when(amendment.submitted_at)}. "
        "The committee sees it beside your original scorecard.",
    )
    return redirect("scorecards:scorecard-edit", interview_id=interview.pk)


# --- The panel -----------------------------------------------------------------------------


@signed_in
def panel(request: HttpRequest, interview_id: int) -> HttpResponse:
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


# --- Rubrics (read-only) ---------------------------------------------------------------------


@signed_in
def rubric_list(request: HttpRequest) -> HttpResponse:
    return render(request, "scorecards/rubric_list.html", {"roles": rubric_catalogue()})


@signed_in
def rubric_detail(request: HttpRequest, slug: str) -> HttpResponse:
    version_param = request.GET.get("version")
    version = int(version_param) if version_param and version_param.isdigit() else None
    if version_param and version is None:
        raise Http404("No such rubric version.")
    return render(request, "scorecards/rubric_detail.html", {"page": rubric_page(role_slug=slug, version=version)})
