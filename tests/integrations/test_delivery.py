"""Webhook deliveries against real receivers on 127.0.0.1: signed, ids only, retried with backoff until they
succeed or their day runs out, recorded in the log, and a failing endpoint switched off with its owner told."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from hiring.errors import Conflict, PermissionRefused
from hiring.events import event_record
from hiring.models import AuditEvent, DomainEvent
from integrations.models import Delivery, DeliveryAttempt, Endpoint
from integrations.services import dispatch
from integrations.services.attempts import delivery_attempt
from integrations.services.dispatch import deliveries_prune, deliveries_sweep, events_dispatch
from integrations.services.endpoints import delivery_redeliver, endpoint_disable
from tests.hiring.factories import CandidateFactory, UserFactory, make_interview, make_loop
from tests.integrations.receivers import always, answer, failing_then
from tests.scorecards.factories import ALL_DIMENSIONS, submit_scorecard

pytestmark = pytest.mark.django_db

DECIDED = {"loop_id": 7, "decided_by_id": 3, "decided_at": "2026-12-07T10:00:00+00:00"}


def decision_event() -> DomainEvent:
    return event_record("decision.recorded", loop_id=7, data=DECIDED)


def only_delivery() -> Delivery:
    [delivery] = Delivery.objects.all()
    return delivery


def attempts_of(delivery: Delivery) -> list[tuple]:
    return list(DeliveryAttempt.objects.filter(delivery=delivery).order_by("number").values_list(
        "number", "succeeded", "status_code", "error", "response_excerpt"))


def test_delivery_submitted_scorecard_reaches_the_webhook_signed_with_ids_only(
    receiver, webhook, verify, django_capture_on_commit_callbacks
):
    """A real submit: after commit each event is POSTed once, signed (the documented check passes), with ids,
    kinds, times and links only: the candidate's name and the evidence never leave."""
    ok = receiver(always(answer()))
    endpoint, secret = webhook(ok.url)
    loop = make_loop(candidate=CandidateFactory(name="Grace Hopper"))
    interview = make_interview(loop=loop, interviewer=UserFactory(), focus=list(ALL_DIMENSIONS))

    with django_capture_on_commit_callbacks(execute=True):
        card = submit_scorecard(interview, dict.fromkeys(ALL_DIMENSIONS, 4),
                                evidence="Grace explained the tradeoffs.", summary="Grace is excellent.")

    by_type = {request.json()["type"]: request for request in ok.requests}
    assert sorted(by_type) == ["loop.ready_for_review", "recommendation.changed", "scorecard.submitted"]
    assert len(ok.requests) == 3
    submitted = by_type["scorecard.submitted"]
    event = DomainEvent.objects.get(kind="scorecard.submitted")
    delivery = Delivery.objects.get(event=event)
    assert submitted.json() == {
        "id": str(event.uuid),
        "type": "scorecard.submitted",
        "occurred_at": event.occurred_at.isoformat(),
        "api_version": "1",
        "data": {"loop_id": loop.pk, "interview_id": interview.pk, "scorecard_id": card.pk,
                 "interviewer_id": interview.interviewer_id},
        "links": {
            "loop": f"https://hireloop.example/loops/{loop.pk}/",
            "loop_api": f"https://hireloop.example/api/v1/loops/{loop.pk}/",
            "scorecard_api": f"https://hireloop.example/api/v1/scorecards/{card.pk}/",
        },
    }
    headers = submitted.headers
    assert (headers["content-type"], headers["user-agent"], headers["hireloop-event-id"],
            headers["hireloop-event-type"], headers["hireloop-delivery-id"], headers["hireloop-delivery-attempt"]) == (
        "application/json", "Hireloop-Webhooks/1", str(event.uuid), "scorecard.submitted", str(delivery.pk), "1")
    for request in ok.requests:
        assert verify(secret, request.body, request.headers["hireloop-timestamp"],
                      request.headers["hireloop-signature"])
        for private in (b"Grace", b"Hopper", b"tradeoffs", b"excellent", b'"hire"', b"outcome", b'"score"',
                        b'"scores"', b"weighted", b"evidence"):
            assert private not in request.body
    assert (delivery.state, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "delivered", 1, 200, "")
    assert not DomainEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_delivery_signature_check_refuses_a_changed_body_or_an_old_timestamp(receiver, webhook, verify):
    """The documented check fails for a body changed in transit, another secret, and a replay hours later."""
    ok = receiver(always(answer()))
    _, secret = webhook(ok.url)
    decision_event()
    events_dispatch()
    delivery_attempt(delivery_id=only_delivery().pk)
    [request] = ok.requests
    timestamp, signature = request.headers["hireloop-timestamp"], request.headers["hireloop-signature"]

    assert verify(secret, request.body, timestamp, signature) is True
    assert verify(secret, request.body.replace(b'"loop_id":7', b'"loop_id":8'), timestamp, signature) is False
    assert verify("whsec_another-secret-entirely-000000", request.body, timestamp, signature) is False
    old = str(int(timestamp) - 3600)
    resigned = request.headers["hireloop-signature"]  # the old timestamp's own signature would not match either
    assert verify(secret, request.body, old, resigned) is False
    assert verify(secret, request.body, "not-a-time", signature) is False


def test_delivery_failing_then_recovering_receiver_gets_it_once_after_backoff(receiver, webhook):
    """500, 500, then 200: attempts 30 s and 60 s apart, one event id throughout, the log tells each attempt."""
    flaky = receiver(failing_then(2, answer(500, "down for maintenance"), answer(200, "ok")))
    endpoint, _ = webhook(flaky.url)
    event = decision_event()
    t0 = timezone.now()
    events_dispatch(now=t0)
    delivery_id = only_delivery().pk

    first = delivery_attempt(delivery_id=delivery_id, now=t0)
    too_early = delivery_attempt(delivery_id=delivery_id, now=t0 + timedelta(seconds=29))
    second = delivery_attempt(delivery_id=delivery_id, now=t0 + timedelta(seconds=30))
    third = delivery_attempt(delivery_id=delivery_id, now=t0 + timedelta(seconds=90))

    assert first is not None and second is not None and third is not None
    assert (first.state, first.attempts, first.last_status_code, first.last_error, first.next_attempt_at) == (
        "pending", 1, 500, "HTTP 500.", t0 + timedelta(seconds=30))
    assert too_early is None
    assert (second.state, second.attempts, second.next_attempt_at) == ("pending", 2, t0 + timedelta(seconds=90))
    assert (third.state, third.attempts, third.next_attempt_at, third.delivered_at, third.last_error) == (
        "delivered", 3, None, t0 + timedelta(seconds=90), "")
    assert [r.headers["hireloop-event-id"] for r in flaky.requests] == [str(event.uuid)] * 3
    assert [r.headers["hireloop-delivery-attempt"] for r in flaky.requests] == ["1", "2", "3"]
    assert len(flaky.answered_ok()) == 1
    assert attempts_of(third) == [
        (1, False, 500, "HTTP 500.", "down for maintenance"),
        (2, False, 500, "HTTP 500.", "down for maintenance"),
        (3, True, 200, "", "ok"),
    ]
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.failing_since, endpoint.last_success_at, endpoint.is_active) == (
        0, None, t0 + timedelta(seconds=90), True)


def test_delivery_hanging_receiver_is_a_failed_attempt_retried_later(receiver, webhook):
    hanging = receiver(always(answer(hang=True)))
    webhook(hanging.url)
    decision_event()
    t0 = timezone.now()
    events_dispatch(now=t0)

    delivery = delivery_attempt(delivery_id=only_delivery().pk, now=t0)

    assert delivery is not None
    assert (delivery.state, delivery.last_status_code, delivery.last_error, delivery.next_attempt_at) == (
        "pending", None, "No answer within 1 s (HIRELOOP_WEBHOOK_READ_TIMEOUT).", t0 + timedelta(seconds=30))
    assert len(hanging.requests) == 1


def test_delivery_backoff_doubles_up_to_the_cap(receiver, webhook, settings):
    settings.HIRELOOP_WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.HIRELOOP_WEBHOOK_RETRY_MAX_SECONDS = 200
    down = receiver(always(answer(503)))
    webhook(down.url)
    decision_event()
    now = timezone.now()
    events_dispatch(now=now)
    gaps = []
    for _ in range(5):
        delivery = delivery_attempt(delivery_id=only_delivery().pk, now=now)
        assert delivery is not None and delivery.next_attempt_at is not None
        gaps.append((delivery.next_attempt_at - now).total_seconds())
        now = delivery.next_attempt_at

    assert gaps == [30, 60, 120, 200, 200]


def test_delivery_retry_after_is_honoured_within_the_cap(receiver, webhook):
    busy = receiver(always(answer(429, "rate_limited", headers={"Retry-After": "600"})))
    webhook(busy.url)
    decision_event()
    t0 = timezone.now()
    events_dispatch(now=t0)

    delivery = delivery_attempt(delivery_id=only_delivery().pk, now=t0)

    assert delivery is not None
    assert (delivery.last_status_code, delivery.next_attempt_at) == (429, t0 + timedelta(seconds=600))


def test_delivery_fails_when_the_next_retry_would_pass_its_window(receiver, webhook, settings):
    settings.HIRELOOP_WEBHOOK_RETRY_HOURS = 1
    down = receiver(always(answer(500)))
    webhook(down.url)
    decision_event()
    t0 = timezone.now()
    events_dispatch(now=t0)
    delivery_id = only_delivery().pk
    delivery_attempt(delivery_id=delivery_id, now=t0)

    last = delivery_attempt(delivery_id=delivery_id, now=t0 + timedelta(minutes=59, seconds=30))

    assert last is not None
    assert (last.state, last.attempts, last.next_attempt_at, last.last_error) == ("failed", 2, None, "HTTP 500.")
    assert delivery_attempt(delivery_id=delivery_id, now=t0 + timedelta(hours=2)) is None
    assert len(down.requests) == 2


def test_delivery_endpoint_switched_off_after_consecutive_failures_and_owner_emailed(
    receiver, webhook, settings, mailoutbox, django_capture_on_commit_callbacks, ada
):
    settings.HIRELOOP_WEBHOOK_DISABLE_AFTER_FAILURES = 3
    down = receiver(always(answer(500)))
    endpoint, _ = webhook(down.url + "?token=query-secret", name="ATS sync")
    first_event, second_event = decision_event(), decision_event()
    t0 = timezone.now()
    events_dispatch(now=t0)
    first = Delivery.objects.get(event=first_event)
    second = Delivery.objects.get(event=second_event)
    delivery_attempt(delivery_id=first.pk, now=t0)
    delivery_attempt(delivery_id=second.pk, now=t0)

    with django_capture_on_commit_callbacks(execute=True):
        third = delivery_attempt(delivery_id=first.pk, now=t0 + timedelta(seconds=30))

    endpoint.refresh_from_db()
    second.refresh_from_db()
    assert third is not None and third.state == "failed"
    assert (endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason, endpoint.consecutive_failures) == (
        False, t0 + timedelta(seconds=30), "3 attempts in a row failed.", 3)
    assert (second.state, second.next_attempt_at, second.last_error) == (
        "failed", None, "Not sent: the endpoint was switched off.")
    audit = AuditEvent.objects.get(action="webhook_endpoint.switched_off")
    assert (audit.actor_id, audit.object_id, audit.after) == (
        None, str(endpoint.pk), {"is_active": False, "reason": "3 attempts in a row failed.",
                                 "consecutive_failures": 3})
    [email] = mailoutbox
    assert (email.to, email.subject) == (["ada@hireloop.example"], "Hireloop switched off the webhook “ATS sync”")
    assert "3 attempts in a row failed." in email.body
    assert f"https://hireloop.example/integrations/endpoints/{endpoint.pk}/" in email.body
    assert f"({down.url}?…)" in email.body
    assert "query-secret" not in email.body and "query-secret" not in email.alternatives[0][0]
    # Off means off: nothing is attempted, and new events are not queued for it.
    assert delivery_attempt(delivery_id=second.pk, now=t0 + timedelta(hours=1)) is None
    decision_event()
    events_dispatch()
    assert Delivery.objects.count() == 2
    assert len(down.requests) == 3


def test_delivery_endpoint_switched_off_after_a_day_of_failures(receiver, webhook, settings):
    settings.HIRELOOP_WEBHOOK_DISABLE_AFTER_FAILURES = 100
    down = receiver(always(answer(502)))
    endpoint, _ = webhook(down.url)
    t0 = timezone.now()
    decision_event()
    events_dispatch(now=t0)
    delivery_attempt(delivery_id=only_delivery().pk, now=t0)
    later = decision_event()
    events_dispatch(now=t0 + timedelta(hours=24))

    delivery_attempt(delivery_id=Delivery.objects.get(event=later).pk, now=t0 + timedelta(hours=24))

    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (False, 2)
    assert endpoint.disabled_reason == (
        f"Every attempt failed for 24 hours, since {timezone.localtime(t0):%Y-%m-%d %H:%M %Z}.")


def test_delivery_gone_switches_the_endpoint_off_at_once(receiver, webhook):
    gone = receiver(always(answer(410, "channel_is_archived")))
    endpoint, _ = webhook(gone.url)
    decision_event()
    events_dispatch()

    delivery = delivery_attempt(delivery_id=only_delivery().pk)

    endpoint.refresh_from_db()
    assert delivery is not None
    assert (delivery.state, delivery.last_error) == (
        "failed", "HTTP 410 Gone: the receiver says this URL takes no more messages.")
    assert (endpoint.is_active, endpoint.consecutive_failures) == (False, 1)
    assert endpoint.disabled_reason.startswith("The receiver answered 410 Gone")


def test_delivery_a_success_ends_the_run_of_failures(receiver, webhook, settings):
    settings.HIRELOOP_WEBHOOK_DISABLE_AFTER_FAILURES = 3
    flaky = receiver(failing_then(2, answer(500), answer(200)))
    endpoint, _ = webhook(flaky.url)
    decision_event()
    t0 = timezone.now()
    events_dispatch(now=t0)
    delivery_id = only_delivery().pk
    for offset in (0, 30, 90):
        delivery_attempt(delivery_id=delivery_id, now=t0 + timedelta(seconds=offset))
    decision_event()
    events_dispatch(now=t0 + timedelta(seconds=100))
    flaky.answers = always(answer(500))

    delivery_attempt(delivery_id=Delivery.objects.exclude(pk=delivery_id).get().pk, now=t0 + timedelta(seconds=100))

    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.failing_since) == (
        True, 1, t0 + timedelta(seconds=100))


def test_delivery_claimed_by_another_worker_is_not_sent_twice(receiver, webhook):
    """An attempt in progress holds the delivery; a second message finds it claimed. A dead worker's lease
    runs out and the delivery is attempted again."""
    ok = receiver(always(answer()))
    webhook(ok.url)
    decision_event()
    t0 = timezone.now()
    events_dispatch(now=t0)
    delivery = only_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", attempts=1,
                                                   lease_expires_at=t0 + timedelta(seconds=32))

    held = delivery_attempt(delivery_id=delivery.pk, now=t0 + timedelta(seconds=10))
    after_lease = delivery_attempt(delivery_id=delivery.pk, now=t0 + timedelta(seconds=40))

    assert held is None
    assert after_lease is not None
    assert (after_lease.state, after_lease.attempts) == ("delivered", 2)
    assert len(ok.requests) == 1


def test_delivery_url_checked_again_when_sent(receiver, webhook, settings):
    """An endpoint registered before https was required is not sent to over http afterwards."""
    ok = receiver(always(answer()))
    webhook(ok.url)
    settings.HIRELOOP_WEBHOOK_REQUIRE_HTTPS = True
    decision_event()
    events_dispatch()

    delivery = delivery_attempt(delivery_id=only_delivery().pk)

    assert delivery is not None
    assert (delivery.state, delivery.last_error) == (
        "pending", "Use an https:// URL: this Hireloop sends webhooks over TLS only (HIRELOOP_WEBHOOK_REQUIRE_HTTPS).")
    assert ok.requests == []


def test_delivery_private_address_refused_when_sent(receiver, webhook, settings):
    """Registered while private addresses were allowed, refused once they are not: checked at every attempt."""
    ok = receiver(always(answer()))
    webhook(ok.url)
    settings.HIRELOOP_WEBHOOK_ALLOW_PRIVATE = False
    decision_event()
    events_dispatch()

    delivery = delivery_attempt(delivery_id=only_delivery().pk)

    assert delivery is not None
    assert delivery.last_error.startswith("127.0.0.1 resolves to 127.0.0.1, a private, loopback")
    assert ok.requests == []


def test_delivery_logs_ids_and_outcomes_never_urls_or_secrets(receiver, webhook, caplog):
    ok = receiver(always(answer(500)))
    endpoint, secret = webhook(ok.url + "?token=s3cret-in-query")
    decision_event()
    events_dispatch()

    with caplog.at_level(logging.INFO, logger="integrations"):
        delivery_attempt(delivery_id=only_delivery().pk)

    delivery = only_delivery()
    assert caplog.messages == [
        f"Webhook delivery {delivery.pk} (event {delivery.event_id}, endpoint {endpoint.pk}): attempt 1 failed "
        "(HTTP 500)."
    ]
    assert secret not in caplog.text and "s3cret-in-query" not in caplog.text and str(ok.port) not in caplog.text


# --- dispatch and sweep -----------------------------------------------------------------------------------


def test_dispatch_one_delivery_per_subscribed_endpoint_and_event_even_when_run_twice(receiver, webhook, ada):
    ok = receiver(always(answer()))
    decisions, _ = webhook(ok.url, events=["decision.recorded"], name="decisions")
    everything, _ = webhook(ok.url, name="everything")
    paused, _ = webhook(ok.url, name="paused")
    endpoint_disable(actor=ada, endpoint_id=paused.pk)
    decided = decision_event()
    submitted = event_record("scorecard.submitted", loop_id=7, data={"loop_id": 7})

    handed_on = [events_dispatch(), events_dispatch()]

    assert handed_on == [2, 0]
    assert sorted(Delivery.objects.values_list("endpoint__name", "event__kind")) == [
        ("decisions", "decision.recorded"), ("everything", "decision.recorded"),
        ("everything", "scorecard.submitted"),
    ]
    assert [(e.pk, e.dispatched_at is not None) for e in DomainEvent.objects.order_by("pk")] == [
        (decided.pk, True), (submitted.pk, True)]


def test_sweep_enqueues_what_is_due_and_has_no_message_out(receiver, webhook, monkeypatch, ada):
    ok = receiver(always(answer()))
    endpoint, _ = webhook(ok.url)
    paused, _ = webhook(ok.url, name="paused")
    now = timezone.now()
    events = [decision_event() for _ in range(8)]
    enqueued: list[int] = []

    def enqueue(name: str, delivery_id: int, failure: str) -> bool:
        enqueued.append(delivery_id)
        return True

    monkeypatch.setattr(dispatch, "enqueue", enqueue)
    events_dispatch(now=now - timedelta(hours=1))
    endpoint_disable(actor=ada, endpoint_id=paused.pk)
    rows = {event.pk: Delivery.objects.get(event=event, endpoint=endpoint) for event in events}
    states: list[dict[str, Any]] = [
        dict(state="pending", next_attempt_at=now, enqueued_at=None),  # never enqueued (broker was down): yes
        dict(state="pending", next_attempt_at=now, enqueued_at=now - timedelta(minutes=5)),  # retry fell due: yes
        dict(state="pending", next_attempt_at=now - timedelta(minutes=2),
             enqueued_at=now - timedelta(minutes=1)),  # a message is out for this retry: no
        dict(state="pending", next_attempt_at=now - timedelta(minutes=30),
             enqueued_at=now - timedelta(minutes=11)),  # its message was lost long ago: yes
        dict(state="pending", next_attempt_at=now + timedelta(seconds=5), enqueued_at=None),  # not due: no
        dict(state="sending", lease_expires_at=now - timedelta(seconds=1),
             enqueued_at=now - timedelta(minutes=2)),  # its worker died: yes
        dict(state="sending", lease_expires_at=now + timedelta(seconds=20), enqueued_at=None),  # in progress: no
        dict(state="delivered", next_attempt_at=None, enqueued_at=None),  # done: no
    ]
    for event, values in zip(events, states, strict=True):
        Delivery.objects.filter(pk=rows[event.pk].pk).update(**values)
    enqueued.clear()

    count = deliveries_sweep(now=now)

    expected = [rows[events[i].pk].pk for i in (0, 1, 3, 5)]
    assert (count, sorted(enqueued)) == (4, sorted(expected))
    assert set(Delivery.objects.filter(pk__in=expected).values_list("enqueued_at", flat=True)) != {None}


def test_sweep_hands_on_events_whose_drain_was_lost(receiver, webhook, monkeypatch):
    ok = receiver(always(answer()))
    webhook(ok.url)
    monkeypatch.setattr(dispatch, "enqueue", lambda name, delivery_id, failure: True)
    decision_event()  # its after-commit drain never runs here (the test's transaction never commits)

    assert deliveries_sweep() == 1
    assert only_delivery().event.dispatched_at is not None


def test_sweep_stops_at_the_first_broker_failure(receiver, webhook, monkeypatch):
    ok = receiver(always(answer()))
    webhook(ok.url)
    calls: list[int] = []

    def broker_down(name: str, delivery_id: int, failure: str) -> bool:
        calls.append(delivery_id)
        return False

    monkeypatch.setattr(dispatch, "enqueue", broker_down)
    decision_event()
    decision_event()

    assert deliveries_sweep() == 0
    assert len(calls) == 1
    assert list(Delivery.objects.values_list("enqueued_at", flat=True)) == [None, None]


# --- redelivery ---------------------------------------------------------------------------------------------


def test_redeliver_sends_the_same_event_again_with_a_fresh_window(
    receiver, webhook, ada, django_capture_on_commit_callbacks
):
    ok = receiver(always(answer()))
    webhook(ok.url)
    event = decision_event()
    events_dispatch()
    delivery_attempt(delivery_id=only_delivery().pk)

    with django_capture_on_commit_callbacks(execute=True):
        redelivered = delivery_redeliver(actor=ada, delivery_id=only_delivery().pk)

    delivery = only_delivery()
    assert (delivery.state, delivery.attempts, delivery.window_started_at) == (
        "delivered", 2, redelivered.window_started_at)
    assert [r.headers["hireloop-event-id"] for r in ok.requests] == [str(event.uuid)] * 2
    assert [r.headers["hireloop-delivery-attempt"] for r in ok.requests] == ["1", "2"]
    audit = AuditEvent.objects.get(action="webhook_delivery.redelivered")
    assert (audit.actor_id, audit.before, audit.after) == (
        ada.pk, {"state": "delivered", "attempts": 1},
        {"state": "pending", "endpoint_id": delivery.endpoint_id, "event_id": event.pk})


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee"])
def test_redeliver_refused_to_non_admins_changes_nothing(receiver, webhook, kind):
    ok = receiver(always(answer()))
    webhook(ok.url)
    decision_event()
    events_dispatch()
    delivery_attempt(delivery_id=only_delivery().pk)
    before = Delivery.objects.values().get()

    with pytest.raises(PermissionRefused):
        delivery_redeliver(actor=UserFactory(kind=kind), delivery_id=before["id"])

    assert Delivery.objects.values().get() == before
    assert not AuditEvent.objects.filter(action="webhook_delivery.redelivered").exists()


def test_redeliver_refused_while_the_endpoint_is_off_or_an_attempt_is_out(receiver, webhook, ada):
    ok = receiver(always(answer()))
    endpoint, _ = webhook(ok.url)
    decision_event()
    now = timezone.now()
    events_dispatch(now=now)
    delivery = only_delivery()
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", lease_expires_at=now + timedelta(seconds=30))

    with pytest.raises(Conflict) as in_progress:
        delivery_redeliver(actor=ada, delivery_id=delivery.pk, now=now)
    endpoint_disable(actor=ada, endpoint_id=endpoint.pk)
    with pytest.raises(Conflict) as switched_off:
        delivery_redeliver(actor=ada, delivery_id=delivery.pk, now=now)

    assert (in_progress.value.code, switched_off.value.code) == ("attempt_in_progress", "endpoint_disabled")
    assert only_delivery().state == "sending"


# --- the log's retention ---------------------------------------------------------------------------------------


def test_prune_deletes_finished_deliveries_and_events_older_than_the_log_days(receiver, webhook, settings):
    settings.HIRELOOP_WEBHOOK_LOG_DAYS = 30
    ok = receiver(always(answer()))
    webhook(ok.url)
    now = timezone.now()
    old_done, old_waiting, recent = decision_event(), decision_event(), decision_event()
    events_dispatch(now=now - timedelta(days=31))
    Delivery.objects.filter(event=old_done).update(state="delivered")
    Delivery.objects.filter(event=recent).update(state="failed", window_started_at=now - timedelta(days=29))
    unrouted = decision_event()
    Endpoint.objects.update(is_active=False)
    events_dispatch(now=now - timedelta(days=31))

    assert deliveries_prune(now=now) == 1
    assert sorted(Delivery.objects.values_list("event_id", flat=True)) == sorted([old_waiting.pk, recent.pk])
    assert not DomainEvent.objects.filter(pk__in=[old_done.pk, unrouted.pk]).exists()


def test_delivery_body_is_compact_sorted_json(receiver, webhook):
    ok = receiver(always(answer()))
    webhook(ok.url)
    decision_event()
    events_dispatch()
    delivery_attempt(delivery_id=only_delivery().pk)

    body = ok.requests[0].body
    assert body == json.dumps(json.loads(body), separators=(",", ":"), sort_keys=True).encode()


def test_delivery_to_a_failing_endpoint_waits_for_the_attempt_in_progress(receiver, webhook):
    """A failing endpoint gets one attempt at a time (a hanging receiver holds one worker, not all); a healthy
    one is not held back."""
    down = receiver(always(answer(503)))
    ok = receiver(always(answer()))
    failing, _ = webhook(down.url, name="failing")
    healthy, _ = webhook(ok.url, name="healthy")
    Endpoint.objects.filter(pk=failing.pk).update(consecutive_failures=4)
    decision_event()
    decision_event()
    t0 = timezone.now()
    events_dispatch(now=t0)
    lease = t0 + timedelta(seconds=20)
    for endpoint in (failing, healthy):
        first, second = Delivery.objects.filter(endpoint=endpoint).order_by("pk")
        Delivery.objects.filter(pk=first.pk).update(state="sending", attempts=1, lease_expires_at=lease)

        attempted = delivery_attempt(delivery_id=second.pk, now=t0)

        second.refresh_from_db()
        if endpoint == failing:
            assert attempted is None
            assert (second.state, second.attempts, second.next_attempt_at) == ("pending", 0, lease)
        else:
            assert attempted is not None and attempted.state == "delivered"
    assert (len(down.requests), len(ok.requests)) == (0, 1)


def test_dispatch_drain_is_published_only_when_an_active_endpoint_wants_the_events(webhook, receiver, monkeypatch,
                                                                                   ada):
    """No webhook, none for these kinds, or only a switched-off one: nothing is published (a hung broker would
    cost the user's request seconds for nothing); the sweep hands such events on."""
    published: list[str] = []

    def enqueue(name: str, failure: str) -> bool:
        published.append(name)
        return True

    monkeypatch.setattr(dispatch, "enqueue", enqueue)
    ok = receiver(always(answer()))
    kinds = frozenset({"decision.recorded"})

    dispatch.events_recorded(kinds)
    other, _ = webhook(ok.url, events=["feedback.overdue"], name="overdue only")
    dispatch.events_recorded(kinds)
    wanted, _ = webhook(ok.url, events=["decision.recorded"], name="decisions")
    endpoint_disable(actor=ada, endpoint_id=wanted.pk)
    dispatch.events_recorded(kinds)
    assert published == []

    Endpoint.objects.filter(pk=wanted.pk).update(is_active=True)
    dispatch.events_recorded(kinds)
    assert published == ["integrations.tasks.dispatch_events"]
