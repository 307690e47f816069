"""Writes for interviews: scheduling one on a loop and handing it to another interviewer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from exercises.models import Exercise
from hiring.audit.services import audit_record
from hiring.errors import Conflict, ValidationFailed
from hiring.models import Interview, InterviewLoop, User
from hiring.services.common import lock_open_loop, require_recruiting
from hiring.services.stages import loop_refresh_status
from scorecards.models import Dimension, Scorecard


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


# Bounds that catch typos (a year-9999 end overflowed the feedback deadline into a server error). A take-home
# review "interview" runs from the assignment to the candidate's deadline, so only live ones are capped in length.
MAX_SCHEDULE_DISTANCE = timedelta(days=3652)
MAX_LIVE_LENGTH = timedelta(hours=12)
MAX_FEEDBACK_DELAY = timedelta(days=366)


def _validate_plan(loop: InterviewLoop, plan: InterviewPlan) -> list[Dimension]:
    errors: dict[str, list[str]] = {}
    if plan.kind not in Interview.Kind.values:
        errors["kind"] = [f"Unknown interview kind {plan.kind!r}."]
    if timezone.is_naive(plan.starts_at) or timezone.is_naive(plan.ends_at):
        errors["starts_at"] = ["Times must carry a time zone."]
    elif plan.ends_at <= plan.starts_at:
        errors["ends_at"] = ["The interview must end after it starts."]
    elif abs(plan.starts_at - timezone.now()) > MAX_SCHEDULE_DISTANCE:
        errors["starts_at"] = ["Schedule interviews within ten years of today."]
    elif abs(plan.ends_at - timezone.now()) > MAX_SCHEDULE_DISTANCE:
        errors["ends_at"] = ["Schedule interviews within ten years of today."]
    elif plan.kind != Interview.Kind.TAKE_HOME_REVIEW and plan.ends_at - plan.starts_at > MAX_LIVE_LENGTH:
        errors["ends_at"] = ["A live interview lasts at most 12 hours; check the end time."]
    if plan.feedback_due_at is not None:
        if timezone.is_naive(plan.feedback_due_at):
            errors["feedback_due_at"] = ["Times must carry a time zone."]
        elif "starts_at" not in errors and plan.feedback_due_at < plan.ends_at:
            errors["feedback_due_at"] = ["Feedback cannot be due before the interview ends."]
        elif "starts_at" not in errors and plan.feedback_due_at - plan.ends_at > MAX_FEEDBACK_DELAY:
            errors["feedback_due_at"] = ["Feedback must be due within a year of the interview's end."]
    if not plan.interviewer.is_active:
        errors["interviewer"] = ["This user is deactivated."]
    dimensions = list(Dimension.objects.filter(rubric=loop.rubric, pk__in=plan.focus_dimension_ids))
    if len(dimensions) != len(set(plan.focus_dimension_ids)):
        errors["focus_dimensions"] = ["Choose focus dimensions from this loop's rubric."]
    if plan.exercise is not None and (plan.exercise.role_id != loop.role_id or not plan.exercise.is_active):
        errors["exercise"] = ["Choose one of the role's current exercises."]
    if errors:
        raise ValidationFailed("The interview could not be scheduled.", field_errors=errors)
    return dimensions


@transaction.atomic
def interview_schedule(*, actor: User, loop: InterviewLoop, plan: InterviewPlan) -> Interview:
    """Add an interview to a loop; feedback is due 24 hours after it ends unless said otherwise."""
    require_recruiting(actor)
    loop = lock_open_loop(loop, doing="no interviews can be added")
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


@transaction.atomic
def interview_reassign(*, actor: User, interview: Interview, interviewer: User) -> Interview:
    """Hand an interview to another interviewer, as long as the current one has not started a scorecard.

    Once a scorecard exists (even a draft) the feedback belongs to the person
    who wrote it; moving the interview would orphan it.
    """
    require_recruiting(actor)
    interview = Interview.objects.select_for_update(of=("self",)).select_related("loop", "interviewer").get(
        pk=interview.pk
    )
    if interview.loop.is_closed:
        raise Conflict(f"The loop is {interview.loop.get_status_display().lower()}; its interviews cannot change.",
                       code="loop_closed")
    if interviewer.pk == interview.interviewer_id:
        raise ValidationFailed("Choose a different interviewer.",
                               field_errors={"interviewer": ["This person already runs the interview."]})
    if not interviewer.is_active:
        raise ValidationFailed("The interview could not be reassigned.",
                               field_errors={"interviewer": ["This user is deactivated."]})
    if Scorecard.objects.filter(interview=interview, interviewer_id=interview.interviewer_id).exists():
        raise Conflict(
            f"{interview.interviewer.display_name} has already started a scorecard for this interview; "
            "it can no longer be reassigned.",
            code="scorecard_started",
        )
    before = {"interviewer_id": interview.interviewer_id}
    interview.interviewer = interviewer
    interview.save(update_fields=["interviewer"])
    audit_record(actor=actor, action="interview.reassigned", obj=interview, loop_id=interview.loop_id,
                 before=before, after={"interviewer_id": interviewer.pk})
    return interview
