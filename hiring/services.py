"""Writes for candidates, loops and interviews: one function per use case, each in a transaction.

Every function takes the acting user, validates before it saves, and writes an
audit event in the same transaction. Audit values hold ids, statuses and the
names of changed fields, never a candidate's name, email, phone or notes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from exercises.models import Exercise
from hiring.audit import audit_record
from hiring.errors import Conflict, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, Candidate, Interview, InterviewLoop, Role, User
from scorecards.models import Dimension, Scorecard
from scorecards.selectors.rubrics import rubric_current

logger = logging.getLogger(__name__)

CANDIDATE_FIELDS = ("name", "email", "phone", "source", "notes")
_MAX_LENGTHS = {"name": 200, "email": 254, "phone": 50, "source": 100}


def _require_recruiting(actor: Any) -> None:
    if not (actor.is_recruiter or actor.is_hireloop_admin):
        raise PermissionRefused("Only recruiters and admins manage candidates, loops and schedules.")


# --- Candidates -------------------------------------------------------------------


class DuplicateCandidate(Conflict):
    """Another (not erased) candidate already has this email; ``existing_id`` points to them."""

    default_code = "duplicate_email"

    def __init__(self, existing_id: int) -> None:
        super().__init__(
            "A candidate with this email already exists. Open a loop for them instead of adding them again.",
            field_errors={"email": ["A candidate with this email already exists."]},
        )
        self.existing_id = existing_id


def _clean_candidate_values(values: dict[str, str]) -> dict[str, str]:
    cleaned = {key: (value or "").strip() for key, value in values.items()}
    errors: dict[str, list[str]] = {}
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = ["Enter the candidate's name."]
    if "email" in cleaned:
        if not cleaned["email"]:
            errors["email"] = ["Enter the candidate's email address."]
        else:
            try:
                validate_email(cleaned["email"])
            except ValidationError:
                errors["email"] = ["Enter a valid email address."]
    for key, limit in _MAX_LENGTHS.items():
        if key in cleaned and len(cleaned[key]) > limit and key not in errors:
            errors[key] = [f"Use at most {limit} characters."]
    if errors:
        raise ValidationFailed("The candidate could not be saved.", field_errors=errors)
    return cleaned


def _check_email_free(email: str, *, except_id: int | None = None) -> None:
    others = Candidate.objects.filter(email__iexact=email, erased_at__isnull=True)
    if except_id is not None:
        others = others.exclude(pk=except_id)
    existing = others.values_list("pk", flat=True).first()
    if existing is not None:
        raise DuplicateCandidate(existing)


def _save_unique(candidate: Candidate, *, update_fields: list[str] | None = None) -> None:
    """Save, turning the database's unique-email refusal (a concurrent duplicate) into the same error."""
    try:
        with transaction.atomic():
            candidate.save(update_fields=update_fields)
    except IntegrityError as exc:
        existing = (
            Candidate.objects.filter(email__iexact=candidate.email, erased_at__isnull=True)
            .exclude(pk=candidate.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if existing is None:
            raise
        raise DuplicateCandidate(existing) from exc


@transaction.atomic
def candidate_create(
    *, actor: User, name: str, email: str, phone: str = "", source: str = "", notes: str = ""
) -> Candidate:
    """Add a candidate; refused when another candidate already has the email (case-insensitive)."""
    _require_recruiting(actor)
    values = _clean_candidate_values({"name": name, "email": email, "phone": phone, "source": source, "notes": notes})
    _check_email_free(values["email"])
    candidate = Candidate(created_by=actor, **values)
    _save_unique(candidate)
    audit_record(actor=actor, action="candidate.created", obj=candidate,
                 after={"fields": [key for key in CANDIDATE_FIELDS if values[key]]})
    return candidate


@transaction.atomic
def candidate_update(
    *,
    actor: User,
    candidate: Candidate,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    source: str | None = None,
    notes: str | None = None,
) -> Candidate:
    """Change a candidate's details; ``None`` leaves a field as it is. The email stays unique."""
    _require_recruiting(actor)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.erased_at is not None:
        raise Conflict("This candidate's data was erased; it cannot be edited.", code="erased")
    given = {"name": name, "email": email, "phone": phone, "source": source, "notes": notes}
    values = _clean_candidate_values({key: value for key, value in given.items() if value is not None})
    changed = [key for key, value in values.items() if getattr(candidate, key) != value]
    if not changed:
        return candidate
    if "email" in changed:
        _check_email_free(values["email"], except_id=candidate.pk)
    for key in changed:
        setattr(candidate, key, values[key])
    _save_unique(candidate, update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="candidate.updated", obj=candidate, after={"fields": changed})
    return candidate


# --- Loops ------------------------------------------------------------------------


def _check_people(recruiter: User | None, hiring_manager: User | None) -> None:
    errors: dict[str, list[str]] = {}
    if recruiter is not None:
        if not recruiter.is_active:
            errors["recruiter"] = ["This user is deactivated."]
        elif not (recruiter.is_recruiter or recruiter.is_hireloop_admin):
            errors["recruiter"] = ["Choose a recruiter (or an admin) to run the loop."]
    if hiring_manager is not None and not hiring_manager.is_active:
        errors["hiring_manager"] = ["This user is deactivated."]
    if errors:
        raise ValidationFailed("The loop could not be saved.", field_errors=errors)


@transaction.atomic
def loop_open(
    *,
    actor: User,
    candidate: Candidate,
    role: Role,
    recruiter: User | None = None,
    hiring_manager: User | None = None,
) -> InterviewLoop:
    """Open a loop for a candidate and a role, pinning the role's current rubric version.

    A candidate has at most one active loop per role: a second one would split
    the panel's feedback between two recommendations.
    """
    _require_recruiting(actor)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.erased_at is not None:
        raise ValidationFailed("This candidate's data was erased; open no new loop.",
                               field_errors={"candidate": ["Erased candidate."]})
    recruiter = recruiter or actor
    _check_people(recruiter, hiring_manager)
    active = InterviewLoop.objects.filter(candidate=candidate, role=role).exclude(
        status__in=[InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN]
    )
    if active.exists():
        raise Conflict(
            f"This candidate already has an active loop for {role.title}; withdraw or decide it first.",
            code="loop_exists",
            field_errors={"role": ["The candidate already has an active loop for this role."]},
        )
    rubric = rubric_current(role=role)
    loop = InterviewLoop.objects.create(
        candidate=candidate,
        role=role,
        rubric=rubric,
        recruiter=recruiter,
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


def _lock_open_loop(loop: InterviewLoop, *, doing: str) -> InterviewLoop:
    loop = InterviewLoop.objects.select_for_update().get(pk=loop.pk)
    if loop.is_closed:
        raise Conflict(f"The loop is {loop.get_status_display().lower()}; {doing}.", code="loop_closed")
    return loop


@transaction.atomic
def loop_assign(
    *, actor: User, loop: InterviewLoop, recruiter: User, hiring_manager: User | None
) -> InterviewLoop:
    """Change who runs the loop (recruiter) and who reviews it with the committee (hiring manager)."""
    _require_recruiting(actor)
    loop = _lock_open_loop(loop, doing="its people can no longer change")
    _check_people(recruiter, hiring_manager)
    before = {"recruiter_id": loop.recruiter_id, "hiring_manager_id": loop.hiring_manager_id}
    loop.recruiter = recruiter
    loop.hiring_manager = hiring_manager
    after = {"recruiter_id": loop.recruiter_id, "hiring_manager_id": loop.hiring_manager_id}
    if after == before:
        return loop
    loop.save(update_fields=["recruiter", "hiring_manager"])
    audit_record(actor=actor, action="loop.assigned", obj=loop, loop_id=loop.pk, before=before, after=after)
    return loop


@transaction.atomic
def loop_withdraw(*, actor: User, loop: InterviewLoop, reason: str) -> InterviewLoop:
    """Close a loop without a decision (the candidate withdrew, the role closed...), with a reason.

    The reason is free text and may name people, so the audit event records
    only the change of status.
    """
    _require_recruiting(actor)
    loop = _lock_open_loop(loop, doing="it cannot be withdrawn")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the loop is withdrawn.", field_errors={"reason": ["A reason is required."]})
    before = {"status": loop.status}
    loop.status = InterviewLoop.Status.WITHDRAWN
    loop.withdrawn_reason = reason
    loop.closed_at = timezone.now()
    loop.save(update_fields=["status", "withdrawn_reason", "closed_at"])
    audit_record(actor=actor, action="loop.withdrawn", obj=loop, loop_id=loop.pk,
                 before=before, after={"status": loop.status})
    return loop


# --- Interviews -------------------------------------------------------------------


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
    _require_recruiting(actor)
    loop = _lock_open_loop(loop, doing="no interviews can be added")
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
    _require_recruiting(actor)
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


# --- Loop stage -------------------------------------------------------------------


def loop_refresh_status(*, loop: InterviewLoop, now: datetime | None = None, locked: bool = False) -> InterviewLoop:
    """Derive the stage of an undecided loop from its interviews and their feedback.

    open: nothing has happened yet or interviews are to come; awaiting
    feedback: an interview has ended and its scorecard is not submitted; in
    review: every interview has a submitted scorecard. Entering review
    notifies the recruiter and hiring manager once the transaction commits.

    The loop row is locked first: two interviewers submitting the last two
    scorecards at once are serialised, so the second sees the first's
    scorecard and the loop does reach review. ``locked``: the caller has
    already locked the row in its transaction and ``loop`` is that fresh row
    (the scorecard services lock it with the interview).
    """
    # No savepoint: nothing here is caught and retried, and a caller's transaction rolls back as a whole.
    with transaction.atomic(savepoint=False):
        loop_row = loop if locked else InterviewLoop.objects.select_for_update().filter(pk=loop.pk).first()
        if loop_row is None or loop_row.is_closed:
            if loop_row is not None:
                loop.status = loop_row.status
            return loop
        now = now or timezone.now()
        submitted = Scorecard.objects.filter(
            interview=OuterRef("pk"), interviewer=OuterRef("interviewer"), status=Scorecard.Status.SUBMITTED,
            is_current=True,
        )
        # One query over the panel, in a statement of its own: it reads after the lock was granted. A panel is a
        # handful of interviews; counting its rows here costs half the CPU of compiling three filtered COUNTs.
        panel = list(
            Interview.objects.filter(loop_id=loop_row.pk)
            .annotate(done=Exists(submitted))
            .values_list("done", "ends_at")
        )
        pending_ends = [ends_at for done, ends_at in panel if not done]
        if panel and not pending_ends:
            status = InterviewLoop.Status.IN_REVIEW
        elif any(ends_at <= now for ends_at in pending_ends):
            status = InterviewLoop.Status.AWAITING_FEEDBACK
        else:
            status = InterviewLoop.Status.OPEN
        before = loop_row.status
        loop.status = status
        if status == before:
            return loop
        InterviewLoop.objects.filter(pk=loop_row.pk).update(status=status)
        event = audit_record(actor=None, action="loop.status_changed", obj=loop_row, loop_id=loop_row.pk,
                             before={"status": before}, after={"status": status})
        if status == InterviewLoop.Status.IN_REVIEW:
            loop_id, event_id = loop_row.pk, event.pk
            transaction.on_commit(lambda: _enqueue_ready_for_review(loop_id, event_id))
    return loop


def loops_refresh_stages(*, now: datetime | None = None) -> int:
    """Move open loops whose interviews have ended to "awaiting feedback" (time passes without an event).

    Returns the number of loops whose stage changed.
    """
    now = now or timezone.now()
    ended = Interview.objects.filter(loop=OuterRef("pk"), ends_at__lte=now)
    stale = InterviewLoop.objects.filter(Exists(ended), status=InterviewLoop.Status.OPEN).values_list("pk", flat=True)
    changed = 0
    for loop in InterviewLoop.objects.filter(pk__in=list(stale)):
        before = loop.status
        if loop_refresh_status(loop=loop, now=now).status != before:
            changed += 1
    return changed


def _enqueue_ready_for_review(loop_id: int, event_id: int) -> None:
    """Hand the notification to a worker; a dead broker is logged (ids only) and the sweep catches up."""
    from hiring.tasks import notify_loop_ready

    try:
        notify_loop_ready.delay(loop_id, event_id)
    except Exception:  # noqa: BLE001 - a broker failure must not reach the interviewer who just submitted.
        logger.warning("Could not enqueue the ready-for-review notice of loop %s; the sweep will send it.", loop_id)


def ready_for_review_events(*, since: datetime) -> list[AuditEvent]:
    """The latest "entered review" event of each loop still in review, since a time."""
    events = (
        AuditEvent.objects.filter(
            action="loop.status_changed",
            after__status=InterviewLoop.Status.IN_REVIEW,
            created_at__gte=since,
            loop_id__in=InterviewLoop.objects.filter(status=InterviewLoop.Status.IN_REVIEW).values("pk"),
        )
        .order_by("loop_id", "-created_at", "-id")
    )
    latest: dict[int, AuditEvent] = {}
    for event in events:
        if event.loop_id is not None:
            latest.setdefault(event.loop_id, event)
    return list(latest.values())
