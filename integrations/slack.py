"""Slack messages (Block Kit, for incoming webhooks): one readable line per event, a link, and the event's id.

Slack is outside Hireloop: its messages live under the workspace's retention, not Hireloop's (an erased
candidate's name would stay there), and a channel's members are not the loop's panel (the independence rule
would not hold). So a message names the loop by its number and role and links to it; it never carries the
candidate's name, a score, an outcome or evidence. Colleagues are named (the overdue reminder mentions the
interviewer, with their Slack user id where they gave it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hiring.models import DomainEvent

Kind = DomainEvent.Kind


@dataclass(frozen=True)
class SlackFacts:
    """What a message may say, gathered by ``integrations.selectors.slack_facts``; texts not yet escaped."""

    kind: str
    event_id: str
    loop_id: int | None
    role_title: str = ""
    loop_url: str = ""
    action_url: str = ""  # where the reader acts: the committee's page, the scorecard form
    person_name: str = ""  # the colleague concerned (who submitted, whose feedback is overdue)
    person_slack_id: str = ""
    due: str = ""  # feedback overdue: when it was due, in the site's time zone


def escape(text: str) -> str:
    """Slack's three control characters as entities, so a role title cannot forge a link or a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _loop(facts: SlackFacts) -> str:
    role = f" ({escape(facts.role_title)})" if facts.role_title else ""
    return f"<{facts.loop_url}|loop #{facts.loop_id}>{role}"


def _person(facts: SlackFacts, *, mention: bool) -> str:
    if mention and facts.person_slack_id:
        return f"<@{facts.person_slack_id}>"
    return escape(facts.person_name) or "an interviewer"


def slack_text(facts: SlackFacts) -> str:
    """The message's one line, in Slack's mrkdwn."""
    loop = _loop(facts)
    if facts.kind == Kind.SCORECARD_SUBMITTED:
        return f":memo: *Scorecard submitted* on {loop} by {_person(facts, mention=False)}."
    if facts.kind == Kind.LOOP_READY_FOR_REVIEW:
        return f":white_check_mark: *Ready for review*: every interviewer on {loop} has submitted feedback."
    if facts.kind == Kind.RECOMMENDATION_CHANGED:
        return f":bar_chart: *Recommendation changed* on {loop}. <{facts.action_url}|Read it in Hireloop>."
    if facts.kind == Kind.DECISION_RECORDED:
        return f":scales: *Decision recorded*: the hiring committee decided on {loop}."
    if facts.kind == Kind.FEEDBACK_OVERDUE:
        return (f":alarm_clock: *Feedback overdue*: {_person(facts, mention=True)}, your scorecard for {loop} was "
                f"due {escape(facts.due)}. <{facts.action_url}|Write it now>.")
    if facts.kind == Kind.OUTCOME_CHECKIN_DUE:
        return (f":seedling: *Check-in due*: {_person(facts, mention=True)}, how is the person you hired from {loop} "
                f"doing? <{facts.action_url}|Fill in the check-in>.")
    raise ValueError(f"No Slack message for event kind {facts.kind!r}.")


def slack_message(facts: SlackFacts) -> dict[str, Any]:
    """The incoming webhook's JSON: ``text`` (notifications, screen readers) and the same line as blocks."""
    text = slack_text(facts)
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": f"Hireloop · `{facts.kind}` · event `{facts.event_id}`"},
            ]},
        ],
        # Hireloop's pages need a sign-in: a preview could only show the login page.
        "unfurl_links": False,
        "unfurl_media": False,
    }
