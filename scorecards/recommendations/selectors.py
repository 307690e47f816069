"""Reads for recommendations: a loop's inputs as plain data, leniency history, the committee's pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from hiring.access import loops_with_panel_visible_to
from hiring.errors import NotFound
from hiring.models import Interview, InterviewLoop, User
from scorecards.models import (
    Dimension,
    ObservedSignal,
    Rating,
    Recommendation,
    RecomputeRequest,
    Rubric,
    Scorecard,
    Signal,
)
from scorecards.recommendations.rules import DimensionSpec, RubricSpec, ScorecardInput, weight_label

RUBRIC_FIELDS = ("id", "hire_threshold", "discuss_threshold", "critical_floor", "min_coverage")
DIMENSION_FIELDS = ("id", "rubric_id", "position", "name", "weight_value", "weight_given", "weight_kind", "critical")
USER_FIELDS = ("id", "username", "first_name", "last_name")


@dataclass(frozen=True)
class LoopInputs:
    """Everything the recommendation of one loop is computed from, as plain data."""

    loop_id: int
    rubric_id: int
    rubric: RubricSpec
    scorecards: tuple[ScorecardInput, ...]
    # (scorecard id, revision) of each input: an amendment changes the fingerprint even with equal scores.
    scorecard_keys: tuple[tuple[int, int], ...]
    interviewer_ids: tuple[int, ...]


def rubric_input(rubric: Rubric) -> RubricSpec:
    """The pure function's view of a rubric version; pass one with its dimensions prefetched."""
    return _rubric_spec(rubric, rubric.dimensions.all())


def _rubric_spec(rubric: Rubric, dimensions: Iterable[Dimension]) -> RubricSpec:
    return RubricSpec(
        dimensions=tuple(
            DimensionSpec(
                name=d.name,
                weight=d.weight_value,
                critical=d.critical,
                weight_label=weight_label(d.weight_given, d.weight_kind),
            )
            for d in dimensions
        ),
        hire_threshold=rubric.hire_threshold,
        discuss_threshold=rubric.discuss_threshold,
        critical_floor=rubric.critical_floor,
        min_coverage=rubric.min_coverage,
    )


def loop_inputs(loop: InterviewLoop) -> LoopInputs:
    """Read the loop's rubric version and current submitted scorecards (six queries)."""
    return loops_inputs([loop])[loop.pk]


def loops_inputs(loops: Sequence[InterviewLoop]) -> dict[int, LoopInputs]:
    """The inputs of many loops at once, by loop id: six queries however many loops.

    Plain values, no model instances: a batch of loops holds thousands of
    ratings. Scorecards come in interview order, scores in rubric order.
    """
    loop_ids = [loop.pk for loop in loops]
    rubric_ids = {loop.rubric_id for loop in loops}
    rubrics = {r.pk: r for r in Rubric.objects.filter(pk__in=rubric_ids).only(*RUBRIC_FIELDS)}
    dimensions: dict[int, list[Dimension]] = {pk: [] for pk in rubrics}
    for dimension in Dimension.objects.filter(rubric_id__in=rubric_ids).only(*DIMENSION_FIELDS).order_by(
        "rubric_id", "position"
    ):
        dimensions[dimension.rubric_id].append(dimension)
    # One spec per rubric version, shared by its loops (the pure function remembers its numbers by spec).
    specs = {pk: _rubric_spec(rubric, dimensions[pk]) for pk, rubric in rubrics.items()}
    names = {d.pk: d.name for rubric_dimensions in dimensions.values() for d in rubric_dimensions}
    position = {d.pk: i for rubric_dimensions in dimensions.values() for i, d in enumerate(rubric_dimensions)}

    cards = list(
        Scorecard.objects.filter(
            status=Scorecard.Status.SUBMITTED, is_current=True, interview__loop_id__in=loop_ids
        )
        .order_by("interview__starts_at", "interview_id", "id")
        .values_list("pk", "revision", "interviewer_id", "overall", "interview__loop_id")
    )
    people = {u.pk: u.display_name for u in User.objects.filter(pk__in={c[2] for c in cards}).only(*USER_FIELDS)}
    scores: dict[int, list[tuple[int, int]]] = {}
    # By the scorecards' ids: joining back to the loops lets PostgreSQL pick a scan of every scorecard.
    card_ids = [card[0] for card in cards]
    for card_id, dimension_id, score in (
        Rating.objects.filter(scorecard_id__in=card_ids, score__isnull=False)
        .order_by()
        .values_list("scorecard_id", "dimension_id", "score")
    ):
        # score__isnull=False leaves no None, which the values_list type cannot know.
        scores.setdefault(card_id, []).append((dimension_id, cast(int, score)))
    observed: dict[int, list[tuple[str, str]]] = {}
    for card_id, text, kind in (
        ObservedSignal.objects.filter(scorecard_id__in=card_ids)
        .order_by("scorecard_id", "signal__position")
        .values_list("scorecard_id", "signal__text", "signal__kind")
    ):
        observed.setdefault(card_id, []).append((text, kind))

    def by_position(rating: tuple[int, int]) -> int:
        return position[rating[0]]

    per_loop: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in loop_ids}
    for card in cards:
        per_loop[card[4]].append(card)
    result = {}
    for loop in loops:
        inputs = []
        for card_id, _, interviewer_id, overall, _ in per_loop[loop.pk]:
            signals = observed.get(card_id, ())
            inputs.append(
                ScorecardInput(
                    interviewer=str(interviewer_id),
                    label=people[interviewer_id],
                    scores={names[d]: score for d, score in sorted(scores.get(card_id, ()), key=by_position)},
                    overall=overall,
                    red_flags=tuple(text for text, kind in signals if kind == Signal.Kind.RED_FLAG),
                    signals=tuple(text for text, kind in signals if kind != Signal.Kind.RED_FLAG),
                )
            )
        result[loop.pk] = LoopInputs(
            loop_id=loop.pk,
            rubric_id=loop.rubric_id,
            rubric=specs[loop.rubric_id],
            scorecards=tuple(inputs),
            scorecard_keys=tuple((card[0], card[1]) for card in per_loop[loop.pk]),
            interviewer_ids=tuple(sorted({card[2] for card in per_loop[loop.pk]})),
        )
    return result


def rubric_for_slug(slug: str, version: int | None = None) -> Rubric:
    """A role's rubric version (newest by default) with dimensions and signals, for what-if files."""
    rubrics = Rubric.objects.filter(role__slug=slug).prefetch_related("dimensions", "signals")
    rubric = rubrics.filter(version=version).first() if version else rubrics.order_by("-version").first()
    if rubric is None:
        which = f"version {version} of " if version else ""
        raise NotFound(
            gettext("There is no published %(which)srubric for the role %(slug)s.")
            % {"which": which, "slug": repr(slug)},
            code="unknown_rubric",
        )
    return rubric


# --- the committee's pages ------------------------------------------------------------

AWAITING_DECISION = (
    InterviewLoop.Status.OPEN,
    InterviewLoop.Status.AWAITING_FEEDBACK,
    InterviewLoop.Status.IN_REVIEW,
)


def committee_loops(*, user: Any, status: str = "") -> QuerySet[InterviewLoop]:
    """Undecided loops (or decided ones, with status='decided') with their counts, for the list page.

    A fixed number of queries whatever the number of loops: counts are annotated.
    """
    loops = loops_with_panel_visible_to(user)
    if status == InterviewLoop.Status.DECIDED:
        loops = loops.filter(status=InterviewLoop.Status.DECIDED)
    else:
        loops = loops.filter(status__in=AWAITING_DECISION)
    submitted = Scorecard.objects.filter(
        interview=OuterRef("pk"), interviewer=OuterRef("interviewer"), status=Scorecard.Status.SUBMITTED
    )
    interviews = Interview.objects.scheduled().filter(loop=OuterRef("pk"))
    pending = RecomputeRequest.objects.filter(loop=OuterRef("pk"), processed_at__isnull=True)
    return (
        loops.select_related("candidate", "role", "rubric", "recommendation", "decided_by")
        .annotate(
            interview_count=_count(interviews),
            submitted_count=_count(interviews.filter(Exists(submitted))),
            recompute_pending=Exists(pending),
            # Ready to decide first, then those still waiting for feedback.
            stage=Case(
                When(status=InterviewLoop.Status.IN_REVIEW, then=Value(0)),
                When(status=InterviewLoop.Status.AWAITING_FEEDBACK, then=Value(1)),
                default=Value(2),
            ),
        )
        .order_by("stage", "opened_at", "id")
    )


def _count(queryset: QuerySet[Any]) -> Coalesce:
    counted = queryset.order_by().values("loop").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class MatrixCell:
    score: int | None
    not_assessed: bool
    evidence: str
    rating_id: int | None
    adjusted: float | None


@dataclass(frozen=True)
class MatrixRow:
    """One scorecard: an interviewer's feedback on one interview, at one revision."""

    scorecard: Scorecard
    cells: tuple[MatrixCell | None, ...]  # in rubric dimension order; None = no rating at all
    red_flags: tuple[ObservedSignal, ...]
    signals: tuple[ObservedSignal, ...]
    offset: dict[str, Any] | None


@dataclass(frozen=True)
class CommitteeLoop:
    loop: InterviewLoop
    dimensions: tuple[Dimension, ...]
    normalized_weights: tuple[Decimal, ...]
    current_rows: tuple[MatrixRow, ...]  # what the recommendation uses: post-debrief where amended
    original_rows: tuple[MatrixRow, ...]  # pre-debrief versions that were later amended
    outstanding: tuple[Interview, ...]  # interviews without a submitted scorecard
    recommendation: Recommendation | None
    recommendation_stale: bool  # a recompute is pending
    red_flag_signals: tuple[Signal, ...]


def committee_loop(*, user: Any, loop_id: int) -> CommitteeLoop:
    """A loop as the committee reads it, in a fixed number of queries.

    Only loops whose panel the user may see (access rules); anything else
    is reported as missing.
    """
    loop = (
        loops_with_panel_visible_to(user)
        .select_related("candidate", "role", "rubric", "decided_by", "recruiter")
        .filter(pk=loop_id)
        .first()
    )
    if loop is None:
        raise NotFound(gettext("No such loop."))
    dimensions = tuple(Dimension.objects.filter(rubric_id=loop.rubric_id).order_by("position"))
    total = sum((d.weight_value for d in dimensions), Decimal(0))
    weights = tuple(d.weight_value / total for d in dimensions)
    interviews = tuple(
        Interview.objects.scheduled().filter(loop=loop).select_related("interviewer", "exercise")
        .order_by("starts_at", "id")
    )
    cards = list(
        Scorecard.objects.filter(interview__loop=loop, status=Scorecard.Status.SUBMITTED)
        .select_related("interviewer", "interview", "amends")
        .prefetch_related(
            Prefetch("ratings", queryset=Rating.objects.all()),
            Prefetch("observed_signals", queryset=ObservedSignal.objects.select_related("signal")),
        )
        .order_by("interview__starts_at", "interview_id", "revision")
    )
    recommendation = Recommendation.objects.filter(loop=loop).first()
    pending = loop.recompute_requests.filter(processed_at__isnull=True).exists()
    offsets = _offsets_by_interviewer(recommendation)

    def row(card: Scorecard) -> MatrixRow:
        ratings = {r.dimension_id: r for r in card.ratings.all()}
        offset = offsets.get(str(card.interviewer_id))
        cells: list[MatrixCell | None] = []
        for dimension in dimensions:
            rating = ratings.get(dimension.pk)
            if rating is None:
                cells.append(None)
                continue
            adjusted = None
            # Without history the adjustment is zero: repeating the score would only add noise.
            if rating.score is not None and offset is not None and offset.get("scorecards"):
                adjusted = round(rating.score - offset["offset"], 2)
            cells.append(
                MatrixCell(
                    score=rating.score,
                    not_assessed=rating.not_assessed,
                    evidence=rating.evidence,
                    rating_id=rating.pk,
                    adjusted=adjusted,
                )
            )
        observed = list(card.observed_signals.all())
        return MatrixRow(
            scorecard=card,
            cells=tuple(cells),
            red_flags=tuple(o for o in observed if o.signal.kind == Signal.Kind.RED_FLAG),
            signals=tuple(o for o in observed if o.signal.kind != Signal.Kind.RED_FLAG),
            offset=offset,
        )

    submitted_interviews = {card.interview_id for card in cards}
    return CommitteeLoop(
        loop=loop,
        dimensions=dimensions,
        normalized_weights=weights,
        current_rows=tuple(row(card) for card in cards if card.is_current),
        original_rows=tuple(row(card) for card in cards if not card.is_current),
        outstanding=tuple(i for i in interviews if i.pk not in submitted_interviews),
        recommendation=recommendation,
        recommendation_stale=pending,
        red_flag_signals=tuple(Signal.objects.filter(rubric_id=loop.rubric_id, kind=Signal.Kind.RED_FLAG)),
    )


def _offsets_by_interviewer(recommendation: Recommendation | None) -> dict[str, dict[str, Any]]:
    if recommendation is None:
        return {}
    leniency = recommendation.details.get("leniency") or {}
    return {key: value for key, value in leniency.items() if isinstance(value, dict)}
