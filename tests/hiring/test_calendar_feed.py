"""The private calendar feed: made, regenerated and revoked from the profile page; read with the token alone;
only its owner's interviews, cancelled ones marked; a fixed number of queries."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hiring.logging import redact
from hiring.models import AuditEvent, CalendarFeed
from hiring.services.interviews import InterviewPlan, interview_cancel, interview_schedule
from hiring.services.loops import loop_withdraw
from tests.exercises.factories import make_take_home
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop

pytestmark = pytest.mark.django_db

FEED_URL = re.compile(r'value="(https?://[^"]+/calendar/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def ivy(db):
    return UserFactory(username="ivy", first_name="Ivy", last_name="Ito", email="ivy@hireloop.example")


def new_feed(client: Client, user) -> tuple[str, str]:
    """Create (or regenerate) the user's feed through the profile page; returns its path and token."""
    client.force_login(user)
    response = client.post(reverse("profile-feed-create"))
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    match = FEED_URL.search(response.content.decode())
    assert match is not None
    client.logout()
    url, token = match.groups()
    return "/" + url.split("://", 1)[1].split("/", 1)[1], token


def read_feed(path: str) -> icalendar.Calendar:
    response = Client().get(path)  # no session: the token is the key
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    return icalendar.Calendar.from_ical(response.content)


def at(days: float, hour: int = 10) -> datetime:
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def book(loop, interviewer, start: datetime, kind: str = "coding"):
    assert loop.recruiter is not None
    return interview_schedule(actor=loop.recruiter, loop=loop, plan=InterviewPlan(
        kind=kind, interviewer=interviewer, starts_at=start, ends_at=start + timedelta(hours=1)))


def test_feed_lists_only_its_owners_interviews_cancelled_ones_marked(client, ivy, settings):
    """Upcoming and recent interviews of the owner, in UTC, with the kit's link; cancelled ones and those of a
    withdrawn loop as STATUS:CANCELLED; nobody else's, no take-home review, no candidate's name."""
    settings.SITE_URL = "https://hireloop.example"
    recruiter = UserFactory(recruiter=True)
    loop = make_loop(recruiter=recruiter, candidate=CandidateFactory(name="Ada Lovelace"))
    upcoming = book(loop, ivy, at(3))
    recent = book(loop, ivy, at(-5), kind="behavioural")
    book(loop, ivy, at(-30), kind="system_design")  # older than HIRELOOP_CALENDAR_FEED_PAST_DAYS
    cancelled = book(loop, ivy, at(4), kind="hiring_manager")
    interview_cancel(actor=recruiter, interview=cancelled)
    withdrawn = make_loop(recruiter=recruiter)
    called_off = book(withdrawn, ivy, at(6), kind="phone_screen")
    loop_withdraw(actor=recruiter, loop=withdrawn, reason="Withdrew.")
    make_take_home(loop=loop, reviewer=ivy)
    someone_elses = book(loop, UserFactory(), at(3, hour=14))
    path, _ = new_feed(client, ivy)

    calendar = read_feed(path)

    events = {str(e["UID"]): e for e in calendar.events}
    assert set(events) == {str(i.calendar_uid) for i in (recent, upcoming, cancelled, called_off)}
    assert str(someone_elses.calendar_uid) not in events
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Hireloop interviews"
    by_uid = {str(i.calendar_uid): i for i in (recent, upcoming, cancelled, called_off)}
    assert {uid: (str(e["STATUS"]), e["SEQUENCE"]) for uid, e in events.items()} == {
        str(recent.calendar_uid): ("CONFIRMED", 0),
        str(upcoming.calendar_uid): ("CONFIRMED", 0),
        str(cancelled.calendar_uid): ("CANCELLED", 1),
        str(called_off.calendar_uid): ("CANCELLED", 1),
    }
    for uid, event in events.items():
        interview = by_uid[uid]
        assert event["DTSTART"].to_ical() == interview.starts_at.strftime("%Y%m%dT%H%M%SZ").encode()
        assert (event.start, event.end) == (interview.starts_at, interview.ends_at)
        kit = "https://hireloop.example" + reverse("scorecards:interview-kit", args=[interview.pk])
        assert str(event["URL"]) == kit and kit in str(event["DESCRIPTION"])
        assert "ATTENDEE" not in event
    assert "Ada" not in calendar.to_ical().decode()


def test_feed_regenerated_old_url_404_new_one_works_and_revoked_404(client, ivy):
    make_interview(loop=make_loop(), interviewer=ivy, starts_in=timedelta(days=2))
    old_path, old_token = new_feed(client, ivy)
    new_path, new_token = new_feed(client, ivy)

    assert Client().get(old_path).status_code == 404
    assert len(read_feed(new_path).events) == 1
    # Only the hash is stored: neither token is anywhere in the table.
    feeds = [(feed.token_hash, feed.revoked_at is None)
             for feed in CalendarFeed.objects.filter(user=ivy).order_by("id")]
    assert feeds == [(hashlib.sha256(old_token.encode()).hexdigest(), False),
                     (hashlib.sha256(new_token.encode()).hexdigest(), True)]

    client.force_login(ivy)
    revoked = client.post(reverse("profile-feed-revoke"), follow=True)
    assert [str(m) for m in revoked.context["messages"]] == [
        "Your calendar feed URL is revoked; calendar apps using it get nothing from now on."]
    assert Client().get(new_path).status_code == 404
    assert client.post(reverse("profile-feed-revoke")).status_code == 404
    assert list(AuditEvent.objects.filter(object_type="hiring.calendarfeed").order_by("id").values_list(
        "action", flat=True)) == ["calendar_feed.created", "calendar_feed.revoked", "calendar_feed.created",
                                  "calendar_feed.revoked"]


@pytest.mark.parametrize("token", ["x" * 43, "short", "y" * 200])
def test_feed_unknown_or_malformed_token_404(token):
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_feed_of_a_deactivated_user_404(client, ivy):
    path, _ = new_feed(client, ivy)
    ivy.is_active = False
    ivy.save(update_fields=["is_active"])
    assert Client().get(path).status_code == 404


def test_profile_page_shows_the_feed_without_its_address(client, ivy):
    _, token = new_feed(client, ivy)
    client.force_login(ivy)

    page = client.get(reverse("profile"))

    assert page.context["feed"] == CalendarFeed.objects.get(user=ivy, revoked_at=None)
    assert token not in page.content.decode()
    assert b"Regenerate address" in page.content and b"Revoke" in page.content


@pytest.mark.parametrize("count", [1, 50])
def test_feed_query_count_fixed(client, ivy, django_assert_num_queries, count):
    recruiter = UserFactory(recruiter=True)
    for n in range(count):
        make_interview(loop=make_loop(recruiter=recruiter), interviewer=ivy, starts_in=timedelta(days=1, hours=n))
    path, _ = new_feed(client, ivy)

    # The token with its owner, the stamp of its last use, the interviews with their loops and roles.
    with django_assert_num_queries(3):
        response = Client().get(path)

    assert len(icalendar.Calendar.from_ical(response.content).events) == count


def test_feed_token_never_reaches_a_log_line(client, ivy):
    """A 404 or an access log names the path; the token in it is redacted like a take-home link's."""
    path, token = new_feed(client, ivy)
    assert redact(f'Not Found: {path}') == "Not Found: /calendar/[redacted].ics"
    assert token not in redact(f'"GET {path} HTTP/1.1" 200 512')
