"""Private calendar feeds: a URL per user, its token the only key, that calendar apps subscribe to.

The token is 32 random bytes; only its SHA-256 is stored, so the URL is shown once, when it is made. A user
has at most one active feed: regenerating revokes the old URL in the same transaction. A feed lists only
its owner's interviews, with no candidate's details and nothing of anyone's feedback (hiring.calendar.entries).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from hiring.audit.services import audit_record
from hiring.calendar.entries import interviewer_entry, on_calendars
from hiring.calendar.ical import feed_ics
from hiring.errors import NotFound
from hiring.models import CalendarFeed, Interview, User
from hiring.notifications import absolute_url

TOKEN_BYTES = 32  # 43 URL-safe characters
TOKEN_MIN_LENGTH = 40
TOKEN_MAX_LENGTH = 64
# Writing last_used_at on every poll would make each read a write; calendar apps poll every hour or so.
LAST_USED_RESOLUTION = timedelta(minutes=30)
FEED_NAME = "Hireloop interviews"


@dataclass(frozen=True)
class IssuedFeed:
    feed: CalendarFeed
    url: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_url(token: str) -> str:
    return absolute_url(reverse("hiring:calendar-feed", kwargs={"token": token}))


def calendar_feed_active(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def _revoke_active(actor: User, now: datetime) -> CalendarFeed | None:
    feed = CalendarFeed.objects.select_for_update().filter(user=actor, revoked_at__isnull=True).first()
    if feed is not None:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="calendar_feed.revoked", obj=feed)
    return feed


@transaction.atomic
def calendar_feed_create(*, actor: User) -> IssuedFeed:
    """Give the actor a new feed URL, revoking the one they had; the URL is returned once and never stored."""
    # Serialise two regenerations by the same user: the second finds the first's feed and revokes it.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    now = timezone.now()
    replaced = _revoke_active(actor, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed.objects.create(user=actor, token_hash=token_digest(token))
    audit_record(actor=actor, action="calendar_feed.created", obj=feed,
                 after={"replaces": replaced.pk if replaced else None})
    return IssuedFeed(feed=feed, url=feed_url(token))


@transaction.atomic
def calendar_feed_revoke(*, actor: User) -> CalendarFeed:
    """Revoke the actor's feed URL: calendar apps polling it get 404 from now on."""
    feed = _revoke_active(actor, timezone.now())
    if feed is None:
        raise NotFound(gettext("You have no calendar feed to revoke."))
    return feed


def calendar_feed_owner(token: str, *, now: datetime | None = None) -> User | None:
    """The active user whose active feed this token opens, or None (unknown, revoked, deactivated)."""
    if not TOKEN_MIN_LENGTH <= len(token) <= TOKEN_MAX_LENGTH:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= LAST_USED_RESOLUTION:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


def feed_interviews(*, user: User, now: datetime | None = None) -> QuerySet[Interview]:
    """The user's own interviews a feed lists: every one still to come and those of the last few days,
    cancelled ones too (marked so, that calendars drop them), with what their entries show."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.HIRELOOP_CALENDAR_FEED_PAST_DAYS)
    return (
        Interview.objects.filter(interviewer=user, ends_at__gte=since)
        .exclude(kind=Interview.Kind.TAKE_HOME_REVIEW)
        .select_related("loop__role")
        .order_by("starts_at", "id")
    )


def calendar_feed_ics(*, user: User, now: datetime | None = None) -> bytes:
    """The feed's iCalendar text, in one query whatever the number of interviews."""
    interviews = feed_interviews(user=user, now=now)
    return feed_ics(
        (interviewer_entry(i, stamp=max(i.changed_at, i.loop.closed_at or i.changed_at))
         for i in interviews if on_calendars(i)),
        name=FEED_NAME,
    )
