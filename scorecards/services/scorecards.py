"""Scorecard writes: start, save a draft, submit, amend.

The web form and the API both send a ``ScorecardInput``; every rule lives here.
Two tabs or two people saving the same draft are kept apart by ``version``:
a save based on an older version is refused with a Conflict, never merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hiring.audit import audit_record
from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import Interview, InterviewLoop, User
from scorecards.models import Dimension, ObservedSignal, Overall, Rating, Scorecard, Signal
from scorecards.services.recommendations import recommendation_request


@dataclass
class RatingInput:
    dimension_id: int
    score: int | None = None
    not_assessed: bool = False
    evidence: str = ""


@dataclass
class SignalInput:
    signal_id: int
    note: str = ""


@dataclass
class ScorecardInput:
    ratings: list[RatingInput] = field(default_factory=list)
    signals: list[SignalInput] = field(default_factory=list)
    overall: str = ""
    summary: str = ""


def rating_field(dimension_id: int, part: str) -> str:
    """The field name a rating problem is reported under (the form uses the same names)."""
    return f"dimension-{dimension_id}-{part}"


def signal_field(signal_id: int) -> str:
    return f"signal-{signal_id}-note"


def _interview_for(actor: User, interview_id: int, *, lock: bool = False) -> Interview:
    queryset = Interview.objects.select_related("loop", "loop__rubric")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        # Another interviewer's interview is reported as missing, not as forbidden.
        return queryset.get(pk=interview_id, interviewer=actor)
    except Interview.DoesNotExist as exc:
        raise NotFound("No such interview.") from exc


def _check_shape(interview: Interview, data: ScorecardInput) -> tuple[dict[int, Dimension], dict[int, Signal]]:
    """Refuse input that no form could produce: unknown ids, scores out of range, bad choices."""
    rubric_id = interview.loop.rubric_id
    dimensions = {d.pk: d for d in Dimension.objects.filter(rubric_id=rubric_id)}
    signals = {s.pk: s for s in Signal.objects.filter(rubric_id=rubric_id)}
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for rating in data.ratings:
        if rating.dimension_id not in dimensions:
            errors.setdefault("ratings", []).append(f"Dimension {rating.dimension_id} is not part of this rubric.")
            continue
        if rating.dimension_id in seen:
            errors.setdefault("ratings", []).append(f"Dimension {rating.dimension_id} is rated twice.")
        seen.add(rating.dimension_id)
        if rating.score is not None and (isinstance(rating.score, bool) or rating.score not in (1, 2, 3, 4, 5)):
            errors[rating_field(rating.dimension_id, "score")] = ["Choose a score from 1 to 5."]
        if rating.score is not None and rating.not_assessed:
            errors[rating_field(rating.dimension_id, "score")] = ["Choose a score or 'not assessed', not both."]
    seen_signals: set[int] = set()
    for signal in data.signals:
        if signal.signal_id not in signals:
            errors.setdefault("signals", []).append(f"Signal {signal.signal_id} is not part of this rubric.")
        elif signal.signal_id in seen_signals:
            errors.setdefault("signals", []).append(f"Signal {signal.signal_id} is ticked twice.")
        seen_signals.add(signal.signal_id)
    if data.overall and data.overall not in Overall.values:
        errors["overall"] = ["Choose strong no, no, yes or strong yes."]
    if errors:
        raise ValidationFailed("The scorecard has invalid values.", field_errors=errors)
    return dimensions, signals


def _check_complete(interview: Interview, data: ScorecardInput, signals: dict[int, Signal]) -> None:
    """Every problem at once, each under the field it belongs to."""
    errors: dict[str, list[str]] = {}
    by_dimension = {r.dimension_id: r for r in data.ratings}
    focus_ids = [d.pk for d in interview.focus_dimensions.all()] or [
        d.pk for d in Dimension.objects.filter(rubric_id=interview.loop.rubric_id)
    ]
    for dimension_id in focus_ids:
        rating = by_dimension.get(dimension_id)
        if rating is None or (rating.score is None and not rating.not_assessed):
            errors[rating_field(dimension_id, "score")] = ["Score this focus dimension or mark it not assessed."]
    for rating in data.ratings:
        if rating.score is not None and not rating.evidence.strip():
            errors[rating_field(rating.dimension_id, "evidence")] = [
                "Give the evidence for this score: what the candidate said or did."
            ]
    for signal in data.signals:
        if signals[signal.signal_id].kind == Signal.Kind.RED_FLAG and not signal.note.strip():
            errors[signal_field(signal.signal_id)] = ["Say what you observed for this red flag."]
    if not data.overall:
        errors["overall"] = ["Choose an overall recommendation."]
    if errors:
        raise ValidationFailed("The scorecard is not complete yet.", code="incomplete", field_errors=errors)


def _write_content(scorecard: Scorecard, data: ScorecardInput) -> None:
    scorecard.ratings.all().delete()
    scorecard.observed_signals.all().delete()
    Rating.objects.bulk_create(
        Rating(
            scorecard=scorecard,
            dimension_id=r.dimension_id,
            score=r.score,
            not_assessed=r.not_assessed,
            evidence=r.evidence.strip(),
        )
        for r in data.ratings
        if r.score is not None or r.not_assessed or r.evidence.strip()
    )
    ObservedSignal.objects.bulk_create(
        ObservedSignal(scorecard=scorecard, signal_id=s.signal_id, note=s.note.strip()) for s in data.signals
    )


def _audit_values(data: ScorecardInput) -> dict[str, Any]:
    """Scores and choices only: evidence and summaries may name the candidate."""
    return {
        "scores": {str(r.dimension_id): ("not assessed" if r.not_assessed else r.score) for r in data.ratings},
        "signal_ids": sorted(s.signal_id for s in data.signals),
        "overall": data.overall,
    }


def _snapshot(scorecard: Scorecard) -> dict[str, Any]:
    return {
        "scores": {
            str(r.dimension_id): ("not assessed" if r.not_assessed else r.score) for r in scorecard.ratings.all()
        },
        "signal_ids": sorted(s.signal_id for s in scorecard.observed_signals.all()),
        "overall": scorecard.overall,
        "status": scorecard.status,
        "version": scorecard.version,
    }


@transaction.atomic
def scorecard_start(*, actor: User, interview_id: int) -> Scorecard:
    """The interviewer's current scorecard for an interview, created as an empty draft the first time."""
    interview = _interview_for(actor, interview_id)
    existing = Scorecard.objects.filter(interview=interview, interviewer=actor, is_current=True).first()
    if existing is not None:
        return existing
    if interview.loop.is_closed:
        raise Conflict("This loop is closed; no new feedback can be started.", code="loop_closed")
    try:
        with transaction.atomic():
            scorecard = Scorecard.objects.create(interview=interview, interviewer=actor)
    except IntegrityError:
        # A second tab created it a moment ago: use that one.
        return Scorecard.objects.get(interview=interview, interviewer=actor, is_current=True)
    audit_record(actor=actor, action="scorecard.created", obj=scorecard, loop_id=interview.loop_id,
                 after={"interview_id": interview.pk, "status": scorecard.status})
    return scorecard


def _lock_current(actor: User, interview: Interview) -> Scorecard:
    try:
        return Scorecard.objects.select_for_update().get(interview=interview, interviewer=actor, is_current=True)
    except Scorecard.DoesNotExist as exc:
        raise NotFound("No scorecard has been started for this interview.") from exc


def _check_open(interview: Interview) -> None:
    # Once the committee has decided (or the candidate withdrew) feedback is frozen:
    # a late save would silently change what the decision was based on.
    if interview.loop.is_closed:
        raise Conflict("This loop is closed; its feedback can no longer be changed.", code="loop_closed")


def amend_refusal(interview: Interview) -> Conflict | None:
    """Why the interviewer's submitted scorecard cannot be amended now, or None when it can.

    Amendments are for after the debrief: the loop must be in review (every
    interview of the panel has submitted feedback) and not yet closed, so the
    pre-debrief scores are complete and independent before anyone revises theirs.
    """
    if interview.loop.is_closed:
        return Conflict("This loop is closed; its feedback can no longer be amended.", code="loop_closed")
    if interview.loop.status != InterviewLoop.Status.IN_REVIEW:
        return Conflict(
            "Amendments open after the debrief, once every interviewer on the loop has submitted feedback.",
            code="debrief_pending",
        )
    return None


def _content(scorecard_or_data: Scorecard | ScorecardInput) -> tuple[Any, ...]:
    """What a reader of the scorecard sees, to tell whether an amendment changes anything."""
    if isinstance(scorecard_or_data, Scorecard):
        ratings = {(r.dimension_id, r.score, r.not_assessed, r.evidence) for r in scorecard_or_data.ratings.all()}
        signals = {(s.signal_id, s.note) for s in scorecard_or_data.observed_signals.all()}
    else:
        ratings = {
            (r.dimension_id, r.score, r.not_assessed, r.evidence.strip())
            for r in scorecard_or_data.ratings
            if r.score is not None or r.not_assessed or r.evidence.strip()
        }
        signals = {(s.signal_id, s.note.strip()) for s in scorecard_or_data.signals}
    return (frozenset(ratings), frozenset(signals), scorecard_or_data.overall, scorecard_or_data.summary.strip())


def _check_version(scorecard: Scorecard, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != scorecard.version:
        raise Conflict(
            "This scorecard was changed in another tab or by another request since you opened it. "
            "Reload it to see the latest version; your changes were not saved.",
            code="stale_version",
        )


@transaction.atomic
def scorecard_save_draft(
    *, actor: User, interview_id: int, data: ScorecardInput, expected_version: int | None
) -> Scorecard:
    """Keep everything typed so far, complete or not. Refused once submitted or when stale."""
    interview = _interview_for(actor, interview_id)
    scorecard_start(actor=actor, interview_id=interview_id)
    scorecard = _lock_current(actor, interview)
    if scorecard.is_submitted:
        raise Conflict("This scorecard is submitted and read-only; amend it instead.", code="already_submitted")
    _check_open(interview)
    _check_version(scorecard, expected_version)
    _check_shape(interview, data)
    before = _snapshot(scorecard)
    _write_content(scorecard, data)
    scorecard.overall = data.overall
    scorecard.summary = data.summary.strip()
    scorecard.version += 1
    scorecard.save(update_fields=["overall", "summary", "version", "updated_at"])
    audit_record(actor=actor, action="scorecard.saved", obj=scorecard, loop_id=interview.loop_id,
                 before=before, after={**_audit_values(data), "version": scorecard.version})
    return scorecard


@transaction.atomic
def scorecard_submit(
    *, actor: User, interview_id: int, data: ScorecardInput, expected_version: int | None
) -> Scorecard:
    """Validate completeness, save and submit; the recommendation is recomputed after commit."""
    interview = _interview_for(actor, interview_id)
    scorecard_start(actor=actor, interview_id=interview_id)
    scorecard = _lock_current(actor, interview)
    if scorecard.is_submitted:
        raise Conflict("This scorecard was already submitted.", code="already_submitted")
    _check_open(interview)
    _check_version(scorecard, expected_version)
    _, signals = _check_shape(interview, data)
    _check_complete(interview, data, signals)
    before = _snapshot(scorecard)
    _write_content(scorecard, data)
    scorecard.overall = data.overall
    scorecard.summary = data.summary.strip()
    scorecard.status = Scorecard.Status.SUBMITTED
    scorecard.submitted_at = timezone.now()
    scorecard.version += 1
    scorecard.save(update_fields=["overall", "summary", "status", "submitted_at", "version", "updated_at"])
    audit_record(actor=actor, action="scorecard.submitted", obj=scorecard, loop_id=interview.loop_id,
                 before=before, after={**_audit_values(data), "status": scorecard.status, "version": scorecard.version})
    _after_feedback_change(interview.loop, reason="scorecard_submitted")
    return scorecard


@transaction.atomic
def scorecard_amend(
    *, actor: User, interview_id: int, data: ScorecardInput, reason: str, expected_version: int | None = None
) -> Scorecard:
    """Record a post-debrief amendment as a new revision; the original stays exactly as submitted.

    ``expected_version`` is the version of the revision the amendment was written
    from: a second tab amending an already amended scorecard is refused, not merged.
    """
    interview = _interview_for(actor, interview_id)
    current = _lock_current(actor, interview)
    if not current.is_submitted:
        raise Conflict("Only a submitted scorecard can be amended; this one is still a draft.", code="not_submitted")
    refusal = amend_refusal(interview)
    if refusal is not None:
        raise refusal
    _check_version(current, expected_version)
    _, signals = _check_shape(interview, data)
    # Every problem at once: a missing reason is reported beside the incomplete fields.
    reason_errors = {} if reason.strip() else {"reason": ["Say why you amend the scorecard: what changed."]}
    try:
        _check_complete(interview, data, signals)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, field_errors={**exc.field_errors, **reason_errors}) from None
    if reason_errors:
        raise ValidationFailed("Say why you amend the scorecard.", code="reason_required", field_errors=reason_errors)
    if _content(current) == _content(data):
        raise ValidationFailed(
            "The amendment changes nothing: change a score, the evidence, a signal or the recommendation.",
            code="unchanged",
        )
    before = _snapshot(current)
    Scorecard.objects.filter(pk=current.pk).update(is_current=False)
    now = timezone.now()
    amendment = Scorecard.objects.create(
        interview=interview,
        interviewer=actor,
        status=Scorecard.Status.SUBMITTED,
        overall=data.overall,
        summary=data.summary.strip(),
        revision=current.revision + 1,
        amends=current,
        amendment_reason=reason.strip(),
        is_current=True,
        submitted_at=now,
        # Versions keep counting across revisions, so a form based on the amended revision is seen as stale.
        version=current.version + 1,
    )
    _write_content(amendment, data)
    audit_record(actor=actor, action="scorecard.amended", obj=amendment, loop_id=interview.loop_id,
                 before=before, after={**_audit_values(data), "revision": amendment.revision, "amends": current.pk})
    _after_feedback_change(interview.loop, reason="scorecard_amended")
    return amendment


def _after_feedback_change(loop: InterviewLoop, *, reason: str) -> None:
    from hiring.services import loop_refresh_status

    loop_refresh_status(loop=loop)
    recommendation_request(loop.pk, reason=reason)
