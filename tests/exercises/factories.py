"""Take-homes built through the services, and upload helpers."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from exercises.models import Exercise, ExerciseAssignment, ExerciseSubmission
from exercises.services.assignments import take_home_assign
from exercises.services.submissions import SubmissionInput, take_home_submit
from hiring.models import Interview, InterviewLoop, User
from tests.hiring.factories import UserFactory, make_loop

# The Applied AI Engineer's take-home, as the fixture file names it.
TAKE_HOME_SLUG = "take-home-or-live-coding"
TAKE_HOME_DIMENSIONS = ["Software engineering", "MLOps/operational readiness"]


def recruiter_of(loop: InterviewLoop) -> User:
    """The loop's recruiter; the field is nullable, but every loop these tests open has one."""
    recruiter = loop.recruiter
    assert recruiter is not None
    return recruiter


def review_of(assignment: ExerciseAssignment) -> Interview:
    """The assignment's review interview; nullable in the model, always scheduled by ``take_home_assign``."""
    review = assignment.review_interview
    assert review is not None
    return review


def take_home_exercise(role_slug: str = "applied-ai-engineer", slug: str = TAKE_HOME_SLUG) -> Exercise:
    return Exercise.objects.get(role__slug=role_slug, slug=slug)


def make_take_home(
    *,
    loop: InterviewLoop | None = None,
    reviewer: User | None = None,
    due_in: timedelta = timedelta(days=3),
    exercise: Exercise | None = None,
    **kwargs: Any,
) -> tuple[ExerciseAssignment, str]:
    """Assign the role's take-home through the service; returns the assignment and the link's token."""
    loop = loop or make_loop()
    return take_home_assign(
        actor=recruiter_of(loop),
        loop=loop,
        exercise=exercise or take_home_exercise(loop.role.slug),
        due_at=timezone.now() + due_in,
        reviewer=reviewer or UserFactory(username="reviewer-rey"),
        **kwargs,
    )


def zip_bytes(files: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (files or {"service/app.py": "print('ok')\n"}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def zip_upload(name: str = "solution.zip", files: dict[str, str] | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes(files), content_type="application/zip")


def submit(token: str, *, repository_url: str = "", upload: Any = None, note: str = "",
           **kwargs: Any) -> ExerciseSubmission:
    return take_home_submit(
        token=token, data=SubmissionInput(repository_url=repository_url, upload=upload, note=note), **kwargs
    )
