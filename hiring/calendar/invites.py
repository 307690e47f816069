"""Calendar invites by email: what each invitee of an interview is owed, compared with what they were told.

An interview's invitees are its interviewer and, where the loop says so, its candidate. Each message sent is
recorded (``InterviewInvite``) with the sequence and times it carried. The sender reads the interview as it
is now and sends only the difference: an invitation to someone never told or told it was off, an update to
someone told other times, a cancellation to someone told it was on who is no longer invited (it was
cancelled, handed to another interviewer, or its loop closed). Running it twice, late, or in two workers at
once therefore tells nobody anything twice; the unique constraints settle a race, as for SentNotification.

Each message is recorded in the transaction that sends it; a mail server that fails rolls that record back
and raises, so the job retries. Log lines name interviews and users by id only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from hiring.accounts.locale import user_locale
from hiring.calendar.entries import (
    calendar_sequence,
    called_off,
    candidate_entry,
    interviewer_entry,
    kit_url,
    local_text,
    on_calendars,
    organizer,
    span_text,
)
from hiring.calendar.ical import Method, Person, invite_ics
from hiring.models import Interview, InterviewInvite, InterviewLoop, User

logger = logging.getLogger(__name__)

# The catch-up leaves an interview this long to the job named after its change before sending for it.
CATCH_UP_GRACE = timedelta(minutes=2)
# Loops closed this recently have their interviews' cancellations re-checked by the catch-up.
CLOSED_CATCH_UP = timedelta(days=2)
# A sender that finds the interview changed again while it sent reads it afresh, this many times at most.
MAX_PASSES = 3

Told = dict[int | None, InterviewInvite]  # recipient id (None: the candidate) -> the latest message they got


@dataclass(frozen=True)
class Message:
    method: Method
    recipient: User | None  # None: the loop's candidate
    to: Person
    reason: str  # for a CANCEL: "cancelled", "loop_closed" or "reassigned"; "" for a REQUEST
    previous: InterviewInvite | None


def _reachable(user: User) -> bool:
    return user.is_active and bool(user.email)


def _owed(method: Method, interview: Interview, last: InterviewInvite | None) -> bool:
    if method == "CANCEL":
        return last is not None and last.method == InterviewInvite.Method.REQUEST
    return last is None or last.method == InterviewInvite.Method.CANCEL or (
        (last.starts_at, last.ends_at) != (interview.starts_at, interview.ends_at)
    )


def invites_owed(interview: Interview, told: Told, *, now: datetime) -> list[Message]:
    """The messages ``interview``'s invitees are owed, given what each was told last (no queries).

    Nothing is sent about an interview that is over, unless someone was told of a time still to come.
    """
    if not on_calendars(interview):
        return []
    still_relevant = interview.ends_at > now or any(last.ends_at > now for last in told.values())
    if not still_relevant:
        return []
    off = called_off(interview)
    reason = "" if not off else ("cancelled" if interview.cancelled_at is not None else "loop_closed")
    messages = []
    interviewer = interview.interviewer
    method: Method = "CANCEL" if off else "REQUEST"
    last = told.get(interviewer.pk)
    if _reachable(interviewer) and _owed(method, interview, last):
        messages.append(Message(method, interviewer, Person(interviewer.email, interviewer.display_name),
                                reason, last))
    for recipient_id, last in told.items():
        if recipient_id is None or recipient_id == interviewer.pk or last.recipient is None:
            continue
        former = last.recipient
        if _reachable(former) and _owed("CANCEL", interview, last):
            messages.append(Message("CANCEL", former, Person(former.email, former.display_name),
                                    reason or "reassigned", last))
    loop = interview.loop
    candidate = loop.candidate
    if loop.candidate_invites and candidate.erased_at is None and candidate.email:
        last = told.get(None)
        if _owed(method, interview, last):
            messages.append(Message(method, None, Person(candidate.email, candidate.name), reason, last))
    return messages


def _subject(message: Message, interview: Interview) -> str:
    when = local_text(interview.starts_at)
    kind = interview.get_kind_display()
    if message.recipient is None:
        values = {"kind": kind, "role": interview.loop.role.title, "when": when}
        if message.method == "CANCEL":
            return gettext("Interview cancelled: %(kind)s, %(role)s, %(when)s") % values
        if message.previous:
            return gettext("Interview moved: %(kind)s, %(role)s, %(when)s") % values
        return gettext("Interview invitation: %(kind)s, %(role)s, %(when)s") % values
    values = {"kind": kind, "candidate": interview.loop.candidate.name, "when": when}
    if message.method == "CANCEL":
        if message.reason == "reassigned":
            return gettext("No longer yours: %(kind)s interview with %(candidate)s, %(when)s") % values
        return gettext("Cancelled: %(kind)s interview with %(candidate)s, %(when)s") % values
    if message.previous is not None and message.previous.method == InterviewInvite.Method.REQUEST:
        return gettext("Updated: %(kind)s interview with %(candidate)s, %(when)s") % values
    return gettext("Invitation: %(kind)s interview with %(candidate)s, %(when)s") % values


def _send(message: Message, interview: Interview, *, now: datetime) -> bool:
    """Record and send one message, worded in the recipient's language (the site's for the candidate); False when
    another run recorded it first."""
    with user_locale(message.recipient):
        return _send_worded(message, interview, now=now)


def _send_worded(message: Message, interview: Interview, *, now: datetime) -> bool:
    for_candidate = message.recipient is None
    entry = (candidate_entry if for_candidate else interviewer_entry)(interview, stamp=now)
    ics = invite_ics(entry, method=message.method, organizer=organizer(), attendee=message.to)
    previous = message.previous
    context: dict[str, Any] = {
        "message": message,
        "interview": interview,
        "for_candidate": for_candidate,
        "name": message.to.name,
        "when": span_text(interview.starts_at, interview.ends_at),
        "was": span_text(previous.starts_at, previous.ends_at) if previous and previous.method == "REQUEST"
        and (previous.starts_at, previous.ends_at) != (interview.starts_at, interview.ends_at) else "",
        "kit_url": "" if for_candidate else kit_url(interview),
        "feedback_due": local_text(interview.feedback_due_at),
        "site_url": settings.SITE_URL,
    }
    email = EmailMultiAlternatives(
        subject=_subject(message, interview),
        body=render_to_string("hiring/email/interview_invite.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to.email],
    )
    email.attach_alternative(render_to_string("hiring/email/interview_invite.html", context), "text/html")
    # The inline part is what Gmail and Outlook turn into an invitation; the attachment is for the others.
    email.attach_alternative(ics.decode(), f"text/calendar; method={message.method}")
    email.attach("invite.ics", ics, "application/ics")
    try:
        with transaction.atomic():
            InterviewInvite.objects.create(
                interview=interview, recipient=message.recipient, method=message.method,
                sequence=entry.sequence, starts_at=interview.starts_at, ends_at=interview.ends_at,
            )
            email.send()
    except IntegrityError:
        return False
    logger.info("Sent a calendar %s (sequence %s) for interview %s to %s.", message.method, entry.sequence,
                interview.pk, "the candidate" if for_candidate else f"user {message.recipient.pk}")  # type: ignore[union-attr]
    return True


def _told(interview: Interview) -> Told:
    told: Told = {}
    for invite in InterviewInvite.objects.filter(interview=interview).select_related("recipient").order_by("id"):
        told[invite.recipient_id] = invite
    return told


def interview_invites_send(*, interview_id: int, now: datetime | None = None) -> int:
    """Email the calendar messages an interview's invitees are owed; returns how many were sent.

    Idempotent and safe to retry (see the module's docstring). The interview's ``invites_pending`` is
    cleared once a pass finds nothing left and the interview unchanged since it was read.
    """
    sent = 0
    for _ in range(MAX_PASSES):
        now = now or timezone.now()
        interview = (
            Interview.objects.select_related("loop__role", "loop__candidate", "interviewer")
            .filter(pk=interview_id).first()
        )
        if interview is None:
            return sent
        for message in invites_owed(interview, _told(interview), now=now):
            if _send(message, interview, now=now):
                sent += 1
        if Interview.objects.filter(pk=interview_id, sequence=interview.sequence).update(invites_pending=False):
            return sent
        now = None  # changed while we sent: read it again, at a fresh time
    return sent


def interview_invites_catch_up(*, now: datetime | None = None) -> int:
    """Send what the jobs named after commit did not: changes still pending (the broker was down, the mail
    server kept failing), and the interviews of loops closed lately that still stand in someone's calendar."""
    now = now or timezone.now()
    recently_closed = InterviewLoop.objects.filter(
        pk=OuterRef("loop_id"), closed_at__gte=now - CLOSED_CATCH_UP,
        status__in=[InterviewLoop.Status.DECIDED, InterviewLoop.Status.WITHDRAWN],
    )
    still_on = InterviewInvite.objects.filter(
        interview=OuterRef("pk"), method=InterviewInvite.Method.REQUEST, ends_at__gt=now
    )
    ids = list(
        Interview.objects.filter(
            Q(invites_pending=True, changed_at__lte=now - CATCH_UP_GRACE)
            | Q(Exists(recently_closed), Exists(still_on), cancelled_at__isnull=True)
        ).order_by("pk").values_list("pk", flat=True)
    )
    return sum(interview_invites_send(interview_id=interview_id) for interview_id in ids)


__all__ = ["calendar_sequence", "interview_invites_catch_up", "interview_invites_send", "invites_owed"]
