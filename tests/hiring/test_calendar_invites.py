"""Calendar invites: every change of an interview emails its invitees an iCalendar message, read back here field
by field with the icalendar package."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from hiring.calendar.invites import interview_invites_catch_up, interview_invites_send
from hiring.models import Interview, InterviewInvite
from hiring.services.interviews import InterviewPlan, interview_cancel, interview_reassign, interview_reschedule
from hiring.services.interviews import interview_schedule as schedule_service
from hiring.services.loops import loop_withdraw
from tests.exercises.factories import make_take_home, review_of
from tests.hiring.calendar_helpers import invites_to
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop

pytestmark = pytest.mark.django_db

IVY = "ivy@hireloop.example"
OMAR = "omar@hireloop.example"
ADA = "ada.lovelace@example.org"


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise SMTPException("421 try again later")


@pytest.fixture(autouse=True)
def sender(settings):
    settings.DEFAULT_FROM_EMAIL = "Hireloop <hireloop@hireloop.example>"
    settings.SITE_URL = "https://hireloop.example"


@pytest.fixture
def ivy(db):
    return UserFactory(username="ivy", first_name="Ivy", last_name="Ito", email=IVY)


@pytest.fixture
def omar(db):
    return UserFactory(username="omar", first_name="Omar", last_name="Okafor", email=OMAR)


@pytest.fixture
def rita(db):
    return UserFactory(username="rita", first_name="Rita", last_name="Ramos", recruiter=True)


def next_slot(days: int = 3, hour: int = 9) -> datetime:
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def loop_of(rita, **kwargs):
    return make_loop(recruiter=rita, candidate=CandidateFactory(name="Ada Lovelace", email=ADA), **kwargs)


def schedule(rita, loop, interviewer, starts_at: datetime, kind: str = "coding") -> Interview:
    focus = [d.pk for d in loop.rubric.dimensions.order_by("position")[:2]]
    return schedule_service(actor=rita, loop=loop, plan=InterviewPlan(
        kind=kind, interviewer=interviewer, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
        focus_dimension_ids=focus))


def utc_text(moment: datetime) -> bytes:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode()


def kit_url(interview: Interview) -> str:
    return "https://hireloop.example" + reverse("scorecards:interview-kit", args=[interview.pk])


def test_interview_schedule_invites_the_interviewer(rita, ivy, mailoutbox, django_capture_on_commit_callbacks):
    """The interviewer gets a REQUEST: the interview's UID, SEQUENCE 0, its times in UTC, Hireloop as organizer,
    them as attendee, the kit's link; the candidate's name stays out of the calendar object."""
    loop = loop_of(rita)
    start = next_slot()
    with django_capture_on_commit_callbacks(execute=True):
        interview = schedule(rita, loop, ivy, start)

    (invite,) = invites_to(mailoutbox, IVY)
    event = invite.event
    assert invite.method == "REQUEST"
    assert invite.content_type == 'text/calendar; method="REQUEST"; charset="utf-8"'
    assert str(event["UID"]) == str(interview.calendar_uid)
    assert event["SEQUENCE"] == 0
    assert (event["DTSTART"].to_ical(), event["DTEND"].to_ical()) == (utc_text(start),
                                                                     utc_text(start + timedelta(hours=1)))
    assert (event.start, event.end) == (interview.starts_at, interview.ends_at)
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert str(event["ORGANIZER"]) == "mailto:hireloop@hireloop.example"
    assert event["ORGANIZER"].params["CN"] == "Hireloop"
    assert invite.attendees() == [("mailto:ivy@hireloop.example", {
        "CN": "Ivy Ito", "CUTYPE": "INDIVIDUAL", "PARTSTAT": "NEEDS-ACTION", "ROLE": "REQ-PARTICIPANT",
        "RSVP": "FALSE"})]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Interview: Coding · Applied AI Engineer"
    assert kit_url(interview) in str(event["DESCRIPTION"])
    assert str(event["URL"]) == kit_url(interview)
    assert "Ada" not in invite.calendar.to_ical().decode()
    when = timezone.localtime(start).strftime("%a %d %b %Y, %H:%M %Z")
    assert invite.email.subject == f"Invitation: Coding interview with Ada Lovelace, {when}"
    assert invite.email.from_email == "Hireloop <hireloop@hireloop.example>"
    assert kit_url(interview) in invite.email.body
    assert list(InterviewInvite.objects.values_list("recipient", "method", "sequence")) == [(ivy.pk, "REQUEST", 0)]
    interview.refresh_from_db()
    assert interview.invites_pending is False


def test_interview_reschedule_sends_an_update_with_the_same_uid_and_next_sequence(
    rita, ivy, mailoutbox, django_capture_on_commit_callbacks
):
    loop = loop_of(rita)
    start, later = next_slot(), next_slot(days=4, hour=14)
    with django_capture_on_commit_callbacks(execute=True):
        interview = schedule(rita, loop, ivy, start)
    with django_capture_on_commit_callbacks(execute=True):
        interview_reschedule(actor=rita, interview=interview, starts_at=later, ends_at=later + timedelta(hours=1))

    first, update = invites_to(mailoutbox, IVY)
    assert update.method == "REQUEST"
    assert str(update.event["UID"]) == str(first.event["UID"]) == str(interview.calendar_uid)
    assert (first.event["SEQUENCE"], update.event["SEQUENCE"]) == (0, 1)
    assert update.event["DTSTART"].to_ical() == utc_text(later)
    assert update.event["DTEND"].to_ical() == utc_text(later + timedelta(hours=1))
    assert update.email.subject.startswith("Updated: Coding interview with Ada Lovelace, ")
    assert "has moved: it was " in update.email.body


def test_interview_reassign_cancels_for_the_old_interviewer_and_invites_the_new(
    rita, ivy, omar, mailoutbox, django_capture_on_commit_callbacks
):
    """The old interviewer's CANCEL removes only them (no STATUS, RFC 5546 3.2.5); the new one gets a REQUEST;
    both carry the interview's UID and its new SEQUENCE."""
    loop = loop_of(rita)
    with django_capture_on_commit_callbacks(execute=True):
        interview = schedule(rita, loop, ivy, next_slot())
    with django_capture_on_commit_callbacks(execute=True):
        interview_reassign(actor=rita, interview=interview, interviewer=omar)

    _, cancel = invites_to(mailoutbox, IVY)
    (request,) = invites_to(mailoutbox, OMAR)
    assert (cancel.method, cancel.event["SEQUENCE"], str(cancel.event["UID"])) == (
        "CANCEL", 1, str(interview.calendar_uid))
    assert "STATUS" not in cancel.event
    assert cancel.content_type == 'text/calendar; method="CANCEL"; charset="utf-8"'
    assert [address for address, _ in cancel.attendees()] == ["mailto:ivy@hireloop.example"]
    assert cancel.email.subject.startswith("No longer yours: Coding interview with Ada Lovelace, ")
    assert (request.method, request.event["SEQUENCE"], str(request.event["UID"])) == (
        "REQUEST", 1, str(interview.calendar_uid))
    assert [address for address, _ in request.attendees()] == ["mailto:omar@hireloop.example"]


def test_interview_cancel_sends_a_cancellation(rita, ivy, mailoutbox, django_capture_on_commit_callbacks):
    loop = loop_of(rita)
    with django_capture_on_commit_callbacks(execute=True):
        interview = schedule(rita, loop, ivy, next_slot())
    with django_capture_on_commit_callbacks(execute=True):
        interview_cancel(actor=rita, interview=interview)

    _, cancel = invites_to(mailoutbox, IVY)
    assert (cancel.method, cancel.event["SEQUENCE"], str(cancel.event["STATUS"])) == ("CANCEL", 1, "CANCELLED")
    assert str(cancel.event["UID"]) == str(interview.calendar_uid)
    assert cancel.event["DTSTART"].to_ical() == utc_text(interview.starts_at)
    assert cancel.email.subject.startswith("Cancelled: Coding interview with Ada Lovelace, ")


def test_loop_withdraw_cancels_the_interviews_still_to_come(rita, ivy, mailoutbox, django_capture_on_commit_callbacks):
    loop = loop_of(rita)
    with django_capture_on_commit_callbacks(execute=True):
        interview = schedule(rita, loop, ivy, next_slot())
    with django_capture_on_commit_callbacks(execute=True):
        loop_withdraw(actor=rita, loop=loop, reason="Accepted another offer.")

    _, cancel = invites_to(mailoutbox, IVY)
    assert (cancel.method, cancel.event["SEQUENCE"], str(cancel.event["STATUS"])) == ("CANCEL", 1, "CANCELLED")
    assert "is off: the loop was closed" in cancel.email.body
    interview.refresh_from_db()
    assert (interview.sequence, interview.cancelled_at) == (0, None)


def test_candidate_copy_carries_no_kit_link_focus_or_notes(rita, ivy, omar, mailoutbox,
                                                           django_capture_on_commit_callbacks):
    """With the loop's setting on, the candidate gets the time, kind and role only; a reassignment changes nothing
    for them, a move and a cancellation do."""
    loop = loop_of(rita, candidate_invites=True)
    later = next_slot(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        interview = schedule(rita, loop, ivy, next_slot())
    (invite,) = invites_to(mailoutbox, ADA)
    ics = invite.calendar.to_ical().decode()
    assert invite.method == "REQUEST"
    assert str(invite.event["UID"]) == str(interview.calendar_uid)
    assert invite.attendees() == [("mailto:ada.lovelace@example.org", {
        "CN": "Ada Lovelace", "CUTYPE": "INDIVIDUAL", "PARTSTAT": "NEEDS-ACTION", "ROLE": "REQ-PARTICIPANT",
        "RSVP": "FALSE"})]
    assert str(invite.event["DESCRIPTION"]) == (
        "Your coding interview for the Applied AI Engineer role.\n"
        "If the time no longer suits you, tell the recruiter you are in touch with.")
    assert "URL" not in invite.event
    assert "http" not in ics and "Ivy" not in ics and "kit" not in ics.lower() and "feedback" not in ics.lower()
    for dimension in interview.focus_dimensions.all():
        assert dimension.name not in ics and dimension.name not in invite.email.body
    assert "http" not in invite.email.body and "Ivy" not in invite.email.body
    assert invite.email.subject.startswith("Interview invitation: Coding, Applied AI Engineer, ")

    with django_capture_on_commit_callbacks(execute=True):
        interview_reassign(actor=rita, interview=interview, interviewer=omar)
    assert len(invites_to(mailoutbox, ADA)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        interview_reschedule(actor=rita, interview=interview, starts_at=later, ends_at=later + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        interview_cancel(actor=rita, interview=interview)
    _, moved, cancelled = invites_to(mailoutbox, ADA)
    assert (moved.method, moved.event["SEQUENCE"], moved.event["DTSTART"].to_ical()) == ("REQUEST", 2, utc_text(later))
    assert (cancelled.method, cancelled.event["SEQUENCE"], str(cancelled.event["STATUS"])) == (
        "CANCEL", 3, "CANCELLED")
    assert {str(i.event["UID"]) for i in (invite, moved, cancelled)} == {str(interview.calendar_uid)}


def test_candidate_invites_off_by_default(rita, ivy, mailoutbox, django_capture_on_commit_callbacks):
    loop = loop_of(rita)
    with django_capture_on_commit_callbacks(execute=True):
        schedule(rita, loop, ivy, next_slot())
    assert [m.to for m in mailoutbox] == [[IVY]]


def test_invites_job_run_again_or_late_sends_nothing_twice(rita, ivy, mailoutbox, django_capture_on_commit_callbacks):
    """A retried job finds everything told; a job that runs after a second change sends only the latest state."""
    loop = loop_of(rita)
    later = next_slot(days=6)
    with django_capture_on_commit_callbacks(execute=True):
        interview = schedule(rita, loop, ivy, next_slot())
    assert interview_invites_send(interview_id=interview.pk) == 0

    with django_capture_on_commit_callbacks(execute=False):  # the broker lost both jobs
        interview_reschedule(actor=rita, interview=interview, starts_at=later - timedelta(days=1),
                             ends_at=later - timedelta(days=1, minutes=-45))
        interview_reschedule(actor=rita, interview=interview, starts_at=later, ends_at=later + timedelta(hours=1))
    assert interview_invites_send(interview_id=interview.pk) == 1
    assert interview_invites_send(interview_id=interview.pk) == 0

    first, latest = invites_to(mailoutbox, IVY)
    assert (latest.event["SEQUENCE"], latest.event["DTSTART"].to_ical()) == (2, utc_text(later))
    assert InterviewInvite.objects.count() == 2


def test_invites_mail_server_failure_rolls_back_and_a_retry_sends(rita, ivy, settings, mailoutbox):
    """The failed message is not recorded and the interview stays pending, so the retry (or the catch-up) sends."""
    loop = loop_of(rita)
    interview = schedule(rita, loop, ivy, next_slot())
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    with pytest.raises(SMTPException):
        interview_invites_send(interview_id=interview.pk)

    assert InterviewInvite.objects.count() == 0
    assert Interview.objects.get(pk=interview.pk).invites_pending is True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert interview_invites_send(interview_id=interview.pk) == 1
    assert [m.to for m in mail.outbox] == [[IVY]]


def test_invites_catch_up_sends_what_a_dead_broker_dropped(rita, ivy, mailoutbox):
    loop = loop_of(rita)
    interview = schedule(rita, loop, ivy, next_slot())  # the job is never named: on_commit does not run here

    assert interview_invites_catch_up(now=timezone.now() + timedelta(minutes=5)) == 1
    assert interview_invites_catch_up(now=timezone.now() + timedelta(minutes=15)) == 0

    (invite,) = invites_to(mailoutbox, IVY)
    assert str(invite.event["UID"]) == str(interview.calendar_uid)
    assert Interview.objects.get(pk=interview.pk).invites_pending is False


def test_no_invites_for_interviews_already_held_or_take_home_reviews(
    rita, ivy, mailoutbox, django_capture_on_commit_callbacks
):
    """Recording an interview held yesterday tells no calendar anything; a take-home review is a deadline."""
    loop = loop_of(rita, candidate_invites=True)
    with django_capture_on_commit_callbacks(execute=True):
        make_interview(loop=loop, interviewer=ivy, starts_in=timedelta(days=-1))
        assignment, _ = make_take_home(loop=loop, reviewer=ivy)
    review = review_of(assignment)

    assert interview_invites_send(interview_id=review.pk) == 0
    assert not [m for m in mailoutbox if m.to == [IVY]]
    assert InterviewInvite.objects.count() == 0
