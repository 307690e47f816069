"""Reads for the recruiter's pages: candidates, the pipeline, loops and coverage.

Lists are annotated querysets so a page costs the same number of queries
whatever its length; visibility always starts from hiring.access.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
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
from scorecards.models import Dimension, Scorecard

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
    # scorecard_status is annotated by the prefetch above, which the type checker cannot follow; is_overdue
    # and can_reassign are attached for the loop page.
    for interview in loop.interviews.all():
        interview.is_overdue = interview.scorecard_status != Scorecard.Status.SUBMITTED and (  # type: ignore[attr-defined]
            interview.feedback_due_at <= now and not loop.is_closed
        )
        interview.can_reassign = interview.scorecard_status is None and not loop.is_closed  # type: ignore[attr-defined]
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


def pipeline_people(loops: Iterable[InterviewLoop]) -> list[InterviewLoop]:
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
