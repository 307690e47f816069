"""A webhook request: its JSON body and headers, per event kind (docs/webhooks.md is the contract).

The body says what happened, to which loop, when, and where to look: ids, kinds, timestamps and links. Never
names, scores, outcomes or evidence: a receiver that needs more asks the API with a token, under the same
access rules as everyone else, and an erased candidate leaves nothing behind in other systems' logs.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse

from hiring.models import DomainEvent
from integrations.signing import signature

API_VERSION = "1"
USER_AGENT = "Hireloop-Webhooks/1"
Kind = DomainEvent.Kind


def _url(name: str, **kwargs: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}"


def event_links(kind: str, data: dict[str, Any]) -> dict[str, str]:
    """Where a person (pages) or a program (``_api``) reads what the event is about; signed in, as always."""
    loop_id = data.get("loop_id")
    links: dict[str, str] = {}
    if loop_id is not None:
        links["loop"] = _url("hiring:loop-detail", pk=loop_id)
        links["loop_api"] = _url("api:loop-detail", pk=loop_id)
    if kind == Kind.SCORECARD_SUBMITTED:
        links["scorecard_api"] = _url("api:scorecard-detail", pk=data["scorecard_id"])
    elif kind in (Kind.RECOMMENDATION_CHANGED, Kind.DECISION_RECORDED, Kind.LOOP_READY_FOR_REVIEW):
        links["committee"] = _url("scorecards:committee-loop", pk=loop_id)
        links["recommendation_api"] = _url("api:loop-recommendation", loop_id=loop_id)
    elif kind == Kind.FEEDBACK_OVERDUE:
        links["scorecard_form"] = _url("scorecards:scorecard-edit", interview_id=data["interview_id"])
        links["interview_api"] = _url("api:interview-detail", pk=data["interview_id"])
    elif kind == Kind.OUTCOME_CHECKIN_DUE:
        links["checkin_form"] = _url("outcomes:checkin", pk=data["checkin_id"])
    return links


def webhook_payload(event: DomainEvent) -> dict[str, Any]:
    return {
        "id": str(event.uuid),
        "type": event.kind,
        "occurred_at": event.occurred_at.isoformat(),
        "api_version": API_VERSION,
        "data": event.data,
        "links": event_links(event.kind, event.data),
    }


def webhook_body(event: DomainEvent) -> bytes:
    """The exact bytes sent and signed: compact JSON with sorted keys, the same on every attempt."""
    return json.dumps(webhook_payload(event), separators=(",", ":"), sort_keys=True).encode()


def webhook_headers(
    event: DomainEvent, *, body: bytes, secret: str, delivery_id: int, attempt: int, timestamp: int
) -> dict[str, str]:
    """The headers of one attempt; the event id is the same on every attempt and redelivery (receivers
    deduplicate by it), the timestamp and signature are the attempt's own."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Hireloop-Event-Id": str(event.uuid),
        "Hireloop-Event-Type": event.kind,
        "Hireloop-Delivery-Id": str(delivery_id),
        "Hireloop-Delivery-Attempt": str(attempt),
        "Hireloop-Timestamp": str(timestamp),
        "Hireloop-Signature": signature(secret, timestamp, body),
    }
