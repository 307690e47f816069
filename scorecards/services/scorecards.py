"""Scorecard writes: start, save a draft, submit, amend.

The web form and the API both send a ``ScorecardInput`` (``scorecard_input``,
with the checks that need no database); every rule lives here.
Two tabs or two people saving the same draft are kept apart by ``version``:
a save based on an older version is refused with a Conflict, never merged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hiring.audit.services import audit_event, audit_record, audit_record_all
from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.events import event_record
from hiring.models import AuditEvent, DomainEvent, Interview, InterviewLoop, User
from hiring.services import stages as hiring_stages
from hiring.text import length_problem
from scorecards.models import Dimension, ObservedSignal, Rating, Scorecard, Signal
from scorecards.selectors.scorecards import RubricContent
from scorecards.services.evidence_flags import evidence_flags_store
from scorecards.services.recompute import recommendation_request
from scorecards.services.scorecard_input import (
    RatingInput,
    RubricParts,
    ScorecardInput,
    SignalInput,
    answered_ids,
    check_complete,
    check_shape,
    content_of,
    rating_field,
    signal_field,
)

# The input types and field names are part of this module's interface (forms and serializers import them here).
__all__ = [
    "RatingInput", "ScorecardInput", "SignalInput", "amend_refusal", "imported_refusal", "rating_field",
    "scorecard_amend",
    "scorecard_save_draft", "scorecard_start", "scorecard_submit", "signal_field", "submit_refusal",
]


def _lock_interview(actor: User, interview_id: int) -> Interview:
    """The actor's interview and its loop, both locked until the transaction ends.

    Every scorecard write takes these locks first, in this order: writes to one
    interview's scorecard take turns (so the draft is created once and versions
    are checked against the latest), a decision cannot close the loop between
    the check and the write, and the loop's stage is derived from committed
    feedback only (two interviewers submitting the last two scorecards of a
    panel are serialised, and the second one moves the loop to review).
    """
    try:
        interview = (
            Interview.objects.select_related("loop")
            .select_for_update(of=("self", "loop"))
            .get(pk=interview_id, interviewer=actor)
        )
    except Interview.DoesNotExist as exc:
        raise NotFound(gettext("No such interview.")) from exc
    if interview.cancelled_at is not None:
        raise Conflict(
            gettext("This interview was cancelled; its feedback can no longer change."), code="interview_cancelled"
        )
    return interview


def _rubric_parts(interview: Interview, rubric: RubricContent | None) -> RubricParts:
    """The rubric's dimensions and signals, from ``rubric`` when the caller already has them (a page).

    A published rubric version never changes, so a copy read before the
    transaction is as good as a fresh one.
    """
    rubric_id = interview.loop.rubric_id
    if rubric is not None and rubric.rubric_id == rubric_id:
        return RubricParts(dimensions={d.pk: d for d in rubric.dimensions}, signals={s.pk: s for s in rubric.signals})
    return RubricParts(
        dimensions={d.pk: d for d in Dimension.objects.filter(rubric_id=rubric_id)},
        signals={s.pk: s for s in Signal.objects.filter(rubric_id=rubric_id)},
    )


def _required_ids(interview: Interview, parts: RubricParts, data: ScorecardInput) -> list[int]:
    """The dimensions a complete scorecard must answer: the interview's focus, else the whole rubric.

    A scorecard that answers every dimension of the rubric covers any focus, so
    the focus is read only when some dimension is left out. It is read under the
    interview's lock: attaching an exercise can add to it.
    """
    if answered_ids(data) >= parts.dimensions.keys():
        return list(parts.dimensions)
    focus = Interview.focus_dimensions.through.objects.filter(interview_id=interview.pk)
    return sorted(focus.values_list("dimension_id", flat=True)) or list(parts.dimensions)


def _write_content(scorecard: Scorecard, data: ScorecardInput, *, before: dict[str, Any] | None) -> None:
    """Store the ratings and signals, first deleting the ones a saved draft holds.

    ``before``: the draft's ``_snapshot``, read in this transaction under the
    interview's lock, so it says which kinds of rows exist: a draft with
    ratings and no signals (the usual one) needs no delete of signals.
    """
    if before is not None and before["scores"]:
        scorecard.ratings.all().delete()
    if before is not None and before["signal_ids"]:
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
    # A draft not stored yet holds nothing (and has no rows to ask the database for).
    stored = not scorecard._state.adding
    return {
        "scores": {
            str(r.dimension_id): ("not assessed" if r.not_assessed else r.score)
            for r in (scorecard.ratings.all() if stored else [])
        },
        "signal_ids": sorted(s.signal_id for s in (scorecard.observed_signals.all() if stored else [])),
        "overall": scorecard.overall,
        "status": str(scorecard.status),
        "version": scorecard.version,
    }


def _current(actor: User, interview: Interview, *, with_content: bool = False) -> Scorecard | None:
    """The current revision of the actor's scorecard, locked, or None before the first save."""
    queryset = Scorecard.objects.select_for_update()
    if with_content:
        queryset = queryset.prefetch_related("ratings", "observed_signals")
    try:
        # At most one: a unique constraint keeps one current revision per interview and interviewer.
        return queryset.get(interview=interview, interviewer=actor, is_current=True)
    except Scorecard.DoesNotExist:
        return None


def _created_event(actor: User, interview: Interview, scorecard: Scorecard) -> AuditEvent:
    return audit_event(actor=actor, action="scorecard.created", obj=scorecard, loop_id=interview.loop_id,
                       after={"interview_id": interview.pk, "status": Scorecard.Status.DRAFT.value})


@transaction.atomic
def scorecard_start(*, actor: User, interview_id: int) -> Scorecard:
    """The interviewer's current scorecard for an interview, created as an empty draft the first time."""
    interview = _lock_interview(actor, interview_id)
    existing = _current(actor, interview)
    if existing is not None:
        return existing
    if interview.loop.is_closed:
        raise Conflict(gettext("This loop is closed; no new feedback can be started."), code="loop_closed")
    # The interview's lock makes a second tab wait here and then find this draft: no duplicate to recover from.
    scorecard = Scorecard.objects.create(interview=interview, interviewer=actor)
    audit_record_all([_created_event(actor, interview, scorecard)])
    return scorecard


def _draft_to_write(actor: User, interview: Interview, expected_version: int | None, *, submitted: str) -> Scorecard:
    """The current draft, locked, after the state and version checks.

    Before the first save it is a new, unsaved draft at the first version: the
    write creates it, so a refused first save leaves nothing behind.
    """
    scorecard = _current(actor, interview)
    if scorecard is None:
        if interview.loop.is_closed:
            raise Conflict(gettext("This loop is closed; no new feedback can be started."), code="loop_closed")
        scorecard = Scorecard(interview=interview, interviewer=actor)
    elif scorecard.is_submitted:
        raise Conflict(submitted, code="already_submitted")
    _check_open(interview)
    _check_version(scorecard, expected_version)
    return scorecard


def _store_draft(
    actor: User, interview: Interview, scorecard: Scorecard, data: ScorecardInput, *, fields: list[str],
    action: str, before: dict[str, Any], after: dict[str, Any],
) -> None:
    """Save ``fields`` and the content, creating the draft on the first save; audit both in one insert."""
    created = scorecard._state.adding
    if created:
        scorecard.save(force_insert=True)
    else:
        scorecard.save(update_fields=[*fields, "updated_at"])
    _write_content(scorecard, data, before=before)
    events = [_created_event(actor, interview, scorecard)] if created else []
    events.append(audit_event(actor=actor, action=action, obj=scorecard, loop_id=interview.loop_id,
                              before=before, after=after))
    audit_record_all(events)


def _lock_current(actor: User, interview: Interview) -> Scorecard:
    scorecard = _current(actor, interview, with_content=True)
    if scorecard is None:
        raise NotFound(gettext("No scorecard has been started for this interview."))
    return scorecard


def _check_open(interview: Interview) -> None:
    # Once the committee has decided (or the candidate withdrew) feedback is frozen:
    # a late save would silently change what the decision was based on.
    if interview.loop.is_closed:
        raise Conflict(gettext("This loop is closed; its feedback can no longer be changed."), code="loop_closed")


def amend_refusal(interview: Interview) -> Conflict | None:
    """Why the interviewer's submitted scorecard cannot be amended now, or None when it can.

    Amendments are for after the debrief: the loop must be in review (every
    interview of the panel has submitted feedback) and not yet closed, so the
    pre-debrief scores are complete and independent before anyone revises theirs.
    """
    if interview.loop.is_closed:
        return Conflict(gettext("This loop is closed; its feedback can no longer be amended."), code="loop_closed")
    if interview.loop.status != InterviewLoop.Status.IN_REVIEW:
        return Conflict(
            gettext("Amendments open after the debrief, once every interviewer on the loop has submitted feedback."),
            code="debrief_pending",
        )
    return None


def imported_refusal(scorecard: Scorecard) -> Conflict | None:
    """Why an imported scorecard cannot be changed here, or None for one written in Hireloop.

    It is the record of what the interviewer wrote in the other system, and
    the import keeps it in step with that system: an edit here would be
    overwritten by the next import, or silently diverge from the source.
    """
    if not scorecard.is_imported:
        return None
    return Conflict(
        gettext("This scorecard was imported from %(source)s (scorecard %(source_id)s) and is read-only in Hireloop.")
        % {"source": scorecard.get_source_display(), "source_id": scorecard.source_id},
        code="imported",
    )


def _check_version(scorecard: Scorecard, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != scorecard.version:
        raise Conflict(
            gettext("This scorecard was changed in another tab or by another request since you opened it. "
            "Reload it to see the latest version; your changes were not saved."),
            code="stale_version",
        )


@transaction.atomic
def scorecard_save_draft(
    *, actor: User, interview_id: int, data: ScorecardInput, expected_version: int | None,
    rubric: RubricContent | None = None,
) -> Scorecard:
    """Keep everything typed so far, complete or not. Refused once submitted or when stale.

    ``rubric``: the interview's rubric content as the page read it to parse
    the form (``scorecards.selectors.scorecards``), so it is not read twice.
    """
    interview = _lock_interview(actor, interview_id)
    scorecard = _draft_to_write(actor, interview, expected_version,
                                submitted="This scorecard is submitted and read-only; amend it instead.")
    check_shape(_rubric_parts(interview, rubric), data)
    before = _snapshot(scorecard)
    scorecard.overall = data.overall
    scorecard.summary = data.summary.strip()
    scorecard.version += 1
    _store_draft(actor, interview, scorecard, data, fields=["overall", "summary", "version"],
                 action="scorecard.saved", before=before, after={**_audit_values(data), "version": scorecard.version})
    return scorecard


@transaction.atomic
def scorecard_submit(
    *, actor: User, interview_id: int, data: ScorecardInput, expected_version: int | None,
    rubric: RubricContent | None = None,
) -> Scorecard:
    """Validate completeness, save and submit; the recommendation is recomputed after commit.

    ``rubric`` as for ``scorecard_save_draft``.
    """
    interview = _lock_interview(actor, interview_id)
    scorecard = _draft_to_write(actor, interview, expected_version, submitted="This scorecard was already submitted.")
    refusal = submit_refusal(interview)
    if refusal is not None:
        raise refusal
    parts = _rubric_parts(interview, rubric)
    check_shape(parts, data)
    check_complete(parts, data, required_ids=_required_ids(interview, parts, data))
    before = _snapshot(scorecard)
    scorecard.overall = data.overall
    scorecard.summary = data.summary.strip()
    scorecard.status = Scorecard.Status.SUBMITTED
    scorecard.submitted_at = timezone.now()
    scorecard.version += 1
    _store_draft(actor, interview, scorecard, data,
                 fields=["overall", "summary", "status", "submitted_at", "version"], action="scorecard.submitted",
                 before=before,
                 after={**_audit_values(data), "status": scorecard.status, "version": scorecard.version})
    evidence_flags_store(scorecard, data)
    event_record(DomainEvent.Kind.SCORECARD_SUBMITTED, loop_id=interview.loop_id, occurred_at=scorecard.submitted_at,
                 data={"loop_id": interview.loop_id, "interview_id": interview.pk, "scorecard_id": scorecard.pk,
                       "interviewer_id": actor.pk})
    _after_feedback_change(interview.loop, reason="scorecard_submitted")
    return scorecard


def submit_refusal(interview: Interview, *, now: datetime | None = None) -> Conflict | None:
    """Why the interviewer's scorecard cannot be submitted yet, or None when it can (drafts are always open).

    Submitting opens the panel's scorecards to the interviewer, so it waits
    until there is something to score: before the interview has started, or
    (a take-home review) before the candidate has submitted the work and while
    the deadline has not passed, a submit could only be a placeholder that buys
    an early look at the colleagues' scores.
    """
    now = now or timezone.now()
    if interview.starts_at > now:
        starts = timezone.localtime(interview.starts_at)
        return Conflict(
            gettext(
                "This interview starts on %(starts)s; you can submit its scorecard once it has started. Save a draft "
                "until then."
            )
            % {"starts": format(starts, "%a %d %b %Y at %H:%M")},
            code="interview_not_started",
        )
    if interview.kind != Interview.Kind.TAKE_HOME_REVIEW:
        return None
    try:
        assignment = interview.take_home_assignment
    except ObjectDoesNotExist:
        return None  # a review interview scheduled by hand, with no take-home sent through Hireloop
    if assignment.due_at <= now or assignment.submissions.exists():
        return None
    due = timezone.localtime(assignment.due_at)
    return Conflict(
        gettext(
            "The candidate has not submitted the take-home yet (due %(due)s); you can submit this review once they "
            "have, or once the deadline has passed. Save a draft until then."
        )
        % {"due": format(due, "%a %d %b %Y at %H:%M")},
        code="take_home_not_submitted",
    )


@transaction.atomic
def scorecard_amend(
    *, actor: User, interview_id: int, data: ScorecardInput, reason: str, expected_version: int | None = None,
    rubric: RubricContent | None = None,
) -> Scorecard:
    """Record a post-debrief amendment as a new revision; the original stays exactly as submitted.

    ``expected_version`` is the version of the revision the amendment was written
    from: a second tab amending an already amended scorecard is refused, not merged.
    ``rubric`` as for ``scorecard_save_draft``.
    """
    interview = _lock_interview(actor, interview_id)
    current = _lock_current(actor, interview)
    if not current.is_submitted:
        raise Conflict(
            gettext("Only a submitted scorecard can be amended; this one is still a draft."), code="not_submitted"
        )
    refusal = imported_refusal(current) or amend_refusal(interview)
    if refusal is not None:
        raise refusal
    _check_version(current, expected_version)
    parts = _rubric_parts(interview, rubric)
    check_shape(parts, data)
    # Every problem at once: a missing reason is reported beside the incomplete fields.
    reason_errors = {} if reason.strip() else {"reason": ["Say why you amend the scorecard: what changed."]}
    if problem := length_problem(reason.strip(), "scorecard.amendment_reason"):
        reason_errors = {"reason": [problem]}
    try:
        check_complete(parts, data, required_ids=_required_ids(interview, parts, data))
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, field_errors={**exc.field_errors, **reason_errors}) from None
    if reason_errors:
        raise ValidationFailed(
            gettext("Say why you amend the scorecard."), code="reason_required", field_errors=reason_errors
        )
    if content_of(current) == content_of(data):
        raise ValidationFailed(
            gettext("The amendment changes nothing: change a score, the evidence, a signal or the recommendation."),
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
    _write_content(amendment, data, before=None)
    evidence_flags_store(amendment, data)
    audit_record(actor=actor, action="scorecard.amended", obj=amendment, loop_id=interview.loop_id,
                 before=before, after={**_audit_values(data), "revision": amendment.revision, "amends": current.pk})
    _after_feedback_change(interview.loop, reason="scorecard_amended")
    return amendment


def _after_feedback_change(loop: InterviewLoop, *, reason: str) -> None:
    """Derive the loop's stage and request its recommendation; ``loop`` is the row locked by this transaction."""

    hiring_stages.loop_refresh_status(loop=loop, locked=True)
    recommendation_request(loop.pk, reason=reason)
