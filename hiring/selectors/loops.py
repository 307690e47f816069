"""Reads for loops and interviews: one loop with its panel's progress, what its plan covers, the people to choose from.

Visibility always starts from hiring.access, so a page shows only what the rules allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext

from hiring.access import loops_visible_to, panel_blocked
from hiring.errors import NotFound
from hiring.models import Interview, InterviewLoop, Role, User
from hiring.selectors.common import ACTIVE_STATUSES, submitted_by_interviewer
from scorecards.models import Dimension, Scorecard


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
            warnings.append(
                CoverageWarning(
                    kind="single_interviewer",
                    dimension=dimension.name,
                    message=gettext("%(name)s is critical and only %(only)s assesses it; add a second interviewer.")
                    % {"name": dimension.name, "only": only},
                )
            )
    return Coverage(rows=tuple(rows), warnings=tuple(warnings), interview_count=len(interviews))


def loop_coverage(*, loop: InterviewLoop) -> Coverage:
    """Coverage of the loop's rubric by its scheduled interviews (three queries)."""
    dimensions = [
        DimensionRef(id=d.pk, name=d.name, critical=d.critical)
        for d in Dimension.objects.filter(rubric_id=loop.rubric_id).order_by("position")
    ]
    interviews = (
        Interview.objects.scheduled().filter(loop_id=loop.pk)
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


def loop_detail(*, user: Any, loop_id: int, now: datetime | None = None) -> InterviewLoop:
    """A loop with its interviews (cancelled ones too, marked), each annotated with its scorecard state.

    ``panel_visible``: whether the user may read the loop's decision (not while they owe feedback on it).
    """
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
            scorecard_source=Subquery(current.values("source")[:1]),
            scorecard_source_id=Subquery(current.values("source_id")[:1]),
        )
        .order_by("starts_at", "id")
    )
    loop = (
        loops_visible_to(user)
        .select_related("candidate", "role", "rubric", "recruiter", "hiring_manager", "decided_by")
        .prefetch_related(Prefetch("interviews", queryset=interviews))
        # The decision follows the independence rule: the page shows it only where the panel is visible.
        .annotate(panel_visible=~panel_blocked(user, OuterRef("pk")))
        .filter(pk=loop_id)
        .first()
    )
    if loop is None:
        raise NotFound(gettext("No such loop."))
    # scorecard_status is annotated by the prefetch above, which the type checker cannot follow; is_overdue
    # and what the recruiter may still do are attached for the loop page.
    for interview in loop.interviews.all():
        changeable = not loop.is_closed and interview.cancelled_at is None
        submitted = interview.scorecard_status == Scorecard.Status.SUBMITTED  # type: ignore[attr-defined]
        interview.is_overdue = not submitted and changeable and interview.feedback_due_at <= now  # type: ignore[attr-defined]
        interview.can_reassign = changeable and interview.scorecard_status is None  # type: ignore[attr-defined]
        interview.can_reschedule = changeable and not submitted  # type: ignore[attr-defined]
        interview.can_cancel = (  # type: ignore[attr-defined]
            changeable and not submitted and interview.kind != Interview.Kind.TAKE_HOME_REVIEW
        )
    return loop


def loop_get(*, user: Any, loop_id: int) -> InterviewLoop:
    loop = loops_visible_to(user).select_related("candidate", "role", "rubric").filter(pk=loop_id).first()
    if loop is None:
        raise NotFound(gettext("No such loop."))
    return loop


def interview_get(*, user: Any, interview_id: int) -> Interview:
    interview = (
        Interview.objects.filter(loop__in=loops_visible_to(user))
        .select_related("loop", "loop__candidate", "loop__role", "interviewer")
        .filter(pk=interview_id)
        .first()
    )
    if interview is None:
        raise NotFound(gettext("No such interview."))
    return interview


def people_choices() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def recruiter_choices() -> QuerySet[User]:
    return people_choices().filter(Q(kind__in=[User.Kind.RECRUITER, User.Kind.ADMIN]) | Q(is_superuser=True))


def roles_with_rubric() -> QuerySet[Role]:
    return Role.objects.filter(rubrics__isnull=False).distinct().order_by("title")


def overdue_interviews(*, now: datetime) -> QuerySet[Interview]:
    """Interviews of active loops whose feedback is due and whose interviewer has not submitted it."""
    return (
        Interview.objects.scheduled().filter(feedback_due_at__lte=now, loop__status__in=ACTIVE_STATUSES)
        .exclude(submitted_by_interviewer())
        .select_related("interviewer", "loop", "loop__candidate", "loop__role", "loop__recruiter")
        .order_by("feedback_due_at", "id")
    )
