"""Writes for practical exercises: the library, take-home assignments and submissions, live exercises.

Every function validates first, writes in one transaction with an audit
event, and leaves emails to tasks enqueued after commit. Audit events carry
ids, times and sizes only: never the candidate's name, email, repository
URL, file name or notes.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from exercises.links import new_token, plausible_token, token_digest
from exercises.models import DeadlineExtension, Exercise, ExerciseAssignment, ExerciseSubmission
from exercises.uploads import check_upload
from hiring.audit import audit_record
from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.models import Candidate, Interview, InterviewLoop, Role, User
from hiring.services import InterviewPlan, interview_schedule, loop_refresh_status
from scorecards.models import Dimension, Scorecard
from scorecards.selectors.rubrics import rubric_current

logger = logging.getLogger(__name__)

MAX_ITEMS = 40
MAX_ITEM_LENGTH = 2000
MAX_NOTE_LENGTH = 5000
MAX_REASON_LENGTH = 2000
# Take-homes run for days or weeks; a bound keeps absurd dates (year 9999) from overflowing the link's expiry.
MAX_DEADLINE_AHEAD = timedelta(days=365)
LIVE_FORMATS = (Exercise.Format.LIVE, Exercise.Format.DISCUSSION)


def _require_admin(actor: Any) -> None:
    if not actor.is_hireloop_admin:
        raise PermissionRefused("Only admins add and edit exercises.")


def _require_recruiting(actor: Any) -> None:
    if not (actor.is_recruiter or actor.is_hireloop_admin):
        raise PermissionRefused("Only recruiters and admins assign exercises and change deadlines.")


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y, %H:%M %Z")


# --- The library -----------------------------------------------------------------


@dataclass
class ExerciseInput:
    """What an admin fills in; list fields hold one item per line of the form."""

    title: str
    format: str
    duration: str = ""
    materials: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    evaluation: list[str] = field(default_factory=list)
    dimension_names: list[str] = field(default_factory=list)
    is_active: bool = True
    slug: str = ""


def _clean_items(items: list[str], name: str, errors: dict[str, list[str]]) -> list[str]:
    cleaned = [" ".join(item.split()) for item in items if item and item.strip()]
    if len(cleaned) > MAX_ITEMS:
        errors[name] = [f"At most {MAX_ITEMS} lines."]
    elif any(len(item) > MAX_ITEM_LENGTH for item in cleaned):
        errors[name] = [f"Each line must be at most {MAX_ITEM_LENGTH} characters."]
    return cleaned


def _exercise_values(role: Role, data: ExerciseInput, *, current: Exercise | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = " ".join(data.title.split())
    if not title:
        errors["title"] = ["Give the exercise a title."]
    elif len(title) > 300:
        errors["title"] = ["At most 300 characters."]
    if data.format not in Exercise.Format.values:
        errors["format"] = ["Choose take-home, live or discussion."]
    duration = data.duration.strip()
    if len(duration) > 100:
        errors["duration"] = ["At most 100 characters."]
    values: dict[str, Any] = {
        "title": title,
        "format": data.format,
        "duration": duration,
        "materials": _clean_items(data.materials, "materials", errors),
        "tasks": _clean_items(data.tasks, "tasks", errors),
        "evaluation": _clean_items(data.evaluation, "evaluation", errors),
        "is_active": bool(data.is_active),
    }
    # Names of the role's current rubric, plus those the exercise already feeds (kept across rubric versions).
    try:
        known = set(rubric_current(role=role).dimensions.values_list("name", flat=True))
    except NotFound:
        known = set()
    if current is not None:
        known |= set(current.dimension_names)
    names = list(dict.fromkeys(name.strip() for name in data.dimension_names if name.strip()))
    unknown = [name for name in names if name not in known]
    if unknown:
        errors["dimension_names"] = [f"Not a dimension of this role's rubric: {', '.join(unknown)}."]
    values["dimension_names"] = names
    if current is None:
        slug = slugify(data.slug or title)[:100].strip("-")
        if not slug:
            errors["slug"] = ["Give a short name made of letters, digits and hyphens."]
        elif Exercise.objects.filter(role=role, slug=slug).exists():
            errors["slug" if data.slug else "title"] = [
                "This role already has an exercise with this short name; choose another title or slug."
            ]
        values["slug"] = slug
    if errors:
        raise ValidationFailed("The exercise could not be saved.", field_errors=errors)
    return values


def _exercise_snapshot(exercise: Exercise) -> dict[str, Any]:
    return {
        "title": exercise.title,
        "format": exercise.format,
        "duration": exercise.duration,
        "materials": exercise.materials,
        "tasks": exercise.tasks,
        "evaluation": exercise.evaluation,
        "dimension_names": exercise.dimension_names,
        "is_active": exercise.is_active,
    }


@transaction.atomic
def exercise_create(*, actor: User, role: Role, data: ExerciseInput) -> Exercise:
    """Add an exercise to a role's library; it goes after the role's existing exercises."""
    _require_admin(actor)
    Role.objects.select_for_update().get(pk=role.pk)
    values = _exercise_values(role, data, current=None)
    last = Exercise.objects.filter(role=role).aggregate(last=Max("position"))["last"] or 0
    exercise = Exercise.objects.create(role=role, position=last + 1, origin=Exercise.Origin.CUSTOM, **values)
    audit_record(actor=actor, action="exercise.created", obj=exercise,
                 after={"role": role.slug, "slug": exercise.slug, **_exercise_snapshot(exercise)})
    return exercise


@transaction.atomic
def exercise_update(
    *, actor: User, exercise_id: int, data: ExerciseInput, expected_updated_at: datetime | None
) -> Exercise:
    """Edit an exercise. Assignments already sent keep their own copy of the brief and do not change."""
    _require_admin(actor)
    try:
        exercise = Exercise.objects.select_for_update().select_related("role").get(pk=exercise_id)
    except Exercise.DoesNotExist as exc:
        raise NotFound("No such exercise.") from exc
    if expected_updated_at is not None and expected_updated_at != exercise.updated_at:
        raise Conflict(
            "This exercise was changed by someone else since you opened it. "
            "Reload the page to see the latest text; your changes were not saved.",
            code="stale_version",
        )
    values = _exercise_values(exercise.role, data, current=exercise)
    before = _exercise_snapshot(exercise)
    changed = {key: value for key, value in values.items() if before.get(key) != value}
    if not changed:
        return exercise
    for key, value in changed.items():
        setattr(exercise, key, value)
    exercise.save()
    audit_record(actor=actor, action="exercise.updated", obj=exercise,
                 before={key: before[key] for key in changed}, after=changed)
    return exercise


# --- Take-home assignments ----------------------------------------------------------


def _dimensions_by_name(loop: InterviewLoop, names: list[str]) -> list[Dimension]:
    """The loop's rubric dimensions with these names, in rubric order; names not in that version are skipped."""
    return list(Dimension.objects.filter(rubric_id=loop.rubric_id, name__in=names).order_by("position"))


def _enqueue_link_email(assignment_id: int, token: str, *, reissued: bool = False) -> None:
    from exercises.tasks import send_take_home_link

    try:
        send_take_home_link.delay(assignment_id, token, reissued)
    except Exception:  # noqa: BLE001 - a dead broker must not fail the request; the page offers to resend.
        logger.warning("Could not enqueue the take-home link email for assignment %s.", assignment_id)


def _enqueue_notice(assignment_id: int, notice: str, submission_id: int | None = None) -> None:
    from exercises.tasks import send_take_home_notice

    try:
        send_take_home_notice.delay(assignment_id, notice, submission_id)
    except Exception:  # noqa: BLE001 - a notice is a courtesy; the pages show the same facts.
        logger.warning("Could not enqueue the %s notice for assignment %s.", notice, assignment_id)


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
    _require_recruiting(actor)
    now = now or timezone.now()
    loop = InterviewLoop.objects.select_for_update().select_related("candidate").get(pk=loop.pk)
    if loop.is_closed:
        raise Conflict(f"The loop is {loop.get_status_display().lower()}; no exercise can be sent.", code="loop_closed")
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
        raise ValidationFailed("The take-home could not be assigned.", field_errors=errors)
    if ExerciseAssignment.objects.filter(loop=loop, exercise=exercise).exists():
        raise Conflict("This exercise was already sent to this candidate; extend its deadline instead.",
                       code="already_assigned")

    dimensions = _dimensions_by_name(loop, exercise.dimension_names)
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
    transaction.on_commit(lambda: _enqueue_link_email(assignment_id, token))
    return assignment, token


def _lock_assignment(assignment_id: int) -> ExerciseAssignment:
    try:
        return (
            ExerciseAssignment.objects.select_for_update(of=("self",))
            .select_related("loop")
            .get(pk=assignment_id)
        )
    except ExerciseAssignment.DoesNotExist as exc:
        raise NotFound("No such take-home assignment.") from exc


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
    _require_recruiting(actor)
    now = now or timezone.now()
    assignment = _lock_assignment(assignment_id)
    if assignment.loop.is_closed:
        raise Conflict("The loop is closed; the deadline can no longer change.", code="loop_closed")
    errors: dict[str, list[str]] = {}
    if timezone.is_naive(new_due_at):
        errors["due_at"] = ["The deadline must carry a time zone."]
    elif new_due_at <= assignment.due_at:
        errors["due_at"] = [f"The new deadline must be later than the current one ({_when(assignment.due_at)})."]
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
        raise ValidationFailed("The deadline could not be extended.", field_errors=errors)
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
    transaction.on_commit(lambda: _enqueue_notice(assignment_id, "deadline_extended"))
    return assignment


@transaction.atomic
def take_home_reissue_link(
    *, actor: User, assignment_id: int, now: datetime | None = None
) -> tuple[ExerciseAssignment, str]:
    """Email the candidate a new link (the old one stops working): for a lost or mistyped email."""
    _require_recruiting(actor)
    now = now or timezone.now()
    assignment = _lock_assignment(assignment_id)
    if assignment.loop.is_closed:
        raise Conflict("The loop is closed; no new link can be sent.", code="loop_closed")
    if not assignment.link_valid(now):
        raise Conflict("The link has expired; extend the deadline first, which makes a new link worth sending.",
                       code="link_expired")
    candidate = Candidate.objects.get(pk=assignment.loop.candidate_id)
    if candidate.erased_at is not None or not candidate.email:
        raise ValidationFailed("The candidate has no email address to send the link to.")
    token = new_token()
    assignment.token_hash = token_digest(token)
    assignment.token_issued_at = now
    assignment.link_emailed_at = None
    assignment.save(update_fields=["token_hash", "token_issued_at", "link_emailed_at"])
    audit_record(actor=actor, action="take_home.link_reissued", obj=assignment, loop_id=assignment.loop_id,
                 after={"token_issued_at": now.isoformat()})
    transaction.on_commit(lambda: _enqueue_link_email(assignment_id, token, reissued=True))
    return assignment, token


@transaction.atomic
def take_home_mark_emailed(*, assignment_id: int, token: str, now: datetime | None = None) -> bool:
    """Record that the link with this token was emailed; False when a newer link replaced it meanwhile."""
    updated = ExerciseAssignment.objects.filter(pk=assignment_id, token_hash=token_digest(token)).update(
        link_emailed_at=now or timezone.now()
    )
    return bool(updated)


# --- Submissions -------------------------------------------------------------------------


@dataclass
class SubmissionInput:
    repository_url: str = ""
    upload: Any = None  # an UploadedFile
    note: str = ""


def assignment_for_token(token: str, *, lock: bool = False) -> ExerciseAssignment:
    """The assignment a link's token opens; a wrong or replaced token is simply not found."""
    if not plausible_token(token):
        raise NotFound("This link is not valid.", code="invalid_link")
    queryset = ExerciseAssignment.objects.select_related("loop", "loop__candidate", "loop__role")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(token_hash=token_digest(token))
    except ExerciseAssignment.DoesNotExist as exc:
        raise NotFound("This link is not valid.", code="invalid_link") from exc


def take_home_refusal(assignment: ExerciseAssignment, now: datetime) -> Conflict | None:
    """Why this link can take no submission now, or None when it can."""
    if assignment.loop.is_closed:
        return Conflict("This exercise is closed: the hiring process it belonged to has ended.", code="closed")
    if not assignment.link_valid(now):
        return Conflict(
            f"This link expired on {_when(assignment.link_expires_at)}. "
            "If you need more time, contact your recruiter.",
            code="link_expired",
        )
    if now > assignment.due_at:
        return Conflict(
            f"The deadline for this exercise passed on {_when(assignment.due_at)}, so submissions are closed "
            "and this one was not accepted. If you need more time, ask your recruiter to extend the deadline.",
            code="deadline_passed",
        )
    return None


def _check_repository_url(url: str, errors: dict[str, list[str]]) -> str:
    url = url.strip()
    if not url:
        return ""
    if len(url) > 500:
        errors["repository_url"] = ["The URL is too long (at most 500 characters)."]
        return url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors["repository_url"] = ["Enter a full web address starting with https://."]
        return url
    authority = url.split("://", 1)[1].split("/", 1)[0]
    if "@" in authority:
        errors["repository_url"] = [
            "Remove the user name or password from the URL; give reviewers access another way."
        ]
    return url


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def take_home_submit(*, token: str, data: SubmissionInput, now: datetime | None = None) -> ExerciseSubmission:
    """Accept a candidate's submission until the deadline; each resubmission is kept with its time."""
    now = now or timezone.now()
    assignment = assignment_for_token(token, lock=True)
    refusal = take_home_refusal(assignment, now)
    if refusal is not None:
        raise refusal
    errors: dict[str, list[str]] = {}
    repository_url = _check_repository_url(data.repository_url, errors)
    checked = None
    if data.upload is not None:
        checked, problems = check_upload(data.upload)
        if problems:
            errors["file"] = problems
    note = data.note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [f"At most {MAX_NOTE_LENGTH} characters."]
    if not errors and not repository_url and data.upload is None:
        errors["repository_url"] = ["Give a repository URL, upload a file, or both."]
    if errors:
        raise ValidationFailed("Your submission was not accepted; see the fields below.", field_errors=errors)

    last = assignment.submissions.aggregate(last=Max("number"))["last"] or 0
    submission = ExerciseSubmission(
        assignment=assignment, number=last + 1, submitted_at=now, repository_url=repository_url, note=note
    )
    if checked is not None:
        submission.original_filename = checked.original_filename
        submission.content_type = checked.content_type
        submission.size = data.upload.size
        submission.sha256 = _sha256(data.upload)
        submission.file.save(checked.original_filename, data.upload, save=False)
    try:
        submission.save()
        audit_record(
            actor=None,
            action="take_home.submitted",
            obj=submission,
            loop_id=assignment.loop_id,
            after={
                "assignment_id": assignment.pk,
                "number": submission.number,
                "has_repository_url": bool(repository_url),
                "file_size": submission.size,
                "file_type": checked.extension if checked else None,
            },
        )
    except Exception:
        if submission.file:
            submission.file.delete(save=False)
        raise
    assignment_id, submission_id = assignment.pk, submission.pk
    transaction.on_commit(lambda: _enqueue_notice(assignment_id, "submission_received", submission_id))
    return submission


# --- Live exercises on interviews -----------------------------------------------------------


@transaction.atomic
def interview_attach_exercise(
    *, actor: User, interview_id: int, exercise_id: int | None, add_focus: bool = True
) -> Interview:
    """Put a live or discussion exercise in an interview's kit (or take it out with ``exercise_id=None``).

    With ``add_focus`` the exercise's dimensions join the interview's focus.
    Refused once feedback for the interview was submitted: it was scored
    against what the kit said then.
    """
    _require_recruiting(actor)
    try:
        interview = Interview.objects.select_for_update(of=("self",)).select_related("loop").get(pk=interview_id)
    except Interview.DoesNotExist as exc:
        raise NotFound("No such interview.") from exc
    if interview.loop.is_closed:
        raise Conflict("The loop is closed; its interviews can no longer change.", code="loop_closed")
    if interview.kind == Interview.Kind.TAKE_HOME_REVIEW:
        raise Conflict("A take-home review's exercise comes from its assignment.", code="take_home_review")
    if Scorecard.objects.filter(interview=interview, status=Scorecard.Status.SUBMITTED).exists():
        raise Conflict("Feedback for this interview is already submitted; its exercise can no longer change.",
                       code="feedback_submitted")
    exercise = None
    if exercise_id is not None:
        exercise = Exercise.objects.filter(pk=exercise_id).first()
        errors: dict[str, list[str]] = {}
        if exercise is None or exercise.role_id != interview.loop.role_id:
            errors["exercise"] = ["Choose an exercise of this loop's role."]
        elif exercise.format not in LIVE_FORMATS:
            errors["exercise"] = ["Take-home exercises are sent to the candidate; choose a live or discussion one."]
        elif not exercise.is_active:
            errors["exercise"] = ["This exercise is retired from the library."]
        if errors:
            raise ValidationFailed("The exercise could not be attached.", field_errors=errors)
    before_focus = sorted(interview.focus_dimensions.values_list("pk", flat=True))
    before = {"exercise_id": interview.exercise_id, "focus_dimension_ids": before_focus}
    interview.exercise = exercise
    interview.save(update_fields=["exercise"])
    if exercise is not None and add_focus:
        interview.focus_dimensions.add(*_dimensions_by_name(interview.loop, exercise.dimension_names))
    after_focus = sorted(interview.focus_dimensions.values_list("pk", flat=True))
    audit_record(actor=actor, action="interview.exercise_attached" if exercise else "interview.exercise_detached",
                 obj=interview, loop_id=interview.loop_id, before=before,
                 after={"exercise_id": interview.exercise_id, "focus_dimension_ids": after_focus})
    return interview
