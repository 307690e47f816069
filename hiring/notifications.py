"""Emails about feedback (daily overdue reminders, recruiters' digests, "ready for review" notices), the
"feedback overdue" events for webhooks and Slack, and the warning that a personal API token expires soon.

Each email is recorded in ``SentNotification`` in the transaction that sends
it, under a key naming its occasion (the local day, or the status change).
A job that runs twice, or two workers running it at once, therefore send it
once: the second insert of the same key is refused by the unique constraint.
If sending fails, the row rolls back with it and the next run tries again.

Log lines name users, loops and interviews by id only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from hiring.accounts.locale import user_locale
from hiring.accounts.tokens import api_tokens_expiring, days_left
from hiring.events import EventSpec, events_record_new
from hiring.models import AuditEvent, DomainEvent, Interview, InterviewLoop, SentNotification, User
from hiring.selectors.loops import overdue_interviews
from hiring.services.stages import ready_for_review_events
from scorecards.models import Scorecard

logger = logging.getLogger(__name__)

# A "ready for review" notice whose enqueue was lost is still sent by the sweep for this long.
READY_CATCH_UP = timedelta(days=2)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def feedback_url(interview: Interview) -> str:
    """Where the interviewer writes the scorecard for the interview."""
    return absolute_url(reverse("scorecards:scorecard-edit", kwargs={"interview_id": interview.pk}))


@dataclass(frozen=True)
class OverdueItem:
    interview: Interview
    late_by: timedelta
    url: str

    @property
    def late_text(self) -> str:
        return late_text(self.late_by)


def late_text(delta: timedelta) -> str:
    """"3 days", "1 day 5 hours", "less than an hour": how late feedback is, as a person would say it."""
    hours = int(delta.total_seconds() // 3600)
    if hours >= 48:
        return ngettext("%(count)d day", "%(count)d days", hours // 24) % {"count": hours // 24}
    if hours >= 24:
        rest = hours - 24
        if rest:
            return ngettext("1 day %(count)d hour", "1 day %(count)d hours", rest) % {"count": rest}
        return gettext("1 day")
    if hours >= 1:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return gettext("less than an hour")


def _reminder_subject(count: int) -> str:
    return ngettext(
        "Reminder: your feedback is overdue for %(count)d interview",
        "Reminder: your feedback is overdue for %(count)d interviews", count,
    ) % {"count": count}


def _digest_subject(count: int, loops: int) -> str:
    return gettext("Overdue feedback: %(scorecards)s on %(loops)s") % {
        "scorecards": ngettext("%(count)d scorecard", "%(count)d scorecards", count) % {"count": count},
        "loops": ngettext("%(count)d loop", "%(count)d loops", loops) % {"count": loops},
    }


def _ready_subject(loop: InterviewLoop) -> str:
    return gettext("Ready for review: %(candidate)s, %(role)s") % {
        "candidate": loop.candidate.name, "role": loop.role.title}


def _expires_when(left: int) -> str:
    if left == 0:
        return gettext("today")
    if left == 1:
        return gettext("tomorrow")
    return ngettext("in %(count)d day", "in %(count)d days", left) % {"count": left}


def _expiry_subject(name: str, when: Callable[[], str]) -> str:
    return gettext("Your Hireloop API token “%(name)s” expires %(when)s") % {"name": name, "when": when()}


def _template(name: str) -> str:
    """A bare name is one of hiring's email templates; another app passes its own path ("outcomes/email/x")."""
    return name if "/" in name else f"hiring/email/{name}"


def _send_once(
    *,
    kind: str,
    recipient: User,
    key: str,
    template: str,
    subject: Callable[[], str],
    context: dict[str, Any],
    loop: InterviewLoop | None = None,
    interview_ids: list[int] | None = None,
) -> bool:
    """Send one HTML + text email unless one of this kind and key already went to the recipient.

    ``subject`` is called, and the templates rendered, in the recipient's language and time zone.
    """
    if SentNotification.objects.filter(kind=kind, recipient=recipient, key=key).exists():
        return False
    context = {**context, "recipient": recipient, "site_url": settings.SITE_URL}
    try:
        with transaction.atomic():
            SentNotification.objects.create(
                kind=kind, recipient=recipient, key=key, loop=loop, interview_ids=interview_ids or []
            )
            with user_locale(recipient):
                subject_text = subject()
                # Words that depend on the language (partials, like "in 7 days") are worded now, in theirs.
                context = {key: value() if isinstance(value, partial) else value for key, value in context.items()}
                text = render_to_string(f"{_template(template)}.txt", context)
                html = render_to_string(f"{_template(template)}.html", context)
            message = EmailMultiAlternatives(
                subject=subject_text,
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[recipient.email],
                # Ids only: the development console prints this header and nothing else of the message.
                headers={"X-Hireloop-Notification": f"{kind}; key={key}; recipient=user-{recipient.pk}"},
            )
            message.attach_alternative(html, "text/html")
            message.send()
    except IntegrityError:
        # Another run sent it between our check and our insert.
        return False
    except Exception:
        logger.exception("Could not send %s email to user %s (key %s); the next run retries.", kind, recipient.pk, key)
        return False
    return True


# For the apps above: the same once-per-occasion email, with their own templates.
email_send_once = _send_once


def _reachable(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


reachable = _reachable


def _day_key(now: datetime) -> str:
    return timezone.localdate(now).isoformat()


def feedback_reminders_send(*, now: datetime | None = None) -> int:
    """Email each interviewer with overdue feedback the list of it, at most once per local day.

    Returns the number of emails sent.
    """
    now = now or timezone.now()
    by_interviewer: dict[int, list[Interview]] = defaultdict(list)
    people: dict[int, User] = {}
    for interview in overdue_interviews(now=now):
        by_interviewer[interview.interviewer_id].append(interview)
        people[interview.interviewer_id] = interview.interviewer
    key = _day_key(now)
    sent = 0
    for interviewer_id, interviews in by_interviewer.items():
        interviewer = people[interviewer_id]
        if not _reachable(interviewer):
            continue
        items = [OverdueItem(interview=i, late_by=now - i.feedback_due_at, url=feedback_url(i)) for i in interviews]
        count = len(items)
        if _send_once(
            kind=SentNotification.Kind.FEEDBACK_REMINDER,
            recipient=interviewer,
            key=key,
            template="feedback_reminder",
            subject=partial(_reminder_subject, count),
            context={"items": items, "count": count},
            interview_ids=[i.pk for i in interviews],
        ):
            sent += 1
    logger.info("Feedback reminders: %s sent for %s interviewers with overdue feedback.", sent, len(by_interviewer))
    return sent


@transaction.atomic
def feedback_overdue_events_record(*, now: datetime | None = None) -> int:
    """Record a "feedback overdue" event (hiring.events) for each overdue interview, once per local day.

    The same day key as the interviewer's reminder email, whether or not they have an email address: Slack
    may reach whom email does not. Runs hourly; an interview already recorded today is not recorded again.
    Returns the number of new events.
    """
    now = now or timezone.now()
    day = _day_key(now)
    overdue = overdue_interviews(now=now).values_list("pk", "loop_id", "interviewer_id", "feedback_due_at")
    return events_record_new([
        EventSpec(
            kind=DomainEvent.Kind.FEEDBACK_OVERDUE,
            loop_id=loop_id,
            key=f"feedback.overdue:interview-{interview_id}:{day}",
            occurred_at=now,
            data={"loop_id": loop_id, "interview_id": interview_id, "interviewer_id": interviewer_id,
                  "feedback_due_at": due_at.isoformat()},
        )
        for interview_id, loop_id, interviewer_id, due_at in overdue
    ])


@dataclass(frozen=True)
class DigestLoop:
    loop: InterviewLoop
    items: list[OverdueItem]
    url: str


def overdue_digests_send(*, now: datetime | None = None) -> int:
    """Email each recruiter a digest of the overdue feedback on their loops, at most once per local day."""
    now = now or timezone.now()
    by_recruiter: dict[int, dict[int, list[Interview]]] = defaultdict(lambda: defaultdict(list))
    people: dict[int, User] = {}
    for interview in overdue_interviews(now=now):
        recruiter = interview.loop.recruiter
        if recruiter is None:
            continue
        by_recruiter[recruiter.pk][interview.loop_id].append(interview)
        people[recruiter.pk] = recruiter
    key = _day_key(now)
    sent = 0
    for recruiter_id, loops in by_recruiter.items():
        recruiter = people[recruiter_id]
        if not _reachable(recruiter):
            continue
        digest = [
            DigestLoop(
                loop=interviews[0].loop,
                items=[OverdueItem(interview=i, late_by=now - i.feedback_due_at, url="") for i in interviews],
                url=absolute_url(reverse("hiring:loop-detail", args=[loop_id])),
            )
            for loop_id, interviews in loops.items()
        ]
        count = sum(len(entry.items) for entry in digest)
        if _send_once(
            kind=SentNotification.Kind.OVERDUE_DIGEST,
            recipient=recruiter,
            key=key,
            template="overdue_digest",
            subject=partial(_digest_subject, count, len(digest)),
            context={"loops": digest, "count": count, "day": timezone.localdate(now),
                     "pipeline_url": absolute_url(reverse("hiring:pipeline") + "?overdue=1")},
            interview_ids=[i.interview.pk for entry in digest for i in entry.items],
        ):
            sent += 1
    logger.info("Overdue digests: %s sent to %s recruiters.", sent, len(by_recruiter))
    return sent


def loop_ready_notify(*, loop_id: int, event_id: int) -> int:
    """Tell the recruiter and the hiring manager that every expected scorecard of the loop is in.

    Sent once per entry into review (the status-change event is the key); a
    loop that left review again before this runs (an interview was added)
    gets no notice. Returns the number of emails sent.
    """
    loop = (
        InterviewLoop.objects.select_related("candidate", "role", "recruiter", "hiring_manager")
        .filter(pk=loop_id)
        .first()
    )
    if loop is None or loop.status != InterviewLoop.Status.IN_REVIEW:
        return 0
    latest = (
        AuditEvent.objects.filter(loop_id=loop_id, action="loop.status_changed")
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != event_id:
        return 0
    interviews = list(
        Interview.objects.scheduled().filter(loop=loop).select_related("interviewer").order_by("starts_at", "id")
    )
    scorecard_count = Scorecard.objects.filter(
        interview__loop=loop, status=Scorecard.Status.SUBMITTED, is_current=True
    ).count()
    recipients: dict[int, User] = {}
    for person in (loop.recruiter, loop.hiring_manager):
        if person is not None and _reachable(person):
            recipients.setdefault(person.pk, person)
    context = {
        "loop": loop,
        "interviews": interviews,
        "scorecard_count": scorecard_count,
        "summary_url": absolute_url(reverse("hiring:candidate-summary", args=[loop.candidate_id])),
        "loop_url": absolute_url(reverse("hiring:loop-detail", args=[loop.pk])),
    }
    sent = 0
    for person in recipients.values():
        if _send_once(
            kind=SentNotification.Kind.LOOP_READY,
            recipient=person,
            key=f"loop-{loop.pk}-event-{event_id}",
            template="loop_ready",
            subject=partial(_ready_subject, loop),
            context=context,
            loop=loop,
            interview_ids=[i.pk for i in interviews],
        ):
            sent += 1
    return sent


def loop_ready_catch_up(*, now: datetime | None = None) -> int:
    """Send the "ready for review" notices whose enqueue failed (broker down) in the last two days."""
    now = now or timezone.now()
    sent = 0
    for event in ready_for_review_events(since=now - READY_CATCH_UP):
        if event.loop_id is not None:
            sent += loop_ready_notify(loop_id=event.loop_id, event_id=event.pk)
    return sent


def api_token_expiry_warnings_send(*, now: datetime | None = None) -> int:
    """Warn each owner of a token that expires within ``HIRELOOP_API_TOKEN_WARNING_DAYS`` days: once per token.

    The warning is recorded under the token's id, so a token is warned about once however often this runs;
    one that expired, was revoked or whose owner was deactivated meanwhile gets none. Returns the number sent.
    """
    now = now or timezone.now()
    profile_url = absolute_url(reverse("profile") + "#api-tokens")
    sent = 0
    tokens = list(api_tokens_expiring(now=now, within_days=settings.HIRELOOP_API_TOKEN_WARNING_DAYS))
    for token in tokens:
        if not _reachable(token.user):
            continue
        left = days_left(token, now=now)
        # Called in the recipient's language, by the subject and the templates.
        when = partial(_expires_when, left)
        if _send_once(
            kind=SentNotification.Kind.API_TOKEN_EXPIRY,
            recipient=token.user,
            key=f"api-token-{token.pk}",
            template="api_token_expiry",
            subject=partial(_expiry_subject, token.name, when),
            context={"token": token, "when": when, "profile_url": profile_url},
        ):
            sent += 1
    logger.info("API token expiry warnings: %s sent for %s tokens expiring soon.", sent, len(tokens))
    return sent
