"""Writes for take-home assignments: sending one, extending its deadline, reissuing its link."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from exercises.links import new_token, token_digest
from exercises.models import DeadlineExtension, Exercise, ExerciseAssignment
from exercises.services.common import (
    dimensions_by_name,
    enqueue_link_email,
    enqueue_notice,
    local_time_text,
    require_recruiting,
)
from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import Candidate, Interview, InterviewLoop, User
from hiring.services.interviews import InterviewPlan, interview_schedule
from hiring.services.stages import loop_refresh_status
from hiring.text import limit

MAX_REASON_LENGTH = limit("extension.reason")
# Take-homes run for days or weeks; a bound keeps absurd dates (year 9999) from overflowing the link's expiry.
MAX_DEADLINE_AHEAD = timedelta(days=365)


@transaction.atomic
def take_home_assign(
    *,
    actor: User,
    loop: InterviewLoop,
    exercise: Exercise,
    due_at: datetime,
    reviewer: User,
    review_due_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ExerciseAssignment, str]:
    """Send a take-home to the loop's candidate and schedule its review.

    The brief is copied as it reads now. The reviewer gets a take-home review
    interview, from now until the deadline, focused on the exercise's
    dimensions. Returns the assignment and the raw token, which exists
    nowhere else once the email is sent.
    """
    require_recruiting(actor)
    now = now or timezone.now()
    loop = InterviewLoop.objects.select_for_update().select_related("candidate").get(pk=loop.pk)
    if loop.is_closed:
        raise Conflict(
            gettext("The loop is %(status)s; no exercise can be sent.") % {"status": loop.get_status_display().lower()},
            code="loop_closed",
        )
    errors: dict[str, list[str]] = {}
    if exercise.role_id != loop.role_id:
        errors["exercise"] = ["Choose an exercise of this loop's role."]
    elif exercise.format != Exercise.Format.TAKE_HOME:
        errors["exercise"] = ["Only take-home exercises are sent to candidates; attach live ones to an interview."]
    elif not exercise.is_active:
        errors["exercise"] = ["This exercise is retired from the library."]
    if timezone.is_naive(due_at):
        errors["due_at"] = ["The deadline must carry a time zone."]
    elif due_at <= now:
        errors["due_at"] = ["The deadline must be in the future."]
    elif due_at > now + MAX_DEADLINE_AHEAD:
        errors["due_at"] = ["The deadline must be within a year from now."]
    if review_due_at is not None and "due_at" not in errors:
        if timezone.is_naive(review_due_at):
            errors["review_due_at"] = ["The review deadline must carry a time zone."]
        elif review_due_at < due_at:
            errors["review_due_at"] = ["The review cannot be due before the candidate's deadline."]
        elif review_due_at > due_at + MAX_DEADLINE_AHEAD:
            errors["review_due_at"] = ["The review must be due within a year of the candidate's deadline."]
    if not reviewer.is_active:
        errors["reviewer"] = ["This user is deactivated."]
    if loop.candidate.erased_at is not None or not loop.candidate.email:
        errors["exercise"] = ["The candidate has no email address to send the link to."]
    if errors:
        raise ValidationFailed(gettext("The take-home could not be assigned."), field_errors=errors)
    if ExerciseAssignment.objects.filter(loop=loop, exercise=exercise).exists():
        raise Conflict(gettext("This exercise was already sent to this candidate; extend its deadline instead."),
                       code="already_assigned")

    dimensions = dimensions_by_name(loop, exercise.dimension_names)
    review = interview_schedule(
        actor=actor,
        loop=loop,
        plan=InterviewPlan(
            kind=Interview.Kind.TAKE_HOME_REVIEW,
            interviewer=reviewer,
            starts_at=now,
            ends_at=due_at,
            focus_dimension_ids=[d.pk for d in dimensions],
            exercise=exercise,
            feedback_due_at=review_due_at,
        ),
    )
    token = new_token()
    assignment = ExerciseAssignment.objects.create(
        loop=loop,
        exercise=exercise,
        title=exercise.title,
        format=exercise.format,
        duration=exercise.duration,
        materials=list(exercise.materials),
        tasks=list(exercise.tasks),
        evaluation=list(exercise.evaluation),
        dimension_names=list(exercise.dimension_names),
        due_at=due_at,
        original_due_at=due_at,
        grace_hours=settings.HIRELOOP_TAKE_HOME_GRACE_HOURS,
        token_hash=token_digest(token),
        token_issued_at=now,
        reviewer=reviewer,
        review_interview=review,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="take_home.assigned",
        obj=assignment,
        loop_id=loop.pk,
        after={
            "exercise_id": exercise.pk,
            "due_at": due_at.isoformat(),
            "grace_hours": assignment.grace_hours,
            "reviewer_id": reviewer.pk,
            "review_interview_id": review.pk,
            "focus_dimension_ids": [d.pk for d in dimensions],
        },
    )
    assignment_id = assignment.pk
    transaction.on_commit(lambda: enqueue_link_email(assignment_id, token))
    return assignment, token


def _lock_assignment(assignment_id: int) -> ExerciseAssignment:
    try:
        return (
            ExerciseAssignment.objects.select_for_update(of=("self",))
            .select_related("loop")
            .get(pk=assignment_id)
        )
    except ExerciseAssignment.DoesNotExist as exc:
        raise NotFound(gettext("No such take-home assignment.")) from exc


def _move_review(assignment: ExerciseAssignment, actor: User, previous_due: datetime) -> None:
    """Keep the review interview's window ending at the deadline, and its feedback due as long after."""
    if assignment.review_interview_id is None:
        return
    interview = Interview.objects.select_for_update().get(pk=assignment.review_interview_id)
    if interview.ends_at != previous_due:
        return  # someone rescheduled the review by hand: their choice stands.
    shift = assignment.due_at - previous_due
    before = {"ends_at": interview.ends_at.isoformat(), "feedback_due_at": interview.feedback_due_at.isoformat()}
    interview.ends_at = assignment.due_at
    interview.feedback_due_at = interview.feedback_due_at + shift
    interview.save(update_fields=["ends_at", "feedback_due_at"])
    audit_record(actor=actor, action="interview.rescheduled", obj=interview, loop_id=interview.loop_id,
                 before=before,
                 after={"ends_at": interview.ends_at.isoformat(),
                        "feedback_due_at": interview.feedback_due_at.isoformat()})


@transaction.atomic
def take_home_extend_deadline(
    *, actor: User, assignment_id: int, new_due_at: datetime, reason: str, now: datetime | None = None
) -> ExerciseAssignment:
    """Give the candidate more time; the link works again until the new deadline plus the grace period."""
    require_recruiting(actor)
    now = now or timezone.now()
    assignment = _lock_assignment(assignment_id)
    if assignment.loop.is_closed:
        raise Conflict(gettext("The loop is closed; the deadline can no longer change."), code="loop_closed")
    errors: dict[str, list[str]] = {}
    if timezone.is_naive(new_due_at):
        errors["due_at"] = ["The deadline must carry a time zone."]
    elif new_due_at <= assignment.due_at:
        current = local_time_text(assignment.due_at)
        errors["due_at"] = [f"The new deadline must be later than the current one ({current})."]
    elif new_due_at <= now:
        errors["due_at"] = ["The new deadline must be in the future."]
    elif new_due_at > now + MAX_DEADLINE_AHEAD:
        errors["due_at"] = ["The new deadline must be within a year from now."]
    reason = reason.strip()
    if not reason:
        errors["reason"] = ["Say why the deadline moves; it is kept in the extension history."]
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = [f"At most {MAX_REASON_LENGTH} characters."]
    if errors:
        raise ValidationFailed(gettext("The deadline could not be extended."), field_errors=errors)
    previous = assignment.due_at
    extension = DeadlineExtension.objects.create(
        assignment=assignment, previous_due_at=previous, new_due_at=new_due_at, reason=reason, extended_by=actor
    )
    assignment.due_at = new_due_at
    assignment.save(update_fields=["due_at"])
    _move_review(assignment, actor, previous)
    audit_record(actor=actor, action="take_home.deadline_extended", obj=assignment, loop_id=assignment.loop_id,
                 before={"due_at": previous.isoformat()},
                 after={"due_at": new_due_at.isoformat(), "extension_id": extension.pk})
    loop_refresh_status(loop=assignment.loop, now=now)
    transaction.on_commit(lambda: enqueue_notice(assignment_id, "deadline_extended"))
    return assignment


@transaction.atomic
def take_home_reissue_link(
    *, actor: User, assignment_id: int, now: datetime | None = None
) -> tuple[ExerciseAssignment, str]:
    """Email the candidate a new link (the old one stops working): for a lost or mistyped email."""
    require_recruiting(actor)
    now = now or timezone.now()
    assignment = _lock_assignment(assignment_id)
    if assignment.loop.is_closed:
        raise Conflict(gettext("The loop is closed; no new link can be sent."), code="loop_closed")
    if not assignment.link_valid(now):
        raise Conflict(
            gettext("The link has expired; extend the deadline first, which makes a new link worth sending."),
            code="link_expired",
        )
    candidate = Candidate.objects.get(pk=assignment.loop.candidate_id)
    if candidate.erased_at is not None or not candidate.email:
        raise ValidationFailed(gettext("The candidate has no email address to send the link to."))
    token = new_token()
    assignment.token_hash = token_digest(token)
    assignment.token_issued_at = now
    assignment.link_emailed_at = None
    assignment.save(update_fields=["token_hash", "token_issued_at", "link_emailed_at"])
    audit_record(actor=actor, action="take_home.link_reissued", obj=assignment, loop_id=assignment.loop_id,
                 after={"token_issued_at": now.isoformat()})
    transaction.on_commit(lambda: enqueue_link_email(assignment_id, token, reissued=True))
    return assignment, token


@transaction.atomic
def take_home_mark_emailed(*, assignment_id: int, token: str, now: datetime | None = None) -> bool:
    """Record that the link with this token was emailed; False when a newer link replaced it meanwhile."""
    updated = ExerciseAssignment.objects.filter(pk=assignment_id, token_hash=token_digest(token)).update(
        link_emailed_at=now or timezone.now()
    )
    return bool(updated)
