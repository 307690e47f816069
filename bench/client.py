"""A small HTTP client for benchmark runs: signs in through the real login form, times requests.

Plain ``http.client`` on one keep-alive connection, so that what is timed is
the server, not a client library.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Session:
    """A signed-in user's cookies and CSRF token, as a browser would hold them."""

    username: str
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    @property
    def csrf_token(self) -> str:
        return self.cookies["csrftoken"]


class Client:
    def __init__(self, host: str, port: int, timeout: float = 600.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def close(self) -> None:
        self.connection.close()

    def request(self, method: str, path: str, *, session: Session | None = None, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        all_headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if session is not None and session.cookies:
            all_headers["Cookie"] = session.cookie_header
        if body is not None:
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            self.connection.request(method, path, body=body, headers=all_headers)
            return self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # gunicorn's sync workers close idle keep-alive connections: reconnect once.
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.connection.request(method, path, body=body, headers=all_headers)
            return self.connection.getresponse()

    def _remember(self, session: Session, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                session.cookies[name] = morsel.value

    def login(self, username: str, password: str) -> Session:
        """Sign in through /accounts/login/ exactly as a browser does."""
        session = Session(username=username)
        response = self.request("GET", "/accounts/login/")
        page = response.read()
        self._remember(session, response)
        match = CSRF_INPUT.search(page)
        if response.status != 200 or match is None:
            raise RuntimeError(f"The login page answered {response.status} without a CSRF token.")
        body = urlencode({"username": username, "password": password,
                          "csrfmiddlewaretoken": match.group(1).decode()}).encode()
        response = self.request("POST", "/accounts/login/", session=session, body=body,
                                headers={"Referer": f"http://{self.host}:{self.port}/accounts/login/"})
        response.read()
        self._remember(session, response)
        if response.status != 302 or "sessionid" not in session.cookies:
            raise RuntimeError(f"Signing in as {username} failed (HTTP {response.status}).")
        return session

    def timed_get(self, path: str, session: Session) -> tuple[float, int, int]:
        """(seconds to the last byte, status, bytes); the body is read in chunks and dropped."""
        started = time.perf_counter()
        response = self.request("GET", path, session=session)
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
        return time.perf_counter() - started, response.status, size
