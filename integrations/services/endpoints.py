"""Admins register and manage endpoints (webhooks and Slack channels) and redeliver from the log; every change
is audited, with the host only: a Slack URL is a credential, and a webhook's query string may carry one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hiring.audit.services import audit_record
from hiring.errors import Conflict, NotFound, ValidationFailed
from hiring.models import DomainEvent, User
from hiring.text import label_problem, limit
from integrations.models import Delivery, Endpoint
from integrations.network import addresses_to_call, target_of, url_problem
from integrations.services.common import delivery_settings, require_admin
from integrations.services.dispatch import deliveries_enqueue
from integrations.signing import secret_generate, secret_problem

State = Delivery.State
MAX_NAME_LENGTH = limit("endpoint.name")


@dataclass(frozen=True)
class EndpointInput:
    """What an admin sets. On an update, an empty ``url`` keeps the current one (a Slack URL is never shown
    again, so it cannot be typed back)."""

    name: str
    url: str
    events: list[str] = field(default_factory=list)
    audience: str = ""


@dataclass(frozen=True)
class EndpointWithSecret:
    endpoint: Endpoint
    # The plaintext to show once: a secret Hireloop made. Empty for Slack, and when the admin chose the secret.
    secret: str = ""


def _audit_values(endpoint: Endpoint) -> dict[str, Any]:
    return {"kind": endpoint.kind, "name": endpoint.name, "host": urlsplit(endpoint.url).hostname,
            "events": endpoint.events, "audience": endpoint.audience, "is_active": endpoint.is_active}


def _url_errors(kind: str, url: str) -> list[str]:
    config = delivery_settings()
    problem = url_problem(url, require_https=config.require_https,
                          allowed_hosts=config.slack_hosts if kind == Endpoint.Kind.SLACK else None)
    if problem is None:
        target = target_of(url)
        _, problem = addresses_to_call(target.host, target.port, allow_private=config.allow_private)
    return [problem] if problem else []


def _events(chosen: list[str]) -> tuple[list[str], list[str]]:
    """The chosen kinds in their canonical order, and the errors."""
    unknown = [kind for kind in chosen if kind not in DomainEvent.Kind.values]
    if unknown:
        return [], [f"Unknown event {unknown[0]!r}; choose among: {', '.join(DomainEvent.Kind.values)}."]
    events = [kind for kind in DomainEvent.Kind.values if kind in chosen]
    return events, ([] if events else ["Choose at least one event."])


def _audience_errors(kind: str, audience: str, *, current_id: int | None) -> list[str]:
    if kind == Endpoint.Kind.WEBHOOK:
        return [] if audience == "" else [gettext("Only Slack channels have an audience; a webhook gets every event "
                                                  "it subscribes to.")]
    if audience not in Endpoint.Audience.values:
        return [gettext("Choose one of: %(choices)s.") % {
            "choices": ", ".join(str(label) for _, label in Endpoint.Audience.choices)}]
    taken = Endpoint.objects.filter(kind=Endpoint.Kind.SLACK, audience=audience).exclude(pk=current_id or 0).first()
    if taken is not None:
        return [f"There is already {_channel_of(audience)}: “{taken.name}”. Edit or delete that one."]
    return []


def _channel_of(audience: str) -> str:
    if audience == "":
        return "a default Slack channel"
    return f"a Slack channel for {Endpoint.Audience(audience).label.lower()}"


def _validate(kind: str, data: EndpointInput, *, current: Endpoint | None = None,
              secret: str = "") -> tuple[list[str], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if kind not in Endpoint.Kind.values:
        errors["kind"] = [f"Choose one of: {', '.join(Endpoint.Kind.values)}."]
        return [], errors
    name = data.name.strip()
    if not name:
        errors["name"] = ["Name the endpoint: what it is for, e.g. “ATS sync” or “#hiring-recruiters”."]
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = [f"Use at most {MAX_NAME_LENGTH} characters."]
    elif problem := label_problem(name):
        errors["name"] = [problem]
    if current is None or data.url.strip():
        if url_errors := _url_errors(kind, data.url.strip()):
            errors["url"] = url_errors
    events, event_errors = _events(data.events)
    if event_errors:
        errors["events"] = event_errors
    if audience_errors := _audience_errors(kind, data.audience, current_id=current.pk if current else None):
        errors["audience"] = audience_errors
    if secret and kind == Endpoint.Kind.SLACK:
        errors["secret"] = ["Slack channels have no secret: their URL is the secret."]
    elif secret and (problem := secret_problem(secret)):
        errors["secret"] = [problem]
    return events, errors


def _save_or_refuse(endpoint: Endpoint, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            endpoint.save(**kwargs)
    except IntegrityError as exc:
        # Another admin took the audience between the check and the write (the unique constraint).
        raise ValidationFailed(
            gettext("The endpoint has invalid values."),
            field_errors={
                "audience": [
                    gettext("There is already %(channel_of)s.") % {"channel_of": _channel_of(endpoint.audience)}
                ]
            },
        ) from exc


@transaction.atomic
def endpoint_create(*, actor: User, kind: str, data: EndpointInput, secret: str = "",
                    now: datetime | None = None) -> EndpointWithSecret:
    """Register an endpoint; a webhook without a chosen ``secret`` gets one made here, returned once."""
    require_admin(actor)
    events, errors = _validate(kind, data, secret=secret)
    if errors:
        raise ValidationFailed(gettext("The endpoint has invalid values."), field_errors=errors)
    now = now or timezone.now()
    made = secret_generate() if kind == Endpoint.Kind.WEBHOOK and not secret else ""
    endpoint = Endpoint(kind=kind, name=data.name.strip(), url=data.url.strip(), events=events,
                        audience=data.audience, owner=actor, created_at=now, secret=secret or made,
                        secret_set_at=now if kind == Endpoint.Kind.WEBHOOK else None)
    _save_or_refuse(endpoint, force_insert=True)
    audit_record(actor=actor, action="webhook_endpoint.created", obj=endpoint, after=_audit_values(endpoint))
    return EndpointWithSecret(endpoint=endpoint, secret=made)


def _locked(endpoint_id: int) -> Endpoint:
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(gettext("No such endpoint."))
    return endpoint


@transaction.atomic
def endpoint_update(*, actor: User, endpoint_id: int, data: EndpointInput,
                    expected_version: int | None = None) -> Endpoint:
    """Change an endpoint's name, URL, events or audience; refused when someone saved it since ``expected_version``."""
    require_admin(actor)
    endpoint = _locked(endpoint_id)
    if expected_version is not None and expected_version != endpoint.version:
        raise Conflict(
            gettext(
                "Someone changed this endpoint since you opened it. Reload it to see the current settings; "
                "your changes were not saved."
            ),
            code="stale_version",
        )
    events, errors = _validate(endpoint.kind, data, current=endpoint)
    if errors:
        raise ValidationFailed(gettext("The endpoint has invalid values."), field_errors=errors)
    before = _audit_values(endpoint)
    endpoint.name, endpoint.events, endpoint.audience = data.name.strip(), events, data.audience
    if data.url.strip():
        endpoint.url = data.url.strip()
    endpoint.version += 1
    _save_or_refuse(endpoint, update_fields=["name", "url", "events", "audience", "version", "updated_at"])
    audit_record(actor=actor, action="webhook_endpoint.updated", obj=endpoint, before=before,
                 after=_audit_values(endpoint))
    return endpoint


@transaction.atomic
def endpoint_enable(*, actor: User, endpoint_id: int) -> Endpoint:
    """Switch an endpoint (back) on, with a clean record of failures; deliveries still waiting resume."""
    require_admin(actor)
    endpoint = _locked(endpoint_id)
    if endpoint.is_active:
        return endpoint
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = True, None, ""
    endpoint.consecutive_failures, endpoint.failing_since = 0, None
    endpoint.version += 1
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "consecutive_failures",
                                 "failing_since", "version", "updated_at"])
    audit_record(actor=actor, action="webhook_endpoint.enabled", obj=endpoint, before={"is_active": False},
                 after={"is_active": True})
    return endpoint


@transaction.atomic
def endpoint_disable(*, actor: User, endpoint_id: int, now: datetime | None = None) -> Endpoint:
    """Pause an endpoint: nothing is sent to it, and new events are not queued for it, until it is switched on.

    Deliveries already waiting keep waiting and resume on switching on (within their retry window)."""
    require_admin(actor)
    endpoint = _locked(endpoint_id)
    if not endpoint.is_active:
        return endpoint
    endpoint.is_active, endpoint.disabled_at = False, now or timezone.now()
    endpoint.disabled_reason = f"Switched off by {actor.display_name}."[:300]
    endpoint.version += 1
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "version", "updated_at"])
    audit_record(actor=actor, action="webhook_endpoint.disabled", obj=endpoint, before={"is_active": True},
                 after={"is_active": False})
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor: User, endpoint_id: int) -> None:
    """Delete an endpoint and its delivery log; the audit trail keeps what it was."""
    require_admin(actor)
    endpoint = _locked(endpoint_id)
    audit_record(actor=actor, action="webhook_endpoint.deleted", obj=endpoint, before=_audit_values(endpoint))
    endpoint.delete()


@transaction.atomic
def endpoint_secret_rotate(*, actor: User, endpoint_id: int, now: datetime | None = None) -> EndpointWithSecret:
    """Give a webhook a new secret, returned once; from now on every attempt is signed with it only."""
    require_admin(actor)
    endpoint = _locked(endpoint_id)
    if endpoint.kind != Endpoint.Kind.WEBHOOK:
        raise Conflict(gettext("Slack channels have no secret: to change one, give its new URL."), code="no_secret")
    made = secret_generate()
    endpoint.secret, endpoint.secret_set_at = made, now or timezone.now()
    endpoint.version += 1
    endpoint.save(update_fields=["secret", "secret_set_at", "version", "updated_at"])
    audit_record(actor=actor, action="webhook_endpoint.secret_rotated", obj=endpoint,
                 after={"secret_set_at": endpoint.secret_set_at.isoformat()})
    return EndpointWithSecret(endpoint=endpoint, secret=made)


@transaction.atomic
def delivery_redeliver(*, actor: User, delivery_id: int, now: datetime | None = None) -> Delivery:
    """Send a delivery again now, with a fresh retry window: the same event, with the same event id, so a
    receiver that did process it recognises it. Refused while an attempt is out, or while the endpoint is off."""
    require_admin(actor)
    now = now or timezone.now()
    delivery = Delivery.objects.select_for_update().select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(gettext("No such delivery."))
    if not delivery.endpoint.is_active:
        raise Conflict(gettext("The endpoint is switched off: switch it on before redelivering to it."),
                       code="endpoint_disabled")
    if delivery.state == State.SENDING and delivery.lease_expires_at is not None and delivery.lease_expires_at > now:
        raise Conflict(gettext("An attempt is being made right now; wait for its outcome."), code="attempt_in_progress")
    before = {"state": delivery.state, "attempts": delivery.attempts}
    delivery.state, delivery.next_attempt_at, delivery.window_started_at = State.PENDING, now, now
    delivery.enqueued_at, delivery.lease_expires_at = None, None
    delivery.save(update_fields=["state", "next_attempt_at", "window_started_at", "enqueued_at", "lease_expires_at"])
    audit_record(actor=actor, action="webhook_delivery.redelivered", obj=delivery, before=before,
                 after={"state": delivery.state, "endpoint_id": delivery.endpoint_id, "event_id": delivery.event_id})
    transaction.on_commit(partial(deliveries_enqueue, [delivery.pk]))
    return delivery
