"""One attempt at one delivery: claim it, build the request, send it, record what came of it, schedule the
retry, and keep the endpoint's health, switching off an endpoint that keeps failing.

No database lock or transaction is held while the request is out: the attempt claims the delivery with one
conditional UPDATE (a lease as long as the longest attempt), sends, then records in a short transaction. Two
messages for one delivery (a redelivered task, the sweep) therefore make one request: the second finds the
row claimed. A worker killed mid-request leaves the lease to run out, and the sweep tries again; the receiver
may then see the event twice, which is what the event id header is for (docs/webhooks.md).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hiring.audit.services import audit_record
from integrations.models import Delivery, DeliveryAttempt, Endpoint
from integrations.network import HttpResult, post, url_problem
from integrations.notifications import endpoint_switched_off_notify
from integrations.payloads import USER_AGENT, webhook_body, webhook_headers
from integrations.selectors import slack_facts
from integrations.services.common import DeliverySettings, delivery_settings
from integrations.slack import slack_message

logger = logging.getLogger(__name__)

State = Delivery.State
LEASE_MARGIN = timedelta(seconds=30)
GONE = 410


def retry_delay(attempts: int, config: DeliverySettings) -> timedelta:
    """How long after failed attempt number ``attempts`` the next one is made: base, 2 x base, 4 x base... capped."""
    return min(config.retry_base * 2 ** min(attempts - 1, 30), config.retry_max)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Make the delivery's next attempt if it is due and nobody is making it; None when there was nothing to do
    (already delivered, not due yet, claimed by another worker, held back behind another attempt to its failing
    endpoint, or its endpoint is switched off)."""
    config = delivery_settings()
    now = now or timezone.now()
    if not _claim(delivery_id, now=now, config=config):
        return None
    delivery = Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint = delivery.endpoint
    problem = url_problem(endpoint.url, require_https=config.require_https,
                          allowed_hosts=config.slack_hosts if endpoint.kind == Endpoint.Kind.SLACK else None)
    if problem is not None:
        # Registered under other settings (https was not yet required, a Slack host was dropped): not sent.
        result = HttpResult(status=None, elapsed_ms=0, error=problem)
    else:
        body, headers = _request(delivery, now)
        result = post(endpoint.url, body, headers, connect_timeout=config.connect_timeout,
                      read_timeout=config.read_timeout, allow_private=config.allow_private)
    return _record(delivery, result, now=now, config=config)


def _claim(delivery_id: int, *, now: datetime, config: DeliverySettings) -> bool:
    """Take the delivery for one attempt, if it is due, its endpoint is on, and no other attempt holds it.

    While an endpoint is failing, its deliveries go one at a time: a receiver that hangs then holds one worker
    slot, not every slot its waiting deliveries could fill, so other endpoints' deliveries keep moving. A
    delivery held back this way waits for the attempt in progress (not counted as an attempt of its own).
    The endpoint's row is locked for the check, so two workers cannot both see no attempt in progress.
    """
    with transaction.atomic():
        endpoint_id = Delivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).first()
        endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id or 0, is_active=True).first()
        if endpoint is None:
            return False
        due = Delivery.objects.filter(pk=delivery_id).filter(
            Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING, lease_expires_at__lte=now)
        )
        if endpoint.consecutive_failures:
            in_progress = (
                Delivery.objects.filter(endpoint_id=endpoint.pk, state=State.SENDING, lease_expires_at__gt=now)
                .exclude(pk=delivery_id)
                .values_list("lease_expires_at", flat=True)
                .first()
            )
            if in_progress is not None:
                due.filter(state=State.PENDING).update(next_attempt_at=in_progress)
                return False
        return bool(due.update(state=State.SENDING, attempts=F("attempts") + 1, last_attempt_at=now,
                               lease_expires_at=now + config.attempt_limit + LEASE_MARGIN))


def _request(delivery: Delivery, now: datetime) -> tuple[bytes, dict[str, str]]:
    endpoint, event = delivery.endpoint, delivery.event
    if endpoint.kind == Endpoint.Kind.SLACK:
        body = json.dumps(slack_message(slack_facts(event)), separators=(",", ":")).encode()
        return body, {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    body = webhook_body(event)
    return body, webhook_headers(event, body=body, secret=endpoint.secret, delivery_id=delivery.pk,
                                 attempt=delivery.attempts, timestamp=int(now.timestamp()))


def _status_error(status: int | None) -> str:
    if status is None:
        return "No answer."
    if 300 <= status < 400:
        return f"HTTP {status}: redirects are not followed; register the URL it points to."
    if status == GONE:
        return f"HTTP {status} Gone: the receiver says this URL takes no more messages."
    return f"HTTP {status}."


def _record(delivery: Delivery, result: HttpResult, *, now: datetime, config: DeliverySettings) -> Delivery:
    succeeded = result.status is not None and 200 <= result.status < 300
    error = "" if succeeded else (result.error or _status_error(result.status))
    with transaction.atomic():
        # The endpoint's row orders the outcomes of its concurrent attempts (its health counters).
        endpoint = Endpoint.objects.select_for_update().filter(pk=delivery.endpoint_id).first()
        if endpoint is None:
            logger.info("Webhook delivery %s: its endpoint was deleted during the attempt.", delivery.pk)
            return delivery
        DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, started_at=now, succeeded=succeeded,
            status_code=result.status, response_ms=result.elapsed_ms, error=error[:500],
            response_excerpt=result.excerpt[:500],
        )
        delivery.last_status_code = result.status
        delivery.last_error = error[:500]
        delivery.last_response_ms = result.elapsed_ms
        delivery.lease_expires_at = None
        if succeeded:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = State.DELIVERED, now, None
        else:
            next_at = _next_attempt_at(delivery, result, now, config) if endpoint.is_active else None
            delivery.state, delivery.next_attempt_at = (State.PENDING, next_at) if next_at else (State.FAILED, None)
        delivery.save(update_fields=["state", "delivered_at", "next_attempt_at", "last_status_code", "last_error",
                                     "last_response_ms", "lease_expires_at"])
        reason = _health(endpoint, succeeded=succeeded, status=result.status, now=now, config=config)
        if reason is not None:
            _switch_off(endpoint, reason=reason, now=now)
            if delivery.state == State.PENDING:
                delivery.state, delivery.next_attempt_at = State.FAILED, None
    logger.info(
        "Webhook delivery %s (event %s, endpoint %s): attempt %s %s%s.", delivery.pk, delivery.event_id,
        delivery.endpoint_id, delivery.attempts, "succeeded" if succeeded else "failed",
        f" (HTTP {result.status})" if result.status is not None else " (no answer)",
    )
    return delivery


def _next_attempt_at(
    delivery: Delivery, result: HttpResult, now: datetime, config: DeliverySettings
) -> datetime | None:
    """When to try again, or None when that would be past the delivery's retry window (it has failed)."""
    delay = retry_delay(delivery.attempts, config)
    if result.retry_after is not None:
        # A receiver asking for time (429, 503) gets it, within the longest gap between attempts.
        delay = max(delay, min(timedelta(seconds=result.retry_after), config.retry_max))
    next_at = now + delay
    return next_at if next_at <= delivery.window_started_at + config.retry_window else None


def _health(endpoint: Endpoint, *, succeeded: bool, status: int | None, now: datetime,
            config: DeliverySettings) -> str | None:
    """Update the endpoint's run of failures; returns why it must be switched off, or None."""
    if succeeded:
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0, failing_since=None,
                                                       last_success_at=now)
        return None
    failures = endpoint.consecutive_failures + 1
    since = endpoint.failing_since or now
    Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=failures, failing_since=since)
    endpoint.consecutive_failures, endpoint.failing_since = failures, since
    if not endpoint.is_active:
        return None
    if status == GONE:
        return ("The receiver answered 410 Gone: it takes no more messages at this URL (for Slack: the channel "
                "was archived or the app removed).")
    if failures >= config.disable_after_failures:
        return f"{failures} attempts in a row failed."
    if now - since >= config.disable_after:
        return (f"Every attempt failed for {config.disable_after.total_seconds() / 3600:g} hours, since "
                f"{timezone.localtime(since):%Y-%m-%d %H:%M %Z}.")
    return None


def _switch_off(endpoint: Endpoint, *, reason: str, now: datetime) -> None:
    """Stop sending to a failing endpoint: what it still had waiting fails, the switch-off is audited, and its
    owner is emailed once this commits. An admin switches it back on from its page."""
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_at=now, disabled_reason=reason[:300],
                                                   version=F("version") + 1)
    Delivery.objects.filter(endpoint=endpoint, state=State.PENDING).update(
        state=State.FAILED, next_attempt_at=None, last_error="Not sent: the endpoint was switched off."
    )
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason[:300]
    audit_record(actor=None, action="webhook_endpoint.switched_off", obj=endpoint, before={"is_active": True},
                 after={"is_active": False, "reason": reason[:300],
                        "consecutive_failures": endpoint.consecutive_failures})
    logger.warning("Webhook endpoint %s switched off after %s failed attempts in a row.", endpoint.pk,
                   endpoint.consecutive_failures)
    transaction.on_commit(partial(endpoint_switched_off_notify, endpoint_id=endpoint.pk))
