"""Writes for candidates, loops and interviews: one function per use case, each in a transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from exercises.models import Exercise
from hiring.audit import audit_record
from hiring.errors import Conflict, PermissionRefused, ValidationFailed
from hiring.models import Candidate, Interview, InterviewLoop, Role, User
from scorecards.models import Dimension, Scorecard
from scorecards.selectors.rubrics import rubric_current


def _require_recruiting(actor: Any) -> None:
    if not (actor.is_recruiter or actor.is_hireloop_admin):
        raise PermissionRefused("Only recruiters and admins manage candidates, loops and schedules.")


@transaction.atomic
def loop_open(
    *,
    actor: User,
    candidate: Candidate,
    role: Role,
    recruiter: User | None = None,
    hiring_manager: User | None = None,
) -> InterviewLoop:
    """Open a loop for a candidate and a role, pinning the role's current rubric version."""
    _require_recruiting(actor)
    if candidate.erased_at is not None:
        raise ValidationFailed("This candidate's data was erased; open no new loop.", field_errors={"candidate": ["Erased candidate."]})
    rubric = rubric_current(role=role)
    loop = InterviewLoop.objects.create(
        candidate=candidate,
        role=role,
        rubric=rubric,
        recruiter=recruiter or actor,
        hiring_manager=hiring_manager,
    )
    audit_record(
        actor=actor,
        action="loop.opened",
        obj=loop,
        loop_id=loop.pk,
        after={"role": role.slug, "rubric_version": rubric.version, "candidate_id": candidate.pk,
               "recruiter_id": loop.recruiter_id, "hiring_manager_id": hiring_manager.pk if hiring_manager else None},
    )
    return loop


@dataclass
class InterviewPlan:
    """What a recruiter fills in to schedule one interview."""

    kind: str
    interviewer: User
    starts_at: datetime
    ends_at: datetime
    focus_dimension_ids: list[int] = field(default_factory=list)
    exercise: Exercise | None = None
    feedback_due_at: datetime | None = None


def _validate_plan(loop: InterviewLoop, plan: InterviewPlan) -> list[Dimension]:
    errors: dict[str, list[str]] = {}
    if plan.kind not in Interview.Kind.values:
        errors["kind"] = [f"Unknown interview kind {plan.kind!r}."]
    if timezone.is_naive(plan.starts_at) or timezone.is_naive(plan.ends_at):
        errors["starts_at"] = ["Times must carry a time zone."]
    elif plan.ends_at < plan.starts_at:
        errors["ends_at"] = ["The interview must end after it starts."]
    if plan.feedback_due_at is not None and plan.feedback_due_at < plan.ends_at:
        errors["feedback_due_at"] = ["Feedback cannot be due before the interview ends."]
    if not plan.interviewer.is_active:
        errors["interviewer"] = ["This user is deactivated."]
    dimensions = list(Dimension.objects.filter(rubric=loop.rubric, pk__in=plan.focus_dimension_ids))
    if len(dimensions) != len(set(plan.focus_dimension_ids)):
        errors["focus_dimensions"] = ["Choose focus dimensions from this loop's rubric."]
    if plan.exercise is not None and plan.exercise.role_id != loop.role_id:
        errors["exercise"] = ["Choose an exercise of this loop's role."]
    if errors:
        raise ValidationFailed("The interview could not be scheduled.", field_errors=errors)
    return dimensions


@transaction.atomic
def interview_schedule(*, actor: User, loop: InterviewLoop, plan: InterviewPlan) -> Interview:
    """Add an interview to a loop; feedback is due 24 hours after it ends unless said otherwise."""
    _require_recruiting(actor)
    loop = InterviewLoop.objects.select_for_update().get(pk=loop.pk)
    if loop.is_closed:
        raise Conflict(f"The loop is {loop.get_status_display().lower()}; no interviews can be added.")
    dimensions = _validate_plan(loop, plan)
    due = plan.feedback_due_at or plan.ends_at + timedelta(hours=settings.HIRELOOP_FEEDBACK_DUE_HOURS)
    interview = Interview.objects.create(
        loop=loop,
        kind=plan.kind,
        interviewer=plan.interviewer,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        exercise=plan.exercise,
        feedback_due_at=due,
    )
    interview.focus_dimensions.set(dimensions)
    audit_record(
        actor=actor,
        action="interview.scheduled",
        obj=interview,
        loop_id=loop.pk,
        after={
            "kind": plan.kind,
            "interviewer_id": plan.interviewer.pk,
            "starts_at": plan.starts_at.isoformat(),
            "ends_at": plan.ends_at.isoformat(),
            "feedback_due_at": due.isoformat(),
            "focus_dimension_ids": sorted(d.pk for d in dimensions),
            "exercise_id": plan.exercise.pk if plan.exercise else None,
        },
    )
    loop_refresh_status(loop=loop)
    return interview


def loop_refresh_status(*, loop: InterviewLoop, now: datetime | None = None) -> InterviewLoop:
    """Derive the stage of an undecided loop from its interviews and their feedback.

    open: nothing has happened yet or interviews are to come; awaiting
    feedback: an interview has ended and its scorecard is not submitted; in
    review: every interview has a submitted scorecard.
    """
    if loop.is_closed:
        return loop
    now = now or timezone.now()
    submitted = Scorecard.objects.filter(
        interview=OuterRef("pk"), interviewer=OuterRef("interviewer"), status=Scorecard.Status.SUBMITTED
    )
    interviews = Interview.objects.filter(loop=loop).annotate(done=Exists(submitted))
    total = interviews.count()
    pending_ended = interviews.filter(done=False, ends_at__lte=now).exists()
    all_done = total > 0 and not interviews.filter(done=False).exists()
    if all_done:
        status = InterviewLoop.Status.IN_REVIEW
    elif pending_ended:
        status = InterviewLoop.Status.AWAITING_FEEDBACK
    else:
        status = InterviewLoop.Status.OPEN
    if status != loop.status:
        before = loop.status
        InterviewLoop.objects.filter(pk=loop.pk).update(status=status)
        loop.status = status
        audit_record(actor=None, action="loop.status_changed", obj=loop, loop_id=loop.pk,
                     before={"status": before}, after={"status": status})
    return loop
