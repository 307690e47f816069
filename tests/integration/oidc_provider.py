"""A real OpenID provider for the sign-in tests: oidc-provider (Node.js) on a free port of 127.0.0.1.

The provider is tests/support/oidc_provider/provider.mjs, installed by ``make test``
(``npm ci --prefix tests/support/oidc_provider``). Tests that need it skip when
Node.js or the package is missing, and fail instead when REQUIRE_SERVICES=1,
as the other integration tests do.

``sign_in_at_provider`` plays the person's browser at the provider: it follows
Hireloop's redirect, fills in the provider's own (development) login page, and
returns the URL the provider sends the browser back to, for the test to open
with Django's test client.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from django.test import Client

from tests.integration.services import REPO

PROVIDER_DIR = REPO / "tests" / "support" / "oidc_provider"
CLIENT_ID = "hireloop-tests"
CLIENT_SECRET = "test-only-client-secret"  # noqa: S105 - a throwaway credential of the throwaway provider
TEST_CALLBACK = "http://testserver/accounts/oidc/callback/"
READY_TIMEOUT = 20.0


def oidc_provider_problem() -> str | None:
    """Why the provider cannot start here, or None."""
    if shutil.which("node") is None:
        return "the OpenID provider tests need Node.js on PATH (apt-get install nodejs npm)"
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return f"the OpenID provider is not installed: npm ci --prefix {PROVIDER_DIR.relative_to(REPO)}"
    return None


@dataclass
class OidcProvider:
    """One provider process; ``accounts`` are written to a file it re-reads at every sign-in."""

    workdir: Path
    port: int
    redirect_uris: list[str]
    id_token_ttl: int = 3600
    clock_skew_seconds: int = 0
    publish_foreign_key: bool = False
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"oidc-provider-{self.port}.log"

    def set_account(self, login: str, **claims: Any) -> None:
        """Add or replace an account: ``sub`` defaults to ``sub-<login>``; claims not given are not sent."""
        self.accounts[login] = {"sub": f"sub-{login}", **claims}
        self._write_accounts()

    def _write_accounts(self) -> None:
        (self.workdir / f"accounts-{self.port}.json").write_text(json.dumps(self.accounts))

    def start(self) -> OidcProvider:
        self._write_accounts()
        config = {
            "port": self.port,
            "issuer": self.issuer,
            "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": self.redirect_uris},
            "accountsFile": str(self.workdir / f"accounts-{self.port}.json"),
            "idTokenTtl": self.id_token_ttl,
            "clockSkewSeconds": self.clock_skew_seconds,
            "publishForeignKey": self.publish_foreign_key,
        }
        config_path = self.workdir / f"oidc-provider-{self.port}.json"
        config_path.write_text(json.dumps(config))
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["node", str(PROVIDER_DIR / "provider.mjs"), str(config_path)],
                cwd=PROVIDER_DIR, stdout=log, stderr=subprocess.STDOUT,
            )
        self._wait_for_discovery()
        return self

    def _wait_for_discovery(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the OpenID provider exited:\n{self.log_path.read_text(errors='replace')}")
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the OpenID provider did not answer within {READY_TIMEOUT}s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def _form_action(html: str) -> str:
    found = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert found, f"no form on the provider's page:\n{html[:2000]}"
    return found.group(1)


def _follow_at_provider(browser: requests.Session, provider: OidcProvider, response: requests.Response) -> Any:
    """Follow the provider's redirects until it sends the browser elsewhere (to Hireloop) or shows a page."""
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if not location.startswith(provider.issuer):
            return location
        response = browser.get(location, allow_redirects=False)
    return response


def start_sign_in(client: Client, next_url: str | None = None) -> str:
    """Hireloop's side of the start: the provider's authorization URL it redirects to."""
    response = client.get("/accounts/oidc/authenticate/", {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content[:2000]
    return str(response["Location"])


def sign_in_at_provider(
    client: Client, provider: OidcProvider, login: str, *, abort: bool = False, next_url: str | None = None
) -> str:
    """Start at Hireloop, sign in as ``login`` on the provider's login page; the URL it sends the browser back to.

    ``abort`` presses the login page's "cancel" instead (the provider then answers ``error=access_denied``).
    """
    browser = requests.Session()
    page = _follow_at_provider(browser, provider, browser.get(start_sign_in(client, next_url), allow_redirects=False))
    assert isinstance(page, requests.Response) and page.status_code == 200, getattr(page, "text", page)
    action = urljoin(page.url, _form_action(page.text))
    if abort:
        found = re.search(r'href="([^"]*/abort)"', page.text)
        assert found, page.text[:2000]
        abort_url = urljoin(page.url, found.group(1))
        result = _follow_at_provider(browser, provider, browser.get(abort_url, allow_redirects=False))
    else:
        result = _follow_at_provider(
            browser, provider,
            browser.post(action, data={"prompt": "login", "login": provider.accounts[login]["sub"], "password": "any"},
                         allow_redirects=False),
        )
    assert isinstance(result, str), f"the provider did not send the browser back:\n{result.text[:2000]}"
    return result


def callback_path(url: str) -> str:
    """The callback URL as the test client takes it (path and query)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def query_value(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query)[name][0]


# The provider's groups the tests map to Hireloop's roles.
GROUPS = {
    "admin": "hl-admins",
    "recruiter": "hl-recruiters",
    "committee": "hl-committee",
    "interviewer": "hl-interviewers",
}


def configure_hireloop(settings: Any, issuer: str) -> None:
    """Point Hireloop (through pytest-django's ``settings`` fixture) at a provider, as the environment would."""
    from hiring.oidc.discovery import forget_provider_metadata

    settings.HIRELOOP_OIDC_ISSUER = issuer
    settings.HIRELOOP_OIDC_CLIENT_ID = CLIENT_ID
    settings.HIRELOOP_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.HIRELOOP_OIDC_SCOPES = "openid email profile groups"
    settings.HIRELOOP_OIDC_PROVIDER_NAME = "Test IdP"
    settings.HIRELOOP_OIDC_ADMIN_GROUPS = [GROUPS["admin"]]
    settings.HIRELOOP_OIDC_RECRUITER_GROUPS = [GROUPS["recruiter"]]
    settings.HIRELOOP_OIDC_COMMITTEE_GROUPS = [GROUPS["committee"]]
    settings.HIRELOOP_OIDC_INTERVIEWER_GROUPS = [GROUPS["interviewer"]]
    settings.AUTHENTICATION_BACKENDS = [
        "hiring.accounts.throttling.SignInThrottleBackend",
        "django.contrib.auth.backends.ModelBackend",
        "hiring.oidc.backend.OidcBackend",
    ]
    forget_provider_metadata()
