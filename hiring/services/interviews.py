"""Writes for interviews: scheduling one on a loop, moving it, handing it to another interviewer, cancelling it.

Each change its invitees must hear of raises the interview's iCalendar ``sequence`` and marks its invites
pending in the same transaction; once it commits, a job emails the calendar messages (hiring.calendar). The
flag outlives a broker that is down: the catch-up job sends what is still pending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from exercises.models import Exercise
from hiring.audit.services import audit_record
from hiring.errors import Conflict, ValidationFailed
from hiring.jobs import enqueue
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

SEND_INVITES_TASK = "hiring.tasks.send_interview_invites"


def _time_errors(
    errors: dict[str, list[str]], *, kind: str, starts_at: datetime, ends_at: datetime, feedback_due_at: datetime | None
) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        errors["starts_at"] = ["Times must carry a time zone."]
    elif ends_at <= starts_at:
        errors["ends_at"] = ["The interview must end after it starts."]
    elif abs(starts_at - timezone.now()) > MAX_SCHEDULE_DISTANCE:
        errors["starts_at"] = ["Schedule interviews within ten years of today."]
    elif abs(ends_at - timezone.now()) > MAX_SCHEDULE_DISTANCE:
        errors["ends_at"] = ["Schedule interviews within ten years of today."]
    elif kind != Interview.Kind.TAKE_HOME_REVIEW and ends_at - starts_at > MAX_LIVE_LENGTH:
        errors["ends_at"] = ["A live interview lasts at most 12 hours; check the end time."]
    if feedback_due_at is not None:
        if timezone.is_naive(feedback_due_at):
            errors["feedback_due_at"] = ["Times must carry a time zone."]
        elif "starts_at" not in errors and feedback_due_at < ends_at:
            errors["feedback_due_at"] = ["Feedback cannot be due before the interview ends."]
        elif "starts_at" not in errors and feedback_due_at - ends_at > MAX_FEEDBACK_DELAY:
            errors["feedback_due_at"] = ["Feedback must be due within a year of the interview's end."]


def _validate_plan(loop: InterviewLoop, plan: InterviewPlan) -> list[Dimension]:
    errors: dict[str, list[str]] = {}
    if plan.kind not in Interview.Kind.values:
        errors["kind"] = [f"Unknown interview kind {plan.kind!r}."]
    _time_errors(errors, kind=plan.kind, starts_at=plan.starts_at, ends_at=plan.ends_at,
                 feedback_due_at=plan.feedback_due_at)
    if not plan.interviewer.is_active:
        errors["interviewer"] = ["This user is deactivated."]
    dimensions = list(Dimension.objects.filter(rubric=loop.rubric, pk__in=plan.focus_dimension_ids))
    if len(dimensions) != len(set(plan.focus_dimension_ids)):
        errors["focus_dimensions"] = ["Choose focus dimensions from this loop's rubric."]
    if plan.exercise is not None and (plan.exercise.role_id != loop.role_id or not plan.exercise.is_active):
        errors["exercise"] = ["Choose one of the role's current exercises."]
    if errors:
        raise ValidationFailed(gettext("The interview could not be scheduled."), field_errors=errors)
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
        invites_pending=True,
    )
    interview.focus_dimensions.set(dimensions)
    _send_invites_after_commit(interview.pk)
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


def enqueue_invites(interview_id: int) -> None:
    """Hand the interview's calendar messages to a worker; a dead broker is logged (ids only) and caught up."""
    enqueue(SEND_INVITES_TASK, interview_id,
            failure=f"Could not enqueue the calendar invites of interview {interview_id} (%s); the catch-up job "
                    "will send them.")


def _send_invites_after_commit(interview_id: int) -> None:
    transaction.on_commit(lambda: enqueue_invites(interview_id))


def _announce(interview: Interview, *, fields: list[str]) -> None:
    """Save ``fields`` as a change the invitees must hear of: a new SEQUENCE, and invites pending until sent."""
    interview.sequence += 1  # the row is locked (_lock_changeable): no other writer can raise it meanwhile
    interview.changed_at = timezone.now()
    interview.invites_pending = True
    interview.save(update_fields=[*fields, "sequence", "changed_at", "invites_pending"])
    _send_invites_after_commit(interview.pk)


def _lock_changeable(interview: Interview) -> Interview:
    """The interview, locked, with its loop and interviewer; refused when the loop is closed or it was cancelled."""
    interview = Interview.objects.select_for_update(of=("self",)).select_related("loop", "interviewer").get(
        pk=interview.pk
    )
    if interview.loop.is_closed:
        raise Conflict(
            gettext("The loop is %(status)s; its interviews cannot change.")
            % {"status": interview.loop.get_status_display().lower()},
            code="loop_closed",
        )
    if interview.cancelled_at is not None:
        raise Conflict(gettext("This interview was cancelled; it can no longer change."), code="interview_cancelled")
    return interview


def _feedback_submitted(interview: Interview) -> bool:
    return Scorecard.objects.filter(interview=interview, status=Scorecard.Status.SUBMITTED).exists()


@transaction.atomic
def interview_reassign(*, actor: User, interview: Interview, interviewer: User) -> Interview:
    """Hand an interview to another interviewer, as long as the current one has not started a scorecard.

    Once a scorecard exists (even a draft) the feedback belongs to the person
    who wrote it; moving the interview would orphan it. The previous
    interviewer is sent a cancellation, the new one an invitation.
    """
    require_recruiting(actor)
    interview = _lock_changeable(interview)
    if interviewer.pk == interview.interviewer_id:
        raise ValidationFailed(gettext("Choose a different interviewer."),
                               field_errors={"interviewer": [gettext("This person already runs the interview.")]})
    if not interviewer.is_active:
        raise ValidationFailed(gettext("The interview could not be reassigned."),
                               field_errors={"interviewer": [gettext("This user is deactivated.")]})
    if Scorecard.objects.filter(interview=interview, interviewer_id=interview.interviewer_id).exists():
        raise Conflict(
            gettext(
                "%(display_name)s has already started a scorecard for this interview; it can no longer be reassigned."
            )
            % {"display_name": interview.interviewer.display_name},
            code="scorecard_started",
        )
    before = {"interviewer_id": interview.interviewer_id}
    interview.interviewer = interviewer
    _announce(interview, fields=["interviewer"])
    audit_record(actor=actor, action="interview.reassigned", obj=interview, loop_id=interview.loop_id,
                 before=before, after={"interviewer_id": interviewer.pk})
    return interview


@transaction.atomic
def interview_reschedule(
    *,
    actor: User,
    interview: Interview,
    starts_at: datetime,
    ends_at: datetime,
    feedback_due_at: datetime | None = None,
) -> Interview:
    """Move an interview to another time.

    Feedback stays due as long after the new end as it was after the old one
    unless ``feedback_due_at`` says otherwise. Refused once its feedback is
    submitted: the interview was held. The same times again change nothing.
    """
    require_recruiting(actor)
    interview = _lock_changeable(interview)
    if _feedback_submitted(interview):
        raise Conflict(gettext("Feedback for this interview is already submitted: it was held, and cannot move."),
                       code="feedback_submitted")
    errors: dict[str, list[str]] = {}
    _time_errors(errors, kind=interview.kind, starts_at=starts_at, ends_at=ends_at, feedback_due_at=feedback_due_at)
    if errors:
        raise ValidationFailed(gettext("The interview could not be rescheduled."), field_errors=errors)
    due = feedback_due_at or interview.feedback_due_at + (ends_at - interview.ends_at)
    before = {"starts_at": interview.starts_at.isoformat(), "ends_at": interview.ends_at.isoformat(),
              "feedback_due_at": interview.feedback_due_at.isoformat()}
    after = {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "feedback_due_at": due.isoformat()}
    if (interview.starts_at, interview.ends_at, interview.feedback_due_at) == (starts_at, ends_at, due):
        return interview
    interview.starts_at, interview.ends_at, interview.feedback_due_at = starts_at, ends_at, due
    _announce(interview, fields=["starts_at", "ends_at", "feedback_due_at"])
    audit_record(actor=actor, action="interview.rescheduled", obj=interview, loop_id=interview.loop_id,
                 before=before, after=after)
    loop_refresh_status(loop=interview.loop)
    return interview


@transaction.atomic
def interview_cancel(*, actor: User, interview: Interview) -> Interview:
    """Call an interview off; its invitees are sent a cancellation.

    A cancelled interview is kept for the calendars and the record, but no
    longer counts for the loop's stage, the pipeline, coverage or reminders.
    Refused once its feedback is submitted (that evidence stays with the
    loop), and for a take-home review, which ends with its assignment.
    """
    require_recruiting(actor)
    interview = _lock_changeable(interview)
    if interview.kind == Interview.Kind.TAKE_HOME_REVIEW:
        raise Conflict(gettext("A take-home review ends with its assignment; it cannot be cancelled on its own."),
                       code="take_home_review")
    if _feedback_submitted(interview):
        raise Conflict(
            gettext("Feedback for this interview is already submitted: it was held, and cannot be cancelled."),
            code="feedback_submitted",
        )
    interview.cancelled_at = timezone.now()
    _announce(interview, fields=["cancelled_at"])
    audit_record(actor=actor, action="interview.cancelled", obj=interview, loop_id=interview.loop_id,
                 before={"cancelled_at": None},
                 after={"cancelled_at": interview.cancelled_at.isoformat()})
    loop_refresh_status(loop=interview.loop)
    return interview


def loop_interviews_call_off(*, loop: InterviewLoop, now: datetime | None = None) -> list[int]:
    """Inside the transaction that closes a loop: its interviews still to come are off for the calendars.

    Nothing is written to them: the calendar reads a closed loop's later interviews as cancelled, one
    sequence on (hiring.calendar.entries). Locking them here, after the loop, would take the locks in the
    opposite order to the scorecard writes. The job is named after commit for each; the catch-up job
    re-sends for loops closed lately. Returns the ids of the interviews concerned.
    """
    now = now or timezone.now()
    ids = list(
        Interview.objects.scheduled()
        .filter(loop_id=loop.pk, ends_at__gt=now)
        .exclude(kind=Interview.Kind.TAKE_HOME_REVIEW)
        .values_list("pk", flat=True)
    )
    for interview_id in ids:
        _send_invites_after_commit(interview_id)
    return ids
