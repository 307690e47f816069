"""Shared fixtures: the five rubrics, users of every kind, and the browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.oidc_provider import (
    TEST_CALLBACK,
    OidcProvider,
    configure_hireloop,
    oidc_provider_problem,
)
from tests.integration.services import free_port, require_service

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """PBKDF2 costs ~0.4 s a user; the hasher is not what the suite tests."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _rate_limits_off(settings):
    """API and take-home rate limits off, their counters in a process-local cache emptied for each test.

    Throttle windows are wall-clock minutes: with the deployed rates, how fast the machine runs the suite
    would decide which test meets a 429 (the Schemathesis run alone sends hundreds of requests with two
    tokens). Tests of throttling turn it on with their own rates per day (tests/api/test_api_throttling.py).
    The counters never go to the Redis cache CI sets: two xdist processes would share them (user ids repeat
    across their databases), and emptying it would empty the other's too.
    """
    from django.core.cache import caches

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})),
    }
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests-throttle"},
    }
    caches["throttle"].clear()


def pytest_collection_modifyitems(config, items):
    """The fault tests first: they spend most of their ~100 s waiting on killed workers and a stopped Redis,
    so under xdist the other process runs the rest of the suite beside them instead of after them."""
    items.sort(key=lambda item: 0 if "faults" in item.path.parts else 1)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end the sessions other processes still hold on it.

    A Celery worker a test has just stopped (or a killed one's backend) can outlive the test by a moment,
    and PostgreSQL refuses to drop a database in use: the run would end with a teardown warning and leave
    the database behind.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture
def rubrics(db):
    """The five roles' rubrics published from fixtures/rubrics, by role slug."""
    from tests.scorecards.factories import publish_fixture_rubrics

    return publish_fixture_rubrics()


@pytest.fixture
def interviewer(db):
    from tests.hiring.factories import UserFactory

    return UserFactory(kind="interviewer", username="ivy")


@pytest.fixture
def recruiter(db):
    from tests.hiring.factories import UserFactory

    return UserFactory(kind="recruiter", username="rita")


@pytest.fixture
def committee_member(db):
    from tests.hiring.factories import UserFactory

    return UserFactory(kind="committee", username="cora")


@pytest.fixture
def admin_user(db):
    from tests.hiring.factories import UserFactory

    return UserFactory(kind="admin", username="ada", is_staff=True, is_superuser=True)


# --- Browser ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        if services_required():
            pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium).")
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps` to install Debian's Chromium.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture
def screenshot(page, request):
    """Save a named screenshot of the current page under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(page, live_server):
    """Sign a user in through the real login form."""

    def go(username: str, password: str = "hireloop-test") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return go


# --- The OpenID provider ----------------------------------------------------------


@pytest.fixture
def start_oidc_provider(tmp_path: Path) -> Iterator[Callable[..., OidcProvider]]:
    """Start providers: ``start_oidc_provider(redirect_uris=[...], id_token_ttl=..., clock_skew_seconds=...,
    publish_foreign_key=...)``; each waits for its discovery document and stops at teardown.

    Skips when Node.js or the provider package is missing (fails with REQUIRE_SERVICES=1).
    """
    require_service(oidc_provider_problem())
    started: list[OidcProvider] = []

    def start(*, redirect_uris: list[str] | None = None, **options: object) -> OidcProvider:
        provider = OidcProvider(
            workdir=tmp_path, port=free_port(), redirect_uris=redirect_uris or [TEST_CALLBACK], **options  # type: ignore[arg-type]
        )
        started.append(provider)
        return provider.start()

    yield start
    for provider in started:
        provider.stop()


@pytest.fixture
def oidc_provider(start_oidc_provider, settings) -> OidcProvider:
    """A provider Hireloop is configured to sign in with (the settings are restored after the test)."""
    provider = start_oidc_provider()
    configure_hireloop(settings, provider.issuer)
    return provider
