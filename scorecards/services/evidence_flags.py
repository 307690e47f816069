"""Stores the evidence hints of a submitted scorecard, so its author sees them afterwards and the calibration
report counts them. They never block a submit: the rules are hints, and the interviewer decides."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from scorecards.evidence.check import evidence_flags
from scorecards.models import EvidenceFlag, Rating, Scorecard
from scorecards.services.scorecard_input import ScorecardInput


def evidence_flags_store(scorecard: Scorecard, data: ScorecardInput) -> list[EvidenceFlag]:
    """Store the flags of ``data``'s evidence for a scorecard just submitted or amended (one insert, none when
    nothing is flagged). Only those two write flags, each on a scorecard that has none yet: a draft never has
    flags, and an amendment is a new revision."""
    rows = [
        EvidenceFlag(scorecard=scorecard, dimension_id=rating.dimension_id, rule=flag.rule, terms=list(flag.terms))
        for rating in data.ratings
        if rating.evidence.strip()
        for flag in evidence_flags(rating.evidence)
    ]
    return EvidenceFlag.objects.bulk_create(rows)


def evidence_flags_backfill(*, batch: int = 500) -> tuple[int, int]:
    """Check the submitted scorecards written in Hireloop that have no flags yet (those submitted before the
    hints existed, or clean ones); returns (scorecards checked, flags written). Safe to run again."""
    cards = (Scorecard.objects.filter(status=Scorecard.Status.SUBMITTED, source="")
             .exclude(Exists(EvidenceFlag.objects.filter(scorecard=OuterRef("pk")))).order_by("pk"))
    checked = written = 0
    last = 0
    while True:
        chunk = list(cards.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
        if not chunk:
            return checked, written
        rows = [
            EvidenceFlag(scorecard_id=card, dimension_id=dimension, rule=flag.rule, terms=list(flag.terms))
            for card, dimension, evidence in Rating.objects.filter(scorecard_id__in=chunk).exclude(evidence="")
            .values_list("scorecard_id", "dimension_id", "evidence").iterator()
            for flag in evidence_flags(evidence)
        ]
        written += len(EvidenceFlag.objects.bulk_create(rows, ignore_conflicts=True))
        checked += len(chunk)
        last = chunk[-1]
