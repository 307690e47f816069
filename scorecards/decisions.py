"""The hiring committee's decision on a loop: final, justified where it departs, audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hiring.access import can_see_panel
from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.events import event_record
from hiring.models import DomainEvent, Interview, InterviewLoop, User
from hiring.services.interviews import loop_interviews_call_off
from scorecards.models import Recommendation, Scorecard
from scorecards.recommendations.services import recommendation_compute


@dataclass(frozen=True)
class DecisionInput:
    decision: str  # InterviewLoop.Decision
    rationale: str
    justification: str = ""
    confirm_outstanding: bool = False
    # The recommendation the member was looking at; if it changed since, they must look again.
    expected_fingerprint: str = ""


def decision_requirements(*, decision: str, recommendation: Recommendation | None) -> list[str]:
    """Why a written justification is needed for this decision, in words (empty: not needed).

    Shared by the service (which enforces it) and the page (which says it before submitting).
    """
    if recommendation is None:
        return []
    reasons = []
    outcome = recommendation.outcome
    if decision == InterviewLoop.Decision.HIRE and outcome == Recommendation.Outcome.NO_HIRE:
        reasons.append("Hiring goes against the recommendation (no hire).")
    if decision == InterviewLoop.Decision.NO_HIRE and outcome == Recommendation.Outcome.HIRE:
        reasons.append("Not hiring goes against the recommendation (hire).")
    red_flags = recommendation.details.get("red_flags") or []
    if decision == InterviewLoop.Decision.HIRE and red_flags:
        count = len(red_flags)
        reasons.append(f"Hiring over {'a red flag' if count == 1 else f'{count} red flags'} raised by the panel.")
    return reasons


NO_EVIDENCE = "no_evidence"


def decision_evidence_refusal(*, decision: str, submitted_scorecards: int) -> str:
    """Why this decision cannot be recorded on the evidence there is, in words (empty: it can).

    A hire needs at least one submitted scorecard: nobody is hired on no evidence at all. A no hire needs
    none (the committee may stop a loop whose panel never reported), and neither does a withdrawal. Shared
    by the service (which enforces it) and the page (which says it before submitting).
    """
    if decision == InterviewLoop.Decision.HIRE and submitted_scorecards == 0:
        return (
            "A hire cannot be recorded on a loop with no submitted scorecard: wait for the panel's feedback, "
            "or record no hire (or withdraw the loop)."
        )
    return ""


def submitted_scorecard_count(loop: InterviewLoop) -> int:
    """The loop's current submitted scorecards (imported ones included): the evidence a hire needs."""
    return Scorecard.objects.filter(interview__loop=loop, status=Scorecard.Status.SUBMITTED, is_current=True).count()


def outstanding_interviews(loop: InterviewLoop) -> list[Interview]:
    """Interviews of the loop whose interviewer has not submitted feedback."""
    submitted = Scorecard.objects.filter(interview__loop=loop, status=Scorecard.Status.SUBMITTED).values(
        "interview_id"
    )
    return list(Interview.objects.scheduled().filter(loop=loop).exclude(pk__in=submitted).order_by("starts_at", "id"))


RECOMMENDATION_CHANGED = "recommendation_changed"


def loop_decide(*, actor: User, loop_id: int, data: DecisionInput) -> InterviewLoop:
    """Record the committee's hire / no hire decision on a loop.

    The recommendation is brought up to date first, in the decision's
    transaction with the loop locked, so that the decision is checked
    against, and stores, what the recommendation is at this moment. Deciding
    against it, or hiring over a red flag, needs a written justification;
    outstanding feedback needs an explicit confirmation; a hire needs at least
    one submitted scorecard (``decision_evidence_refusal``; refused with
    ``no_evidence``, nothing changed). A decided loop is
    never decided again. The decision, its audit event and its "decision
    recorded" event (hiring.events) commit together or not at all.

    A member who names the recommendation they read (``expected_fingerprint``)
    and finds it changed is refused (``recommendation_changed``): nobody
    decides on figures they have not seen. The refusal rolls the decision's
    transaction back, recompute included, so the refreshed recommendation is
    then stored in a transaction of its own: the page (or the API) shows the
    current figures, and the next attempt, naming them, goes through.
    Without that, a recommendation gone stale without new feedback (its
    interviewers' leniency history moved on since it was stored) would be
    refused forever. Call this outside any transaction, or that refresh is
    rolled back with the caller's.
    """

    try:
        return _loop_decide(actor=actor, loop_id=loop_id, data=data)
    except Conflict as refused:
        if refused.code == RECOMMENDATION_CHANGED:
            # Its own transaction, under the service's lock of the loop: committed although the decision is not.
            recommendation_compute(loop_id=loop_id)
        raise


@transaction.atomic
def _loop_decide(*, actor: User, loop_id: int, data: DecisionInput) -> InterviewLoop:
    if not actor.is_committee:
        raise PermissionRefused(gettext("Only the hiring committee records decisions."), code="not_committee")
    loop = InterviewLoop.objects.select_for_update().filter(pk=loop_id).first()
    if loop is None or not can_see_panel(actor, loop):
        raise NotFound(gettext("No such loop."))
    if loop.status == InterviewLoop.Status.DECIDED:
        raise Conflict(gettext("This loop has already been decided; decisions are final."), code="already_decided")
    if loop.status == InterviewLoop.Status.WITHDRAWN:
        raise Conflict(gettext("This loop was withdrawn; there is nothing to decide."), code="loop_withdrawn")

    errors: dict[str, list[str]] = {}
    if data.decision not in InterviewLoop.Decision.values:
        errors["decision"] = ["Choose hire or no hire."]
    rationale = data.rationale.strip()
    if not rationale:
        errors["rationale"] = ["Give the rationale for the decision."]
    if errors:
        raise ValidationFailed(gettext("The decision is not complete."), field_errors=errors)
    evidence = submitted_scorecard_count(loop)
    no_evidence = decision_evidence_refusal(decision=data.decision, submitted_scorecards=evidence)
    if no_evidence:
        raise ValidationFailed(no_evidence, code=NO_EVIDENCE, field_errors={"decision": [no_evidence]})

    recommendation = recommendation_compute(loop_id=loop.pk).recommendation
    if data.expected_fingerprint and recommendation and recommendation.fingerprint != data.expected_fingerprint:
        raise Conflict(
            gettext("The recommendation changed while you were reading it (new or amended feedback, "
            "or updated leniency adjustments). "
            "Review the updated recommendation before deciding."),
            code=RECOMMENDATION_CHANGED,
        )
    outstanding = outstanding_interviews(loop)
    if outstanding and not data.confirm_outstanding:
        errors["confirm_outstanding"] = [
            f"{len(outstanding)} interview(s) still have no submitted scorecard. "
            "Confirm that you decide without their feedback."
        ]
    needs_justification = decision_requirements(decision=data.decision, recommendation=recommendation)
    justification = data.justification.strip()
    if needs_justification and not justification:
        errors["justification"] = [" ".join(needs_justification) + " Write a justification."]
    if errors:
        raise ValidationFailed(gettext("The decision needs more before it can be recorded."), field_errors=errors)

    now = timezone.now()
    snapshot = _recommendation_snapshot(recommendation)
    before = {"status": loop.status, "decision": loop.decision}
    loop.status = InterviewLoop.Status.DECIDED
    loop.decision = data.decision
    loop.decision_rationale = rationale
    loop.decision_justification = justification
    loop.decision_recommendation = snapshot
    loop.decided_by = actor
    loop.decided_at = now
    loop.closed_at = now
    loop.save(
        update_fields=[
            "status",
            "decision",
            "decision_rationale",
            "decision_justification",
            "decision_recommendation",
            "decided_by",
            "decided_at",
            "closed_at",
        ]
    )
    # Ids, outcomes and scores only: the rationale and justification may name the candidate.
    audit_record(
        actor=actor,
        action="loop.decided",
        obj=loop,
        loop_id=loop.pk,
        before=before,
        after={
            "status": loop.status,
            "decision": loop.decision,
            "recommendation": {k: snapshot.get(k) for k in ("outcome", "weighted_score", "coverage", "fingerprint")}
            if snapshot
            else None,
            "against_recommendation": _against(data.decision, recommendation),
            "justification_required_because": needs_justification,
            "outstanding_interviews": [i.pk for i in outstanding],
        },
    )
    loop_interviews_call_off(loop=loop, now=now)
    # Who decided and when; what was decided stays in Hireloop (docs/webhooks.md).
    event_record(DomainEvent.Kind.DECISION_RECORDED, loop_id=loop.pk, occurred_at=now,
                 data={"loop_id": loop.pk, "decided_by_id": actor.pk, "decided_at": now.isoformat()})
    return loop


def _against(decision: str, recommendation: Recommendation | None) -> bool:
    if recommendation is None:
        return False
    return (decision, recommendation.outcome) in {
        (InterviewLoop.Decision.HIRE, Recommendation.Outcome.NO_HIRE),
        (InterviewLoop.Decision.NO_HIRE, Recommendation.Outcome.HIRE),
    }


def _recommendation_snapshot(recommendation: Recommendation | None) -> dict[str, Any] | None:
    if recommendation is None:
        return None
    details = recommendation.details
    return {
        "outcome": recommendation.outcome,
        "weighted_score": _text(recommendation.weighted_score),
        "adjusted_score": _text(recommendation.adjusted_score),
        "adjusted_low": _text(recommendation.adjusted_low),
        "adjusted_high": _text(recommendation.adjusted_high),
        "coverage": _text(recommendation.coverage),
        "reasons": details.get("reasons", []),
        "red_flags": details.get("red_flags", []),
        "scorecard_count": recommendation.scorecard_count,
        "rubric_id": recommendation.rubric_id,
        "fingerprint": recommendation.fingerprint,
        "computed_at": recommendation.computed_at.isoformat(),
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
