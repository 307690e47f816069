"""Reading the calendar invites Hireloop emails back with the icalendar package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import icalendar
from django.core.mail import EmailMessage, EmailMultiAlternatives


@dataclass
class Invite:
    email: EmailMessage
    calendar: icalendar.Calendar
    event: icalendar.Event
    content_type: str  # of the inline text/calendar part, as sent

    @property
    def method(self) -> str:
        return str(self.calendar["METHOD"])

    def attendees(self) -> list[tuple[str, dict[str, Any]]]:
        value = self.event["ATTENDEE"]
        values = value if isinstance(value, list) else [value]
        return [(str(a), dict(a.params)) for a in values]


def invite_of(email: EmailMessage) -> Invite:
    """The invite an email carries; its inline part and its .ics attachment must be the same object."""
    alternatives = cast(EmailMultiAlternatives, email).alternatives
    inline = [content for content, mimetype in alternatives if mimetype.startswith("text/calendar")]
    attached = [a for a in email.attachments if a[0] == "invite.ics"]
    assert len(inline) == 1 and len(attached) == 1
    assert attached[0][2] == "application/ics"
    assert attached[0][1].decode() == inline[0]
    parts = [part for part in email.message().walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    calendar = icalendar.Calendar.from_ical(str(inline[0]))
    (event,) = calendar.events
    return Invite(email=email, calendar=calendar, event=event, content_type=parts[0]["Content-Type"])


def invites_to(outbox: list[EmailMessage], address: str) -> list[Invite]:
    return [invite_of(message) for message in outbox if message.to == [address]]
