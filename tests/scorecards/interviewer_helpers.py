"""Shared helpers for the interviewer's scorecard tests: what the database holds, by name."""

from __future__ import annotations

from typing import Any

from hiring.models import AuditEvent, Interview, InterviewLoop
from scorecards.models import Dimension, Scorecard, Signal

# Applied AI Engineer (the default role of make_loop): make_interview focuses on the first two dimensions.
SE = "Software engineering"
ML = "Applied ML/AI fundamentals"
SD = "AI system design"
OPS = "MLOps/operational readiness"
STRONG = "Understands reliability and cost tradeoffs; proposes practical optimizations."
WEAK = "Cannot explain metrics beyond accuracy; limited error analysis ability."
RED_FLAG = "Recommends logging raw sensitive user data/prompts without safeguards."


def dimension(interview: Interview, name: str) -> Dimension:
    return Dimension.objects.get(rubric_id=interview.loop.rubric_id, name=name)


def signal(interview: Interview, text: str) -> Signal:
    return Signal.objects.get(rubric_id=interview.loop.rubric_id, text=text)


def scorecard_state(interview: Interview) -> list[dict[str, Any]]:
    """Every revision of every scorecard of the interview, content included: compare before and after."""
    rows = []
    for card in Scorecard.objects.filter(interview=interview).order_by("interviewer_id", "revision"):
        rows.append(
            {
                "id": card.pk,
                "interviewer": card.interviewer_id,
                "status": card.status,
                "revision": card.revision,
                "is_current": card.is_current,
                "version": card.version,
                "overall": card.overall,
                "summary": card.summary,
                "submitted_at": card.submitted_at,
                "reason": card.amendment_reason,
                "ratings": sorted(
                    (r.dimension_id, r.score, r.not_assessed, r.evidence) for r in card.ratings.all()
                ),
                "signals": sorted((s.signal_id, s.note) for s in card.observed_signals.all()),
            }
        )
    return rows


def audit_count() -> int:
    return AuditEvent.objects.count()


def close_loop(loop: InterviewLoop, status: str = InterviewLoop.Status.WITHDRAWN) -> None:
    # Deciding and withdrawing belong to other issues' services; only the resulting state matters here.
    fields: dict[str, Any] = {"status": status}
    if status == InterviewLoop.Status.DECIDED:
        fields["decision"] = InterviewLoop.Decision.HIRE
    InterviewLoop.objects.filter(pk=loop.pk).update(**fields)
    loop.refresh_from_db()
