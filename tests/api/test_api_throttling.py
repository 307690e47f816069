"""Rate limits: per token and per user (reads apart from writes), per address for anonymous callers and for
the candidates' take-home links; past the rate a 429 with Retry-After, and nobody else is affected.

The suite runs with throttling off (tests/conftest.py); these tests turn it on with rates per day, so that
no test depends on how fast the machine runs it, and each starts from empty counters.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from hiring.accounts.tokens import api_token_create
from hiring.models import Candidate, User
from tests.exercises.factories import make_take_home
from tests.hiring.factories import UserFactory

REPO = Path(__file__).resolve().parents[2]
DAY = 24 * 3600
SCOPES = ("token_read", "token_write", "user_read", "user_write", "anon", "take_home")


@pytest.fixture
def rates(settings) -> Callable[..., None]:
    """Turn throttling on with these rates (scopes left out stay unlimited)."""

    def set_rates(**given: str) -> None:
        assert set(given) <= set(SCOPES)
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {scope: given.get(scope) for scope in SCOPES},
        }

    return set_rates


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=user, name='script').plaintext}")
    return client


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert 0 < int(response["Retry-After"]) <= DAY
    assert response.json()["code"] == "throttled"
    assert set(response.json()) == {"code", "message", "field_errors"}


def test_api_token_past_its_read_rate_is_429_with_retry_after_and_other_users_are_not(db, rates):
    """A token's third read of the day, at two a day, is refused with Retry-After; another user's token reads."""
    rates(token_read="2/day")
    ivy, rita = UserFactory(kind="recruiter", username="ivy"), UserFactory(kind="recruiter", username="rita")
    client = token_client(ivy)

    assert [client.get("/api/v1/candidates/").status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get("/api/v1/candidates/"))
    assert token_client(rita).get("/api/v1/candidates/").status_code == 200


def test_api_writes_and_reads_have_their_own_rates(db, rates):
    """Spent writes leave reads alone, and the other way round: a script that reads hard can still save."""
    rates(token_read="1/day", token_write="1/day")
    client = token_client(UserFactory(kind="recruiter", username="ivy"))
    body = {"name": "Amara Obi", "email": "amara.obi@example.org"}

    assert client.post("/api/v1/candidates/", body, format="json").status_code == 201
    assert_throttled(client.post("/api/v1/candidates/", {**body, "email": "a.obi@example.org"}, format="json"))
    assert list(Candidate.objects.values_list("email", flat=True)) == ["amara.obi@example.org"]
    assert client.get("/api/v1/candidates/").status_code == 200
    assert_throttled(client.get("/api/v1/candidates/"))


def test_api_each_token_has_its_own_rate_and_the_user_a_rate_over_all_of_them(db, rates):
    """A second token reads after the first is spent, until the user's own rate (tokens and session) is."""
    rates(token_read="2/day", user_read="3/day")
    ivy = UserFactory(kind="recruiter", username="ivy")
    first, second = token_client(ivy), token_client(ivy)

    assert [first.get("/api/v1/roles/").status_code for _ in range(2)] == [200, 200]
    assert_throttled(first.get("/api/v1/roles/"))
    assert second.get("/api/v1/roles/").status_code == 200
    # Her fourth request, the third allowed: the user's rate covers every token. The first token's refused
    # request did not spend it, or the second token would have been refused at once.
    assert_throttled(second.get("/api/v1/roles/"))
    session = APIClient()
    session.force_login(ivy)
    assert_throttled(session.get("/api/v1/roles/"))
    assert token_client(UserFactory(kind="recruiter", username="rita")).get("/api/v1/roles/").status_code == 200


def test_api_session_user_past_the_write_rate_is_429(db, rates):
    """The pages' own scripts (session) are counted per user too."""
    rates(user_write="1/day")
    ivy = UserFactory(kind="recruiter", username="ivy")
    session = APIClient()
    session.force_login(ivy)
    body = {"name": "Amara Obi", "email": "amara.obi@example.org"}

    assert session.post("/api/v1/candidates/", body, format="json").status_code == 201
    assert_throttled(session.post("/api/v1/candidates/", {**body, "email": "b@example.org"}, format="json"))
    other = APIClient()
    other.force_login(UserFactory(kind="recruiter", username="rita"))
    assert other.post("/api/v1/candidates/", {**body, "email": "c@example.org"}, format="json").status_code == 201


def test_api_anonymous_callers_are_counted_per_address_unknown_tokens_included(db, rates):
    """Without valid credentials every request counts against the address, before the 401: a caller trying
    tokens is slowed down as well as one sending none. Another address, and signed-in users, are not."""
    rates(anon="3/day")
    guesser = APIClient(REMOTE_ADDR="198.51.100.7")

    assert guesser.get("/api/v1/candidates/").status_code == 401
    guesser.credentials(HTTP_AUTHORIZATION="Bearer hl_made-up")
    assert guesser.get("/api/v1/candidates/").status_code == 401
    assert guesser.get("/api/schema/").status_code == 401  # the token is checked on the public schema too
    assert_throttled(guesser.get("/api/v1/candidates/"))
    guesser.credentials()
    assert_throttled(guesser.get("/api/v1/candidates/"))

    assert APIClient(REMOTE_ADDR="198.51.100.8").get("/api/v1/candidates/").status_code == 401
    signed_in = token_client(UserFactory(kind="recruiter", username="ivy"))
    assert signed_in.get("/api/v1/candidates/", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_api_anonymous_address_is_read_behind_the_configured_proxies(db, rates, settings):
    """Behind one proxy, two clients with their own X-Forwarded-For have their own counters."""
    rates(anon="1/day")
    settings.HIRELOOP_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"

    first = APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert first.get("/api/v1/loops/").status_code == 401
    assert_throttled(first.get("/api/v1/loops/"))
    second = APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert second.get("/api/v1/loops/").status_code == 401


def test_take_home_link_is_throttled_per_address(db, rates):
    """The candidate's page (no account) allows a few requests a day per address at this rate; past it a 429
    with Retry-After, kept out of caches like the page; a candidate at another address is not affected."""
    rates(take_home="2/day")
    _, token = make_take_home()
    url = f"/exercises/take-home/{token}/"
    candidate = Client(REMOTE_ADDR="198.51.100.20")

    assert [candidate.get(url).status_code for _ in range(2)] == [200, 200]
    refused = candidate.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= DAY
    assert refused["Cache-Control"] == "private, no-store"
    assert token not in refused.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.21").get(url).status_code == 200
    # Someone guessing links from the spent address is refused before any lookup, found or not.
    assert candidate.get("/exercises/take-home/" + "x" * 43 + "/").status_code == 429


def test_take_home_link_address_is_read_behind_the_configured_proxies(db, rates, settings):
    rates(take_home="1/day")
    settings.HIRELOOP_TRUSTED_PROXY_COUNT = 1
    _, token = make_take_home()
    url = f"/exercises/take-home/{token}/"

    assert Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5").get(url).status_code == 200
    assert Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5").get(url).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.6").get(url).status_code == 200


def _rates_in_a_fresh_process(**environment: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HIRELOOP_API_RATE", "HIRELOOP_TAKE_HOME_RATE"))}
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(sorted(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'].items()))")
    return subprocess.run([sys.executable, "-c", code], cwd=REPO,
                          env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **environment},
                          capture_output=True, text=True, timeout=120, check=False)


def test_api_rates_come_from_the_environment_with_documented_defaults() -> None:
    """Defaults as docs/security.md lists them; each can be set, or turned off, by its variable; a rate that
    does not read as N/second|minute|hour|day stops the process at start, naming the variable."""
    defaults = _rates_in_a_fresh_process()
    assert defaults.returncode == 0, defaults.stderr
    assert defaults.stdout.strip() == str(sorted({
        "token_read": "300/min", "token_write": "60/min", "user_read": "600/min", "user_write": "120/min",
        "anon": "60/min", "take_home": "60/hour",
    }.items()))
    documented = (REPO / "docs" / "security.md").read_text()
    for variable, default in [("HIRELOOP_API_RATE_TOKEN_READ", "300/min"), ("HIRELOOP_API_RATE_ANON", "60/min"),
                              ("HIRELOOP_TAKE_HOME_RATE", "60/hour")]:
        assert f"`{variable}` | `{default}`" in documented

    changed = _rates_in_a_fresh_process(HIRELOOP_API_RATE_USER_WRITE="30/hour", HIRELOOP_API_RATE_ANON="off")
    assert changed.returncode == 0, changed.stderr
    assert "('user_write', '30/hour')" in changed.stdout and "('anon', None)" in changed.stdout

    refused = _rates_in_a_fresh_process(HIRELOOP_API_RATE_USER_READ="lots")
    assert refused.returncode != 0
    assert "HIRELOOP_API_RATE_USER_READ" in refused.stderr
