"""Feedback reminders, recruiters' digests and "ready for review" notices (locmem email backend)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hiring.models import InterviewLoop, SentNotification
from hiring.notifications import (
    feedback_reminders_send,
    late_text,
    loop_ready_catch_up,
    overdue_digests_send,
)
from hiring.services.interviews import interview_schedule
from hiring.services.loops import loop_withdraw
from hiring.tasks import notify_loop_ready, send_feedback_reminders, send_overdue_digests
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.scorecards.factories import save_draft, submit_scorecard

pytestmark = pytest.mark.django_db

DAYS_AGO_3 = timedelta(days=-3)


@pytest.fixture
def ivy(db):
    return UserFactory(username="ivy", first_name="Ivy", last_name="Ito", email="ivy@hireloop.example")


@pytest.fixture
def omar(db):
    return UserFactory(username="omar", first_name="Omar", last_name="Okafor", email="omar@hireloop.example")


@pytest.fixture
def rita(db):
    return UserFactory(username="rita", first_name="Rita", last_name="Ramos", email="rita@hireloop.example",
                       recruiter=True)


def loop_for(name: str, recruiter, **kwargs):
    return make_loop(recruiter=recruiter, candidate=CandidateFactory(name=name), **kwargs)


# --- interviewer reminders --------------------------------------------------------------


def test_feedback_reminder_lists_only_overdue_feedback_with_links(ivy, omar, rita, mailoutbox):
    """One email per interviewer with every overdue scorecard of theirs, and nothing that is not overdue."""
    ada = loop_for("Ada Lovelace", rita)
    alan = loop_for("Alan Turing", rita, role_slug="junior-ai-engineer")
    late_1 = make_interview(loop=ada, interviewer=ivy, starts_in=DAYS_AGO_3)  # due ~2 days ago
    late_2 = make_interview(loop=alan, interviewer=ivy, starts_in=timedelta(hours=-30), kind="system_design")
    make_interview(loop=ada, interviewer=ivy, starts_in=timedelta(hours=-2))  # ended, due tomorrow
    submitted = make_interview(loop=alan, interviewer=omar, starts_in=DAYS_AGO_3)
    submit_scorecard(submitted)
    withdrawn = loop_for("Grace Hopper", rita)
    make_interview(loop=withdrawn, interviewer=omar, starts_in=DAYS_AGO_3)
    loop_withdraw(actor=rita, loop=withdrawn, reason="Withdrew.")

    now = late_1.feedback_due_at + timedelta(days=2, minutes=30)
    assert feedback_reminders_send(now=now) == 1

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ivy@hireloop.example"]
    assert message.subject == "Reminder: your feedback is overdue for 2 interviews"
    assert "Ada Lovelace, Applied AI Engineer: Coding on" in message.body
    assert "Alan Turing, Junior AI Engineer: System design on" in message.body
    assert "Grace Hopper" not in message.body
    assert message.body.count("late.") == 2
    assert "2 days late." in message.body
    assert f"{late_text(now - late_2.feedback_due_at)} late." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert html.count("Write feedback</a>") == 2
    sent = SentNotification.objects.get()
    assert (sent.kind, sent.recipient, sorted(sent.interview_ids)) == (
        "feedback_reminder", ivy, sorted([late_1.pk, late_2.pk]))


def test_feedback_reminder_starts_when_feedback_falls_due(ivy, rita, mailoutbox):
    """Nothing before the due time; the first reminder the first run after it."""
    interview = make_interview(loop=loop_for("Ada Lovelace", rita), interviewer=ivy, starts_in=timedelta(hours=-2))

    assert feedback_reminders_send(now=interview.feedback_due_at - timedelta(minutes=1)) == 0
    assert feedback_reminders_send(now=interview.feedback_due_at + timedelta(minutes=1)) == 1

    assert [m.subject for m in mailoutbox] == ["Reminder: your feedback is overdue for 1 interview"]
    assert "less than an hour late." in mailoutbox[0].body


def test_feedback_reminder_once_per_day_even_when_the_job_runs_twice(ivy, rita, mailoutbox):
    """Two runs the same day send one email; the next day brings the next reminder."""
    interview = make_interview(loop=loop_for("Ada Lovelace", rita), interviewer=ivy, starts_in=DAYS_AGO_3)
    today = timezone.now()

    assert feedback_reminders_send(now=today) == 1
    assert feedback_reminders_send(now=today) == 0
    send_feedback_reminders.apply()
    send_feedback_reminders.apply()
    assert len(mailoutbox) == 1

    tomorrow = today + timedelta(days=1)
    assert feedback_reminders_send(now=tomorrow) == 1
    assert feedback_reminders_send(now=tomorrow) == 0
    assert len(mailoutbox) == 2
    assert SentNotification.objects.filter(recipient=ivy, kind="feedback_reminder").count() == 2

    submit_scorecard(interview)
    assert feedback_reminders_send(now=today + timedelta(days=2)) == 0
    assert len(mailoutbox) == 2


def test_feedback_reminder_draft_still_counts_as_overdue(ivy, rita, mailoutbox):
    """A draft is not feedback: it is still overdue."""
    interview = make_interview(loop=loop_for("Ada Lovelace", rita), interviewer=ivy, starts_in=DAYS_AGO_3,
                               focus=["Software engineering"])
    save_draft(interview, {"Software engineering": 4})

    assert feedback_reminders_send() == 1
    assert mailoutbox[0].to == ["ivy@hireloop.example"]


def test_feedback_reminder_failed_send_is_retried_next_run(ivy, rita, mailoutbox, settings, caplog):
    """If the mail server refuses, nothing is recorded, so the next run sends it; the log names ids only."""
    make_interview(loop=loop_for("Ada Lovelace", rita), interviewer=ivy, starts_in=DAYS_AGO_3)
    settings.EMAIL_BACKEND = "tests.hiring.test_notifications.RefusingBackend"

    with caplog.at_level(logging.ERROR, logger="hiring.notifications"):
        assert feedback_reminders_send() == 0
    assert SentNotification.objects.count() == 0
    assert f"user {ivy.pk}" in caplog.text
    assert "Ada Lovelace" not in caplog.text and "ivy@" not in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert feedback_reminders_send() == 1
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server refused the connection")


# --- recruiters' digest -----------------------------------------------------------------------


def test_overdue_digest_per_recruiter_lists_their_loops_once_a_day(ivy, omar, rita, mailoutbox):
    """Each recruiter gets one digest of overdue feedback on the loops they run, not anyone else's."""
    other = UserFactory(recruiter=True, email="rob@hireloop.example")
    ada = loop_for("Ada Lovelace", rita)
    make_interview(loop=ada, interviewer=ivy, starts_in=DAYS_AGO_3)
    make_interview(loop=ada, interviewer=omar, starts_in=DAYS_AGO_3)
    make_interview(loop=loop_for("Alan Turing", rita, role_slug="junior-ai-engineer"), interviewer=ivy,
                   starts_in=DAYS_AGO_3)
    make_interview(loop=loop_for("Grace Hopper", other), interviewer=omar, starts_in=DAYS_AGO_3)
    make_interview(loop=loop_for("Edsger Dijkstra", rita, role_slug="junior-applied-ai-engineer"),
                   interviewer=omar, starts_in=timedelta(hours=-2))  # not yet due

    send_overdue_digests.apply()
    send_overdue_digests.apply()

    assert sorted(m.to[0] for m in mailoutbox) == ["rita@hireloop.example", "rob@hireloop.example"]
    rita_mail = next(m for m in mailoutbox if m.to == ["rita@hireloop.example"])
    assert rita_mail.subject == "Overdue feedback: 3 scorecards on 2 loops"
    assert "Ada Lovelace, Applied AI Engineer (awaiting feedback)" in rita_mail.body
    assert "  - Ivy Ito: Coding on" in rita_mail.body and "  - Omar Okafor: Coding on" in rita_mail.body
    assert "Alan Turing, Junior AI Engineer" in rita_mail.body
    assert "Grace Hopper" not in rita_mail.body and "Edsger Dijkstra" not in rita_mail.body
    assert f"/loops/{ada.pk}/" in rita_mail.body
    assert "/pipeline/?overdue=1" in rita_mail.body
    assert "text/html" == rita_mail.alternatives[0][1]


def test_overdue_digest_nothing_overdue_sends_nothing(rita, ivy, mailoutbox):
    make_interview(loop=loop_for("Ada Lovelace", rita), interviewer=ivy, starts_in=timedelta(hours=-2))
    assert overdue_digests_send() == 0
    assert mailoutbox == []


# --- ready for review -----------------------------------------------------------------------


def test_last_scorecard_notifies_recruiter_and_hiring_manager(ivy, omar, rita, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    """Only the last expected scorecard triggers it; recruiter and hiring manager each get one email."""
    manager = UserFactory(committee=True, first_name="Cora", email="cora@hireloop.example")
    loop = loop_for("Ada Lovelace", rita, hiring_manager=manager)
    first = make_interview(loop=loop, interviewer=ivy)
    second = make_interview(loop=loop, interviewer=omar, kind="system_design")

    with django_capture_on_commit_callbacks(execute=True):
        submit_scorecard(first)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        submit_scorecard(second)

    loop.refresh_from_db()
    assert loop.status == InterviewLoop.Status.IN_REVIEW
    assert sorted(m.to[0] for m in mailoutbox) == ["cora@hireloop.example", "rita@hireloop.example"]
    message = mailoutbox[0]
    assert message.subject == "Ready for review: Ada Lovelace, Applied AI Engineer"
    assert "2 scorecards submitted" in message.body
    assert "- Coding with Ivy Ito" in message.body and "- System design with Omar Okafor" in message.body
    assert f"/candidates/{loop.candidate_id}/summary/" in message.body


def test_ready_for_review_notice_idempotent_and_recaught_when_enqueue_lost(ivy, rita, mailoutbox):
    """Without the after-commit enqueue (broker down) the sweep sends it; running either again sends nothing."""
    loop = loop_for("Ada Lovelace", rita)
    interview = make_interview(loop=loop, interviewer=ivy)
    submit_scorecard(interview)  # on-commit callbacks are not run here: the enqueue is "lost"
    assert mailoutbox == []

    assert loop_ready_catch_up() == 1
    assert loop_ready_catch_up() == 0
    event_id = SentNotification.objects.get(kind="loop_ready").key.split("-")[-1]
    assert notify_loop_ready.apply(args=(loop.pk, int(event_id))).get() == 0
    assert [m.to for m in mailoutbox] == [["rita@hireloop.example"]]


def test_ready_for_review_not_sent_when_loop_left_review(ivy, omar, rita, mailoutbox):
    """A notice still queued when an interview was added (loop back to open) is dropped."""
    from hiring.services.interviews import InterviewPlan

    loop = loop_for("Ada Lovelace", rita)
    submit_scorecard(make_interview(loop=loop, interviewer=ivy))
    start = timezone.now() + timedelta(days=1)
    interview_schedule(actor=rita, loop=loop, plan=InterviewPlan(
        kind="behavioural", interviewer=omar, starts_at=start, ends_at=start + timedelta(hours=1)))

    assert loop_ready_catch_up() == 0
    assert mailoutbox == []


@pytest.mark.parametrize(("hours", "text"), [
    (0.5, "less than an hour"), (1, "1 hour"), (5, "5 hours"), (24, "1 day"), (25, "1 day 1 hour"),
    (30, "1 day 6 hours"), (49, "2 days"), (24 * 9 + 3, "9 days"),
])
def test_late_text_reads_naturally(hours, text):
    assert late_text(timedelta(hours=hours)) == text
