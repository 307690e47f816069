"""Slack channels: Block Kit messages per event, sent to the audience's channel (or the default one) of a fake
Slack on 127.0.0.1 that answers as Slack's incoming webhooks do; loops by number and link, never a candidate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hiring.accounts.profile import user_slack_id_set
from hiring.errors import ValidationFailed
from hiring.events import event_record
from hiring.models import AuditEvent
from hiring.notifications import feedback_overdue_events_record
from integrations.models import Delivery, Endpoint
from integrations.services.attempts import delivery_attempt
from integrations.services.dispatch import endpoints_for, events_dispatch
from integrations.slack import SlackFacts, slack_message
from scorecards.decisions import DecisionInput, loop_decide
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.integrations.receivers import always, answer, slack
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard

pytestmark = pytest.mark.django_db

LOOP_URL = "https://hireloop.example/loops/42/"


def facts(kind: str, **kwargs) -> SlackFacts:
    return SlackFacts(kind=kind, event_id="e-1", loop_id=42, role_title="Applied AI Engineer", loop_url=LOOP_URL,
                      **kwargs)


@pytest.mark.parametrize(("given", "text"), [
    (facts("scorecard.submitted", person_name="Ivy Ito", person_slack_id="U024BE7LH"),
     f":memo: *Scorecard submitted* on <{LOOP_URL}|loop #42> (Applied AI Engineer) by Ivy Ito."),
    (facts("loop.ready_for_review"),
     f":white_check_mark: *Ready for review*: every interviewer on <{LOOP_URL}|loop #42> (Applied AI Engineer) "
     "has submitted feedback."),
    (facts("recommendation.changed", action_url="https://hireloop.example/committee/loops/42/"),
     f":bar_chart: *Recommendation changed* on <{LOOP_URL}|loop #42> (Applied AI Engineer). "
     "<https://hireloop.example/committee/loops/42/|Read it in Hireloop>."),
    (facts("decision.recorded", action_url="https://hireloop.example/committee/loops/42/"),
     f":scales: *Decision recorded*: the hiring committee decided on <{LOOP_URL}|loop #42> (Applied AI Engineer)."),
    (facts("feedback.overdue", person_name="Ivy Ito", person_slack_id="U024BE7LH", due="Mon 07 Dec 2026, 14:00 UTC",
           action_url="https://hireloop.example/interviews/9/scorecard/"),
     f":alarm_clock: *Feedback overdue*: <@U024BE7LH>, your scorecard for <{LOOP_URL}|loop #42> (Applied AI "
     "Engineer) was due Mon 07 Dec 2026, 14:00 UTC. <https://hireloop.example/interviews/9/scorecard/|Write it now>."),
    (facts("feedback.overdue", person_name="Ivy Ito", due="Mon 07 Dec 2026, 14:00 UTC",
           action_url="https://hireloop.example/interviews/9/scorecard/"),
     f":alarm_clock: *Feedback overdue*: Ivy Ito, your scorecard for <{LOOP_URL}|loop #42> (Applied AI "
     "Engineer) was due Mon 07 Dec 2026, 14:00 UTC. <https://hireloop.example/interviews/9/scorecard/|Write it now>."),
])
def test_slack_message_per_event(given, text):
    """One mrkdwn line as the fallback text and a section block, and a context line naming the event."""
    assert slack_message(given) == {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": f"Hireloop · `{given.kind}` · event `e-1`"}]},
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def test_slack_message_escapes_what_could_forge_a_link_or_a_mention():
    message = slack_message(facts("scorecard.submitted", person_name="<!channel> & <@U1>"))

    assert message["text"] == (f":memo: *Scorecard submitted* on <{LOOP_URL}|loop #42> (Applied AI Engineer) by "
                               "&lt;!channel&gt; &amp; &lt;@U1&gt;.")


def channel(kind: str, audience: str, events: list[str], active: bool = True) -> Endpoint:
    return Endpoint(kind=kind, name=audience, url="https://hooks.slack.com/x", audience=audience, events=events,
                    is_active=active)


ALL = ["scorecard.submitted", "loop.ready_for_review", "recommendation.changed", "decision.recorded",
       "feedback.overdue"]


def test_slack_routing_audience_channel_else_default_and_webhooks_alongside():
    recruiters = channel("slack", "recruiters", ALL)
    committee = channel("slack", "committee", ["decision.recorded"])
    default = channel("slack", "", ALL)
    off = channel("slack", "interviewers", ALL, active=False)
    hook = channel("webhook", "", ["recommendation.changed"])
    endpoints = [recruiters, committee, default, off, hook]

    assert endpoints_for("loop.ready_for_review", endpoints) == [recruiters]
    # The committee's channel does not take changed recommendations: the default one does.
    assert endpoints_for("recommendation.changed", endpoints) == [hook, default]
    # The interviewers' channel is switched off: the default one takes overdue feedback.
    assert endpoints_for("feedback.overdue", endpoints) == [default]
    assert endpoints_for("feedback.overdue", [recruiters, committee]) == []


def test_slack_channels_hear_of_a_loop_from_submit_to_decision(
    receiver, slack_channel, committee_member, django_capture_on_commit_callbacks
):
    """Real events from the services reach the right channels as Block Kit; Slack answers "ok" to each. The
    candidate's name is in no message."""
    recruiters = receiver(slack)
    committee = receiver(slack)
    slack_channel(recruiters.url, "recruiters")
    slack_channel(committee.url, "committee")
    loop = make_loop(candidate=CandidateFactory(name="Grace Hopper"))
    ivy = UserFactory(first_name="Ivy", last_name="Ito")
    interview = make_interview(loop=loop, interviewer=ivy, focus=list(ALL_DIMENSIONS))

    with django_capture_on_commit_callbacks(execute=True):
        submit_scorecard(interview, dict.fromkeys(ALL_DIMENSIONS, 4))
    with django_capture_on_commit_callbacks(execute=True):
        loop_decide(actor=committee_member, loop_id=loop.pk,
                    data=DecisionInput(decision="hire", rationale="Grace was strong throughout."))

    role = loop.role.title
    loop_link = f"<https://hireloop.example/loops/{loop.pk}/|loop #{loop.pk}> ({role})"
    committee_url = f"https://hireloop.example/committee/loops/{loop.pk}/"
    assert sorted(r.json()["text"] for r in recruiters.requests) == sorted([
        f":memo: *Scorecard submitted* on {loop_link} by Ivy Ito.",
        f":white_check_mark: *Ready for review*: every interviewer on {loop_link} has submitted feedback.",
        f":scales: *Decision recorded*: the hiring committee decided on {loop_link}.",
    ])
    assert [r.json()["text"] for r in committee.requests] == [
        f":bar_chart: *Recommendation changed* on {loop_link}. <{committee_url}|Read it in Hireloop>.",
    ]
    for request in recruiters.requests + committee.requests:
        assert request.answered == 200
        assert b"Grace" not in request.body and b"Hopper" not in request.body
        assert request.headers["content-type"] == "application/json; charset=utf-8"
        assert "hireloop-signature" not in request.headers
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_slack_overdue_feedback_mentions_the_interviewer_by_slack_id(receiver, slack_channel):
    interviewers = receiver(slack)
    slack_channel(interviewers.url, "interviewers", events=["feedback.overdue"])
    loop = make_loop()
    ivy = UserFactory(first_name="Ivy", last_name="Ito")
    user_slack_id_set(actor=ivy, slack_user_id="u024be7lh ")
    interview = make_interview(loop=loop, interviewer=ivy, starts_in=timedelta(days=-3))
    feedback_overdue_events_record()
    events_dispatch()

    delivery_attempt(delivery_id=Delivery.objects.get().pk)

    due = f"{timezone.localtime(interview.feedback_due_at):%a %d %b %Y, %H:%M %Z}"
    [request] = interviewers.requests
    assert request.json()["text"] == (
        f":alarm_clock: *Feedback overdue*: <@U024BE7LH>, your scorecard for <https://hireloop.example/loops/"
        f"{loop.pk}/|loop #{loop.pk}> ({loop.role.title}) was due {due}. <https://hireloop.example/interviews/"
        f"{interview.pk}/scorecard/|Write it now>."
    )


def test_slack_error_answer_is_recorded_with_slacks_word_for_it(receiver, slack_channel):
    broken = receiver(always(answer(404, "channel_not_found")))
    slack_channel(broken.url, "recruiters")
    event_record("decision.recorded", loop_id=7,
                 data={"loop_id": 7, "decided_by_id": 1, "decided_at": "2026-12-07T10:00:00+00:00"})
    events_dispatch()

    delivery = delivery_attempt(delivery_id=Delivery.objects.get().pk)

    assert delivery is not None
    assert (delivery.state, delivery.last_status_code, delivery.last_error) == ("pending", 404, "HTTP 404.")
    assert delivery.attempt_log.get().response_excerpt == "channel_not_found"


def test_slack_user_id_set_normalises_and_audits(interviewer):
    user_slack_id_set(actor=interviewer, slack_user_id=" w012a3cde ")

    interviewer.refresh_from_db()
    assert interviewer.slack_user_id == "W012A3CDE"
    audit = AuditEvent.objects.get(action="user.slack_id_changed")
    assert (audit.actor_id, audit.before, audit.after) == (
        interviewer.pk, {"slack_user_id": ""}, {"slack_user_id": "W012A3CDE"})


@pytest.mark.parametrize("value", ["@ivy", "ivy.ito", "C024BE7LH", "U", "U024 BE7", "U" + "1" * 30])
def test_slack_user_id_refused_when_not_a_member_id_changes_nothing(interviewer, value):
    interviewer.slack_user_id = "U111"
    interviewer.save()

    with pytest.raises(ValidationFailed) as refused:
        user_slack_id_set(actor=interviewer, slack_user_id=value)

    assert list(refused.value.field_errors) == ["slack_user_id"]
    interviewer.refresh_from_db()
    assert interviewer.slack_user_id == "U111"
    assert not AuditEvent.objects.filter(action="user.slack_id_changed").exists()
