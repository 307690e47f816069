"""Moving and cancelling interviews: what changes, what the loop's stage and reads make of it, and what is refused
(a refused change leaves everything as it was)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hiring.errors import Conflict, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, Interview, InterviewLoop
from hiring.notifications import feedback_reminders_send
from hiring.selectors.loops import loop_coverage
from hiring.selectors.pipeline import PipelineFilters, pipeline_loops
from hiring.services.interviews import interview_cancel, interview_reschedule
from hiring.services.loops import loop_withdraw
from tests.exercises.factories import make_take_home, review_of
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard

pytestmark = pytest.mark.django_db


def state(interview: Interview) -> tuple:
    interview.refresh_from_db()
    return (interview.starts_at, interview.ends_at, interview.feedback_due_at, interview.interviewer_id,
            interview.cancelled_at, interview.sequence, interview.invites_pending,
            AuditEvent.objects.filter(object_type="hiring.interview", object_id=str(interview.pk)).count())


def test_interview_reschedule_moves_it_and_keeps_the_feedback_delay(recruiter):
    """Feedback stays due as long after the new end as after the old one; the change is audited and announced."""
    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop, starts_in=timedelta(days=2))
    delay = interview.feedback_due_at - interview.ends_at
    new_start = interview.starts_at + timedelta(days=1, hours=2)
    before = (interview.starts_at.isoformat(), interview.ends_at.isoformat(), interview.feedback_due_at.isoformat())

    moved = interview_reschedule(actor=recruiter, interview=interview, starts_at=new_start,
                                 ends_at=new_start + timedelta(minutes=90))

    moved.refresh_from_db()
    assert (moved.starts_at, moved.ends_at) == (new_start, new_start + timedelta(minutes=90))
    assert moved.feedback_due_at == moved.ends_at + delay
    assert (moved.sequence, moved.invites_pending) == (1, True)
    event = AuditEvent.objects.get(action="interview.rescheduled")
    assert (event.actor, event.loop_id) == (recruiter, loop.pk)
    assert event.before == dict(zip(("starts_at", "ends_at", "feedback_due_at"), before, strict=True))
    assert event.after == {"starts_at": new_start.isoformat(),
                           "ends_at": (new_start + timedelta(minutes=90)).isoformat(),
                           "feedback_due_at": moved.feedback_due_at.isoformat()}


def test_interview_reschedule_into_the_past_moves_the_loop_to_awaiting_feedback(recruiter):
    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop, starts_in=timedelta(days=2))
    earlier = timezone.now() - timedelta(hours=3)

    interview_reschedule(actor=recruiter, interview=interview, starts_at=earlier, ends_at=earlier + timedelta(hours=1))

    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.AWAITING_FEEDBACK


def test_interview_reschedule_to_the_same_times_changes_nothing(recruiter):
    interview = make_interview(loop=make_loop(recruiter=recruiter), starts_in=timedelta(days=2))
    before = state(interview)

    interview_reschedule(actor=recruiter, interview=interview, starts_at=interview.starts_at,
                         ends_at=interview.ends_at)

    assert state(interview) == before


def test_interview_reschedule_bad_times_named_and_nothing_changed(recruiter):
    interview = make_interview(loop=make_loop(recruiter=recruiter), starts_in=timedelta(days=2))
    before = state(interview)
    start = timezone.now() + timedelta(days=3)

    with pytest.raises(ValidationFailed) as backwards:
        interview_reschedule(actor=recruiter, interview=interview, starts_at=start, ends_at=start - timedelta(hours=1),
                             feedback_due_at=start - timedelta(hours=2))
    with pytest.raises(ValidationFailed) as naive:
        interview_reschedule(actor=recruiter, interview=interview, starts_at=start.replace(tzinfo=None),
                             ends_at=(start + timedelta(hours=1)).replace(tzinfo=None))
    with pytest.raises(ValidationFailed) as too_long:
        interview_reschedule(actor=recruiter, interview=interview, starts_at=start, ends_at=start + timedelta(hours=13))

    assert backwards.value.field_errors == {"ends_at": ["The interview must end after it starts."],
                                            "feedback_due_at": ["Feedback cannot be due before the interview ends."]}
    assert naive.value.field_errors == {"starts_at": ["Times must carry a time zone."]}
    assert too_long.value.field_errors == {"ends_at": ["A live interview lasts at most 12 hours; check the end time."]}
    assert state(interview) == before


def test_interview_reschedule_refused_once_held_cancelled_or_closed(recruiter):
    """Submitted feedback, a cancellation and a closed loop each refuse the move, which changes nothing."""
    loop = make_loop(recruiter=recruiter)
    held = make_interview(loop=loop)
    submit_scorecard(held)
    cancelled = make_interview(loop=loop, starts_in=timedelta(days=2))
    interview_cancel(actor=recruiter, interview=cancelled)
    closed = make_interview(loop=make_loop(recruiter=recruiter), starts_in=timedelta(days=2))
    loop_withdraw(actor=recruiter, loop=closed.loop, reason="Withdrew.")
    start = timezone.now() + timedelta(days=4)

    for interview, code in ((held, "feedback_submitted"), (cancelled, "interview_cancelled"),
                            (closed, "loop_closed")):
        before = state(interview)
        with pytest.raises(Conflict) as refused:
            interview_reschedule(actor=recruiter, interview=interview, starts_at=start,
                                 ends_at=start + timedelta(hours=1))
        assert refused.value.code == code
        assert state(interview) == before


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_interview_reschedule_and_cancel_refused_for_non_recruiters(recruiter, kind):
    interview = make_interview(loop=make_loop(recruiter=recruiter), starts_in=timedelta(days=2))
    before = state(interview)
    someone = UserFactory(kind=kind)

    with pytest.raises(PermissionRefused):
        interview_reschedule(actor=someone, interview=interview, starts_at=interview.starts_at + timedelta(hours=1),
                             ends_at=interview.ends_at + timedelta(hours=1))
    with pytest.raises(PermissionRefused):
        interview_cancel(actor=someone, interview=interview)

    assert state(interview) == before


def test_interview_cancel_marks_it_and_the_loop_no_longer_waits_for_it(recruiter):
    """With the only pending interview cancelled, every remaining one has feedback: the loop goes to review."""
    loop = make_loop(recruiter=recruiter)
    done = make_interview(loop=loop)
    submit_scorecard(done)
    overdue = make_interview(loop=loop, starts_in=timedelta(days=-3))
    save_draft(overdue, {d.name: 3 for d in overdue.focus_dimensions.all()})
    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.AWAITING_FEEDBACK

    interview_cancel(actor=recruiter, interview=overdue)

    overdue.refresh_from_db()
    loop.refresh_from_db()
    assert overdue.cancelled_at is not None
    assert (overdue.sequence, overdue.invites_pending) == (1, True)
    assert loop.status == InterviewLoop.Status.IN_REVIEW
    event = AuditEvent.objects.get(action="interview.cancelled")
    assert (event.actor, event.loop_id, event.before, event.after) == (
        recruiter, loop.pk, {"cancelled_at": None}, {"cancelled_at": overdue.cancelled_at.isoformat()})


def test_cancelled_interview_counts_for_nothing_in_reads(recruiter):
    """Pipeline counts, coverage and overdue reminders leave a cancelled interview out."""
    loop = make_loop(recruiter=recruiter)
    kept = make_interview(loop=loop, starts_in=timedelta(days=2), focus=["Software engineering"])
    dropped = make_interview(loop=loop, starts_in=timedelta(days=-3), focus=["AI system design"])
    interview_cancel(actor=recruiter, interview=dropped)

    row = pipeline_loops(user=recruiter, filters=PipelineFilters(status="all")).get(pk=loop.pk)
    counts = ("interview_count", "done_count", "upcoming_count", "overdue_count")
    assert [getattr(row, name) for name in counts] == [1, 0, 1, 0]
    rows = {r.dimension.name: r.interviewers for r in loop_coverage(loop=loop).rows}
    assert rows["AI system design"] == ()
    assert rows["Software engineering"] == (kept.interviewer.display_name,)
    assert feedback_reminders_send(now=timezone.now() + timedelta(days=1)) == 0


def test_cancelled_interview_takes_no_more_feedback(recruiter):
    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop)
    save_draft(interview, {d.name: 3 for d in interview.focus_dimensions.all()})
    interview_cancel(actor=recruiter, interview=interview)

    with pytest.raises(Conflict) as refused:
        submit_scorecard(interview)
    assert refused.value.code == "interview_cancelled"


def test_interview_cancel_refused_once_held_for_take_home_reviews_and_twice(recruiter):
    loop = make_loop(recruiter=recruiter)
    held = make_interview(loop=loop)
    submit_scorecard(held)
    assignment, _ = make_take_home(loop=loop)
    review = review_of(assignment)
    twice = make_interview(loop=loop, starts_in=timedelta(days=2))
    interview_cancel(actor=recruiter, interview=twice)

    for interview, code in ((held, "feedback_submitted"), (review, "take_home_review"),
                            (twice, "interview_cancelled")):
        before = state(interview)
        with pytest.raises(Conflict) as refused:
            interview_cancel(actor=recruiter, interview=interview)
        assert refused.value.code == code
        assert state(interview) == before
