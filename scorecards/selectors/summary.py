"""The candidate summary: every visible loop of a candidate with its panel's scores, signals and flags.

Access starts from hiring.access, as for every read; a fixed number of queries whatever the number of
loops, interviews and scorecards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from hiring.access import loops_visible_to, panel_blocked
from hiring.models import Candidate, Interview, InterviewLoop, User
from hiring.selectors.candidates import candidate_get
from scorecards.models import Dimension, ObservedSignal, Rating, Recommendation, RecomputeRequest, Scorecard, Signal
from scorecards.rubrics.selectors import dimension_normalized_weights

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@dataclass(frozen=True)
class SummaryCell:
    score: int | None
    not_assessed: bool


@dataclass(frozen=True)
class SummaryDimension:
    dimension: Dimension
    weight: Decimal  # normalised, 0-1
    cells: tuple[SummaryCell | None, ...]  # one per scorecard column; None = not rated
    mean: Decimal | None
    count: int
    spread: int | None


@dataclass(frozen=True)
class SummaryFlag:
    text: str
    note: str
    interviewer: str


class _LoopState(TypedDict):
    """What candidate_summary annotates on each loop (for the type checker's lookups)."""

    panel_visible: bool
    recompute_pending: bool


class _FeedbackState(TypedDict):
    """What candidate_summary annotates on each interview (for the type checker's lookups)."""

    scorecard_status: str | None
    submitted_at: datetime | None


@dataclass
class SummaryLoop:
    loop: WithAnnotations[InterviewLoop, _LoopState]
    panel_visible: bool
    interviews: list[WithAnnotations[Interview, _FeedbackState]]
    scorecards: list[Scorecard] = field(default_factory=list)  # the matrix columns
    matrix: list[SummaryDimension] = field(default_factory=list)
    red_flags: list[SummaryFlag] = field(default_factory=list)
    recommendation: Recommendation | None = None
    recommendation_stale: bool = False

    @property
    def reasons(self) -> list[str]:
        if self.recommendation is None:
            return []
        return list(self.recommendation.details.get("reasons") or [])

    @property
    def feedback_in(self) -> bool:
        return bool(self.scorecards)


@dataclass(frozen=True)
class CandidateSummary:
    candidate: Candidate
    loops: list[SummaryLoop]


def candidate_summary(*, user: Any, candidate_id: int, now: datetime | None = None) -> CandidateSummary:
    """Everything about a candidate's loops that the user may read, in a fixed number of queries.

    Scores, red flags and the recommendation of a loop appear only when the
    user may see its panel (a recruiter interviewing on the loop sees them
    after submitting their own feedback).

    Interviews, dimensions, ratings and red flags are fetched by id lists and
    grouped here rather than through prefetch_related: the page is read often
    and the ORM's prefetch machinery cost more than the queries themselves.
    """
    now = now or timezone.now()
    loops = list(
        loops_visible_to(user)
        .filter(candidate_id=candidate_id)
        # The loop's people are read apart (_attach_people): with three more joins PostgreSQL spends ten
        # times longer planning this query than running it.
        .select_related("candidate", "role", "rubric", "recommendation")
        .annotate(
            # Every loop here is visible to the user: its panel is hidden only while they owe feedback on it.
            panel_visible=~panel_blocked(user, OuterRef("pk")),
            recompute_pending=Exists(RecomputeRequest.objects.filter(loop=OuterRef("pk"), processed_at__isnull=True)),
        )
        .order_by("-opened_at", "-id")
    )
    if not loops:
        return CandidateSummary(candidate=candidate_get(candidate_id=candidate_id), loops=[])
    candidate = loops[0].candidate
    _attach_people(loops)
    # At most one row (scorecard_one_current); without order_by() the model's ordering would join the interview.
    current = Scorecard.objects.filter(
        interview=OuterRef("pk"), interviewer=OuterRef("interviewer"), is_current=True
    ).order_by()
    interviews = (
        Interview.objects.scheduled().filter(loop_id__in=[loop.pk for loop in loops])
        .select_related("interviewer", "exercise")
        .annotate(
            scorecard_status=Subquery(current.values("status")[:1]),
            submitted_at=Subquery(current.filter(status=Scorecard.Status.SUBMITTED).values("submitted_at")[:1]),
        )
        .order_by("starts_at", "id")
    )
    interviews_by_loop: dict[int, list[WithAnnotations[Interview, _FeedbackState]]] = {}
    interviews_by_id: dict[int, Interview] = {}
    for annotated in interviews:
        interviews_by_loop.setdefault(annotated.loop_id, []).append(annotated)
        interviews_by_id[annotated.pk] = annotated
    visible = [loop for loop in loops if loop.panel_visible]
    dimensions_by_rubric: dict[int, list[Dimension]] = {}
    cards_by_loop: dict[int, list[Scorecard]] = {}
    if visible:
        for dimension in Dimension.objects.filter(rubric_id__in={loop.rubric_id for loop in visible}).order_by(
            "rubric_id", "position"
        ):
            dimensions_by_rubric.setdefault(dimension.rubric_id, []).append(dimension)
        cards_by_loop = _panel_scorecards([loop.pk for loop in visible], interviews_by_id)
    summaries = []
    for loop in loops:
        loop_interviews = interviews_by_loop.get(loop.pk, [])
        for interview in loop_interviews:
            interview.is_overdue = (  # type: ignore[attr-defined]  # set here for the page, not a model field
                interview.scorecard_status != Scorecard.Status.SUBMITTED
                and interview.feedback_due_at <= now
                and not loop.is_closed
            )
        summary = SummaryLoop(loop=loop, panel_visible=loop.panel_visible, interviews=loop_interviews)
        if loop.panel_visible:
            _fill_panel(summary, dimensions_by_rubric.get(loop.rubric_id, []), cards_by_loop.get(loop.pk, []))
        summaries.append(summary)
    return CandidateSummary(candidate=candidate, loops=summaries)


def _attach_people(loops: Sequence[InterviewLoop]) -> None:
    """Each loop's recruiter, hiring manager and decider, read in one query."""
    ids = {pk for loop in loops for pk in (loop.recruiter_id, loop.hiring_manager_id, loop.decided_by_id) if pk}
    people = User.objects.in_bulk(ids) if ids else {}
    for loop in loops:
        loop.recruiter = people.get(loop.recruiter_id)
        loop.hiring_manager = people.get(loop.hiring_manager_id)
        loop.decided_by = people.get(loop.decided_by_id)


def _panel_scorecards(loop_ids: list[int], interviews_by_id: dict[int, Interview]) -> dict[int, list[Scorecard]]:
    """The current submitted scorecards of loops whose panel the user may see, with ratings and red flags.

    Every loop_id is one whose panel the user may see (panel_blocked, above), and a submitted scorecard of
    such a loop is visible to them: that is scorecards_visible_to's rule. Asking scorecards_visible_to again
    costs a scan of every scorecard on PostgreSQL (its OR defeats the indexes: 190 ms at 50,000 loops,
    against 1 ms here; see bench/). Each card gets ``score_by_dimension`` ({dimension id: (score,
    not assessed)}) and ``red_flag_notes`` ([(signal text, note)]).
    """
    cards = list(
        Scorecard.objects
        .filter(interview__loop_id__in=loop_ids, status=Scorecard.Status.SUBMITTED, is_current=True)
        .select_related("interviewer")
        .order_by("interview__starts_at", "interview_id", "id")
    )
    by_id = {card.pk: card for card in cards}
    for card in cards:
        card.interview = interviews_by_id[card.interview_id]  # already read, with the loop's other interviews
        # Attached for the page and _fill_panel (see the docstring); Scorecard has no such fields.
        card.score_by_dimension = {}  # type: ignore[attr-defined]
        card.red_flag_notes = []  # type: ignore[attr-defined]
    for card_id, dimension_id, score, not_assessed in Rating.objects.filter(scorecard_id__in=list(by_id)).values_list(
        "scorecard_id", "dimension_id", "score", "not_assessed"
    ):
        by_id[card_id].score_by_dimension[dimension_id] = (score, not_assessed)  # type: ignore[attr-defined]
    flags = (
        ObservedSignal.objects.filter(scorecard_id__in=list(by_id), signal__kind=Signal.Kind.RED_FLAG)
        .order_by("signal__position", "id")
        .values_list("scorecard_id", "signal__text", "note")
    )
    for card_id, text, note in flags:
        by_id[card_id].red_flag_notes.append((text, note))  # type: ignore[attr-defined]
    cards_by_loop: dict[int, list[Scorecard]] = {}
    for card in cards:
        cards_by_loop.setdefault(card.interview.loop_id, []).append(card)
    return cards_by_loop


def _fill_panel(summary: SummaryLoop, dimensions: list[Dimension], cards: list[Scorecard]) -> None:
    summary.scorecards = cards
    weights = dimension_normalized_weights(dimensions) if dimensions else {}
    for dimension in dimensions:
        cells: list[SummaryCell | None] = []
        for card in cards:
            rating = card.score_by_dimension.get(dimension.pk)  # type: ignore[attr-defined]  # attached by _panel_scorecards
            cells.append(None if rating is None else SummaryCell(score=rating[0], not_assessed=rating[1]))
        scores = [cell.score for cell in cells if cell is not None and cell.score is not None]
        mean = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP) if scores else None
        summary.matrix.append(SummaryDimension(
            dimension=dimension,
            weight=weights.get(dimension.pk, Decimal(0)),
            cells=tuple(cells),
            mean=mean,
            count=len(scores),
            spread=(max(scores) - min(scores)) if scores else None,
        ))
    for card in cards:
        for text, note in card.red_flag_notes:  # type: ignore[attr-defined]  # attached by _panel_scorecards
            summary.red_flags.append(SummaryFlag(text=text, note=note, interviewer=card.interviewer.display_name))
    try:
        summary.recommendation = summary.loop.recommendation
    except Recommendation.DoesNotExist:
        summary.recommendation = None
    summary.recommendation_stale = bool(summary.loop.recompute_pending) or (
        summary.recommendation is not None and summary.recommendation.scorecard_count != len(cards)
    )
