"""Writes for take-home submissions: the candidate's link, and what it accepts until the deadline."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from exercises.links import plausible_token, token_digest
from exercises.models import ExerciseAssignment, ExerciseSubmission
from exercises.services.common import enqueue_notice, local_time_text
from exercises.uploads import check_upload
from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.text import limit

MAX_NOTE_LENGTH = limit("submission.note")


@dataclass
class SubmissionInput:
    repository_url: str = ""
    upload: Any = None  # an UploadedFile
    note: str = ""


def assignment_for_token(token: str, *, lock: bool = False) -> ExerciseAssignment:
    """The assignment a link's token opens; a wrong or replaced token is simply not found."""
    if not plausible_token(token):
        raise NotFound(gettext("This link is not valid."), code="invalid_link")
    queryset = ExerciseAssignment.objects.select_related("loop", "loop__candidate", "loop__role")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(token_hash=token_digest(token))
    except ExerciseAssignment.DoesNotExist as exc:
        raise NotFound(gettext("This link is not valid."), code="invalid_link") from exc


def take_home_refusal(assignment: ExerciseAssignment, now: datetime) -> Conflict | None:
    """Why this link can take no submission now, or None when it can."""
    if assignment.loop.is_closed:
        return Conflict(gettext("This exercise is closed: the hiring process it belonged to has ended."), code="closed")
    if not assignment.link_valid(now):
        return Conflict(
            gettext("This link expired on %(local_time_text)s. If you need more time, contact your recruiter.")
            % {"local_time_text": local_time_text(assignment.link_expires_at)},
            code="link_expired",
        )
    if now > assignment.due_at:
        return Conflict(
            gettext(
                "The deadline for this exercise passed on %(local_time_text)s, so submissions are closed and this one "
                "was not accepted. If you need more time, ask your recruiter to extend the deadline."
            )
            % {"local_time_text": local_time_text(assignment.due_at)},
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
        raise ValidationFailed(gettext("Your submission was not accepted; see the fields below."), field_errors=errors)

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
    transaction.on_commit(lambda: enqueue_notice(assignment_id, "submission_received", submission_id))
    return submission
