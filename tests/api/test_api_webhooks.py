"""Webhooks and Slack channels over the API: admins only, the same rules and refusals as the page, secrets in
the creating response only, Slack URLs never echoed, fixed query counts."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from hiring.events import event_record
from hiring.models import AuditEvent, User
from integrations.models import Delivery, Endpoint
from integrations.services.attempts import delivery_attempt
from integrations.services.dispatch import events_dispatch
from integrations.services.endpoints import EndpointInput, endpoint_create
from tests.hiring.factories import UserFactory
from tests.integrations.receivers import Receiver, always, answer

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhook-endpoints/"
EVENTS = ["loop.ready_for_review", "decision.recorded"]


@pytest.fixture(autouse=True)
def reachable_receivers(settings) -> None:
    settings.HIRELOOP_WEBHOOK_ALLOW_PRIVATE = True
    settings.HIRELOOP_SLACK_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.HIRELOOP_WEBHOOK_CONNECT_TIMEOUT = 1.0
    settings.HIRELOOP_WEBHOOK_READ_TIMEOUT = 1.0


@pytest.fixture
def ada(db) -> User:
    return UserFactory(username="ada", kind=User.Kind.ADMIN)


@pytest.fixture
def receiver():
    started = Receiver(always(answer(500, "busy"))).start()
    yield started
    started.stop()


@pytest.fixture
def hook(ada, receiver) -> Endpoint:
    return endpoint_create(actor=ada, kind="webhook",
                           data=EndpointInput(name="ATS", url=receiver.url, events=EVENTS)).endpoint


def as_user(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_api_webhook_endpoints_create_admin_gets_the_secret_once(api, ada, receiver):
    response = api(ada).post(BASE, {"kind": "webhook", "name": "ATS sync", "url": receiver.url + "?t=1",
                                    "events": EVENTS}, format="json")

    body = response.json()
    endpoint = Endpoint.objects.get()
    assert (response.status_code, response["Cache-Control"]) == (201, "no-store")
    assert body["secret"] == endpoint.secret and body["secret"].startswith("whsec_")
    assert {k: body[k] for k in ("id", "kind", "name", "url", "events", "audience", "is_active", "owner", "version",
                                 "waiting_count", "failed_count", "last_attempt_at")} == {
        "id": endpoint.pk, "kind": "webhook", "name": "ATS sync", "url": receiver.url + "?t=1", "events": EVENTS,
        "audience": "", "is_active": True, "owner": ada.pk, "version": 1, "waiting_count": 0, "failed_count": 0,
        "last_attempt_at": None}
    again = api(ada).get(f"{BASE}{endpoint.pk}/").json()
    assert "secret" not in again


def test_api_webhook_endpoints_slack_url_is_never_echoed(api, ada, receiver):
    slack_url = f"http://127.0.0.1:{receiver.port}/services/T1/B2/secret-path"
    created = api(ada).post(BASE, {"kind": "slack", "name": "#recruiters", "url": slack_url,
                                   "audience": "recruiters", "events": EVENTS}, format="json")
    listed = api(ada).get(BASE)

    assert created.status_code == 201
    assert created.json()["url"] == f"http://127.0.0.1:{receiver.port}/…"
    assert created.json()["secret"] == ""
    assert "secret-path" not in created.content.decode() + listed.content.decode()


@pytest.mark.parametrize(("payload", "field_errors"), [
    ({"kind": "webhook", "name": "x", "url": "gopher://127.0.0.1/", "events": EVENTS},
     {"url": ["Use an http:// or https:// URL."]}),
    ({"kind": "webhook", "name": "x", "url": "http://127.0.0.1/", "events": ["loop.renamed"]},
     {"events.0": ['"loop.renamed" is not a valid choice.']}),
    ({"kind": "webhook", "name": "x", "url": "http://127.0.0.1/", "events": EVENTS, "secret": "tiny"},
     {"secret": ["Use a secret of 24 to 200 characters, or leave it empty and Hireloop makes one."]}),
    ({"kind": "webhook", "name": "x", "url": "http://127.0.0.1/", "events": []},
     {"events": ["This list may not be empty."]}),
])
def test_api_webhook_endpoints_create_bad_input_is_400_naming_the_field(api, ada, payload, field_errors):
    response = api(ada).post(BASE, payload, format="json")

    assert response.status_code == 400
    assert response.json()["field_errors"] == field_errors
    assert Endpoint.objects.count() == 0


def test_api_webhook_endpoints_private_address_refused_by_default(api, ada, settings):
    settings.HIRELOOP_WEBHOOK_ALLOW_PRIVATE = False

    response = api(ada).post(BASE, {"kind": "webhook", "name": "x", "url": "http://10.0.0.8/in", "events": EVENTS},
                             format="json")

    assert (response.status_code, response.json()["field_errors"]) == (400, {"url": [
        "10.0.0.8 resolves to 10.0.0.8, a private, loopback or otherwise internal address; Hireloop calls only "
        "public addresses (HIRELOOP_WEBHOOK_ALLOW_PRIVATE)."]})


def test_api_webhook_endpoints_update_switch_rotate_delete(api, ada, hook):
    client = api(ada)

    patched = client.patch(f"{BASE}{hook.pk}/", {"name": "ATS v2", "version": 1}, format="json")
    stale = client.patch(f"{BASE}{hook.pk}/", {"name": "ATS v3", "version": 1}, format="json")
    off = client.post(f"{BASE}{hook.pk}/disable/")
    on = client.post(f"{BASE}{hook.pk}/enable/")
    rotated = client.post(f"{BASE}{hook.pk}/rotate-secret/")
    deleted = client.delete(f"{BASE}{hook.pk}/")

    assert (patched.status_code, patched.json()["name"], patched.json()["url"], patched.json()["events"]) == (
        200, "ATS v2", hook.url, EVENTS)
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    assert (off.json()["is_active"], on.json()["is_active"]) == (False, True)
    assert rotated.json()["secret"].startswith("whsec_") and rotated["Cache-Control"] == "no-store"
    assert deleted.status_code == 204
    assert Endpoint.objects.count() == 0


def test_api_webhook_deliveries_log_detail_and_redeliver(api, ada, hook, django_capture_on_commit_callbacks):
    event_record("decision.recorded", loop_id=7, data={"loop_id": 7})
    events_dispatch()
    delivery = Delivery.objects.get()
    delivery_attempt(delivery_id=delivery.pk)
    client = api(ada)

    log = client.get(f"{BASE}{hook.pk}/deliveries/", {"state": "pending"})
    detail = client.get(f"/api/v1/webhook-deliveries/{delivery.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        redelivered = client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/")
    bad_filter = client.get(f"{BASE}{hook.pk}/deliveries/", {"state": "lost"})

    [row] = log.json()["results"]
    assert (row["id"], row["state"], row["attempts"], row["last_status_code"], row["last_error"]) == (
        delivery.pk, "pending", 1, 500, "HTTP 500.")
    assert row["event"]["type"] == "decision.recorded" and row["event"]["data"] == {"loop_id": 7}
    assert [(a["number"], a["succeeded"], a["status_code"], a["response_excerpt"])
            for a in detail.json()["attempt_log"]] == [(1, False, 500, "busy")]
    assert redelivered.status_code == 202
    assert Delivery.objects.get().attempts == 2
    assert (bad_filter.status_code, list(bad_filter.json()["field_errors"])) == (400, ["state"])


@pytest.mark.parametrize("kind", ["anonymous", "interviewer", "recruiter", "committee"])
def test_api_webhook_endpoints_refused_to_non_admins_change_nothing(api, hook, kind):
    event_record("decision.recorded", loop_id=7, data={"loop_id": 7})
    events_dispatch()
    delivery = Delivery.objects.get()
    client = api(None if kind == "anonymous" else UserFactory(kind=kind))
    before = (list(Endpoint.objects.values()), list(Delivery.objects.values()), AuditEvent.objects.count())
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("get", BASE, {}), ("get", f"{BASE}{hook.pk}/", {}), ("get", f"{BASE}{hook.pk}/deliveries/", {}),
        ("post", BASE, {"kind": "webhook", "name": "x", "url": "http://127.0.0.1/", "events": EVENTS}),
        ("patch", f"{BASE}{hook.pk}/", {"name": "taken over"}), ("delete", f"{BASE}{hook.pk}/", {}),
        ("post", f"{BASE}{hook.pk}/disable/", {}), ("post", f"{BASE}{hook.pk}/rotate-secret/", {}),
        ("get", f"/api/v1/webhook-deliveries/{delivery.pk}/", {}),
        ("post", f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/", {}),
    ]

    statuses = {getattr(client, method)(url, body, format="json").status_code for method, url, body in calls}

    assert statuses == ({401} if kind == "anonymous" else {403})
    assert (list(Endpoint.objects.values()), list(Delivery.objects.values()), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("rows", [1, 50])
def test_api_webhook_query_counts_list_and_log(ada, hook, django_assert_num_queries, rows):
    Endpoint.objects.bulk_create(Endpoint(kind="webhook", name=f"hook {n}", url="http://127.0.0.1/",
                                          events=EVENTS) for n in range(rows - 1))
    for _ in range(rows):
        event_record("decision.recorded", loop_id=7, data={"loop_id": 7})
    events_dispatch()
    client = as_user(ada)

    # count + endpoints with their log's totals
    with django_assert_num_queries(2):
        listed = client.get(BASE, {"page_size": 100})
    # the endpoint, then count + deliveries with their events
    with django_assert_num_queries(3):
        log = client.get(f"{BASE}{hook.pk}/deliveries/", {"page_size": 100})

    assert (listed.json()["count"], log.json()["count"]) == (rows, rows)


def test_api_webhook_writes_replay_the_first_answer_with_the_same_idempotency_key(api, ada, receiver, hook):
    """A retried webhook write with the same key answers as the first time and writes nothing more."""
    client = api(ada)
    key = {"HTTP_IDEMPOTENCY_KEY": "create-ats-endpoint-1"}
    body = {"kind": "webhook", "name": "ATS sync", "url": receiver.url, "events": EVENTS}

    first = client.post(BASE, body, format="json", **key)
    again = client.post(BASE, body, format="json", **key)
    rotated = client.post(f"{BASE}{hook.pk}/rotate-secret/", **{"HTTP_IDEMPOTENCY_KEY": "rotate-1"})
    rotated_again = client.post(f"{BASE}{hook.pk}/rotate-secret/", **{"HTTP_IDEMPOTENCY_KEY": "rotate-1"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert Endpoint.objects.filter(name="ATS sync").count() == 1
    assert rotated_again.json()["secret"] == rotated.json()["secret"] == Endpoint.objects.get(pk=hook.pk).secret
