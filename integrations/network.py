"""Reaching a receiver: which URLs may be registered, which addresses may be called, and one bounded POST.

Server-side request forgery is the risk: whoever registers an endpoint (an admin, or someone holding an
admin's session or token) chooses where Hireloop's workers send requests from inside its network. Unchecked,
a URL could reach the cloud's metadata service (169.254.169.254), the database or Redis on the private
network, or the worker's own loopback. Unless ``HIRELOOP_WEBHOOK_ALLOW_PRIVATE`` is true:

- at registration the host must resolve, and only to public addresses;
- at every attempt the host is resolved again and every address checked, and the connection goes to the
  address that was checked (the Host header and the TLS server name stay the host name), so a DNS answer that
  changes between the check and the connection (DNS rebinding) cannot move the request inside;
- redirects are never followed and proxy variables are ignored (http.client does neither).

Timeouts bound every attempt: ``HIRELOOP_WEBHOOK_CONNECT_TIMEOUT`` to connect (TLS included), then
``HIRELOOP_WEBHOOK_READ_TIMEOUT`` for the answer, and a watchdog closes the socket when both have passed in
all, so a receiver that drips its answer a byte at a time cannot hold a worker longer either.
Nothing here logs a URL: Slack's carry their secret.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000
# Only the start of an answer is read: it is shown to the admin as an excerpt, and a receiver streaming
# megabytes must not hold the worker.
MAX_RESPONSE_BYTES = 64 * 1024
EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string


@dataclass(frozen=True)
class HttpResult:
    """What one POST came to: a status (any, 2xx or not), or an error saying why there was none."""

    status: int | None
    elapsed_ms: int
    error: str = ""
    excerpt: str = ""
    retry_after: int | None = None


def url_problem(url: str, *, require_https: bool, allowed_hosts: list[str] | None = None) -> str | None:
    """Why ``url`` cannot be an endpoint's URL, as a sentence for the person who typed it, or None.

    Syntax only (no DNS): ``allowed_hosts`` limits the host names (Slack's own, for Slack channels).
    """
    url = url.strip()
    if not url:
        return "Enter the URL."
    if len(url) > MAX_URL_LENGTH:
        return f"Use a URL of at most {MAX_URL_LENGTH} characters."
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return "A URL has no spaces or control characters."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "This is not a valid URL (check the host and port)."
    if parts.scheme not in ("http", "https"):
        return "Use an http:// or https:// URL."
    if require_https and parts.scheme != "https":
        return "Use an https:// URL: this Hireloop sends webhooks over TLS only (HIRELOOP_WEBHOOK_REQUIRE_HTTPS)."
    if not parts.hostname:
        return "The URL has no host name."
    if parts.username is not None or parts.password is not None:
        return "Leave credentials out of the URL: receivers authenticate Hireloop by the signature."
    if parts.fragment:
        return "Leave the #fragment out: it is never sent to the receiver."
    if port == 0:
        return "Port 0 cannot be called."
    if allowed_hosts is not None and parts.hostname.lower() not in allowed_hosts:
        return f"Use a Slack incoming-webhook URL (https://{allowed_hosts[0]}/services/…)." if allowed_hosts else (
            "No host is allowed here."
        )
    return None


def target_of(url: str) -> Target:
    parts = urlsplit(url.strip())
    scheme = parts.scheme
    assert parts.hostname is not None, "checked by url_problem"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=parts.hostname, port=parts.port or (443 if scheme == "https" else 80),
                  path=path)


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order (tests stand in for DNS here)."""
    addresses: list[str] = []
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def is_public_address(address: str) -> bool:
    """True for an address on the public internet; False for private, loopback, link-local (cloud metadata),
    shared (carrier NAT), multicast, reserved and unspecified ones, IPv4 hidden in IPv6 included."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return is_public_address(str(embedded))
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


def addresses_to_call(host: str, port: int, *, allow_private: bool) -> tuple[list[str], str | None]:
    """The addresses a request to ``host`` may go to, or a reason it may go nowhere."""
    try:
        addresses = resolve(host, port)
    except (socket.gaierror, UnicodeError):
        return [], f"The host name {host} does not resolve."
    if not addresses:
        return [], f"The host name {host} does not resolve."
    if not allow_private:
        internal = [address for address in addresses if not is_public_address(address)]
        if internal:
            return [], (
                f"{host} resolves to {internal[0]}, a private, loopback or otherwise internal address; Hireloop "
                "calls only public addresses (HIRELOOP_WEBHOOK_ALLOW_PRIVATE)."
            )
    return addresses, None


def post(
    url: str, body: bytes, headers: dict[str, str], *, connect_timeout: float, read_timeout: float,
    allow_private: bool,
) -> HttpResult:
    """POST ``body`` to ``url`` under the address policy and the timeouts above; never raises for the network."""
    started = time.monotonic()
    target = target_of(url)
    addresses, problem = addresses_to_call(target.host, target.port, allow_private=allow_private)
    if problem is not None:
        return HttpResult(status=None, elapsed_ms=_ms_since(started), error=problem)
    connection = _connection(target, addresses[0], connect_timeout)
    aborted = threading.Event()

    def abort() -> None:
        aborted.set()
        sock = connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(connect_timeout + read_timeout, abort)
    watchdog.daemon = True
    watchdog.start()
    connected = False
    try:
        connection.connect()
        connected = True
        assert connection.sock is not None
        connection.sock.settimeout(read_timeout)
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(MAX_RESPONSE_BYTES)
        if aborted.is_set():
            raise TimeoutError
        return HttpResult(status=response.status, elapsed_ms=_ms_since(started), excerpt=_excerpt(answer),
                          retry_after=_retry_after(response.getheader("Retry-After")))
    except Exception as exc:  # noqa: BLE001 - every failure of the receiver is an outcome to record, not a crash.
        return HttpResult(status=None, elapsed_ms=_ms_since(started),
                          error=_error_text(exc, target, connected=connected, aborted=aborted.is_set(),
                                            connect_timeout=connect_timeout, read_timeout=read_timeout))
    finally:
        watchdog.cancel()
        connection.close()


def _connection(target: Target, address: str, connect_timeout: float) -> http.client.HTTPConnection:
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(target.host, target.port, timeout=connect_timeout,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=connect_timeout)

    def connect_to_checked_address(_: Any, timeout: Any = None, source_address: Any = None) -> socket.socket:
        # The address that passed the check, whatever the resolver would answer now (DNS rebinding).
        return socket.create_connection((address, target.port), timeout, source_address)

    connection._create_connection = connect_to_checked_address  # type: ignore[attr-defined]
    return connection


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _excerpt(answer: bytes) -> str:
    text = answer.decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in text)[:EXCERPT_CHARS]


def _retry_after(value: str | None) -> int | None:
    # Seconds only: an HTTP date from a receiver's clock is not worth trusting over the backoff.
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _error_text(exc: Exception, target: Target, *, connected: bool, aborted: bool, connect_timeout: float,
                read_timeout: float) -> str:
    if aborted:
        return f"No complete answer within {connect_timeout + read_timeout:g} s in all; the attempt was cut off."
    if isinstance(exc, TimeoutError):
        if connected:
            return f"No answer within {read_timeout:g} s (HIRELOOP_WEBHOOK_READ_TIMEOUT)."
        return f"Could not connect within {connect_timeout:g} s (HIRELOOP_WEBHOOK_CONNECT_TIMEOUT)."
    if isinstance(exc, ConnectionRefusedError):
        return f"Connection refused by {target.host} on port {target.port}."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"The TLS certificate is not valid for {target.host} ({exc.verify_message})."
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed with {target.host} ({exc.reason or type(exc).__name__})."
    if isinstance(exc, http.client.RemoteDisconnected):
        return "The receiver closed the connection without answering."
    if isinstance(exc, http.client.HTTPException):
        return f"The answer was not valid HTTP ({type(exc).__name__})."
    if isinstance(exc, ConnectionError):
        return f"The connection failed ({type(exc).__name__})."
    if isinstance(exc, OSError):
        return f"Network error ({exc.strerror or type(exc).__name__})."
    return f"The request failed ({type(exc).__name__})."
