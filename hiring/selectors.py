"""Reads for the recruiter's pages: candidates, the pipeline, loops, coverage and candidate summaries.

Lists are annotated querysets so a page costs the same number of queries
whatever its length; visibility always starts from hiring.access.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils import timezone

from hiring.access import loops_visible_to, panel_blocked
from hiring.errors import NotFound
from hiring.models import Candidate, Interview, InterviewLoop, Role, User
from scorecards.models import Dimension, ObservedSignal, Rating, Recommendation, RecomputeRequest, Scorecard, Signal
from scorecards.selectors.rubrics import dimension_normalized_weights

ACTIVE_STATUSES = (
    InterviewLoop.Status.OPEN,
    InterviewLoop.Status.AWAITING_FEEDBACK,
    InterviewLoop.Status.IN_REVIEW,
)
CLOSED_STATUSES = (InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN)


def _count(queryset: QuerySet[Any], *, by: str = "loop") -> Coalesce:
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _submitted_by_interviewer() -> Exists:
    """Inside an Interview queryset: its interviewer's current scorecard is submitted."""
    return Exists(
        Scorecard.objects.filter(
            interview=OuterRef("pk"),
            interviewer=OuterRef("interviewer"),
            status=Scorecard.Status.SUBMITTED,
            is_current=True,
        )
    )


def _stage_order() -> Case:
    # The lifecycle order, so sorting by stage reads open -> in review -> closed.
    return Case(
        When(status=InterviewLoop.Status.OPEN, then=Value(0)),
        When(status=InterviewLoop.Status.AWAITING_FEEDBACK, then=Value(1)),
        When(status=InterviewLoop.Status.IN_REVIEW, then=Value(2)),
        When(status=InterviewLoop.Status.DECIDED, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


# --- Candidates -------------------------------------------------------------------


def candidate_list(*, query: str = "") -> QuerySet[Candidate]:
    """Candidates matching a name or email fragment, with how many loops they have (active and all)."""
    candidates = Candidate.objects.filter(erased_at__isnull=True)
    query = query.strip()
    if query:
        candidates = candidates.filter(Q(name__icontains=query) | Q(email__icontains=query))
    return candidates.annotate(
        loop_count=Count("loops"),
        active_loop_count=Count("loops", filter=Q(loops__status__in=ACTIVE_STATUSES)),
    ).order_by("name", "id")


def candidate_get(*, candidate_id: int) -> Candidate:
    candidate = Candidate.objects.filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound("No such candidate.")
    return candidate


def candidate_loops(*, user: Any, candidate: Candidate) -> QuerySet[InterviewLoop]:
    """The candidate's loops for the detail page, newest first, with their interview counts."""
    interviews = Interview.objects.filter(loop=OuterRef("pk"))
    return (
        loops_visible_to(user)
        .filter(candidate=candidate)
        .select_related("role", "rubric", "recruiter", "hiring_manager")
        .annotate(
            interview_count=_count(interviews),
            submitted_count=_count(interviews.filter(_submitted_by_interviewer())),
        )
        .order_by("-opened_at", "-id")
    )


# --- Coverage ---------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionRef:
    id: int
    name: str
    critical: bool


@dataclass(frozen=True)
class PlannedInterview:
    interviewer_id: int
    interviewer_name: str
    focus_ids: frozenset[int]  # empty: the interviewer scores every dimension


@dataclass(frozen=True)
class CoverageRow:
    dimension: DimensionRef
    interviewers: tuple[str, ...]  # distinct names, in schedule order


@dataclass(frozen=True)
class CoverageWarning:
    kind: str  # "uncovered" | "single_interviewer"
    dimension: str
    message: str


@dataclass(frozen=True)
class Coverage:
    rows: tuple[CoverageRow, ...]
    warnings: tuple[CoverageWarning, ...]
    interview_count: int


def coverage_of(dimensions: Sequence[DimensionRef], interviews: Sequence[PlannedInterview]) -> Coverage:
    """Which interviewers assess each dimension, and what the panel leaves thin.

    An interview without focus dimensions has its interviewer score the whole
    rubric (the scorecard form asks for every dimension then). With no
    interviews yet there is nothing to warn about: the page says so instead.
    """
    rows = []
    warnings = []
    for dimension in dimensions:
        people: dict[int, str] = {}
        for interview in interviews:
            if not interview.focus_ids or dimension.id in interview.focus_ids:
                people.setdefault(interview.interviewer_id, interview.interviewer_name)
        rows.append(CoverageRow(dimension=dimension, interviewers=tuple(people.values())))
        if not interviews:
            continue
        if not people:
            warnings.append(CoverageWarning(
                kind="uncovered",
                dimension=dimension.name,
                message=f"No interview covers {dimension.name}" + (" (a critical dimension)." if dimension.critical
                                                                   else "."),
            ))
        elif dimension.critical and len(people) == 1:
            (only,) = people.values()
            warnings.append(CoverageWarning(
                kind="single_interviewer",
                dimension=dimension.name,
                message=f"{dimension.name} is critical and only {only} assesses it; add a second interviewer.",
            ))
    return Coverage(rows=tuple(rows), warnings=tuple(warnings), interview_count=len(interviews))


def loop_coverage(*, loop: InterviewLoop) -> Coverage:
    """Coverage of the loop's rubric by its scheduled interviews (three queries)."""
    dimensions = [
        DimensionRef(id=d.pk, name=d.name, critical=d.critical)
        for d in Dimension.objects.filter(rubric_id=loop.rubric_id).order_by("position")
    ]
    interviews = (
        Interview.objects.filter(loop_id=loop.pk)
        .select_related("interviewer")
        .prefetch_related("focus_dimensions")
        .order_by("starts_at", "id")
    )
    planned = [
        PlannedInterview(
            interviewer_id=i.interviewer_id,
            interviewer_name=i.interviewer.display_name,
            focus_ids=frozenset(d.pk for d in i.focus_dimensions.all()),
        )
        for i in interviews
    ]
    return coverage_of(dimensions, planned)


# --- Loops ------------------------------------------------------------------------


def loop_detail(*, user: Any, loop_id: int, now: datetime | None = None) -> InterviewLoop:
    """A loop with its interviews, each annotated with its scorecard state (``scorecard_status``)."""
    now = now or timezone.now()
    # At most one row (scorecard_one_current); without order_by() the model's ordering would join the interview.
    current = Scorecard.objects.filter(
        interview=OuterRef("pk"), interviewer=OuterRef("interviewer"), is_current=True
    ).order_by()
    interviews = (
        Interview.objects.select_related("interviewer", "exercise")
        .prefetch_related("focus_dimensions")
        .annotate(
            scorecard_status=Subquery(current.values("status")[:1]),
            submitted_at=Subquery(current.filter(status=Scorecard.Status.SUBMITTED).values("submitted_at")[:1]),
        )
        .order_by("starts_at", "id")
    )
    loop = (
        loops_visible_to(user)
        .select_related("candidate", "role", "rubric", "recruiter", "hiring_manager", "decided_by")
        .prefetch_related(Prefetch("interviews", queryset=interviews))
        .filter(pk=loop_id)
        .first()
    )
    if loop is None:
        raise NotFound("No such loop.")
    for interview in loop.interviews.all():
        interview.is_overdue = interview.scorecard_status != Scorecard.Status.SUBMITTED and (
            interview.feedback_due_at <= now
        )
        interview.can_reassign = interview.scorecard_status is None and not loop.is_closed
    return loop


def loop_get(*, user: Any, loop_id: int) -> InterviewLoop:
    loop = loops_visible_to(user).select_related("candidate", "role", "rubric").filter(pk=loop_id).first()
    if loop is None:
        raise NotFound("No such loop.")
    return loop


def interview_get(*, user: Any, interview_id: int) -> Interview:
    interview = (
        Interview.objects.filter(loop__in=loops_visible_to(user))
        .select_related("loop", "loop__candidate", "loop__role", "interviewer")
        .filter(pk=interview_id)
        .first()
    )
    if interview is None:
        raise NotFound("No such interview.")
    return interview


def people_choices() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def recruiter_choices() -> QuerySet[User]:
    return people_choices().filter(Q(kind__in=[User.Kind.RECRUITER, User.Kind.ADMIN]) | Q(is_superuser=True))


def roles_with_rubric() -> QuerySet[Role]:
    return Role.objects.filter(rubrics__isnull=False).distinct().order_by("title")


# --- The pipeline -----------------------------------------------------------------


PIPELINE_SORTS: dict[str, tuple[str, ...]] = {
    "candidate": ("candidate__name", "id"),
    "role": ("role__title", "candidate__name", "id"),
    "stage": ("stage_order", "opened_at", "id"),
    "opened": ("opened_at", "id"),
    "overdue": ("overdue_count", "-oldest_due", "id"),
    "next": ("next_interview_at", "id"),
}
PIPELINE_DEFAULT_SORT = "-overdue"


@dataclass(frozen=True)
class PipelineFilters:
    role_id: int | None = None
    recruiter_id: int | None = None
    status: str = ""  # "" = every active loop, "all", or one status
    overdue_only: bool = False
    sort: str = PIPELINE_DEFAULT_SORT


def _pipeline_matching(*, user: Any, filters: PipelineFilters, now: datetime) -> QuerySet[InterviewLoop]:
    """The loops the filters select, before any counting (the page and its total share it)."""
    loops = loops_visible_to(user)
    if filters.status == "all":
        pass
    elif filters.status in InterviewLoop.Status.values:
        loops = loops.filter(status=filters.status)
    else:
        loops = loops.filter(status__in=ACTIVE_STATUSES)
    if filters.role_id:
        loops = loops.filter(role_id=filters.role_id)
    if filters.recruiter_id:
        loops = loops.filter(recruiter_id=filters.recruiter_id)
    if filters.overdue_only:
        overdue = Interview.objects.filter(loop=OuterRef("pk"), feedback_due_at__lte=now)
        loops = loops.filter(Exists(overdue.exclude(_submitted_by_interviewer())))
    return loops


def pipeline_count(*, user: Any, filters: PipelineFilters, now: datetime) -> int:
    """How many loops the pipeline lists: counted without the per-loop figures the page computes."""
    return _pipeline_matching(user=user, filters=filters, now=now).count()


def pipeline_loops(*, user: Any, filters: PipelineFilters, now: datetime | None = None) -> QuerySet[InterviewLoop]:
    """Every loop in the pipeline with its interview and feedback counts, in a fixed number of queries.

    Counts: ``done``/``upcoming`` interviews (ended or not), feedback
    ``submitted``, ``pending`` (interview over, not yet due) and ``overdue``
    (due and not submitted, with ``overdue_interviews`` prefetched for who
    and how late). The recommendation outcome is only annotated where the
    user may see the panel's feedback (``panel_visible``).

    The counts are one GROUP BY over the loops' interviews, each joined to its
    interviewer's current submitted scorecard (at most one: scorecard_one_current),
    rather than eight correlated subqueries per loop.
    """
    now = now or timezone.now()
    submitted = Q(submitted_card__isnull=False)
    overdue = Q(submitted_card__isnull=True, interviews__feedback_due_at__lte=now)
    loops = _pipeline_matching(user=user, filters=filters, now=now).alias(
        submitted_card=FilteredRelation("interviews__scorecards", condition=Q(
            interviews__scorecards__interviewer=F("interviews__interviewer"),
            interviews__scorecards__status=Scorecard.Status.SUBMITTED,
            interviews__scorecards__is_current=True,
        )),
    ).annotate(
        interview_count=Count("interviews"),
        done_count=Count("interviews", filter=Q(interviews__ends_at__lte=now)),
        upcoming_count=Count("interviews", filter=Q(interviews__ends_at__gt=now)),
        submitted_count=Count("interviews", filter=submitted),
        pending_count=Count("interviews", filter=Q(
            submitted_card__isnull=True, interviews__ends_at__lte=now, interviews__feedback_due_at__gt=now
        )),
        overdue_count=Count("interviews", filter=overdue),
        oldest_due=Min("interviews__feedback_due_at", filter=overdue),
        next_interview_at=Min("interviews__starts_at", filter=Q(interviews__starts_at__gt=now)),
        # Every row is a loop visible to the user: its panel is hidden only while they owe feedback on it.
        panel_visible=~panel_blocked(user, OuterRef("pk")),
        recommendation_outcome=F("recommendation__outcome"),
        stage_order=_stage_order(),
    )
    descending = filters.sort.startswith("-")
    key = filters.sort.lstrip("-")
    if key not in PIPELINE_SORTS:
        key, descending = PIPELINE_DEFAULT_SORT.lstrip("-"), PIPELINE_DEFAULT_SORT.startswith("-")
    order = [_ordering(part, flip=descending) for part in PIPELINE_SORTS[key]]
    overdue_list = (
        Interview.objects.filter(feedback_due_at__lte=now)
        .exclude(_submitted_by_interviewer())
        .select_related("interviewer")
        .order_by("feedback_due_at", "id")
    )
    # Candidate, role and recruiter are attached to the page's rows afterwards (pipeline_people): joined here
    # they would be read for every loop before the sort, and the seven-table join triples the planning time.
    return loops.prefetch_related(
        Prefetch("interviews", queryset=overdue_list, to_attr="overdue_interviews")
    ).order_by(*order)


def pipeline_people(loops: Sequence[InterviewLoop]) -> list[InterviewLoop]:
    """A page of pipeline rows with their candidate, role and recruiter attached, in one query."""
    loops = list(loops)
    if not loops:
        return loops
    people = (
        InterviewLoop.objects.filter(pk__in=[loop.pk for loop in loops])
        .select_related("candidate", "role", "recruiter")
        .in_bulk()
    )
    for loop in loops:
        read = people[loop.pk]
        loop.candidate, loop.role, loop.recruiter = read.candidate, read.role, read.recruiter
    return loops


def _ordering(part: str, *, flip: bool) -> OrderBy:
    """One ORDER BY term; empty values (no overdue feedback, nothing to come) always sort last."""
    descending = part.startswith("-") != flip
    expression = F(part.lstrip("-"))
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


# --- Overdue feedback (reminders and digests) --------------------------------------


def overdue_interviews(*, now: datetime) -> QuerySet[Interview]:
    """Interviews of active loops whose feedback is due and whose interviewer has not submitted it."""
    return (
        Interview.objects.filter(feedback_due_at__lte=now, loop__status__in=ACTIVE_STATUSES)
        .exclude(_submitted_by_interviewer())
        .select_related("interviewer", "loop", "loop__candidate", "loop__role", "loop__recruiter")
        .order_by("feedback_due_at", "id")
    )


# --- The candidate summary ---------------------------------------------------------


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


@dataclass
class SummaryLoop:
    loop: InterviewLoop
    panel_visible: bool
    interviews: list[Interview]
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
        Interview.objects.filter(loop_id__in=[loop.pk for loop in loops])
        .select_related("interviewer", "exercise")
        .annotate(
            scorecard_status=Subquery(current.values("status")[:1]),
            submitted_at=Subquery(current.filter(status=Scorecard.Status.SUBMITTED).values("submitted_at")[:1]),
        )
        .order_by("starts_at", "id")
    )
    interviews_by_loop: dict[int, list[Interview]] = {}
    interviews_by_id: dict[int, Interview] = {}
    for interview in interviews:
        interviews_by_loop.setdefault(interview.loop_id, []).append(interview)
        interviews_by_id[interview.pk] = interview
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
            interview.is_overdue = (
                interview.scorecard_status != Scorecard.Status.SUBMITTED
                and interview.feedback_due_at <= now
                and not loop.is_closed
            )
        summary = SummaryLoop(loop=loop, panel_visible=loop.panel_visible, interviews=loop_interviews)
        if loop.panel_visible:
            _fill_panel(summary, dimensions_by_rubric.get(loop.rubric_id, []), cards_by_loop.get(loop.pk, []))
        summaries.append(summary)
    return CandidateSummary(candidate=candidate, loops=summaries)


def _attach_people(loops: list[InterviewLoop]) -> None:
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
        card.score_by_dimension = {}
        card.red_flag_notes = []
    for card_id, dimension_id, score, not_assessed in Rating.objects.filter(scorecard_id__in=list(by_id)).values_list(
        "scorecard_id", "dimension_id", "score", "not_assessed"
    ):
        by_id[card_id].score_by_dimension[dimension_id] = (score, not_assessed)
    flags = (
        ObservedSignal.objects.filter(scorecard_id__in=list(by_id), signal__kind=Signal.Kind.RED_FLAG)
        .order_by("signal__position", "id")
        .values_list("scorecard_id", "signal__text", "note")
    )
    for card_id, text, note in flags:
        by_id[card_id].red_flag_notes.append((text, note))
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
            rating = card.score_by_dimension.get(dimension.pk)
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
        for text, note in card.red_flag_notes:
            summary.red_flags.append(SummaryFlag(text=text, note=note, interviewer=card.interviewer.display_name))
    try:
        summary.recommendation = summary.loop.recommendation
    except Recommendation.DoesNotExist:
        summary.recommendation = None
    summary.recommendation_stale = bool(summary.loop.recompute_pending) or (
        summary.recommendation is not None and summary.recommendation.scorecard_count != len(cards)
    )
