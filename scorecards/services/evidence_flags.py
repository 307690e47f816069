"""Stores the evidence hints of a submitted scorecard, so its author sees them afterwards and the calibration
report counts them. They never block a submit: the rules are hints, and the interviewer decides."""

from __future__ import annotations

from scorecards.evidence.check import evidence_flags
from scorecards.models import EvidenceFlag, Scorecard
from scorecards.services.scorecard_input import ScorecardInput


def evidence_flags_store(scorecard: Scorecard, data: ScorecardInput) -> list[EvidenceFlag]:
    """Replace the scorecard's flags with those of ``data``'s evidence (one insert)."""
    EvidenceFlag.objects.filter(scorecard=scorecard).delete()
    rows = [
        EvidenceFlag(scorecard=scorecard, dimension_id=rating.dimension_id, rule=flag.rule, terms=list(flag.terms))
        for rating in data.ratings
        if rating.evidence.strip()
        for flag in evidence_flags(rating.evidence)
    ]
    return EvidenceFlag.objects.bulk_create(rows)
