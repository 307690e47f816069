"""Assigning a take-home: the brief copied as sent, a hashed token, the emailed link, the review interview."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from exercises.models import Exercise, ExerciseAssignment
from exercises.services.assignments import take_home_assign
from exercises.services.library import ExerciseInput, exercise_update
from hiring.errors import Conflict, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, Interview, InterviewLoop
from tests.exercises.factories import (
    TAKE_HOME_DIMENSIONS,
    make_take_home,
    recruiter_of,
    review_of,
    take_home_exercise,
)
from tests.hiring.factories import CandidateFactory, UserFactory, make_loop

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://127\.0\.0\.1:8000/exercises/take-home/([A-Za-z0-9_-]+)/")


def test_take_home_assign_recruiter_emails_private_link_and_stores_only_its_hash(django_capture_on_commit_callbacks):
    """The candidate gets a link with a long random token; the database holds only its SHA-256."""
    loop = make_loop(candidate=CandidateFactory(name="Noor Haddad", email="noor@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        assignment, token = make_take_home(loop=loop)

    assert len(token) == 43
    assert assignment.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ExerciseAssignment.objects.filter(token_hash=token).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert isinstance(message.body, str)
    assert message.to == ["noor@example.org"]
    assert message.subject == "Your take-home exercise for the Applied AI Engineer role"
    assert "Hello Noor Haddad," in message.body
    assert LINK.findall(message.body) == [token]
    assert "Take-home or live coding" in message.body
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    assert f'href="http://127.0.0.1:8000/exercises/take-home/{token}/"' in html
    assignment.refresh_from_db()
    assert assignment.link_emailed_at is not None


def test_take_home_assign_copies_the_brief_and_later_edits_do_not_change_it(admin_user):
    """An admin's edit of the exercise leaves what the candidate was sent exactly as it was."""
    assignment, _ = make_take_home()
    exercise = take_home_exercise()
    exercise_update(
        actor=admin_user,
        exercise_id=exercise.pk,
        data=ExerciseInput(title="Inference service take-home", format="take_home", duration="3 hours",
                           tasks=["Build the service"], dimension_names=["Software engineering"]),
        expected_updated_at=exercise.updated_at,
    )
    assignment.refresh_from_db()
    assert (assignment.title, assignment.duration, assignment.dimension_names) == (
        "Take-home or live coding", "45–90 minutes", TAKE_HOME_DIMENSIONS,
    )
    assert assignment.tasks == [
        "Build a small inference microservice or pipeline component",
        "Expose an endpoint",
        "Add basic tests",
        "Add logging/metrics stubs",
        "Demonstrate versioning/config patterns",
    ]
    assert Exercise.objects.get(pk=exercise.pk).title == "Inference service take-home"


def test_take_home_assign_schedules_review_for_reviewer_focused_on_exercise_dimensions():
    """The reviewer gets a take-home review interview until the deadline, focused on the exercise's dimensions."""
    reviewer = UserFactory(username="rev")
    assignment, _ = make_take_home(reviewer=reviewer, due_in=timedelta(days=5))
    review = review_of(assignment)
    assert review.kind == Interview.Kind.TAKE_HOME_REVIEW
    assert review.interviewer == reviewer
    assert review.exercise_id == assignment.exercise_id
    assert review.ends_at == assignment.due_at
    assert review.feedback_due_at == assignment.due_at + timedelta(hours=24)
    assert sorted(review.focus_dimensions.values_list("name", flat=True)) == sorted(TAKE_HOME_DIMENSIONS)
    assert list(Interview.objects.filter(interviewer=reviewer)) == [review]


def test_take_home_assign_writes_audit_without_personal_data():
    """The audit event names ids and times; never the candidate's name or email."""
    loop = make_loop(candidate=CandidateFactory(name="Noor Haddad", email="noor@example.org"))
    assignment, token = make_take_home(loop=loop)
    event = AuditEvent.objects.get(action="take_home.assigned")
    assert event.loop_id == loop.pk
    assert event.after is not None
    assert event.after["exercise_id"] == assignment.exercise_id
    assert event.after["reviewer_id"] == assignment.reviewer_id
    assert event.after["grace_hours"] == 24
    text = str(event.after)
    assert "Noor" not in text and "noor@example.org" not in text and token not in text


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_take_home_assign_non_recruiter_is_refused_and_nothing_changes(kind):
    """Only recruiters and admins send take-homes."""
    loop = make_loop()
    actor = UserFactory(kind=kind)
    with pytest.raises(PermissionRefused):
        take_home_assign(actor=actor, loop=loop, exercise=take_home_exercise(),
                         due_at=timezone.now() + timedelta(days=2), reviewer=UserFactory())
    assert ExerciseAssignment.objects.count() == 0
    assert Interview.objects.filter(loop=loop).count() == 0
    assert len(mail.outbox) == 0


def test_take_home_assign_live_exercise_is_refused_with_field_error():
    """Live exercises go in an interview's kit; only take-homes are sent to the candidate."""
    loop = make_loop()
    live = Exercise.objects.get(role__slug="applied-ai-engineer", slug="evaluation-and-error-analysis")
    with pytest.raises(ValidationFailed) as caught:
        take_home_assign(actor=recruiter_of(loop), loop=loop, exercise=live,
                         due_at=timezone.now() + timedelta(days=2), reviewer=UserFactory())
    assert caught.value.field_errors == {
        "exercise": ["Only take-home exercises are sent to candidates; attach live ones to an interview."]
    }
    assert ExerciseAssignment.objects.count() == 0


def test_take_home_assign_deadline_in_the_past_is_refused():
    loop = make_loop()
    with pytest.raises(ValidationFailed) as caught:
        take_home_assign(actor=recruiter_of(loop), loop=loop, exercise=take_home_exercise(),
                         due_at=timezone.now() - timedelta(minutes=1), reviewer=UserFactory())
    assert caught.value.field_errors == {"due_at": ["The deadline must be in the future."]}
    assert Interview.objects.filter(loop=loop).count() == 0


def test_take_home_assign_twice_is_a_conflict_and_keeps_one_assignment():
    assignment, _ = make_take_home()
    with pytest.raises(Conflict) as caught:
        make_take_home(loop=assignment.loop)
    assert caught.value.code == "already_assigned"
    assert ExerciseAssignment.objects.count() == 1
    assert Interview.objects.filter(loop=assignment.loop).count() == 1


def test_take_home_assign_on_withdrawn_loop_is_refused():
    loop = make_loop()
    InterviewLoop.objects.filter(pk=loop.pk).update(status=InterviewLoop.Status.WITHDRAWN)
    with pytest.raises(Conflict) as caught:
        make_take_home(loop=loop)
    assert caught.value.code == "loop_closed"
    assert ExerciseAssignment.objects.count() == 0
