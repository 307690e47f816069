"""An HTTP client for the vendors' APIs: Basic auth, their rate-limit headers, retries of 429 and 5xx.

Greenhouse (Harvest API, "Rate limiting"): ``X-RateLimit-Limit`` requests per
10 seconds, ``X-RateLimit-Remaining`` left in the window; a 429 carries
``Retry-After`` (seconds) and ``X-RateLimit-Reset`` (when to try again).
Lever ("Rate Limits"): a token bucket of about 10 requests a second; a 429
means back off. Both answer 5xx now and then: those are retried with
exponential backoff, as are dropped connections. Any other error stops the
fetch with the status and what it usually means; a response body is never
shown (it may hold candidates' data).
"""

from __future__ import annotations

import base64
import email.utils
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

USER_AGENT = "Hireloop-import/1"
MEANINGS = {
    401: "the API key was refused: check it, and that it may read these endpoints",
    403: "the API key may not read this endpoint (give it the permission in the vendor's settings)",
    404: "no such endpoint: check --api-url",
    422: "the API did not accept the request's parameters",
}


class FetchError(Exception):
    """The fetch cannot go on; what was fetched so far is kept and a re-run resumes after it."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes


def check_base_url(url: str) -> str:
    """The API's base URL: HTTPS, except on this machine (a test server), so the key never crosses in clear."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchError(f"--api-url {url!r} is not an http(s) URL")
    if parts.scheme == "http":
        try:
            loopback = parts.hostname == "localhost" or ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise FetchError("--api-url must use https: the API key would travel unencrypted")
    return url.rstrip("/")


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


class ApiClient:
    def __init__(
        self, *, base_url: str, api_key: str, window_seconds: float, max_attempts: int = 8,
        backoff_seconds: float = 1.0, max_backoff_seconds: float = 60.0, timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep, wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.authorization = "Basic " + base64.b64encode(f"{api_key}:".encode()).decode()
        self.window_seconds = window_seconds
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.timeout = timeout
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.requests = 0

    def get(self, url: str) -> Response:
        if not same_origin(url, self.base_url):
            # A pagination link elsewhere would take the API key with it.
            raise FetchError(f"the API sent a link to another host ({urlsplit(url).netloc}); not followed")
        last = ""
        for attempt in range(self.max_attempts):
            try:
                response = self._send(url)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last = f"connection failed ({type(exc).__name__})"
                self.sleep(self._backoff(attempt))
                continue
            if response.status == 429:
                last = "429 Too Many Requests"
                self.sleep(self._retry_after(response, attempt))
                continue
            if response.status >= 500:
                last = f"{response.status} server error"
                self.sleep(self._backoff(attempt))
                continue
            if response.status >= 400:
                meaning = MEANINGS.get(response.status, "the API refused the request")
                raise FetchError(f"{response.status} from {urlsplit(url).path}: {meaning}")
            self._respect_window(response)
            return response
        raise FetchError(f"gave up on {urlsplit(url).path} after {self.max_attempts} attempts (last: {last})")

    def _send(self, url: str) -> Response:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in check_base_url
            url, headers={"Authorization": self.authorization, "Accept": "application/json",
                          "User-Agent": USER_AGENT},
        )
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
        except urllib.error.HTTPError as error:
            headers = {k.lower(): v for k, v in error.headers.items()} if error.headers else {}
            error.read()
            return Response(error.code, headers, b"")

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_backoff_seconds, self.backoff_seconds * 2 ** attempt))

    def _retry_after(self, response: Response, attempt: int) -> float:
        value = response.headers.get("retry-after", "").strip()
        if value.isdigit():
            return float(min(int(value), 600))
        if value:
            when = email.utils.parsedate_to_datetime(value)
            if when is not None:
                return max(0.0, min(600.0, when.timestamp() - self.wall_clock()))
        reset = self._reset_in(response)
        return reset if reset is not None else self._backoff(attempt)

    def _reset_in(self, response: Response) -> float | None:
        value = response.headers.get("x-ratelimit-reset", "").strip()
        try:
            reset = float(value)
        except ValueError:
            return None
        return max(0.0, min(600.0, reset - self.wall_clock()))

    def _respect_window(self, response: Response) -> None:
        """With the window's requests used up, wait for the next window instead of earning a 429."""
        if response.headers.get("x-ratelimit-remaining", "").strip() != "0":
            return
        reset = self._reset_in(response)
        self.sleep(reset if reset is not None else self.window_seconds)
