"""Scheduling: feedback due time, coverage warnings, reassignment, the loop's stage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hiring.errors import Conflict, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent, Interview, InterviewLoop
from hiring.selectors.loops import DimensionRef, PlannedInterview, coverage_of, loop_coverage
from hiring.services.interviews import InterviewPlan, interview_reassign, interview_schedule
from hiring.services.stages import loops_refresh_stages
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard

pytestmark = pytest.mark.django_db

CRITICAL = ["Software engineering", "AI system design"]
OTHERS = ["Applied ML/AI fundamentals", "MLOps/operational readiness", "Cost/performance thinking",
          "Responsible AI / security / privacy", "Communication & collaboration"]


def test_interview_schedule_feedback_due_24_hours_after_end(recruiter):
    loop = make_loop(recruiter=recruiter)
    start = timezone.now() + timedelta(days=2)

    interview = interview_schedule(actor=recruiter, loop=loop, plan=InterviewPlan(
        kind="coding", interviewer=UserFactory(), starts_at=start, ends_at=start + timedelta(minutes=45)))

    assert interview.feedback_due_at == start + timedelta(minutes=45, hours=24)


def test_interview_schedule_bad_times_and_foreign_choices_named(recruiter):
    """End before start, a dimension of another rubric and another role's exercise are each refused."""
    loop = make_loop(recruiter=recruiter)
    other = make_loop(role_slug="junior-ai-engineer", recruiter=recruiter)
    start = timezone.now() + timedelta(days=1)
    other_dimension = other.rubric.dimensions.first()
    assert other_dimension is not None

    with pytest.raises(ValidationFailed) as caught:
        interview_schedule(actor=recruiter, loop=loop, plan=InterviewPlan(
            kind="coding", interviewer=UserFactory(), starts_at=start, ends_at=start - timedelta(hours=1),
            focus_dimension_ids=[other_dimension.pk],
            exercise=other.role.exercises.first()))

    assert set(caught.value.field_errors) == {"ends_at", "focus_dimensions", "exercise"}
    assert Interview.objects.count() == 0


def test_interview_schedule_refused_for_interviewer(recruiter, interviewer):
    loop = make_loop(recruiter=recruiter)
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(PermissionRefused):
        interview_schedule(actor=interviewer, loop=loop, plan=InterviewPlan(
            kind="coding", interviewer=interviewer, starts_at=start, ends_at=start + timedelta(hours=1)))
    assert Interview.objects.count() == 0


# --- coverage -------------------------------------------------------------------------


def test_coverage_uncovered_dimension_warned(recruiter):
    """A dimension no interview focuses on is named in a warning."""
    loop = make_loop(recruiter=recruiter)
    ivy, omar = UserFactory(first_name="Ivy", last_name="Ito"), UserFactory(first_name="Omar", last_name="Okafor")
    make_interview(loop=loop, interviewer=ivy, focus=[*CRITICAL, *OTHERS[:3]])
    make_interview(loop=loop, interviewer=omar, focus=[*CRITICAL, OTHERS[3]])

    coverage = loop_coverage(loop=loop)

    assert [(w.kind, w.message) for w in coverage.warnings] == [
        ("uncovered", "No interview covers Communication & collaboration."),
    ]
    rows = {row.dimension.name: row.interviewers for row in coverage.rows}
    assert rows["Software engineering"] == ("Ivy Ito", "Omar Okafor")
    assert rows["Communication & collaboration"] == ()


def test_coverage_critical_dimension_with_one_interviewer_warned(recruiter):
    """A critical dimension assessed by one person only is flagged, even across two of their interviews."""
    loop = make_loop(recruiter=recruiter)
    ivy, omar = UserFactory(first_name="Ivy", last_name="Ito"), UserFactory(first_name="Omar", last_name="Okafor")
    make_interview(loop=loop, interviewer=ivy, focus=["Software engineering", *OTHERS])
    make_interview(loop=loop, interviewer=ivy, focus=["Software engineering", "AI system design"])
    make_interview(loop=loop, interviewer=omar, focus=["AI system design"])

    coverage = loop_coverage(loop=loop)

    assert [(w.kind, w.dimension, w.message) for w in coverage.warnings] == [
        ("single_interviewer", "Software engineering",
         "Software engineering is critical and only Ivy Ito assesses it; add a second interviewer."),
    ]


def test_coverage_complete_panel_has_no_warnings_and_empty_focus_covers_all(recruiter):
    """An interview without focus dimensions scores the whole rubric, so two of them cover everything twice."""
    loop = make_loop(recruiter=recruiter)
    make_interview(loop=loop, focus=[])
    make_interview(loop=loop, focus=[])

    assert loop_coverage(loop=loop).warnings == ()


def test_coverage_no_interviews_no_warnings(recruiter):
    """A fresh loop shows the empty state rather than seven warnings."""
    coverage = loop_coverage(loop=make_loop(recruiter=recruiter))
    assert (coverage.warnings, coverage.interview_count, len(coverage.rows)) == ((), 0, 7)


def test_coverage_of_uncovered_critical_dimension_says_so():
    """The pure function: an uncovered critical dimension gets one warning that says it is critical."""
    dimensions = [DimensionRef(1, "Coding", True), DimensionRef(2, "Design", False)]
    coverage = coverage_of(dimensions, [PlannedInterview(7, "Ivy", frozenset({2}))])
    assert [w.message for w in coverage.warnings] == ["No interview covers Coding (a critical dimension)."]


# --- reassignment ------------------------------------------------------------------------


def test_interview_reassign_before_scorecard(recruiter):
    """Until the interviewer starts a scorecard, someone else can take the interview."""
    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop, starts_in=timedelta(days=1))
    first, second = interview.interviewer, UserFactory()

    interview_reassign(actor=recruiter, interview=interview, interviewer=second)

    interview.refresh_from_db()
    assert interview.interviewer == second
    event = AuditEvent.objects.get(action="interview.reassigned")
    assert (event.before, event.after) == ({"interviewer_id": first.pk}, {"interviewer_id": second.pk})


@pytest.mark.parametrize("started", ["draft", "submitted"])
def test_interview_reassign_after_scorecard_started_refused(recruiter, started):
    """A draft (or submitted) scorecard ties the interview to its interviewer; nothing changes."""
    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop, focus=["Software engineering"])
    first = interview.interviewer
    if started == "draft":
        save_draft(interview, {"Software engineering": 3})
    else:
        submit_scorecard(interview)

    with pytest.raises(Conflict) as caught:
        interview_reassign(actor=recruiter, interview=interview, interviewer=UserFactory())

    assert caught.value.code == "scorecard_started"
    interview.refresh_from_db()
    assert interview.interviewer == first
    assert not AuditEvent.objects.filter(action="interview.reassigned").exists()


def test_interview_reassign_to_same_or_inactive_person_refused(recruiter):
    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop)
    first = interview.interviewer

    with pytest.raises(ValidationFailed):
        interview_reassign(actor=recruiter, interview=interview, interviewer=first)
    with pytest.raises(ValidationFailed) as caught:
        interview_reassign(actor=recruiter, interview=interview, interviewer=UserFactory(is_active=False))

    assert caught.value.field_errors == {"interviewer": ["This user is deactivated."]}
    interview.refresh_from_db()
    assert interview.interviewer == first


def test_interview_reassign_on_withdrawn_loop_refused(recruiter):
    from hiring.services.loops import loop_withdraw

    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop)
    first = interview.interviewer
    loop_withdraw(actor=recruiter, loop=loop, reason="Withdrew.")

    with pytest.raises(Conflict):
        interview_reassign(actor=recruiter, interview=interview, interviewer=UserFactory())

    interview.refresh_from_db()
    assert interview.interviewer == first


@pytest.mark.parametrize("kind", ["interviewer", "committee"])
def test_interview_reassign_refused_for_non_recruiters(recruiter, kind):
    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop)
    first = interview.interviewer

    with pytest.raises(PermissionRefused):
        interview_reassign(actor=UserFactory(kind=kind), interview=interview, interviewer=UserFactory())

    interview.refresh_from_db()
    assert interview.interviewer == first


# --- stage -------------------------------------------------------------------------------


def test_loop_stage_follows_interviews_and_feedback(recruiter):
    """Open while interviews are to come, awaiting feedback once one ended, in review when all is in."""
    loop = make_loop(recruiter=recruiter)
    later = make_interview(loop=loop, starts_in=timedelta(hours=2), focus=["Software engineering"])
    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.OPEN

    done = make_interview(loop=loop, starts_in=timedelta(hours=-3), focus=["Software engineering"])
    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.AWAITING_FEEDBACK

    submit_scorecard(done)
    # The later interview takes place (a scorecard is submitted once its interview has started).
    Interview.objects.filter(pk=later.pk).update(starts_at=timezone.now() - timedelta(hours=1),
                                                ends_at=timezone.now() - timedelta(minutes=1))
    submit_scorecard(later)
    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.IN_REVIEW


def test_loops_refresh_stages_moves_loops_whose_interview_ended(recruiter):
    """Time passing is not an event: the sweep moves an open loop to awaiting feedback after the interview."""
    loop = make_loop(recruiter=recruiter)
    interview = make_interview(loop=loop, starts_in=timedelta(hours=1))
    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.OPEN

    assert loops_refresh_stages(now=interview.ends_at - timedelta(minutes=1)) == 0
    assert loops_refresh_stages(now=interview.ends_at + timedelta(minutes=1)) == 1

    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.AWAITING_FEEDBACK
