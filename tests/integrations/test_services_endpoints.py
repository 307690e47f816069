"""Registering and managing endpoints: admins only, every refusal names its field and changes nothing, every
change audited without secrets or URL paths."""

from __future__ import annotations

from typing import Any

import pytest

from hiring.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from hiring.models import AuditEvent
from integrations import network
from integrations.models import Endpoint
from integrations.services.endpoints import (
    EndpointInput,
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_enable,
    endpoint_secret_rotate,
    endpoint_update,
)
from tests.hiring.factories import UserFactory
from tests.integrations.conftest import ALL_EVENTS

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.215.14/hooks/hireloop"


def endpoint_rows() -> list[dict[str, Any]]:
    return [dict(row) for row in Endpoint.objects.order_by("pk").values()]


def test_endpoint_create_webhook_makes_a_secret_shown_once_and_audits_the_host_only(ada):
    created = endpoint_create(actor=ada, kind="webhook", data=EndpointInput(
        name=" ATS sync ", url=PUBLIC_URL + "?token=abc", events=["decision.recorded", "scorecard.submitted"]))

    endpoint = Endpoint.objects.get()
    assert created.secret.startswith("whsec_") and len(created.secret) == 49
    assert (endpoint.kind, endpoint.name, endpoint.url, endpoint.secret, endpoint.events, endpoint.audience,
            endpoint.owner_id, endpoint.is_active, endpoint.version) == (
        "webhook", "ATS sync", PUBLIC_URL + "?token=abc", created.secret,
        ["scorecard.submitted", "decision.recorded"], "", ada.pk, True, 1)
    audit = AuditEvent.objects.get()
    assert (audit.action, audit.actor_id, audit.after) == ("webhook_endpoint.created", ada.pk, {
        "kind": "webhook", "name": "ATS sync", "host": "93.184.215.14",
        "events": ["scorecard.submitted", "decision.recorded"], "audience": "", "is_active": True})


def test_endpoint_create_with_the_admins_own_secret_returns_no_plaintext(ada):
    created = endpoint_create(actor=ada, kind="webhook", data=EndpointInput(name="ATS", url=PUBLIC_URL,
                              events=ALL_EVENTS), secret="my-own-secret-of-thirty-characters")

    assert created.secret == ""
    assert Endpoint.objects.get().secret == "my-own-secret-of-thirty-characters"


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee"])
def test_endpoint_create_refused_to_non_admins_changes_nothing(kind):
    with pytest.raises(PermissionRefused) as refused:
        endpoint_create(actor=UserFactory(kind=kind), kind="webhook",
                        data=EndpointInput(name="ATS", url=PUBLIC_URL, events=ALL_EVENTS))

    assert refused.value.code == "not_admin"
    assert (Endpoint.objects.count(), AuditEvent.objects.count()) == (0, 0)


@pytest.mark.parametrize(("kind", "data", "secret", "field_errors"), [
    ("webhook", EndpointInput(name="", url="ftp://93.184.215.14/x", events=[]), "", {
        "name": ["Name the endpoint: what it is for, e.g. “ATS sync” or “#hiring-recruiters”."],
        "url": ["Use an http:// or https:// URL."],
        "events": ["Choose at least one event."],
    }),
    ("webhook", EndpointInput(name="x" * 101, url=PUBLIC_URL, events=["loop.renamed"]), "short", {
        "name": ["Use at most 100 characters."],
        "events": ["Unknown event 'loop.renamed'; choose among: scorecard.submitted, loop.ready_for_review, "
                   "recommendation.changed, decision.recorded, feedback.overdue, outcome.checkin_due."],
        "secret": ["Use a secret of 24 to 200 characters, or leave it empty and Hireloop makes one."],
    }),
    ("webhook", EndpointInput(name="ATS", url=PUBLIC_URL, events=ALL_EVENTS, audience="recruiters"), "", {
        "audience": ["Only Slack channels have an audience; a webhook gets every event it subscribes to."],
    }),
    ("slack", EndpointInput(name="#hiring", url="https://evil.example.com/services/T/B/x", events=ALL_EVENTS,
                            audience="everyone"), "a-secret-for-slack-000000000", {
        "url": ["Use a Slack incoming-webhook URL (https://hooks.slack.com/services/…)."],
        "audience": ["Choose one of: Default (events no other channel takes), Interviewers, Recruiters, Hiring "
                     "committee."],
        "secret": ["Slack channels have no secret: their URL is the secret."],
    }),
    ("teams", EndpointInput(name="x", url=PUBLIC_URL, events=ALL_EVENTS), "", {
        "kind": ["Choose one of: webhook, slack."],
    }),
])
def test_endpoint_create_bad_input_names_each_field_and_changes_nothing(ada, settings, kind, data, secret,
                                                                         field_errors):
    settings.HIRELOOP_SLACK_WEBHOOK_HOSTS = ["hooks.slack.com"]

    with pytest.raises(ValidationFailed) as refused:
        endpoint_create(actor=ada, kind=kind, data=data, secret=secret)

    assert refused.value.field_errors == field_errors
    assert (Endpoint.objects.count(), AuditEvent.objects.count()) == (0, 0)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.0.0.5/hook",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook",
                                 "http://[::ffff:192.168.0.1]/hook"])
def test_endpoint_create_refuses_internal_addresses_by_default(ada, settings, url):
    settings.HIRELOOP_WEBHOOK_ALLOW_PRIVATE = False

    with pytest.raises(ValidationFailed) as refused:
        endpoint_create(actor=ada, kind="webhook", data=EndpointInput(name="x", url=url, events=ALL_EVENTS))

    [message] = refused.value.field_errors["url"]
    assert message.endswith("a private, loopback or otherwise internal address; Hireloop calls only public "
                            "addresses (HIRELOOP_WEBHOOK_ALLOW_PRIVATE).")
    assert Endpoint.objects.count() == 0


def test_endpoint_create_refuses_a_host_that_does_not_resolve(ada, monkeypatch):
    def no_such_host(host: str, port: int) -> list[str]:
        raise network.socket.gaierror("Name or service not known")

    monkeypatch.setattr(network, "resolve", no_such_host)

    with pytest.raises(ValidationFailed) as refused:
        endpoint_create(actor=ada, kind="webhook",
                        data=EndpointInput(name="x", url="https://hooks.example.com/in", events=ALL_EVENTS))

    assert refused.value.field_errors == {"url": ["The host name hooks.example.com does not resolve."]}


def test_endpoint_create_one_slack_channel_per_audience(ada, settings):
    settings.HIRELOOP_SLACK_WEBHOOK_HOSTS = ["93.184.215.14"]
    endpoint_create(actor=ada, kind="slack", data=EndpointInput(
        name="#recruiters", url=PUBLIC_URL, events=ALL_EVENTS, audience="recruiters"))
    endpoint_create(actor=ada, kind="slack", data=EndpointInput(
        name="#hiring", url=PUBLIC_URL, events=ALL_EVENTS, audience=""))
    before = endpoint_rows()

    with pytest.raises(ValidationFailed) as recruiters:
        endpoint_create(actor=ada, kind="slack", data=EndpointInput(
            name="#recruiters-2", url=PUBLIC_URL, events=ALL_EVENTS, audience="recruiters"))
    with pytest.raises(ValidationFailed) as default:
        endpoint_create(actor=ada, kind="slack", data=EndpointInput(
            name="#hiring-2", url=PUBLIC_URL, events=ALL_EVENTS, audience=""))

    assert recruiters.value.field_errors == {"audience": [
        "There is already a Slack channel for recruiters: “#recruiters”. Edit or delete that one."]}
    assert default.value.field_errors == {"audience": [
        "There is already a default Slack channel: “#hiring”. Edit or delete that one."]}
    assert endpoint_rows() == before


def test_endpoint_update_keeps_a_slack_url_left_empty_and_refuses_a_stale_version(ada, settings):
    settings.HIRELOOP_SLACK_WEBHOOK_HOSTS = ["93.184.215.14"]
    slack_url = PUBLIC_URL + "/T1/B2/secret-part"
    endpoint = endpoint_create(actor=ada, kind="slack", data=EndpointInput(
        name="#recruiters", url=slack_url, events=ALL_EVENTS, audience="recruiters")).endpoint

    updated = endpoint_update(actor=ada, endpoint_id=endpoint.pk, expected_version=1, data=EndpointInput(
        name="#hiring-recruiters", url="", events=["loop.ready_for_review"], audience="recruiters"))
    before = endpoint_rows()
    with pytest.raises(Conflict) as stale:
        endpoint_update(actor=ada, endpoint_id=endpoint.pk, expected_version=1, data=EndpointInput(
            name="#other", url="", events=ALL_EVENTS, audience="recruiters"))

    assert (updated.name, updated.url, updated.events, updated.version) == (
        "#hiring-recruiters", slack_url, ["loop.ready_for_review"], 2)
    assert stale.value.code == "stale_version"
    assert endpoint_rows() == before
    audit = AuditEvent.objects.get(action="webhook_endpoint.updated")
    assert audit.before is not None and audit.after is not None
    assert (audit.before["name"], audit.after["name"], audit.after["host"]) == (
        "#recruiters", "#hiring-recruiters", "93.184.215.14")
    assert "secret-part" not in str(audit.before) + str(audit.after)


def test_endpoint_disable_enable_rotate_delete_each_audited(ada):
    created = endpoint_create(actor=ada, kind="webhook",
                              data=EndpointInput(name="ATS", url=PUBLIC_URL, events=ALL_EVENTS))
    pk = created.endpoint.pk
    Endpoint.objects.filter(pk=pk).update(consecutive_failures=7)

    disabled = endpoint_disable(actor=ada, endpoint_id=pk)
    disabled_again = endpoint_disable(actor=ada, endpoint_id=pk)
    enabled = endpoint_enable(actor=ada, endpoint_id=pk)
    rotated = endpoint_secret_rotate(actor=ada, endpoint_id=pk)
    endpoint_delete(actor=ada, endpoint_id=pk)

    assert (disabled.is_active, disabled.disabled_reason, disabled_again.version) == (
        False, f"Switched off by {ada.display_name}.", 2)
    assert (enabled.is_active, enabled.disabled_reason, enabled.consecutive_failures, enabled.version) == (
        True, "", 0, 3)
    assert rotated.secret.startswith("whsec_") and rotated.secret != created.secret
    assert rotated.endpoint.secret == rotated.secret
    assert Endpoint.objects.count() == 0
    assert list(AuditEvent.objects.order_by("id").values_list("action", "object_id")) == [
        ("webhook_endpoint.created", str(pk)), ("webhook_endpoint.disabled", str(pk)),
        ("webhook_endpoint.enabled", str(pk)), ("webhook_endpoint.secret_rotated", str(pk)),
        ("webhook_endpoint.deleted", str(pk)),
    ]
    assert rotated.secret not in str(list(AuditEvent.objects.values_list("before", "after")))


def test_endpoint_rotate_refused_for_slack_and_unknown_endpoints(ada, settings):
    settings.HIRELOOP_SLACK_WEBHOOK_HOSTS = ["93.184.215.14"]
    endpoint = endpoint_create(actor=ada, kind="slack", data=EndpointInput(
        name="#r", url=PUBLIC_URL, events=ALL_EVENTS, audience="recruiters")).endpoint

    with pytest.raises(Conflict) as no_secret:
        endpoint_secret_rotate(actor=ada, endpoint_id=endpoint.pk)
    with pytest.raises(NotFound):
        endpoint_delete(actor=ada, endpoint_id=endpoint.pk + 1)

    assert no_secret.value.code == "no_secret"
    assert Endpoint.objects.get().secret == ""
