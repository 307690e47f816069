"""Recomputing hire recommendations: the outbox request, the computation a worker runs, the catch-up.

The flow: a scorecard service calls ``recommendation_request``
(scorecards.services.recompute) inside its transaction (an outbox row), and
after commit the task is enqueued by name. The task
calls ``recommendation_compute``, which locks the loop, reads the inputs,
runs the pure function and stores the one current Recommendation, then marks
the outbox rows it has seen as processed. If the broker was down, the rows
stay pending and ``recommendation_outbox_drain`` (a beat job, and once when a
worker starts) enqueues them again. ``recommendation_compute_many`` does the
same for many loops in batches, a fixed number of queries per batch.

Leniency: the panel's effects come from the newest stored fit of the rater
model (``scorecards.leniency.fits``), refitted by beat and after each
calibration report, so a recompute reads a row, not the history. Each
recompute still stores its loop's leave-one-out residuals
(``LeniencyResidual``), the co-panelist comparison imports rebuild.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from hiring.audit.services import audit_event, audit_record_all
from hiring.events import EventSpec, events_record_all
from hiring.models import DomainEvent, InterviewLoop
from scorecards.leniency.fits import ModelTable, current_fit, model_table, table_from_fit
from scorecards.leniency.services import leniency_residuals_refresh
from scorecards.models import Recommendation, RecomputeRequest
from scorecards.recommendations.rules import InterviewerOffset, RecommendationResult, RubricSpec, recommend
from scorecards.recommendations.selectors import LoopInputs, loops_inputs
from scorecards.recommendations.text import to_decimal
from scorecards.services.recompute import recommendation_enqueue

logger = logging.getLogger(__name__)

# Offsets are rounded before they enter the fingerprint, so noise far below what
# the page shows does not count as a change.
OFFSET_PLACES = 3

@dataclass(frozen=True)
class ComputeOutcome:
    recommendation: Recommendation | None
    changed: bool  # False when the inputs were unchanged and nothing was written
    result: RecommendationResult | None


# Loops recomputed in one transaction by the batch operation: big enough that the per-batch queries (the
# history's GROUP BY above all) are spread thin, small enough to hold their locks briefly.
BATCH_SIZE = 250
STORED_FIELDS = (
    "rubric",
    "outcome",
    "weighted_score",
    "adjusted_score",
    "adjusted_low",
    "adjusted_high",
    "coverage",
    "details",
    "fingerprint",
    "scorecard_count",
    "computed_at",
)


def recommendation_compute(*, loop_id: int) -> ComputeOutcome:
    """Compute and store a loop's recommendation; idempotent and safe to run twice at once.

    The loop row is locked first, so two runs for one loop take turns (and the
    one-per-loop constraint backs that up). With unchanged inputs (same
    fingerprint) nothing is written. Only the outbox rows seen before the
    inputs were read are marked processed: a scorecard committed meanwhile
    leaves its own row pending and gets its own run. A new outcome records a
    "recommendation changed" event (hiring.events) in the same transaction.
    A fixed number of queries (see ``recommendation_compute_many``).
    """
    return _compute_batch([loop_id])[0]


def recommendation_compute_many(
    loop_ids: Iterable[int], *, progress: Callable[[int], None] | None = None, batch_size: int = BATCH_SIZE
) -> list[ComputeOutcome]:
    """Recompute many loops (the ``--all`` command), ``batch_size`` loops per transaction; outcomes in order.

    Each batch locks its loops (in id order, so batches and single runs never
    deadlock), reads all their inputs and the interviewers' leniency history
    in a fixed number of queries, and writes the changed recommendations,
    their audit events and the outbox in bulk. ``progress`` gets the number
    of loops done after each batch.
    """
    ids = list(loop_ids)
    outcomes: list[ComputeOutcome] = []
    for start in range(0, len(ids), batch_size):
        outcomes.extend(_compute_batch(ids[start : start + batch_size]))
        if progress is not None:
            progress(len(outcomes))
    return outcomes


@transaction.atomic
def _compute_batch(loop_ids: Sequence[int]) -> list[ComputeOutcome]:
    loops = list(InterviewLoop.objects.select_for_update().filter(pk__in=loop_ids).order_by("pk").only("rubric_id"))
    found = [loop.pk for loop in loops]
    pending_ids = list(
        RecomputeRequest.objects.filter(loop_id__in=found, processed_at__isnull=True).values_list("pk", flat=True)
    )
    inputs = loops_inputs(loops)
    leniency_residuals_refresh(found)
    fit = current_fit()
    existing = {r.loop_id: r for r in Recommendation.objects.filter(loop_id__in=found).defer("details")}

    now = timezone.now()
    outcomes: dict[int, ComputeOutcome] = {}
    written: list[Recommendation] = []
    for loop in loops:
        loop_in = inputs[loop.pk]
        leniency = table_from_fit(fit, loop_in.interviewer_ids)
        offsets = leniency_offsets(loop_in, leniency)
        result = recommend(loop_in.rubric, loop_in.scorecards, offsets=offsets)
        fingerprint = recommendation_fingerprint(loop_in, offsets)
        before = existing.get(loop.pk)
        if before is not None and before.fingerprint == fingerprint:
            outcomes[loop.pk] = ComputeOutcome(recommendation=before, changed=False, result=result)
            continue
        recommendation = Recommendation(
            loop_id=loop.pk,
            computed_at=now,
            **_stored_values(loop_in, result, offsets, leniency, fingerprint),
        )
        written.append(recommendation)
        outcomes[loop.pk] = ComputeOutcome(recommendation=recommendation, changed=True, result=result)

    _upsert(written)
    audit_record_all(
        [
            audit_event(
                actor=None,
                action="recommendation.computed",
                obj=r,
                loop_id=r.loop_id,
                before=_audit_values(existing.get(r.loop_id)),
                after=_audit_values(r),
            )
            for r in written
        ]
    )
    events_record_all([
        _changed_event(r) for r in written
        if (before := existing.get(r.loop_id)) is None or before.outcome != r.outcome
    ])
    if pending_ids:
        RecomputeRequest.objects.filter(pk__in=pending_ids).update(processed_at=now)
    missing = ComputeOutcome(recommendation=None, changed=False, result=None)
    for loop_id in loop_ids:
        if loop_id not in outcomes:
            logger.info("Loop %s no longer exists; nothing to recommend.", loop_id)
    return [outcomes.get(loop_id, missing) for loop_id in loop_ids]


def _changed_event(recommendation: Recommendation) -> EventSpec:
    """A "recommendation changed" event: its outcome is new (or the loop's first). Figures that move without
    changing the outcome are no news outside Hireloop, and the outcome itself is not told (docs/webhooks.md)."""
    return EventSpec(
        kind=DomainEvent.Kind.RECOMMENDATION_CHANGED,
        loop_id=recommendation.loop_id,
        occurred_at=recommendation.computed_at,
        data={"loop_id": recommendation.loop_id, "computed_at": recommendation.computed_at.isoformat()},
    )


def _upsert(recommendations: list[Recommendation]) -> None:
    """One INSERT ... ON CONFLICT (loop) for new and changed rows alike; existing rows keep their id (returned).

    Their loops are locked: no one else writes these rows meanwhile. On
    PostgreSQL the rows travel as one JSON document: Django's bulk insert
    would bind twelve parameters a row, and psycopg escape every JSON text in
    Python, which cost more than the rest of the batch.
    """
    if not recommendations:
        return
    if connection.vendor != "postgresql":
        Recommendation.objects.bulk_create(
            recommendations, update_conflicts=True, unique_fields=["loop"], update_fields=STORED_FIELDS
        )
        return
    rows = [
        {
            "loop_id": r.loop_id,
            "rubric_id": r.rubric_id,
            "outcome": r.outcome,
            "weighted_score": r.weighted_score,
            "adjusted_score": r.adjusted_score,
            "adjusted_low": r.adjusted_low,
            "adjusted_high": r.adjusted_high,
            "coverage": r.coverage,
            "details": r.details,
            "fingerprint": r.fingerprint,
            "scorecard_count": r.scorecard_count,
            "computed_at": r.computed_at.isoformat(),
        }
        for r in recommendations
    ]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SQL, [json.dumps(rows, cls=DjangoJSONEncoder)])
        ids = {loop_id: pk for pk, loop_id in cursor.fetchall()}
    for r in recommendations:
        r.pk = ids[r.loop_id]


_COLUMNS = {
    "loop_id": "bigint",
    "rubric_id": "bigint",
    "outcome": "text",
    "weighted_score": "numeric",
    "adjusted_score": "numeric",
    "adjusted_low": "numeric",
    "adjusted_high": "numeric",
    "coverage": "numeric",
    "details": "jsonb",
    "fingerprint": "text",
    "scorecard_count": "integer",
    "computed_at": "timestamptz",
}
_UPSERT_SQL = f"""
    INSERT INTO {Recommendation._meta.db_table} ({", ".join(_COLUMNS)})
    SELECT {", ".join(_COLUMNS)}
    FROM jsonb_to_recordset(%s::jsonb) AS v({", ".join(f"{name} {kind}" for name, kind in _COLUMNS.items())})
    ON CONFLICT (loop_id) DO UPDATE
    SET {", ".join(f"{name} = EXCLUDED.{name}" for name in _COLUMNS if name != "loop_id")}
    RETURNING id, loop_id
"""  # noqa: S608 - names from this module only


def _stored_values(
    inputs: LoopInputs,
    result: RecommendationResult,
    offsets: dict[str, InterviewerOffset],
    leniency: ModelTable,
    fingerprint: str,
) -> dict[str, Any]:
    details = result.as_dict()
    details["leniency"] = {
        key: {
            "offset": round(offset.offset, OFFSET_PLACES),
            "std_error": round(offset.std_error, OFFSET_PLACES),
            "scorecards": offset.scorecards,
            "scale": round(offset.scale, OFFSET_PLACES),
            "scale_std_error": round(offset.scale_std_error, OFFSET_PLACES),
        }
        for key, offset in offsets.items()
    }
    details["leniency_sigma"] = round(leniency.sigma, OFFSET_PLACES)
    adjusted = result.adjustment
    return {
        "rubric_id": inputs.rubric_id,
        "outcome": result.outcome,
        "weighted_score": to_decimal(result.weighted_score),
        "adjusted_score": to_decimal(adjusted.score) if adjusted else None,
        "adjusted_low": to_decimal(adjusted.low) if adjusted else None,
        "adjusted_high": to_decimal(adjusted.high) if adjusted else None,
        "coverage": to_decimal(result.coverage, 4),
        "details": details,
        "fingerprint": fingerprint,
        "scorecard_count": result.scorecard_count,
    }


def recommendation_fingerprint(inputs: LoopInputs, offsets: dict[str, InterviewerOffset]) -> str:
    """A hash of everything the stored recommendation depends on.

    The JSON of ``{"offsets", "rubric", "rubric_id", "scorecards"}`` with sorted
    keys, assembled from parts so that the rubric's part, the same for every
    loop on that version, is serialised once.
    """
    cards: list[list[Any]] = sorted(
        [
            [list(key), card.interviewer, card.label, sorted(card.scores.items()), card.overall,
             sorted(card.red_flags), sorted(card.signals)]
            for key, card in zip(inputs.scorecard_keys, inputs.scorecards, strict=True)
        ],
        key=lambda item: item[0],
    )
    offsets_part = {
        key: [round(o.offset, OFFSET_PLACES), round(o.std_error, OFFSET_PLACES), o.scorecards,
              round(o.scale, OFFSET_PLACES), round(o.scale_std_error, OFFSET_PLACES), round(o.noise_sd, OFFSET_PLACES)]
        for key, o in sorted(offsets.items())
    }
    text = (
        f'{{"offsets": {_json(offsets_part)}, "rubric": {_rubric_json(inputs.rubric)}, '
        f'"rubric_id": {_json(inputs.rubric_id)}, "scorecards": {_json(cards)}}}'
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@lru_cache(maxsize=256)
def _rubric_json(rubric: RubricSpec) -> str:
    # Keyed by the spec, whose decimals compare by value: the text keeps their stored form (the cache only ever
    # sees specs read from the database, where a weight always has the same form).
    return _json(
        {
            "dimensions": [[d.name, str(d.weight), d.critical, d.weight_label] for d in rubric.dimensions],
            "thresholds": [
                str(rubric.hire_threshold),
                str(rubric.discuss_threshold),
                str(rubric.critical_floor),
                str(rubric.min_coverage),
            ],
        }
    )


def loop_leniency(inputs: LoopInputs) -> ModelTable:
    """The panel's effects in the newest stored fit of the rater model; read only (one query)."""
    return model_table(inputs.interviewer_ids)


def leniency_offsets(inputs: LoopInputs, leniency: ModelTable) -> dict[str, InterviewerOffset]:
    """Each panel interviewer's effects as the pure function takes them, keyed like the scorecard inputs."""
    offsets = {}
    for interviewer_id in inputs.interviewer_ids:
        estimate = leniency.get(interviewer_id)
        offsets[str(interviewer_id)] = InterviewerOffset(
            offset=estimate.offset, std_error=estimate.std_error, scorecards=estimate.scorecards,
            scale=estimate.scale, scale_std_error=estimate.scale_std_error, noise_sd=leniency.sigma,
        )
    return offsets


def _audit_values(recommendation: Recommendation | None) -> dict[str, Any] | None:
    if recommendation is None:
        return None
    return {
        "outcome": recommendation.outcome,
        "weighted_score": str(recommendation.weighted_score) if recommendation.weighted_score is not None else None,
        "coverage": str(recommendation.coverage),
        "scorecard_count": recommendation.scorecard_count,
        "fingerprint": recommendation.fingerprint[:16],
    }


def recommendation_outbox_drain(*, older_than: timedelta | None = None) -> int:
    """Enqueue every loop with recompute requests still pending; returns how many were enqueued.

    Requests younger than ``older_than`` are left alone: their own after-commit
    enqueue is most likely in flight. Stops at the first broker failure (the
    next run retries).
    """
    if older_than is None:
        older_than = timedelta(seconds=settings.HIRELOOP_OUTBOX_GRACE_SECONDS)
    cutoff = timezone.now() - older_than
    loop_ids = list(
        RecomputeRequest.objects.filter(processed_at__isnull=True, requested_at__lte=cutoff)
        .order_by("loop_id")
        .values_list("loop_id", flat=True)
        .distinct()
    )
    enqueued = 0
    for loop_id in loop_ids:
        if not recommendation_enqueue(loop_id):
            break
        enqueued += 1
    if enqueued:
        logger.info("Outbox drain enqueued %s loop(s) for recommendation.", enqueued)
    return enqueued
