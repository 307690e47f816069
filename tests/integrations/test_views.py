"""The admins' integrations pages: admins only, secrets shown once, Slack URLs never shown again, field errors
on the form, fixed query counts for the list and the delivery log."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hiring.events import event_record
from hiring.models import AuditEvent
from integrations.models import Delivery, Endpoint
from integrations.services.attempts import delivery_attempt
from integrations.services.dispatch import events_dispatch
from tests.hiring.factories import UserFactory
from tests.integrations.conftest import ALL_EVENTS
from tests.integrations.receivers import always, answer

pytestmark = pytest.mark.django_db

SLACK_URL_PATH = "/services/T024BE7LD/B01234567/kC3rT9sEcReT"


@pytest.fixture
def hook(webhook, receiver):
    ok = receiver(always(answer(500, "busy")))
    endpoint, _ = webhook(ok.url)
    return endpoint


def page_urls(endpoint: Endpoint, delivery_id: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("integrations:endpoint-list")),
        ("get", reverse("integrations:endpoint-create") + "?kind=webhook"),
        ("post", reverse("integrations:endpoint-create") + "?kind=webhook"),
        ("get", reverse("integrations:endpoint-detail", args=[endpoint.pk])),
        ("post", reverse("integrations:endpoint-edit", args=[endpoint.pk])),
        ("post", reverse("integrations:endpoint-disable", args=[endpoint.pk])),
        ("post", reverse("integrations:endpoint-enable", args=[endpoint.pk])),
        ("post", reverse("integrations:endpoint-rotate-secret", args=[endpoint.pk])),
        ("post", reverse("integrations:endpoint-delete", args=[endpoint.pk])),
        ("get", reverse("integrations:delivery-detail", args=[delivery_id])),
        ("post", reverse("integrations:delivery-redeliver", args=[delivery_id])),
    ]


def one_delivery(endpoint: Endpoint) -> Delivery:
    event_record("decision.recorded", loop_id=7, data={"loop_id": 7})
    events_dispatch()
    return Delivery.objects.get(endpoint=endpoint)


@pytest.mark.parametrize("kind", ["interviewer", "recruiter", "committee"])
def test_views_integrations_refused_to_non_admins_change_nothing(client, hook, kind):
    delivery = one_delivery(hook)
    before = (list(Endpoint.objects.values()), list(Delivery.objects.values()), AuditEvent.objects.count())
    client.force_login(UserFactory(kind=kind))

    statuses = {url: getattr(client, method)(url, {"name": "x", "url": "http://93.184.215.14/"}).status_code
                for method, url in page_urls(hook, delivery.pk)}

    assert set(statuses.values()) == {403}
    assert (list(Endpoint.objects.values()), list(Delivery.objects.values()), AuditEvent.objects.count()) == before


def test_views_integrations_anonymous_is_sent_to_sign_in(client, hook):
    response = client.get(reverse("integrations:endpoint-list"))

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/integrations/")


@pytest.mark.parametrize("count", [1, 50])
def test_views_endpoint_list_costs_the_same_queries_for_1_and_50(client, ada, django_assert_num_queries, count):
    Endpoint.objects.bulk_create(Endpoint(kind="webhook", name=f"hook {n}", url=f"https://93.184.215.14/{n}",
                                          events=ALL_EVENTS, owner=ada) for n in range(count))
    client.force_login(ada)
    # session, user, the endpoints with their log's totals in one aggregate
    with django_assert_num_queries(3):
        response = client.get(reverse("integrations:endpoint-list"))

    assert len(re.findall(r'href="/integrations/endpoints/\d+/"', response.content.decode())) == count


@pytest.mark.parametrize("count", [1, 50])
def test_views_delivery_log_costs_the_same_queries_for_1_and_50(client, ada, hook, django_assert_num_queries, count):
    for _ in range(count):
        event_record("decision.recorded", loop_id=7, data={"loop_id": 7})
    events_dispatch()
    client.force_login(ada)
    # session, user, the endpoint with its totals, the log's count and its page with the events
    with django_assert_num_queries(5):
        response = client.get(reverse("integrations:endpoint-detail", args=[hook.pk]))

    assert response.content.decode().count('href="/integrations/deliveries/') == count


def test_views_create_webhook_shows_the_secret_once(client, ada):
    client.force_login(ada)

    response = client.post(reverse("integrations:endpoint-create") + "?kind=webhook", {
        "name": "ATS sync", "url": "https://93.184.215.14/hooks", "events": ["decision.recorded"]})

    endpoint = Endpoint.objects.get()
    page = response.content.decode()
    assert (response.status_code, response["Cache-Control"]) == (201, "no-store")
    assert f'value="{endpoint.secret}"' in page
    again = client.get(reverse("integrations:endpoint-detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in again
    assert "never shown again" in again


def test_views_create_with_bad_input_shows_each_field_error(client, ada, settings):
    settings.HIRELOOP_WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(ada)

    response = client.post(reverse("integrations:endpoint-create") + "?kind=webhook", {
        "name": "ATS", "url": "http://169.254.169.254/latest/", "events": ["decision.recorded"],
        "secret": "short"})

    page = response.content.decode()
    assert response.status_code == 400
    assert ("169.254.169.254 resolves to 169.254.169.254, a private, loopback or otherwise internal address"
            in page)
    assert "Use a secret of 24 to 200 characters, or leave it empty and Hireloop makes one." in page
    assert Endpoint.objects.count() == 0


def test_views_slack_channel_url_is_never_shown_again(client, ada):
    client.force_login(ada)

    response = client.post(reverse("integrations:endpoint-create") + "?kind=slack", {
        "name": "#hiring-recruiters", "url": f"http://127.0.0.1{SLACK_URL_PATH}", "audience": "recruiters",
        "events": ["loop.ready_for_review"]})

    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    pages = [client.get(url).content.decode() for url in (
        reverse("integrations:endpoint-list"), reverse("integrations:endpoint-detail", args=[endpoint.pk]),
        reverse("integrations:endpoint-edit", args=[endpoint.pk]))]
    for page in pages:
        assert "kC3rT9sEcReT" not in page
        assert "http://127.0.0.1/…" in page or "Leave it empty to keep the current URL" in page


def test_views_edit_stale_version_is_refused_with_the_reason(client, ada, hook):
    client.force_login(ada)
    url = reverse("integrations:endpoint-edit", args=[hook.pk])
    form = {"name": "Renamed", "url": hook.url, "events": ["decision.recorded"], "version": "1"}
    client.post(url, form)

    response = client.post(url, {**form, "name": "Renamed again"})

    assert response.status_code == 400
    assert "Someone changed this endpoint since you opened it." in response.content.decode()
    assert Endpoint.objects.get().name == "Renamed"


def test_views_switch_off_on_new_secret_and_delete(client, ada, hook):
    client.force_login(ada)

    off = client.post(reverse("integrations:endpoint-disable", args=[hook.pk]))
    state_off = Endpoint.objects.get().is_active
    on = client.post(reverse("integrations:endpoint-enable", args=[hook.pk]))
    rotated = client.post(reverse("integrations:endpoint-rotate-secret", args=[hook.pk]))
    secret = Endpoint.objects.get().secret
    confirm = client.get(reverse("integrations:endpoint-delete", args=[hook.pk]))
    deleted = client.post(reverse("integrations:endpoint-delete", args=[hook.pk]))

    assert (off.status_code, state_off, on.status_code) == (302, False, 302)
    assert (rotated.status_code, rotated["Cache-Control"]) == (200, "no-store")
    assert f'value="{secret}"' in rotated.content.decode()
    assert confirm.status_code == 200 and "Delete endpoint" in confirm.content.decode()
    assert (deleted.status_code, deleted["Location"]) == (302, reverse("integrations:endpoint-list"))
    assert Endpoint.objects.count() == 0


def test_views_delivery_page_lists_attempts_and_redelivers(client, ada, hook):
    delivery = one_delivery(hook)
    delivery_attempt(delivery_id=delivery.pk)
    client.force_login(ada)

    page = client.get(reverse("integrations:delivery-detail", args=[delivery.pk])).content.decode()
    redelivered = client.post(reverse("integrations:delivery-redeliver", args=[delivery.pk]), follow=True)

    assert "HTTP 500." in page and "<code>busy</code>" in page
    assert redelivered.status_code == 200
    assert "Redelivery queued" in redelivered.content.decode()
    assert AuditEvent.objects.filter(action="webhook_delivery.redelivered").count() == 1


def test_views_missing_endpoint_and_kind_are_404(client, ada):
    client.force_login(ada)

    assert client.get(reverse("integrations:endpoint-detail", args=[999])).status_code == 404
    assert client.get(reverse("integrations:endpoint-create") + "?kind=teams").status_code == 404
    assert client.post(reverse("integrations:delivery-redeliver", args=[999])).status_code == 404
