"""Webhook receivers the tests start on 127.0.0.1: real HTTP servers, so the client under test is the one that
runs in production. Importable by any test (``from tests.integrations.receivers import Receiver, answer``).

A receiver answers its n-th request (0-based) with ``answers(n, request)``: a status and a body, optionally
after holding the connection (``hang``) until the test releases it, or dripping its answer a byte at a time.
Every request is recorded as it arrives, and its answer once sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b"ok"
    hang: bool = False  # hold the connection until released (or the client goes away)
    drip_seconds: float = 0.0  # pause before each byte of the status line and headers
    headers: dict[str, str] = field(default_factory=dict)


def answer(status: int = 200, body: bytes | str = b"ok", **kwargs: Any) -> Answer:
    return Answer(status=status, body=body.encode() if isinstance(body, str) else body, **kwargs)


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    answered: int | None = None  # the status sent, None while held or when the client left first

    def json(self) -> Any:
        return json.loads(self.body)


Answers = Callable[[int, "Received"], Answer]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        return

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        received = Received(path=self.path, headers={k.lower(): v for k, v in self.headers.items()},
                            body=self.rfile.read(length))
        reply = self.server.receiver.arrived(received)
        if reply.hang:
            self.server.receiver.held(received)
        try:
            if reply.drip_seconds:
                head = f"HTTP/1.0 {reply.status} Answer\r\nContent-Length: {len(reply.body)}\r\n\r\n".encode()
                for byte in head:
                    if self.server.receiver.stopping.is_set():
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(reply.drip_seconds)
                self.wfile.write(reply.body)
            else:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            received.answered = reply.status
        except OSError:
            pass  # the client gave up first (its timeout): nothing was answered


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver


class Receiver:
    """A webhook receiver on 127.0.0.1 with a free port; ``url`` is where to register it."""

    def __init__(self, answers: Answers, *, path: str = "/hooks/hireloop") -> None:
        self.answers = answers
        self.path = path
        self.requests: list[Received] = []
        self.stopping = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._held = threading.Condition(self._lock)
        self._holding = 0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.receiver = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def arrived(self, received: Received) -> Answer:
        with self._lock:
            index = len(self.requests)
            self.requests.append(received)
        return self.answers(index, received)

    def held(self, received: Received) -> None:
        with self._held:
            self._holding += 1
            self._held.notify_all()
        self.release.wait(timeout=120)
        with self._held:
            self._holding -= 1

    @property
    def holding(self) -> int:
        """Requests arrived and held right now (a hanging receiver at work)."""
        with self._lock:
            return self._holding

    def wait_holding(self, count: int = 1, timeout: float = 30) -> None:
        with self._held:
            if not self._held.wait_for(lambda: self._holding >= count, timeout=timeout):
                raise AssertionError(f"no request held within {timeout}s ({len(self.requests)} arrived)")

    def answered_ok(self) -> list[Received]:
        """The requests it answered with 2xx: each one a delivery the sender counts as done."""
        with self._lock:
            return [r for r in self.requests if r.answered is not None and 200 <= r.answered < 300]


@contextmanager
def running(answers: Answers, **kwargs: Any) -> Iterator[Receiver]:
    receiver = Receiver(answers, **kwargs).start()
    try:
        yield receiver
    finally:
        receiver.stop()


def always(reply: Answer) -> Answers:
    return lambda index, received: reply


def failing_then(failures: int, failure: Answer, then: Answer) -> Answers:
    """Fails the first ``failures`` requests, then recovers."""
    return lambda index, received: failure if index < failures else then


def slack(index: int, received: Received) -> Answer:
    """Slack's incoming webhook as documented: 200 ``ok`` for a JSON body with ``text`` or ``blocks``, else 400
    ``invalid_payload`` (Slack's status codes and body strings for incoming-webhook errors)."""
    try:
        payload = received.json()
    except ValueError:
        return answer(400, "invalid_payload")
    if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
        return answer(400, "invalid_payload")
    return answer(200, "ok")
