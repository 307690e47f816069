"""The warnings said after scheduling, moving or reassigning an interview: a clash with another interview of the
same person, and more interviews in one ISO week than HIRELOOP_INTERVIEWS_PER_WEEK_WARNING."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from hiring.selectors.scheduling import interview_schedule_warnings, iso_week_of
from hiring.services.interviews import (
    InterviewPlan,
    interview_cancel,
    interview_reassign,
    interview_reschedule,
    interview_schedule,
)
from tests.exercises.factories import make_take_home
from tests.hiring.factories import UserFactory, make_loop

pytestmark = pytest.mark.django_db


@pytest.fixture
def lena(db):
    return UserFactory(username="lena", first_name="Lena", last_name="Lund")


def next_monday(hour: int = 9) -> datetime:
    today = timezone.now().date()
    monday = today + timedelta(days=7 - today.weekday() + 7)  # the Monday after next: always in the future
    return datetime(monday.year, monday.month, monday.day, hour, tzinfo=UTC)


def book(recruiter, interviewer, start: datetime, *, loop=None, minutes: int = 60):
    loop = loop or make_loop(recruiter=recruiter)
    return interview_schedule(actor=recruiter, loop=loop, plan=InterviewPlan(
        kind="coding", interviewer=interviewer, starts_at=start, ends_at=start + timedelta(minutes=minutes)))


def week_warning(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "interviews in the week of" in w]


def test_weekly_limit_warned_past_the_setting_and_not_at_it(recruiter, lena, settings):
    """With a limit of 2, the third interview of the ISO week is warned about; the second is not; one the next
    Monday and a cancelled one count for nothing."""
    settings.HIRELOOP_INTERVIEWS_PER_WEEK_WARNING = 2
    monday = next_monday()
    book(recruiter, lena, monday)
    second = book(recruiter, lena, monday + timedelta(days=2))
    book(recruiter, lena, monday + timedelta(days=7))  # the following ISO week
    interview_cancel(actor=recruiter, interview=book(recruiter, lena, monday + timedelta(days=3)))
    assert week_warning(interview_schedule_warnings(second, new=True)) == []

    third = book(recruiter, lena, monday + timedelta(days=6, hours=10))  # Sunday evening: still the same week

    week = monday.isocalendar().week
    assert week_warning(interview_schedule_warnings(third, new=True)) == [
        f"Lena Lund has 3 interviews in the week of {monday:%a %d %b} (ISO week {week}), over the limit of 2 a week."
    ]


def test_weekly_limit_warned_when_moving_into_the_week_or_reassigning_to_a_busy_person(recruiter, lena, settings):
    settings.HIRELOOP_INTERVIEWS_PER_WEEK_WARNING = 1
    monday = next_monday()
    book(recruiter, lena, monday)
    elsewhere = book(recruiter, lena, monday + timedelta(days=8))
    assert week_warning(interview_schedule_warnings(elsewhere, new=True)) == []

    moved = interview_reschedule(actor=recruiter, interview=elsewhere, starts_at=monday + timedelta(days=1),
                                 ends_at=monday + timedelta(days=1, hours=1))
    assert len(week_warning(interview_schedule_warnings(moved, new=False, moved=True))) == 1

    other = book(recruiter, UserFactory(), monday + timedelta(days=2))
    handed = interview_reassign(actor=recruiter, interview=other, interviewer=lena)
    assert week_warning(interview_schedule_warnings(handed, new=False)) == [
        f"Lena Lund has 3 interviews in the week of {monday:%a %d %b} (ISO week {monday.isocalendar().week}), "
        "over the limit of 1 a week."
    ]


def test_overlap_warned_after_a_move_and_not_with_a_cancelled_interview(recruiter, lena):
    monday = next_monday()
    busy = book(recruiter, lena, monday)
    later = book(recruiter, lena, monday + timedelta(days=1))
    clash = f"Lena Lund has another interview at that time ({timezone.localtime(busy.starts_at):%a %d %b, %H:%M}" \
            f"–{timezone.localtime(busy.ends_at):%H:%M})."

    moved = interview_reschedule(actor=recruiter, interview=later, starts_at=monday + timedelta(minutes=30),
                                 ends_at=monday + timedelta(minutes=90))
    assert clash in interview_schedule_warnings(moved, new=False, moved=True)

    interview_cancel(actor=recruiter, interview=busy)
    assert not any("another interview at that time" in w for w in interview_schedule_warnings(moved, new=False))


def test_take_home_review_neither_clashes_nor_counts_for_the_week(recruiter, lena, settings):
    """A take-home review spans the candidate's days of work: a deadline, not a session."""
    settings.HIRELOOP_INTERVIEWS_PER_WEEK_WARNING = 1
    loop = make_loop(recruiter=recruiter)
    make_take_home(loop=loop, reviewer=lena, due_in=timedelta(days=20))

    interview = book(recruiter, lena, next_monday(), loop=loop)

    warnings = interview_schedule_warnings(interview, new=True)
    assert not any("another interview at that time" in w for w in warnings)
    assert week_warning(warnings) == []


def test_iso_week_of_runs_monday_to_monday_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/London"
    timezone.activate("Europe/London")
    try:
        start, end = iso_week_of(datetime(2031, 3, 30, 0, 30, tzinfo=UTC))  # Sunday 01:30 London (BST began)
    finally:
        timezone.deactivate()
    assert (start.isoformat(), end.isoformat()) == ("2031-03-24T00:00:00+00:00", "2031-03-31T00:00:00+01:00")
