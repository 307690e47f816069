"""Webhooks against real Redis, PostgreSQL, Celery worker processes and receivers on 127.0.0.1.

Three receivers: one answers 200, one fails three times then recovers, one hangs. Scorecards are submitted
through the web form while the hanging one holds a request; every event reaches the healthy and the recovering
receiver exactly once (by its event id), signed as docs/webhooks.md says, and the hanging one holds up nobody.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from hiring.models import DomainEvent, User
from integrations.models import Delivery, DeliveryAttempt, Endpoint
from integrations.services.endpoints import EndpointInput, endpoint_create
from scorecards.models import RecomputeRequest
from tests.hiring.factories import UserFactory, make_interview, make_loop
from tests.integration.services import wait_until
from tests.integration.test_recommendation_worker import scorecard_form_post
from tests.integrations.conftest import ALL_EVENTS, documented_verifier
from tests.integrations.receivers import Receiver, always, answer, failing_then
from tests.scorecards.factories import ALL_DIMENSIONS

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The worker reads its settings from the environment: receivers on 127.0.0.1, and a day's retry schedule
# compressed into seconds (the first retry after 1 s, at most 2 s apart, the sweep every second).
WORKER_ENV = {
    "HIRELOOP_WEBHOOK_ALLOW_PRIVATE": "true",
    "HIRELOOP_WEBHOOK_CONNECT_TIMEOUT": "1",
    "HIRELOOP_WEBHOOK_READ_TIMEOUT": "2",
    "HIRELOOP_WEBHOOK_RETRY_BASE_SECONDS": "1",
    "HIRELOOP_WEBHOOK_RETRY_MAX_SECONDS": "2",
    "HIRELOOP_WEBHOOK_SWEEP_SECONDS": "1",
}


@pytest.fixture
def receivers() -> Iterator[dict[str, Receiver]]:
    started = {
        "healthy": Receiver(always(answer(200, "thanks"))).start(),
        "recovering": Receiver(failing_then(3, answer(503, "warming up"), answer(200, "thanks"))).start(),
        "hanging": Receiver(always(answer(hang=True))).start(),
    }
    yield started
    for receiver in started.values():
        receiver.stop()


def _event_ids(receiver: Receiver) -> Counter[str]:
    """Events the receiver acknowledged (2xx), by the id header a receiver deduplicates with."""
    return Counter(request.headers["hireloop-event-id"] for request in receiver.answered_ok())


def test_integration_webhooks_retry_until_recovered_each_event_once_and_a_hanging_receiver_blocks_nobody(
    client, celery_worker, settings, receivers
):
    settings.HIRELOOP_WEBHOOK_ALLOW_PRIVATE = True
    verify = documented_verifier()
    admin = UserFactory(kind=User.Kind.ADMIN)
    secrets = {
        name: endpoint_create(actor=admin, kind="webhook",
                              data=EndpointInput(name=name, url=receiver.url, events=ALL_EVENTS)).secret
        for name, receiver in receivers.items()
    }
    # Two workers: a hanging receiver may hold one of them, never both (one attempt at a time to it).
    first_worker = celery_worker(name="w1", beat=True, env=WORKER_ENV)
    celery_worker(name="w2", env=WORKER_ENV)
    loop = make_loop()
    first = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    second = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))
    hanging = receivers["hanging"]

    client.force_login(first.interviewer)
    status_first = scorecard_form_post(client, first, score=4)
    hanging.wait_holding(1, timeout=30)
    client.force_login(second.interviewer)
    status_second = scorecard_form_post(client, second, score=3)
    still_hanging = hanging.holding

    # The second submit went through while the hanging receiver held a request it never answered.
    assert (status_first, status_second, still_hanging >= 1) == (302, 302, True)

    def settled() -> bool:
        if RecomputeRequest.objects.filter(loop=loop, processed_at__isnull=True).exists():
            return False
        events = set(map(str, DomainEvent.objects.values_list("uuid", flat=True)))
        return bool(events) and all(set(_event_ids(receivers[name])) == events for name in ("healthy", "recovering"))

    wait_until(settled, timeout=90, interval=0.5,
               what=lambda: f"every event at both receivers; worker log:\n{first_worker.log()[-3000:]}")

    events = set(map(str, DomainEvent.objects.values_list("uuid", flat=True)))
    kinds = Counter(DomainEvent.objects.values_list("kind", flat=True))
    assert (kinds["scorecard.submitted"], kinds["loop.ready_for_review"]) == (2, 1)
    assert kinds["recommendation.changed"] >= 1
    for name in ("healthy", "recovering"):
        assert _event_ids(receivers[name]) == Counter(dict.fromkeys(events, 1)), name
    recovering = receivers["recovering"]
    assert [r.answered for r in recovering.requests[:3]] == [503, 503, 503]
    assert len(recovering.requests) == len(events) + 3
    assert DeliveryAttempt.objects.filter(delivery__endpoint__name="recovering", status_code=503).count() == 3
    for name, receiver in receivers.items():
        for request in receiver.requests:
            assert verify(secrets[name], request.body, request.headers["hireloop-timestamp"],
                          request.headers["hireloop-signature"]), name
    states = Counter(Delivery.objects.values_list("endpoint__name", "state"))
    assert states[("healthy", "delivered")] == states[("recovering", "delivered")] == len(events)
    assert states[("hanging", "delivered")] == 0
    hung = Delivery.objects.filter(endpoint__name="hanging", attempts__gt=0).exclude(last_error="")
    assert hung.exists()
    assert {d.last_error for d in hung} <= {
        "No answer within 2 s (HIRELOOP_WEBHOOK_READ_TIMEOUT).",
        "No complete answer within 3 s in all; the attempt was cut off.",
    }
    assert Endpoint.objects.get(name="hanging").is_active
