"""Fixtures for webhooks and Slack: receivers on 127.0.0.1, the settings that let Hireloop reach them, admins,
and the signature check exactly as docs/webhooks.md gives it to receivers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hiring.models import User
from integrations.models import Endpoint
from integrations.services.endpoints import EndpointInput, endpoint_create
from tests.hiring.factories import UserFactory
from tests.integrations.receivers import Answers, Receiver

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
ALL_EVENTS = ["scorecard.submitted", "loop.ready_for_review", "recommendation.changed", "decision.recorded",
              "feedback.overdue"]


@pytest.fixture(autouse=True)
def webhook_settings(settings) -> None:
    """The receivers live on 127.0.0.1, which production refuses (HIRELOOP_WEBHOOK_ALLOW_PRIVATE); short timeouts
    so a hanging receiver costs the suite a second."""
    settings.HIRELOOP_WEBHOOK_ALLOW_PRIVATE = True
    settings.HIRELOOP_WEBHOOK_REQUIRE_HTTPS = False
    settings.HIRELOOP_SLACK_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.HIRELOOP_WEBHOOK_CONNECT_TIMEOUT = 1.0
    settings.HIRELOOP_WEBHOOK_READ_TIMEOUT = 1.0
    settings.SITE_URL = "https://hireloop.example"


@pytest.fixture
def receiver() -> Iterator[Callable[[Answers], Receiver]]:
    """Start a receiver answering with ``answers``; all stop at teardown."""
    started: list[Receiver] = []

    def start(answers: Answers, **kwargs: Any) -> Receiver:
        started.append(Receiver(answers, **kwargs).start())
        return started[-1]

    yield start
    for each in started:
        each.stop()


@pytest.fixture
def ada(db) -> User:
    """An admin, who registers endpoints (and is told when one is switched off)."""
    return UserFactory(username="ada", kind=User.Kind.ADMIN, email="ada@hireloop.example", first_name="Ada")


@pytest.fixture
def webhook(ada) -> Callable[..., tuple[Endpoint, str]]:
    """Register a webhook through the service: returns the endpoint and its secret."""

    def register(url: str, events: list[str] | None = None, name: str = "ATS sync") -> tuple[Endpoint, str]:
        created = endpoint_create(actor=ada, kind="webhook",
                                  data=EndpointInput(name=name, url=url, events=events or ALL_EVENTS))
        return created.endpoint, created.secret

    return register


@pytest.fixture
def slack_channel(ada) -> Callable[..., Endpoint]:
    def register(url: str, audience: str, events: list[str] | None = None) -> Endpoint:
        return endpoint_create(actor=ada, kind="slack", data=EndpointInput(
            name=f"#hiring-{audience or 'all'}", url=url, events=events or ALL_EVENTS, audience=audience,
        )).endpoint

    return register


def documented_verifier() -> Callable[[str, bytes, str, str], bool]:
    """The receiver's signature check, run exactly as docs/webhooks.md prints it."""
    text = DOCS.read_text()
    found = re.search(r"<!-- verification-snippet -->\s*```python\n(.*?)```", text, re.S)
    assert found is not None, "docs/webhooks.md lost its verification snippet"
    namespace: dict[str, Any] = {}
    exec(compile(found.group(1), str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation, under test
    return namespace["hireloop_signature_is_valid"]


@pytest.fixture
def verify() -> Callable[[str, bytes, str, str], bool]:
    return documented_verifier()
