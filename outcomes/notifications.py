"""The check-in emails: the manager's link when a check-in falls due (and the "check-in due" event that Slack
hears of), and each recruiter's daily digest of overdue check-ins, like overdue feedback's. Sent once per
occasion through hiring.notifications; log lines carry ids only."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from hiring.events import event_record
from hiring.models import DomainEvent, SentNotification, User
from hiring.notifications import absolute_url, email_send_once, reachable
from outcomes.models import CheckIn
from outcomes.selectors import checkins_overdue

logger = logging.getLogger(__name__)


def checkin_url(checkin: CheckIn) -> str:
    return absolute_url(reverse("outcomes:checkin", args=[checkin.pk]))


def _checkin_subject(title: str, label: str) -> str:
    return gettext("Check-in due: how is your new %(title)s doing? (%(label)s)") % {"title": title, "label": label}


def _digest_subject(count: int) -> str:
    return ngettext(
        "Overdue check-ins: %(count)d manager still to rate a hire",
        "Overdue check-ins: %(count)d managers still to rate a hire",
        count,
    ) % {"count": count}


def checkins_send_due(*, now: datetime | None = None) -> int:
    """Send each check-in that fell due to its manager (email, and an event for Slack); returns emails sent.

    A check-in is marked sent in the transaction that records its event, so a run twice sends nothing twice
    (the email itself is once per check-in by its key).
    """
    now = now or timezone.now()
    due = list(CheckIn.objects.filter(status=CheckIn.Status.SCHEDULED, due_on__lte=timezone.localdate(now))
               .select_related("hire__manager", "hire__loop__role").order_by("due_on", "id"))
    sent = 0
    for checkin in due:
        manager = checkin.hire.manager
        with transaction.atomic():
            claimed = CheckIn.objects.filter(pk=checkin.pk, status=CheckIn.Status.SCHEDULED).update(
                status=CheckIn.Status.SENT, sent_at=now)
            if not claimed:
                continue
            # Ids and dates only (docs/webhooks.md): Slack learns the loop's number, never who was hired.
            event_record(DomainEvent.Kind.OUTCOME_CHECKIN_DUE, loop_id=checkin.hire.loop_id, occurred_at=now,
                         key=f"outcome.checkin_due:checkin-{checkin.pk}",
                         data={"loop_id": checkin.hire.loop_id, "checkin_id": checkin.pk, "manager_id": manager.pk,
                               "due_on": checkin.due_on.isoformat(), "label": checkin.label})
        if reachable(manager) and email_send_once(
            kind=SentNotification.Kind.OUTCOME_CHECKIN,
            recipient=manager,
            key=f"checkin-{checkin.pk}",
            template="outcomes/email/checkin_due",
            subject=partial(_checkin_subject, checkin.hire.loop.role.title, checkin.label),
            context={"checkin": checkin, "url": checkin_url(checkin)},
            loop=checkin.hire.loop,
        ):
            sent += 1
    logger.info("Outcome check-ins: %s emails sent for %s check-ins due.", sent, len(due))
    return sent


def overdue_checkin_digests_send(*, now: datetime | None = None) -> int:
    """Email each recruiter the overdue check-ins of their hires, at most once per local day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    by_recruiter: dict[int, list[CheckIn]] = defaultdict(list)
    people: dict[int, User] = {}
    for checkin in checkins_overdue(today=today).select_related(
            "hire__loop__recruiter", "hire__loop__role", "hire__manager").order_by("due_on", "id"):
        recruiter = checkin.hire.loop.recruiter
        if recruiter is not None:
            by_recruiter[recruiter.pk].append(checkin)
            people[recruiter.pk] = recruiter
    sent = 0
    for recruiter_id, checkins in by_recruiter.items():
        recruiter = people[recruiter_id]
        if not reachable(recruiter):
            continue
        count = len(checkins)
        if email_send_once(
            kind=SentNotification.Kind.OUTCOME_OVERDUE_DIGEST,
            recipient=recruiter,
            key=today.isoformat(),
            template="outcomes/email/overdue_digest",
            subject=partial(_digest_subject, count),
            context={"checkins": checkins, "today": today, "count": count,
                     "list_url": absolute_url(reverse("outcomes:checkins") + "?overdue=1")},
        ):
            sent += 1
    return sent
