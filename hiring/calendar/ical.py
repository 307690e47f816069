"""iCalendar objects (RFC 5545) for interviews: iTIP messages (RFC 5546) and the subscribed feed. Pure: plain
data in, bytes out.

Times are written in UTC (``DTSTART:20310302T090000Z``). An interview is a single occurrence, never a
recurrence, so a time zone adds nothing to it: every client shows a UTC time in its user's own zone, and the
VTIMEZONE definitions a local time needs are where calendar clients disagree most.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from icalendar import CLASS, STATUS, TRANSP, Calendar, Event, vCalAddress

PRODID = "-//Hireloop//Interview calendar//EN"
FEED_REFRESH = timedelta(hours=1)

Method = Literal["REQUEST", "CANCEL"]


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class CalendarEntry:
    """One interview as a calendar shows it to one audience."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    cancelled: bool
    stamp: datetime  # DTSTAMP: when the message was written, or when a feed's entry last changed
    url: str = ""  # the interview kit; never in the candidate's copy


def _event(entry: CalendarEntry, *, status: STATUS | None, organizer: Person | None = None,
           attendee: Person | None = None) -> Event:
    event = Event.new(
        uid=entry.uid,
        sequence=entry.sequence,
        start=entry.starts_at,
        end=entry.ends_at,
        stamp=entry.stamp,
        summary=entry.summary,
        description=entry.description,
        url=entry.url or None,
        # Private: colleagues who may read the calendar see a busy slot, not which role is hiring.
        classification=CLASS.PRIVATE,
        transparency=TRANSP.OPAQUE,
        status=status,
        organizer=vCalAddress.new(organizer.email, cn=organizer.name) if organizer else None,
        attendees=[
            vCalAddress.new(attendee.email, cn=attendee.name, cutype="INDIVIDUAL", role="REQ-PARTICIPANT",
                            partstat="NEEDS-ACTION", rsvp=False)
        ] if attendee else None,
    )
    return event


def _calendar(*, method: Method | None = None) -> Calendar:
    calendar = Calendar.new(prodid=PRODID, method=method)
    # Calendar.new gives the object a random UID of its own (RFC 7986); an iTIP message or a feed needs none.
    calendar.pop("UID", None)
    return calendar


def invite_ics(entry: CalendarEntry, *, method: Method, organizer: Person, attendee: Person) -> bytes:
    """An iTIP message to one attendee: REQUEST invites or updates, CANCEL calls the interview off for them.

    A CANCEL of the whole event says STATUS:CANCELLED; one that only removes this attendee (the interview
    went to someone else) must not carry STATUS at all (RFC 5546, 3.2.5).
    """
    if method == "REQUEST":
        status: STATUS | None = STATUS.CONFIRMED
    else:
        status = STATUS.CANCELLED if entry.cancelled else None
    calendar = _calendar(method=method)
    calendar.add_component(_event(entry, status=status, organizer=organizer, attendee=attendee))
    return calendar.to_ical()


def feed_ics(entries: Iterable[CalendarEntry], *, name: str) -> bytes:
    """A subscribed calendar: no METHOD and no attendees; cancelled entries say so, so clients drop them."""
    calendar = _calendar()
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("REFRESH-INTERVAL", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT1H")  # Outlook's name for the same hint
    for entry in entries:
        calendar.add_component(_event(entry, status=STATUS.CANCELLED if entry.cancelled else STATUS.CONFIRMED))
    return calendar.to_ical()
