"""The recruiter's pages for moving and cancelling an interview, and the candidate's calendar invites switch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hiring.models import AuditEvent, Interview, InterviewLoop
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.scorecards.factories import submit_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def rita(client):
    user = UserFactory(recruiter=True, username="rita", first_name="Rita", last_name="Ramos")
    client.force_login(user)
    return user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def test_reschedule_page_moves_the_interview_and_says_the_warnings(client, rita, settings):
    settings.HIRELOOP_INTERVIEWS_PER_WEEK_WARNING = 0
    lena = UserFactory(first_name="Lena", last_name="Lund")
    interview = make_interview(loop=make_loop(recruiter=rita), interviewer=lena, starts_in=timedelta(days=2))
    start = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)

    form = client.get(reverse("hiring:interview-reschedule", args=[interview.pk]))
    assert form.status_code == 200
    assert f'value="{local(interview.starts_at)}"'.encode() in form.content
    moved = client.post(reverse("hiring:interview-reschedule", args=[interview.pk]), {
        "starts_at": local(start), "ends_at": local(start + timedelta(hours=1))}, follow=True)

    interview.refresh_from_db()
    assert interview.starts_at == start
    messages = messages_of(moved)
    assert messages[0] == f"Coding with <bdi>Lena Lund</bdi> moved to {timezone.localtime(start):%a %d %b, %H:%M}."
    assert any(m.startswith("Lena Lund has 1 interviews in the week of ") for m in messages)


def test_reschedule_page_bad_times_named(client, rita):
    interview = make_interview(loop=make_loop(recruiter=rita), starts_in=timedelta(days=2))
    before = (interview.starts_at, interview.ends_at)

    response = client.post(reverse("hiring:interview-reschedule", args=[interview.pk]), {
        "starts_at": "2031-03-04T10:00", "ends_at": "2031-03-04T09:00"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"ends_at": ["The interview must end after it starts."]}
    interview.refresh_from_db()
    assert (interview.starts_at, interview.ends_at) == before


def test_cancel_page_confirms_then_cancels(client, rita):
    loop = make_loop(recruiter=rita)
    interview = make_interview(loop=loop, starts_in=timedelta(days=2))

    confirm = client.get(reverse("hiring:interview-cancel", args=[interview.pk]))
    assert confirm.status_code == 200
    assert Interview.objects.get(pk=interview.pk).cancelled_at is None
    done = client.post(reverse("hiring:interview-cancel", args=[interview.pk]), follow=True)

    interview.refresh_from_db()
    assert interview.cancelled_at is not None
    assert messages_of(done)[0].startswith("Coding with ")
    page = client.get(reverse("hiring:loop-detail", args=[loop.pk]))
    row = {i.pk: i for i in page.context["interviews"]}[interview.pk]
    assert (row.can_reschedule, row.can_reassign, row.can_cancel) == (False, False, False)
    assert b'<span class="badge">Cancelled</span>' in page.content


def test_cancel_page_refusal_said_and_nothing_changed(client, rita):
    interview = make_interview(loop=make_loop(recruiter=rita))
    submit_scorecard(interview)
    events = AuditEvent.objects.count()

    response = client.post(reverse("hiring:interview-cancel", args=[interview.pk]))

    assert response.status_code == 409
    assert b"Feedback for this interview is already submitted" in response.content
    interview.refresh_from_db()
    assert (interview.cancelled_at, interview.sequence, AuditEvent.objects.count()) == (None, 0, events)


def test_loop_page_offers_reschedule_and_cancel_before_feedback(client, rita):
    loop = make_loop(recruiter=rita)
    upcoming = make_interview(loop=loop, starts_in=timedelta(days=2))
    held = make_interview(loop=loop)
    submit_scorecard(held)

    response = client.get(reverse("hiring:loop-detail", args=[loop.pk]))

    rows = {i.pk: (i.can_reschedule, i.can_cancel) for i in response.context["interviews"]}
    assert rows == {upcoming.pk: (True, True), held.pk: (False, False)}
    assert reverse("hiring:interview-reschedule", args=[upcoming.pk]).encode() in response.content
    assert reverse("hiring:interview-cancel", args=[upcoming.pk]).encode() in response.content
    assert reverse("hiring:interview-cancel", args=[held.pk]).encode() not in response.content


@pytest.mark.parametrize("name", ["interview-reschedule", "interview-cancel"])
def test_interview_change_pages_refused_for_interviewers(client, name):
    interviewer = UserFactory(kind="interviewer")
    interview = make_interview(loop=make_loop(), interviewer=interviewer, starts_in=timedelta(days=2))
    client.force_login(interviewer)

    response = client.post(reverse(f"hiring:{name}", args=[interview.pk]), {
        "starts_at": "2031-03-04T10:00", "ends_at": "2031-03-04T11:00"})

    assert response.status_code == 403
    assert Interview.objects.get(pk=interview.pk).cancelled_at is None


def test_candidate_invites_switch_on_the_loop_page(client, rita):
    loop = make_loop(recruiter=rita)

    on = client.post(reverse("hiring:loop-candidate-invites", args=[loop.pk]), {"enabled": "on"}, follow=True)
    assert InterviewLoop.objects.get(pk=loop.pk).candidate_invites is True
    assert messages_of(on) == ["The candidate is now sent calendar invites for this loop's interviews."]
    client.post(reverse("hiring:loop-candidate-invites", args=[loop.pk]), {})
    assert InterviewLoop.objects.get(pk=loop.pk).candidate_invites is False
    assert list(AuditEvent.objects.filter(action="loop.candidate_invites_changed").order_by("id").values_list(
        "after", flat=True)) == [{"candidate_invites": True}, {"candidate_invites": False}]
