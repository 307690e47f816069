"""Extending a take-home deadline: late submissions accepted again, history kept, review moved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from exercises.models import DeadlineExtension, ExerciseAssignment, ExerciseSubmission
from exercises.services.assignments import take_home_extend_deadline
from hiring.errors import Conflict, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, Interview
from tests.exercises.factories import make_take_home, recruiter_of, review_of, submit
from tests.hiring.factories import UserFactory

pytestmark = pytest.mark.django_db


def past_deadline(assignment: ExerciseAssignment, hours: int = 2) -> ExerciseAssignment:
    """Move the deadline (and the review window with it) into the past, as time passing would."""
    due = timezone.now() - timedelta(hours=hours)
    ExerciseAssignment.objects.filter(pk=assignment.pk).update(due_at=due, original_due_at=due)
    review_id = assignment.review_interview_id
    assert review_id is not None
    Interview.objects.filter(pk=review_id).update(
        starts_at=due - timedelta(days=3), ends_at=due, feedback_due_at=due + timedelta(hours=24))
    return ExerciseAssignment.objects.get(pk=assignment.pk)


def test_take_home_extend_deadline_lets_a_late_candidate_submit(django_capture_on_commit_callbacks):
    """Refused after the deadline; accepted once the recruiter extends it; the candidate is told."""
    assignment, token = make_take_home()
    assignment = past_deadline(assignment)
    with pytest.raises(Conflict):
        submit(token, repository_url="https://github.com/c/late")
    new_due = timezone.now() + timedelta(days=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        take_home_extend_deadline(actor=recruiter_of(assignment.loop), assignment_id=assignment.pk,
                                  new_due_at=new_due, reason="Candidate was ill.")
    submission = submit(token, repository_url="https://github.com/c/late")
    assert submission.number == 1
    assert mail.outbox[0].to == [assignment.loop.candidate.email]
    assert mail.outbox[0].subject == "New deadline for your take-home exercise: Take-home or live coding"
    assert f"New deadline: {timezone.localtime(new_due):%A %-d %B %Y, %H:%M} UTC" in mail.outbox[0].body


def test_take_home_extend_deadline_revives_an_expired_link(client):
    assignment, token = make_take_home()
    assignment = past_deadline(assignment, hours=30)
    assert client.get(f"/exercises/take-home/{token}/").status_code == 410
    take_home_extend_deadline(actor=recruiter_of(assignment.loop), assignment_id=assignment.pk,
                              new_due_at=timezone.now() + timedelta(days=1), reason="Email bounced.")
    assert client.get(f"/exercises/take-home/{token}/").status_code == 200


def test_take_home_extend_deadline_keeps_history_and_moves_the_review():
    assignment, _ = make_take_home(due_in=timedelta(days=2))
    first_due = assignment.due_at
    review = review_of(assignment)
    feedback_gap = review.feedback_due_at - review.ends_at
    second = first_due + timedelta(days=1)
    third = second + timedelta(hours=6)
    recruiter = recruiter_of(assignment.loop)
    take_home_extend_deadline(actor=recruiter, assignment_id=assignment.pk, new_due_at=second, reason="Holiday.")
    take_home_extend_deadline(actor=recruiter, assignment_id=assignment.pk, new_due_at=third, reason="Asked again.")
    assert list(DeadlineExtension.objects.filter(assignment=assignment).values_list(
        "previous_due_at", "new_due_at", "reason", "extended_by")) == [
        (first_due, second, "Holiday.", recruiter.pk),
        (second, third, "Asked again.", recruiter.pk),
    ]
    assignment.refresh_from_db()
    assert (assignment.original_due_at, assignment.due_at) == (first_due, third)
    review.refresh_from_db()
    assert review.ends_at == third
    assert review.feedback_due_at - review.ends_at == feedback_gap
    events = list(AuditEvent.objects.filter(action="take_home.deadline_extended").order_by("id")
                  .values_list("before", "after"))
    assert events[0][0] == {"due_at": first_due.isoformat()}
    assert events[0][1] is not None
    assert events[0][1]["due_at"] == second.isoformat()
    assert "Holiday" not in str(events)


@pytest.mark.parametrize(("shift", "field", "message"), [
    (timedelta(0), "due_at", "The new deadline must be later than the current one"),
    (-timedelta(hours=1), "due_at", "The new deadline must be later than the current one"),
])
def test_take_home_extend_deadline_not_later_is_refused(shift, field, message):
    assignment, _ = make_take_home()
    with pytest.raises(ValidationFailed) as caught:
        take_home_extend_deadline(actor=recruiter_of(assignment.loop), assignment_id=assignment.pk,
                                  new_due_at=assignment.due_at + shift, reason="Why not.")
    assert caught.value.field_errors[field][0].startswith(message)
    assert DeadlineExtension.objects.count() == 0
    assert ExerciseAssignment.objects.get(pk=assignment.pk).due_at == assignment.due_at


def test_take_home_extend_deadline_without_reason_is_refused():
    assignment, _ = make_take_home()
    with pytest.raises(ValidationFailed) as caught:
        take_home_extend_deadline(actor=recruiter_of(assignment.loop), assignment_id=assignment.pk,
                                  new_due_at=assignment.due_at + timedelta(days=1), reason="  ")
    assert caught.value.field_errors == {
        "reason": ["Say why the deadline moves; it is kept in the extension history."]
    }
    assert DeadlineExtension.objects.count() == 0


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_take_home_extend_deadline_non_recruiter_is_refused_and_nothing_changes(kind):
    assignment, token = make_take_home()
    with pytest.raises(PermissionRefused):
        take_home_extend_deadline(actor=UserFactory(kind=kind), assignment_id=assignment.pk,
                                  new_due_at=assignment.due_at + timedelta(days=1), reason="Please.")
    assert ExerciseAssignment.objects.get(pk=assignment.pk).due_at == assignment.due_at
    assert DeadlineExtension.objects.count() == 0
    assert ExerciseSubmission.objects.count() == 0
