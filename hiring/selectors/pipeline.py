"""The pipeline: every visible loop with its stage, pending and late feedback, filtered and sorted.

An annotated queryset, so the page costs the same number of queries whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.utils import timezone

from hiring.access import loops_visible_to, panel_blocked
from hiring.models import Interview, InterviewLoop
from hiring.selectors.common import ACTIVE_STATUSES, submitted_by_interviewer
from scorecards.models import Scorecard


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
        overdue = Interview.objects.scheduled().filter(loop=OuterRef("pk"), feedback_due_at__lte=now)
        loops = loops.filter(Exists(overdue.exclude(submitted_by_interviewer())))
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
    # Cancelled interviews stay in the join (a condition on it would cost a second join) and count for nothing.
    live = Q(interviews__cancelled_at__isnull=True)
    submitted = live & Q(submitted_card__isnull=False)
    overdue = live & Q(submitted_card__isnull=True, interviews__feedback_due_at__lte=now)
    loops = _pipeline_matching(user=user, filters=filters, now=now).alias(
        submitted_card=FilteredRelation("interviews__scorecards", condition=Q(
            interviews__scorecards__interviewer=F("interviews__interviewer"),
            interviews__scorecards__status=Scorecard.Status.SUBMITTED,
            interviews__scorecards__is_current=True,
        )),
    ).annotate(
        interview_count=Count("interviews", filter=live),
        done_count=Count("interviews", filter=live & Q(interviews__ends_at__lte=now)),
        upcoming_count=Count("interviews", filter=live & Q(interviews__ends_at__gt=now)),
        submitted_count=Count("interviews", filter=submitted),
        pending_count=Count("interviews", filter=live & Q(
            submitted_card__isnull=True, interviews__ends_at__lte=now, interviews__feedback_due_at__gt=now
        )),
        overdue_count=Count("interviews", filter=overdue),
        oldest_due=Min("interviews__feedback_due_at", filter=overdue),
        next_interview_at=Min("interviews__starts_at", filter=live & Q(interviews__starts_at__gt=now)),
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
        Interview.objects.scheduled().filter(feedback_due_at__lte=now)
        .exclude(submitted_by_interviewer())
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
