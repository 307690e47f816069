"""How an interview reads in a calendar, for its interviewer and for its candidate.

The interviewer's entry links to the interview kit; the candidate's carries no link, no focus dimensions, no
note meant for the panel. Neither names the candidate: calendars are shared with colleagues and copied to
other services, out of reach of Hireloop's erasure, so the kit page (after signing in) says who it is.
Nothing here queries the database: the interview comes with its loop, role and interviewer.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from hiring.calendar.ical import CalendarEntry, Person
from hiring.models import Interview
from hiring.notifications import absolute_url


def kit_url(interview: Interview) -> str:
    return absolute_url(reverse("scorecards:interview-kit", kwargs={"interview_id": interview.pk}))


def scorecard_url(interview: Interview) -> str:
    return absolute_url(reverse("scorecards:scorecard-edit", kwargs={"interview_id": interview.pk}))


def local_text(moment: datetime) -> str:
    """"Tue 04 Mar 2031, 10:00 UTC": a time in the site's zone, named."""
    return date_format(timezone.localtime(moment), "D d M Y, H:i T")


def span_text(starts_at: datetime, ends_at: datetime) -> str:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() == end.date():
        return f"{date_format(start, 'D d M Y, H:i')}–{date_format(end, 'H:i T')}"
    return f"{local_text(starts_at)} – {local_text(ends_at)}"


def on_calendars(interview: Interview) -> bool:
    """A take-home review spans the candidate's days or weeks of work: a deadline, not a meeting."""
    return interview.kind != Interview.Kind.TAKE_HOME_REVIEW


def called_off(interview: Interview) -> bool:
    """Cancelled, or still to come when its loop closed (withdrawn, or decided without it)."""
    if interview.cancelled_at is not None:
        return True
    loop = interview.loop
    return loop.is_closed and loop.closed_at is not None and interview.ends_at > loop.closed_at


def calendar_sequence(interview: Interview) -> int:
    """The SEQUENCE calendars know the interview by. Closing a loop writes nothing to its interviews (see
    loop_interviews_call_off), so the calendar counts that change here; nothing changes them afterwards."""
    if interview.cancelled_at is None and called_off(interview):
        return interview.sequence + 1
    return interview.sequence


def summary(interview: Interview) -> str:
    return f"Interview: {interview.get_kind_display()} · {interview.loop.role.title}"


def interviewer_entry(interview: Interview, *, stamp: datetime) -> CalendarEntry:
    due = local_text(interview.feedback_due_at)
    description = (
        f"Your interview kit (who, focus, exercise): {kit_url(interview)}\n"
        f"Your scorecard: {scorecard_url(interview)}\n"
        f"Feedback is due {due}.\n\n"
        "Hireloop keeps candidates' details out of calendars: the kit shows them after you sign in."
    )
    return CalendarEntry(
        uid=str(interview.calendar_uid), sequence=calendar_sequence(interview),
        starts_at=interview.starts_at, ends_at=interview.ends_at, summary=summary(interview),
        description=description, cancelled=called_off(interview), stamp=stamp, url=kit_url(interview),
    )


def candidate_entry(interview: Interview, *, stamp: datetime) -> CalendarEntry:
    description = (
        f"Your {interview.get_kind_display().lower()} interview for the {interview.loop.role.title} role.\n"
        "If the time no longer suits you, tell the recruiter you are in touch with."
    )
    return CalendarEntry(
        uid=str(interview.calendar_uid), sequence=calendar_sequence(interview),
        starts_at=interview.starts_at, ends_at=interview.ends_at, summary=summary(interview),
        description=description, cancelled=called_off(interview), stamp=stamp,
    )


def organizer() -> Person:
    """Hireloop's sending address: invites come from it, and calendars expect the organizer to send updates."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Person(email=address, name=name or "Hireloop")
